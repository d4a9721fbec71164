#include "kernels/dot_q8_0_q8.h"

#include "core/gguf/half.h"
#include "core/gguf/tensor_type.h"
#include "kernels/simd_helpers.h"

namespace lfmb {

namespace {

struct Q8Scalar {
  template <int RW, int RX>
  static void block(const Int8Tile& t, int64_t w0, int64_t x0) {
    const int64_t nb = t.a->blocks_per_row();
    for (int i = 0; i < RX; ++i) {
      const int64_t xr = t.x0 + x0 + i;
      const int8_t* q = t.a->row_qs(xr);
      const float* dx = t.a->row_d(xr);
      for (int j = 0; j < RW; ++j) {
        const auto* wb = reinterpret_cast<const BlockQ8_0*>(t.w + size_t(w0 + j) * t.w_stride);
        float sum = 0.0f;
        for (int64_t b = 0; b < nb; ++b) {
          int32_t s = 0;
          for (int k = 0; k < 32; ++k) s += wb[b].qs[k] * q[b * 32 + k];
          sum += f16_to_f32(wb[b].d) * dx[b] * float(s);
        }
        t.y[(x0 + i) * t.ldy + w0 + j] = sum;
      }
    }
  }
};

// s8 × s8 through the u8 × s8 instructions: |w| × (q with w's sign). Activations are in
// [−127, 127], so negating them never overflows; |−128| = 128 is right as an unsigned byte.
struct Q8Avx2 {
  template <int RW, int RX>
  LFMB_TARGET_AVX2 static void block(const Int8Tile& t, int64_t w0, int64_t x0) {
    rows<RW, RX>(t, w0, 1, x0, 2 * RW * t.w_stride);
  }

  // Decode (one activation row), in DecodeStreams' row order (matmul_tile.h).
  LFMB_TARGET_AVX2 static void decode(const Int8Tile& t) {
    constexpr int S = DecodeStreams::kStreams;
    const DecodeStreams streams(t);
    for (int64_t r = 0; r < streams.q; ++r) rows<S, 1>(t, r, streams.q, 0, streams.ahead);
    for (int64_t w = S * streams.q; w < t.nw; ++w) rows<1, 1>(t, w, 1, 0, 0);
  }

 private:
  // Weight rows w0 + j·step (j < RW) × activation rows x0 + i (i < RX), prefetching each weight
  // block `ahead` bytes on.
  template <int RW, int RX>
  LFMB_TARGET_AVX2 static void rows(const Int8Tile& t, int64_t w0, int64_t step, int64_t x0, size_t ahead) {
    const int64_t nb = t.a->blocks_per_row();
    const BlockQ8_0* wr[RW];
    for (int j = 0; j < RW; ++j)
      wr[j] = reinterpret_cast<const BlockQ8_0*>(t.w + size_t(w0 + j * step) * t.w_stride);
    const int8_t* xq[RX];
    const float* xd[RX];
    for (int i = 0; i < RX; ++i) {
      xq[i] = t.a->row_qs(t.x0 + x0 + i);
      xd[i] = t.a->row_d(t.x0 + x0 + i);
    }
    __m256 acc[RW][RX];
    for (int j = 0; j < RW; ++j)
      for (int i = 0; i < RX; ++i) acc[j][i] = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t b = 0; b < nb; ++b) {
      __m256i a[RX];
      for (int i = 0; i < RX; ++i) a[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq[i] + b * 32));
      for (int j = 0; j < RW; ++j) {
        _mm_prefetch(reinterpret_cast<const char*>(wr[j] + b) + ahead, _MM_HINT_T0);
        const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wr[j][b].qs));
        const __m256i wabs = _mm256_abs_epi8(w);
        const float dw = _cvtsh_ss(wr[j][b].d);
        for (int i = 0; i < RX; ++i) {
          // Pairs of ≤ 128·127 products fit int16 without saturating.
          const __m256i s = _mm256_madd_epi16(_mm256_maddubs_epi16(wabs, _mm256_sign_epi8(a[i], w)), ones);
          acc[j][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(dw * xd[i][b]), acc[j][i]);
        }
      }
    }
    for (int i = 0; i < RX; ++i)
      for (int j = 0; j < RW; ++j) t.y[(x0 + i) * t.ldy + w0 + j * step] = simd::hsum_avx2(acc[j][i]);
  }
};

struct Q8Avx512 {
  template <int RW, int RX>
  LFMB_TARGET_AVX512 static void block(const Int8Tile& t, int64_t w0, int64_t x0) {
    const int64_t nb = t.a->blocks_per_row();
    const BlockQ8_0* wr[RW];
    for (int j = 0; j < RW; ++j) wr[j] = reinterpret_cast<const BlockQ8_0*>(t.w + size_t(w0 + j) * t.w_stride);
    const int8_t* xq[RX];
    const float* xd[RX];
    for (int i = 0; i < RX; ++i) {
      xq[i] = t.a->row_qs(t.x0 + x0 + i);
      xd[i] = t.a->row_d(t.x0 + x0 + i);
    }
    __m256 acc[RW][RX];
    for (int j = 0; j < RW; ++j)
      for (int i = 0; i < RX; ++i) acc[j][i] = _mm256_setzero_ps();
    const size_t prefetch_ahead = 2 * RW * t.w_stride;
    for (int64_t b = 0; b < nb; ++b) {
      __m256i a[RX];
      for (int i = 0; i < RX; ++i) a[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq[i] + b * 32));
      for (int j = 0; j < RW; ++j) {
        _mm_prefetch(reinterpret_cast<const char*>(wr[j] + b) + prefetch_ahead, _MM_HINT_T0);
        const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wr[j][b].qs));
        const __m256i wabs = _mm256_abs_epi8(w);
        const float dw = _cvtsh_ss(wr[j][b].d);
        for (int i = 0; i < RX; ++i) {
          const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), wabs, _mm256_sign_epi8(a[i], w));
          acc[j][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(dw * xd[i][b]), acc[j][i]);
        }
      }
    }
    for (int i = 0; i < RX; ++i)
      for (int j = 0; j < RW; ++j) t.y[(x0 + i) * t.ldy + w0 + j] = simd::hsum_avx2(acc[j][i]);
  }
};

}  // namespace

void gemm_q8_0_q8(Isa isa, const Int8Tile& t) {
  switch (isa) {
    case Isa::Avx512: return drive_tile<Q8Avx512, 4, 4>(t);
    case Isa::Avx2: return t.nx == 1 ? Q8Avx2::decode(t) : drive_tile<Q8Avx2, 4, 2>(t);
    case Isa::Scalar: return drive_tile<Q8Scalar, 1, 1>(t);
  }
}

}  // namespace lfmb
