#include "kernels/dot_bf16.h"

#include "core/gguf/half.h"
#include "kernels/float_tile_kernels.h"

namespace lfmb {

void split_bf16(const float* x, int64_t count, uint16_t* hi, uint16_t* lo) {
  for (int64_t i = 0; i < count; ++i) {
    hi[i] = f32_to_bf16(x[i]);
    lo[i] = f32_to_bf16(x[i] - bf16_to_f32(hi[i]));  // the difference is exact in float
  }
}

namespace {

struct Bf16Loader {
  static constexpr int kBytes = 2;
  static float scalar(const uint8_t* w, int64_t k) { return bf16_to_f32(reinterpret_cast<const uint16_t*>(w)[k]); }
  LFMB_TARGET_AVX2 static __m256 load8(const uint8_t* w, int64_t k) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(reinterpret_cast<const uint16_t*>(w) + k));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  LFMB_TARGET_AVX512 static __m512 load16(const uint8_t* w, int64_t k, __mmask16 m) {
    const __m256i h = _mm256_maskz_loadu_epi16(m, reinterpret_cast<const uint16_t*>(w) + k);
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
};

// vdpbf16ps: lane i += w[2i]·x[2i] + w[2i+1]·x[2i+1]; 32 values per instruction, twice (hi, lo).
struct Bf16Dot {
  template <int RW, int RX>
  LFMB_TARGET_AVX512_BF16 static void block(const FloatTile& t, int64_t w0, int64_t x0) {
    const uint16_t* wr[RW];
    const uint16_t* hr[RX];
    const uint16_t* lr[RX];
    for (int j = 0; j < RW; ++j) wr[j] = reinterpret_cast<const uint16_t*>(t.w + size_t(w0 + j) * t.w_stride);
    for (int i = 0; i < RX; ++i) {
      hr[i] = t.x_hi + (x0 + i) * t.ldx;
      lr[i] = t.x_lo + (x0 + i) * t.ldx;
    }
    __m512 acc[RW][RX];
    for (int j = 0; j < RW; ++j)
      for (int i = 0; i < RX; ++i) acc[j][i] = _mm512_setzero_ps();
    for (int64_t k = 0; k < t.n; k += 32) {
      // Masked-off values load as +0 in both operands, adding nothing.
      const __mmask32 m = t.n - k >= 32 ? __mmask32(0xffffffffu) : __mmask32((1u << (t.n - k)) - 1);
      __m512bh xh[RX], xl[RX];
      for (int i = 0; i < RX; ++i) {
        xh[i] = (__m512bh)_mm512_maskz_loadu_epi16(m, hr[i] + k);
        xl[i] = (__m512bh)_mm512_maskz_loadu_epi16(m, lr[i] + k);
      }
      for (int j = 0; j < RW; ++j) {
        _mm_prefetch(reinterpret_cast<const char*>(wr[j] + k) + 2 * RW * t.w_stride, _MM_HINT_T0);
        const __m512bh wv = (__m512bh)_mm512_maskz_loadu_epi16(m, wr[j] + k);
        for (int i = 0; i < RX; ++i) {
          acc[j][i] = _mm512_dpbf16_ps(acc[j][i], wv, xh[i]);
          acc[j][i] = _mm512_dpbf16_ps(acc[j][i], wv, xl[i]);
        }
      }
    }
    for (int i = 0; i < RX; ++i)
      for (int j = 0; j < RW; ++j) t.y[(x0 + i) * t.ldy + w0 + j] = _mm512_reduce_add_ps(acc[j][i]);
  }
};

}  // namespace

void gemm_bf16(Isa isa, const FloatTile& t) {
  if (has_bf16_dot(isa)) return drive_tile<Bf16Dot, 4, 4>(t);
  switch (isa) {
    case Isa::Avx512: return drive_tile<float_kernels::Avx512<Bf16Loader>, 4, 4>(t);
    case Isa::Avx2: return drive_tile<float_kernels::Avx2<Bf16Loader>, 4, 2>(t);
    case Isa::Scalar: return drive_tile<float_kernels::Scalar<Bf16Loader>, 1, 1>(t);
  }
}

}  // namespace lfmb
