// One entry point over the per-type kernels: prepare float activations in the form a weight
// type's kernel reads (int8 blocks for Q4_0/Q8_0, bf16 hi+lo for vdpbf16ps, float otherwise),
// then compute any tile of y = x · Wᵀ straight from the stored GGUF rows.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/gguf/tensor_type.h"
#include "kernels/cpu_features.h"
#include "kernels/quantize_activations.h"

namespace lfmb {

class KernelInput {
 public:
  // For float weight types x is referenced, not copied: it must outlive the tile calls.
  void prepare(Isa isa, TensorType weight_type, const float* x, int64_t n_rows, int64_t n);
  int64_t rows() const { return n_rows_; }
  // The int8 activations (prepared for Q4_0/Q8_0 weights), for the packed GEMM.
  const QuantizedActivations& quantized() const { return q_; }

 private:
  friend void matmul_tile(Isa, TensorType, const uint8_t*, size_t, int64_t, const KernelInput&, int64_t, int64_t,
                          float*, int64_t);
  TensorType type_ = TensorType::F32;
  const float* x_ = nullptr;
  int64_t n_rows_ = 0, n_ = 0;
  bool split_bf16_ = false;
  QuantizedActivations q_;
  std::vector<uint16_t> hi_, lo_;
};

// y[i · ldy + j] = x[x0 + i] · w_row[j] for i < nx, j < nw, where weight row j starts at
// w + j · w_stride (stored as `type`, the same type `in` was prepared for).
void matmul_tile(Isa isa, TensorType type, const uint8_t* w, size_t w_stride, int64_t nw, const KernelInput& in,
                 int64_t x0, int64_t nx, float* y, int64_t ldy);

// Which kernel runs for a weight type on an ISA path, e.g. "q4_0×q8 avx512-vnni".
std::string kernel_name(TensorType type, Isa isa);

}  // namespace lfmb
