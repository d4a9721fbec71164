// Synthetic models: a preset's exact tensor shapes filled with seeded random weights scaled like
// a real initialisation, plus complete metadata and a placeholder tokenizer. Throughput does not
// depend on weight values, so these stand in for models that cannot be downloaded.
//
// Every value is a pure function of (seed, tensor name, chunk index): the bytes do not depend on
// the thread count, and the same values underlie every storage type.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/gguf/gguf_writer.h"
#include "core/model/model_config.h"
#include "core/synth/presets.h"
#include "core/gguf/tensor_type.h"

namespace lfmb {

class GgufFile;

using ProgressFn = std::function<void(uint64_t done_bytes, uint64_t total_bytes)>;

class ModelSynthesizer {
 public:
  // `type` applies to the matrices; norms, conv kernels and the router stay F32.
  ModelSynthesizer(const SynthPreset& preset, TensorType type, uint64_t seed);

  const ModelConfig& config() const { return config_; }
  const GgufWriter& writer() const { return writer_; }
  uint64_t file_size() const { return writer_.file_size(); }
  // "<synth:lfm2-8b-a1b/q4_0/seed1>": the name an in-memory model goes by.
  std::string display_name() const;

  // Writes the GGUF file atomically; first refuses with lfmb::Error when the file system lacks
  // the space.
  void write_file(const std::string& path, int n_threads, const ProgressFn& progress = nullptr) const;
  // The same bytes as write_file, built in anonymous memory and parsed as a GgufFile.
  std::unique_ptr<GgufFile> build_in_memory(int n_threads, const ProgressFn& progress = nullptr) const;

  // Produces tensor `index` (in expected_tensors order) into dst (spec.n_bytes bytes).
  void fill(size_t index, uint8_t* dst) const;

 private:
  std::string preset_name_;
  TensorType type_;
  uint64_t seed_;
  ModelConfig config_;
  std::vector<ExpectedTensor> expected_;
  GgufWriter writer_;
};

// The storage type of one tensor in a synthetic file of `type`.
TensorType synth_tensor_type(const ExpectedTensor& t, TensorType type);

// Values are drawn in chunks of this many elements, each from its own seeded stream.
inline constexpr int64_t kSynthChunkElements = 1 << 16;

// Shortcut for the throughput harness: preset by name (lfmb::UsageError listing the presets when
// unknown), built in memory.
std::unique_ptr<GgufFile> synthesize_in_memory(const std::string& preset, TensorType type, uint64_t seed,
                                               int n_threads);

}  // namespace lfmb
