// GGUF v3 writer. Metadata and tensor infos are declared first; tensor bytes are then produced
// one tensor at a time by a callback (in parallel when asked) and written straight to disk, so a
// multi-GB model is never held in memory. The output follows core/io/output_file.h: a file appears
// atomically (temp file + rename), a device, FIFO or socket is written in order where it is.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/io/anonymous_mapping.h"
#include "core/gguf/gguf_value.h"
#include "core/gguf/tensor_type.h"

namespace lfmb {

class OutputFile;

struct GgufTensorSpec {
  std::string name;
  TensorType type = TensorType::F32;
  std::vector<int64_t> dims;  // ne0 first
  uint64_t offset = 0;        // inside the data section, filled in by the writer
  uint64_t n_bytes = 0;
};

class GgufWriter {
 public:
  explicit GgufWriter(uint32_t alignment = 32);

  // Sets (or replaces) a metadata value; file order is the order keys were first set.
  void set(const std::string& key, GgufValue value);
  // Declares a tensor; returns its index. Throws on a duplicate name or a bad shape.
  size_t add_tensor(const std::string& name, TensorType type, std::vector<int64_t> dims);

  const std::vector<GgufTensorSpec>& tensors() const { return tensors_; }
  // Total size of the file write() will produce.
  uint64_t file_size() const;

  // Fills dst (exactly spec.n_bytes) with tensor `index`'s data.
  using FillFn = std::function<void(size_t index, const GgufTensorSpec& spec, uint8_t* dst)>;
  // Writes the file (its directory must exist); `fill` is called once per tensor from up to `n_threads` threads.
  // `progress`, if given, is called after each tensor with (bytes written, total bytes).
  void write(const std::string& path, const FillFn& fill, int n_threads = 1,
             const std::function<void(uint64_t, uint64_t)>& progress = nullptr) const;
  // Builds the same bytes write() would put in the file, in anonymous memory (no file), with
  // `fill` writing each tensor in place. GgufFile can adopt the result.
  AnonymousMapping write_to_memory(const FillFn& fill, int n_threads = 1,
                                   const std::function<void(uint64_t, uint64_t)>& progress = nullptr) const;

 private:
  std::vector<uint8_t> header_bytes() const;
  // Runs job(tensor index, per-thread scratch) once per tensor of [first, last) from up to
  // n_threads threads, then on_done(index) under a lock; the first exception stops the others
  // and is rethrown.
  void for_each_tensor(int n_threads, size_t first, size_t last,
                       const std::function<void(size_t, std::vector<uint8_t>&)>& job,
                       const std::function<void(size_t)>& on_done) const;
  // A temp file: tensors written at their offsets as they are filled, in any order.
  void write_in_parallel(OutputFile& out, const std::vector<uint8_t>& header, const FillFn& fill, int n_threads,
                         const std::function<void(uint64_t, uint64_t)>& progress) const;
  // A device, FIFO or socket: the same bytes, strictly in file order.
  void write_in_order(OutputFile& out, const std::vector<uint8_t>& header, const FillFn& fill, int n_threads,
                      const std::function<void(uint64_t, uint64_t)>& progress) const;
  uint32_t alignment_;
  std::vector<std::pair<std::string, GgufValue>> kv_;
  std::vector<GgufTensorSpec> tensors_;
  uint64_t data_size_ = 0;
};

}  // namespace lfmb
