#include "kernels/dot_f32.h"

#include "kernels/float_tile_kernels.h"

namespace lfmb {

namespace {

struct F32Loader {
  static constexpr int kBytes = 4;
  static float scalar(const uint8_t* w, int64_t k) { return reinterpret_cast<const float*>(w)[k]; }
  LFMB_TARGET_AVX2 static __m256 load8(const uint8_t* w, int64_t k) {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(w) + k);
  }
  LFMB_TARGET_AVX512 static __m512 load16(const uint8_t* w, int64_t k, __mmask16 m) {
    return _mm512_maskz_loadu_ps(m, reinterpret_cast<const float*>(w) + k);
  }
};

}  // namespace

void gemm_f32(Isa isa, const FloatTile& t) {
  switch (isa) {
    case Isa::Avx512: return drive_tile<float_kernels::Avx512<F32Loader>, 4, 4>(t);
    case Isa::Avx2: return drive_tile<float_kernels::Avx2<F32Loader>, 4, 2>(t);
    case Isa::Scalar: return drive_tile<float_kernels::Scalar<F32Loader>, 1, 1>(t);
  }
}

}  // namespace lfmb
