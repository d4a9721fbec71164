#include "core/synth/synthesize.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/io/disk_space.h"
#include "core/io/output_file.h"
#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/synth/placeholder_tokenizer.h"
#include "core/synth/random.h"

namespace lfmb {

namespace {

// llama.cpp's general.file_type codes ("mostly" this type), which other tools display.
uint32_t file_type_code(TensorType t) {
  switch (t) {
    case TensorType::F32: return 0;
    case TensorType::F16: return 1;
    case TensorType::Q4_0: return 2;
    case TensorType::Q8_0: return 7;
    case TensorType::BF16: return 32;
  }
  return 0;
}

struct Init {
  float mean, std;
};

// Like a real initialisation, so activations keep their size through every layer: a matrix
// (and the conv kernel, router, embedding and output, all read along ne0) maps unit-variance
// inputs to unit-variance outputs with std 1/sqrt(fan_in); norm gains sit near 1; the router
// bias is small next to the sigmoid scores it shifts.
Init init_of(const ExpectedTensor& t) {
  switch (t.role) {
    case TensorRole::Norm: return {1.0f, 0.02f};
    case TensorRole::RouterBias: return {0.0f, 0.01f};
    default: return {0.0f, float(1.0 / std::sqrt(double(t.fan_in())))};
  }
}

}  // namespace

TensorType synth_tensor_type(const ExpectedTensor& t, TensorType type) {
  return t.stays_f32() ? TensorType::F32 : type;
}

ModelSynthesizer::ModelSynthesizer(const SynthPreset& preset, TensorType type, uint64_t seed)
    : preset_name_(preset.name), type_(type), seed_(seed), config_(preset.config), expected_(expected_tensors(config_)) {
  model_config_to_gguf(config_, writer_);
  writer_.set("general.name", GgufValue::str(config_.name));
  writer_.set("general.file_type", GgufValue::u32(file_type_code(type)));
  // Marks the file as synthetic and says how to make it again.
  writer_.set("lfmb.synth.preset", GgufValue::str(preset.name));
  writer_.set("lfmb.synth.seed", GgufValue::u64(seed));
  add_tokenizer_metadata(make_placeholder_tokenizer(config_), writer_);
  for (const auto& t : expected_) writer_.add_tensor(t.name, synth_tensor_type(t, type), t.dims);
}

std::string ModelSynthesizer::display_name() const {
  std::string type(tensor_type_name(type_));
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  return "<synth:" + preset_name_ + "/" + type + "/seed" + std::to_string(seed_) + ">";
}

void ModelSynthesizer::fill(size_t index, uint8_t* dst) const {
  const ExpectedTensor& t = expected_.at(index);
  const TensorType type = synth_tensor_type(t, type_);
  const Init init = init_of(t);
  const int64_t n = t.n_elements();
  // One independent stream per (seed, tensor, chunk): any chunk can be produced alone, by any
  // thread, in any order, with the same result.
  const uint64_t tensor_stream = mix64(mix64(seed_) ^ hash_name(t.name));
  const size_t chunk_size = size_t(std::min(n, kSynthChunkElements));
  std::vector<uint64_t> bits(chunk_size);
  std::vector<float> values(chunk_size);
  for (int64_t start = 0, chunk = 0; start < n; start += kSynthChunkElements, ++chunk) {
    const size_t count = size_t(std::min(kSynthChunkElements, n - start));
    Xoshiro256Plus rng(mix64(tensor_stream + uint64_t(chunk)));
    // Two passes: the generator is a serial dependency chain, but the conversion loop then
    // vectorises (about 1.5x faster than one fused loop).
    for (size_t i = 0; i < count; ++i) bits[i] = rng.next();
    for (size_t i = 0; i < count; ++i) values[i] = init.mean + init.std * approx_normal(bits[i]);
    // Chunks hold a multiple of 32 values and rows are multiples of 32 long, so quantisation
    // blocks never straddle a chunk boundary.
    quantize_row(type, values.data(), dst + row_bytes(type, start), int64_t(count));
  }
}

void ModelSynthesizer::write_file(const std::string& path, int n_threads, const ProgressFn& progress) const {
  // Free space matters only where a file is made; a device or FIFO takes the bytes as they come.
  const OutputTarget target = resolve_output(path);
  if (!target.direct()) require_free_space(target.target, file_size());
  writer_.write(
      path, [this](size_t i, const GgufTensorSpec&, uint8_t* dst) { fill(i, dst); }, std::max(1, n_threads),
      progress);
}

std::unique_ptr<GgufFile> ModelSynthesizer::build_in_memory(int n_threads, const ProgressFn& progress) const {
  AnonymousMapping image = writer_.write_to_memory(
      [this](size_t i, const GgufTensorSpec&, uint8_t* dst) { fill(i, dst); }, std::max(1, n_threads), progress);
  return std::make_unique<GgufFile>(display_name(), std::move(image));
}

std::unique_ptr<GgufFile> synthesize_in_memory(const std::string& preset, TensorType type, uint64_t seed,
                                               int n_threads) {
  const SynthPreset* p = find_synth_preset(preset);
  if (!p) throw UsageError("unknown synthetic model preset '" + preset + "' (presets: " + synth_preset_names() + ")");
  return ModelSynthesizer(*p, type, seed).build_in_memory(n_threads);
}

}  // namespace lfmb
