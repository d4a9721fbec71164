// The `onednn` backend: oneDNN matmul primitives (brgemm kernels from AVX-512 up, jit gemm on
// AVX2) in one compute type for the whole model: f32, bf16 (where the CPU has avx512_bf16) or int8
// (s8 weights with per-output-channel scales, activations quantised per row at run time and fed as
// u8, VNNI's native operand). Every stored weight type is converted once at load into the
// primitive's preferred blocked layout; primitives are shared per shape (onednn_matmul_cache.h).
// oneDNN runs on OpenMP, so parallel_for does too.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <dnnl.hpp>

#include "backends/backend.h"
#include "backends/onednn/onednn_matmul_cache.h"

namespace lfmb {

class OnednnBackend final : public Backend {
 public:
  explicit OnednnBackend(const BackendOptions& opts);

  std::string_view name() const override { return "onednn"; }
  bool supports(TensorType) const override { return true; }
  std::vector<std::string> dtypes() const override;
  std::string dtype() const override;
  uint64_t prepared_bytes(const WeightView& w) const override;
  std::unique_ptr<PreparedWeight> prepare(const WeightView& w) override;
  void linear(const PreparedWeight& w, int64_t mat, const float* x, int64_t n_rows, float* y) override;
  void parallel_for(int64_t n, const std::function<void(int64_t)>& fn) override;
  std::string describe() const override;

  // Primitives created so far (tests check that same-shaped weights share them).
  size_t primitive_count() const { return cache_.primitive_count(); }
  // The oneDNN implementation a call of `rows` rows on this shape runs ("brg:avx512_core", ...).
  std::string implementation(int64_t n_out, int64_t n_in, int64_t rows) const {
    return cache_.implementation(n_out, n_in, rows);
  }

  // Rows per primitive call: longer inputs run in chunks, which bounds how many primitives one
  // shape can need while keeping each chunk long enough to be compute-bound.
  static constexpr int64_t kMaxRows = 256;

  // int8 without VNNI: each activation row runs as two source rows (see int8_pairs_saturate).
  int64_t source_rows_per_row() const { return split_rows_ ? 2 : 1; }

 private:
  // Converts one stored matrix into `dst` (laid out as `layout`) and, for int8, its per-channel
  // offsets and scales; `scratch` holds the plain converted copy the reorder reads.
  void convert_matrix(const WeightView& w, int64_t mat, const dnnl::memory::desc& layout, uint8_t* dst,
                      float* offsets, float* scales, std::vector<uint8_t>& scratch, dnnl::stream& stream);
  // Makes x (rows × n_in) the matmul's source: as is (f32), rounded (bf16) or quantised (int8:
  // symmetric, one scale per row into row_scales_, shifted by 128 into u8, split in two rows of at
  // most 128 each where oneDNN's kernels lack VNNI).
  dnnl::memory source(const float* x, int64_t rows, int64_t n_in);

  OnednnDtype dtype_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  // prepared_bytes() asks for layouts before anything is allocated; they do not change what the
  // backend computes, so a const query may create them.
  mutable OnednnMatmulCache cache_;
  bool split_rows_;
  std::vector<uint16_t> x_bf16_;
  std::vector<uint8_t> x_u8_;
  std::vector<float> y_split_;  // both halves' outputs of split rows, before they are added
  std::vector<float> row_scales_;
};

}  // namespace lfmb
