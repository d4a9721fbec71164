// Register-blocked float kernels shared by the F32, F16 and BF16 weight types: each type supplies
// a loader that widens its stored values to float (scalar, 8 lanes for AVX2, 16 masked lanes for
// AVX-512); activations are float32. Only included by dot_f32.cpp, dot_f16.cpp and dot_bf16.cpp.
#pragma once
#include "kernels/matmul_tile.h"
#include "kernels/simd_helpers.h"

namespace lfmb::float_kernels {


template <class L>
struct Scalar {
  template <int RW, int RX>
  static void block(const FloatTile& t, int64_t w0, int64_t x0) {
    for (int i = 0; i < RX; ++i) {
      const float* x = t.x + (x0 + i) * t.ldx;
      for (int j = 0; j < RW; ++j) {
        const uint8_t* w = t.w + size_t(w0 + j) * t.w_stride;
        float sum = 0.0f;
        for (int64_t k = 0; k < t.n; ++k) sum += L::scalar(w, k) * x[k];
        t.y[(x0 + i) * t.ldy + w0 + j] = sum;
      }
    }
  }
};

template <class L>
struct Avx2 {
  template <int RW, int RX>
  LFMB_TARGET_AVX2 static void block(const FloatTile& t, int64_t w0, int64_t x0) {
    const uint8_t* wr[RW];
    const float* xr[RX];
    for (int j = 0; j < RW; ++j) wr[j] = t.w + size_t(w0 + j) * t.w_stride;
    for (int i = 0; i < RX; ++i) xr[i] = t.x + (x0 + i) * t.ldx;
    __m256 acc[RW][RX];
    for (int j = 0; j < RW; ++j)
      for (int i = 0; i < RX; ++i) acc[j][i] = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 8 <= t.n; k += 8) {
      __m256 xv[RX];
      for (int i = 0; i < RX; ++i) xv[i] = _mm256_loadu_ps(xr[i] + k);
      for (int j = 0; j < RW; ++j) {
        _mm_prefetch(reinterpret_cast<const char*>(wr[j]) + k * L::kBytes + 2 * RW * t.w_stride, _MM_HINT_T0);
        const __m256 wv = L::load8(wr[j], k);
        for (int i = 0; i < RX; ++i) acc[j][i] = _mm256_fmadd_ps(wv, xv[i], acc[j][i]);
      }
    }
    for (int i = 0; i < RX; ++i)
      for (int j = 0; j < RW; ++j) {
        float sum = simd::hsum_avx2(acc[j][i]);
        for (int64_t kk = k; kk < t.n; ++kk) sum += L::scalar(wr[j], kk) * xr[i][kk];
        t.y[(x0 + i) * t.ldy + w0 + j] = sum;
      }
  }
};

template <class L>
struct Avx512 {
  template <int RW, int RX>
  LFMB_TARGET_AVX512 static void block(const FloatTile& t, int64_t w0, int64_t x0) {
    const uint8_t* wr[RW];
    const float* xr[RX];
    for (int j = 0; j < RW; ++j) wr[j] = t.w + size_t(w0 + j) * t.w_stride;
    for (int i = 0; i < RX; ++i) xr[i] = t.x + (x0 + i) * t.ldx;
    __m512 acc[RW][RX];
    for (int j = 0; j < RW; ++j)
      for (int i = 0; i < RX; ++i) acc[j][i] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k < t.n; k += 16) {
      // Full vectors except the last step, which masks off the values past n.
      const __mmask16 m = t.n - k >= 16 ? __mmask16(0xffff) : __mmask16((1u << (t.n - k)) - 1);
      __m512 xv[RX];
      for (int i = 0; i < RX; ++i) xv[i] = _mm512_maskz_loadu_ps(m, xr[i] + k);
      for (int j = 0; j < RW; ++j) {
        _mm_prefetch(reinterpret_cast<const char*>(wr[j]) + k * L::kBytes + 2 * RW * t.w_stride, _MM_HINT_T0);
        const __m512 wv = L::load16(wr[j], k, m);
        for (int i = 0; i < RX; ++i) acc[j][i] = _mm512_fmadd_ps(wv, xv[i], acc[j][i]);
      }
    }
    for (int i = 0; i < RX; ++i)
      for (int j = 0; j < RW; ++j) t.y[(x0 + i) * t.ldy + w0 + j] = _mm512_reduce_add_ps(acc[j][i]);
  }
};

}  // namespace lfmb::float_kernels
