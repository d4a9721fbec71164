#include "kernels/weight_matmul.h"

#include "core/error.h"
#include "kernels/dot_bf16.h"
#include "kernels/dot_f16.h"
#include "kernels/dot_f32.h"
#include "kernels/dot_q4_0_q8.h"
#include "kernels/dot_q8_0_q8.h"

namespace lfmb {

void KernelInput::prepare(Isa isa, TensorType weight_type, const float* x, int64_t n_rows, int64_t n) {
  type_ = weight_type;
  x_ = x;
  n_rows_ = n_rows;
  n_ = n;
  split_bf16_ = weight_type == TensorType::BF16 && has_bf16_dot(isa);
  switch (weight_type) {
    case TensorType::Q4_0:
    case TensorType::Q8_0: quantize_activations(isa, x, n_rows, n, q_); break;
    case TensorType::BF16:
      if (split_bf16_) {
        hi_.resize(size_t(n_rows * n));
        lo_.resize(size_t(n_rows * n));
        split_bf16(x, n_rows * n, hi_.data(), lo_.data());
      }
      break;
    case TensorType::F16:
    case TensorType::F32: break;
  }
}

void matmul_tile(Isa isa, TensorType type, const uint8_t* w, size_t w_stride, int64_t nw, const KernelInput& in,
                 int64_t x0, int64_t nx, float* y, int64_t ldy) {
  if (type != in.type_) throw Error("internal: activations prepared for another weight type");
  if (type == TensorType::Q4_0 || type == TensorType::Q8_0) {
    const Int8Tile t{w, w_stride, nw, &in.q_, x0, nx, y, ldy};
    return type == TensorType::Q4_0 ? gemm_q4_0_q8(isa, t) : gemm_q8_0_q8(isa, t);
  }
  FloatTile t{w, w_stride, nw, in.x_ + x0 * in.n_, in.n_, nx, in.n_, y, ldy};
  if (in.split_bf16_) {
    t.x_hi = in.hi_.data() + x0 * in.n_;
    t.x_lo = in.lo_.data() + x0 * in.n_;
  }
  switch (type) {
    case TensorType::F32: return gemm_f32(isa, t);
    case TensorType::F16: return gemm_f16(isa, t);
    case TensorType::BF16: return gemm_bf16(isa, t);
    default: return;
  }
}

std::string kernel_name(TensorType type, Isa isa) {
  const std::string path = isa == Isa::Avx512 ? "avx512" : std::string(isa_name(isa));
  switch (type) {
    case TensorType::Q4_0: return "q4_0×q8 " + (isa == Isa::Avx512 ? "avx512-vnni" : path);
    case TensorType::Q8_0: return "q8_0×q8 " + (isa == Isa::Avx512 ? "avx512-vnni" : path);
    case TensorType::F16: return "f16 " + (isa == Isa::Scalar ? path : "f16c+fma " + path);
    case TensorType::BF16: return has_bf16_dot(isa) ? "bf16 vdpbf16ps(hi+lo) avx512-bf16" : "bf16 " + path;
    case TensorType::F32: return "f32 " + (isa == Isa::Scalar ? path : "fma " + path);
  }
  return "?";
}

}  // namespace lfmb
