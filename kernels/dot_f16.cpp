#include "kernels/dot_f16.h"

#include "core/gguf/half.h"
#include "kernels/float_tile_kernels.h"

namespace lfmb {

namespace {

struct F16Loader {
  static constexpr int kBytes = 2;
  static float scalar(const uint8_t* w, int64_t k) { return f16_to_f32(reinterpret_cast<const uint16_t*>(w)[k]); }
  LFMB_TARGET_AVX2 static __m256 load8(const uint8_t* w, int64_t k) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(reinterpret_cast<const uint16_t*>(w) + k)));
  }
  LFMB_TARGET_AVX512 static __m512 load16(const uint8_t* w, int64_t k, __mmask16 m) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, reinterpret_cast<const uint16_t*>(w) + k));
  }
};

}  // namespace

void gemm_f16(Isa isa, const FloatTile& t) {
  switch (isa) {
    case Isa::Avx512: return drive_tile<float_kernels::Avx512<F16Loader>, 4, 4>(t);
    case Isa::Avx2: return drive_tile<float_kernels::Avx2<F16Loader>, 4, 2>(t);
    case Isa::Scalar: return drive_tile<float_kernels::Scalar<F16Loader>, 1, 1>(t);
  }
}

}  // namespace lfmb
