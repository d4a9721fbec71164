#include "kernels/dot_q4_0_q8.h"

#include "core/half.h"
#include "core/tensor_type.h"
#include "kernels/simd_helpers.h"

namespace lfmb {

namespace {

struct Q4Scalar {
  template <int RW, int RX>
  static void block(const Int8Tile& t, int64_t w0, int64_t x0) {
    const int64_t nb = t.a->blocks_per_row();
    for (int i = 0; i < RX; ++i) {
      const int64_t xr = t.x0 + x0 + i;
      const int8_t* q = t.a->row_qs(xr);
      const float* dx = t.a->row_d(xr);
      for (int j = 0; j < RW; ++j) {
        const auto* wb = reinterpret_cast<const BlockQ4_0*>(t.w + size_t(w0 + j) * t.w_stride);
        float sum = 0.0f;
        for (int64_t b = 0; b < nb; ++b) {
          int32_t s = 0;
          for (int k = 0; k < 16; ++k) {
            s += ((wb[b].qs[k] & 0x0f) - 8) * q[b * 32 + k];
            s += ((wb[b].qs[k] >> 4) - 8) * q[b * 32 + k + 16];
          }
          sum += f16_to_f32(wb[b].d) * dx[b] * float(s);
        }
        t.y[(x0 + i) * t.ldy + w0 + j] = sum;
      }
    }
  }
};

// The 16 stored bytes hold values 0..15 in low nibbles and 16..31 in high nibbles: broadcast them
// to both 128-bit halves, shift the upper half by 4 and mask, giving the 32 values in order.
LFMB_TARGET_AVX2 inline __m256i unpack_nibbles(const uint8_t* qs) {
  const __m256i v = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)));
  return _mm256_and_si256(_mm256_srlv_epi64(v, _mm256_setr_epi64x(0, 0, 4, 4)), _mm256_set1_epi8(0x0f));
}

struct Q4Avx2 {
  template <int RW, int RX>
  LFMB_TARGET_AVX2 static void block(const Int8Tile& t, int64_t w0, int64_t x0) {
    const int64_t nb = t.a->blocks_per_row();
    const BlockQ4_0* wr[RW];
    for (int j = 0; j < RW; ++j) wr[j] = reinterpret_cast<const BlockQ4_0*>(t.w + size_t(w0 + j) * t.w_stride);
    const int8_t* xq[RX];
    const float* xd[RX];
    const int32_t* xb[RX];
    for (int i = 0; i < RX; ++i) {
      xq[i] = t.a->row_qs(t.x0 + x0 + i);
      xd[i] = t.a->row_d(t.x0 + x0 + i);
      xb[i] = t.a->row_bias(t.x0 + x0 + i);
    }
    __m256 acc[RW][RX];
    for (int j = 0; j < RW; ++j)
      for (int i = 0; i < RX; ++i) acc[j][i] = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t b = 0; b < nb; ++b) {
      __m256i a[RX];
      for (int i = 0; i < RX; ++i) a[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq[i] + b * 32));
      for (int j = 0; j < RW; ++j) {
        const __m256i q = unpack_nibbles(wr[j][b].qs);
        const float dw = _cvtsh_ss(wr[j][b].d);
        for (int i = 0; i < RX; ++i) {
          // maddubs: u8 nibble × s8 activation, pairs summed in int16 (≤ 2·15·127, no saturation).
          __m256i s = _mm256_madd_epi16(_mm256_maddubs_epi16(q, a[i]), ones);
          s = _mm256_add_epi32(s, _mm256_zextsi128_si256(_mm_cvtsi32_si128(xb[i][b])));
          acc[j][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(dw * xd[i][b]), acc[j][i]);
        }
      }
    }
    for (int i = 0; i < RX; ++i)
      for (int j = 0; j < RW; ++j) t.y[(x0 + i) * t.ldy + w0 + j] = simd::hsum_avx2(acc[j][i]);
  }
};

struct Q4Avx512 {
  template <int RW, int RX>
  LFMB_TARGET_AVX512 static void block(const Int8Tile& t, int64_t w0, int64_t x0) {
    const int64_t nb = t.a->blocks_per_row();
    const BlockQ4_0* wr[RW];
    for (int j = 0; j < RW; ++j) wr[j] = reinterpret_cast<const BlockQ4_0*>(t.w + size_t(w0 + j) * t.w_stride);
    const int8_t* xq[RX];
    const float* xd[RX];
    const int32_t* xb[RX];
    for (int i = 0; i < RX; ++i) {
      xq[i] = t.a->row_qs(t.x0 + x0 + i);
      xd[i] = t.a->row_d(t.x0 + x0 + i);
      xb[i] = t.a->row_bias(t.x0 + x0 + i);
    }
    __m256 acc[RW][RX];
    for (int j = 0; j < RW; ++j)
      for (int i = 0; i < RX; ++i) acc[j][i] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      __m256i a[RX];
      __m256i bias[RX];
      for (int i = 0; i < RX; ++i) {
        a[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq[i] + b * 32));
        bias[i] = _mm256_zextsi128_si256(_mm_cvtsi32_si128(xb[i][b]));
      }
      for (int j = 0; j < RW; ++j) {
        const __m256i q = unpack_nibbles(wr[j][b].qs);
        const float dw = _cvtsh_ss(wr[j][b].d);
        for (int i = 0; i < RX; ++i) {
          // VNNI: bias + Σ u8 nibble × s8 activation in one instruction.
          const __m256i s = _mm256_dpbusd_epi32(bias[i], q, a[i]);
          acc[j][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(dw * xd[i][b]), acc[j][i]);
        }
      }
    }
    for (int i = 0; i < RX; ++i)
      for (int j = 0; j < RW; ++j) t.y[(x0 + i) * t.ldy + w0 + j] = simd::hsum_avx2(acc[j][i]);
  }
};

}  // namespace

void gemm_q4_0_q8(Isa isa, const Int8Tile& t) {
  switch (isa) {
    case Isa::Avx512: return drive_tile<Q4Avx512, 4, 4>(t);
    case Isa::Avx2: return drive_tile<Q4Avx2, 4, 2>(t);
    case Isa::Scalar: return drive_tile<Q4Scalar, 1, 1>(t);
  }
}

}  // namespace lfmb
