#include "kernels/quantize_activations.h"

#include <cmath>
#include <cstring>

#include "core/gguf/half.h"
#include "kernels/simd_helpers.h"

namespace lfmb {

void QuantizedActivations::resize(int64_t rows, int64_t values) {
  n_rows = rows;
  n = values;
  qs.resize(size_t(rows * values));
  d.resize(size_t(rows * (values / 32)));
  q4_bias.resize(d.size());
}

void QuantizedActivations::copy_row_from(const QuantizedActivations& src, int64_t src_row, int64_t dst_row) {
  const int64_t nb = blocks_per_row();
  std::memcpy(qs.data() + dst_row * n, src.row_qs(src_row), size_t(n));
  std::memcpy(d.data() + dst_row * nb, src.row_d(src_row), size_t(nb) * sizeof(float));
  std::memcpy(q4_bias.data() + dst_row * nb, src.row_bias(src_row), size_t(nb) * sizeof(int32_t));
}

namespace {

// The scale as stored: fp16-rounded, returned as float.
inline float fp16_scale(float amax) { return f16_to_f32(f32_to_f16(amax / 127.0f)); }

void quantize_row_scalar(const float* x, int64_t n, int8_t* qs, float* d, int32_t* bias) {
  for (int64_t b = 0; b < n / 32; ++b) {
    const float* xb = x + b * 32;
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) amax = std::fmax(amax, std::fabs(xb[j]));
    const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    int32_t sum = 0;
    for (int j = 0; j < 32; ++j) {
      const int q = int(std::nearbyint(xb[j] * id));  // default rounding mode: nearest even
      qs[b * 32 + j] = int8_t(q);
      sum += q;
    }
    d[b] = fp16_scale(amax);
    bias[b] = -8 * sum;
  }
}

LFMB_TARGET_AVX2 void quantize_row_avx2(const float* x, int64_t n, int8_t* qs, float* d,
                                                                 int32_t* bias) {
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  for (int64_t b = 0; b < n / 32; ++b) {
    const float* xb = x + b * 32;
    __m256 v[4];
    __m256 m = _mm256_setzero_ps();
    for (int k = 0; k < 4; ++k) {
      v[k] = _mm256_loadu_ps(xb + 8 * k);
      m = _mm256_max_ps(m, _mm256_andnot_ps(sign_bit, v[k]));
    }
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    const float amax = _mm_cvtss_f32(m4);
    const __m256 id = _mm256_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f);
    __m256i q[4];
    for (int k = 0; k < 4; ++k)
      q[k] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v[k], id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    // Block sum for the Q4_0 bias, then pack 32 int32 -> 32 int8 in the original order.
    __m256i s = _mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]));
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    s4 = _mm_hadd_epi32(s4, s4);
    s4 = _mm_hadd_epi32(s4, s4);
    const __m256i p01 = _mm256_packs_epi32(q[0], q[1]);
    const __m256i p23 = _mm256_packs_epi32(q[2], q[3]);
    __m256i p = _mm256_packs_epi16(p01, p23);
    p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(qs + b * 32), p);
    d[b] = fp16_scale(amax);
    bias[b] = -8 * _mm_cvtsi128_si32(s4);
  }
}

LFMB_TARGET_AVX512 void quantize_row_avx512(const float* x, int64_t n,
                                                                                          int8_t* qs, float* d,
                                                                                          int32_t* bias) {
  for (int64_t b = 0; b < n / 32; ++b) {
    const float* xb = x + b * 32;
    const __m512 v0 = _mm512_loadu_ps(xb), v1 = _mm512_loadu_ps(xb + 16);
    const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
    const __m512 id = _mm512_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f);
    const __m512i q0 = _mm512_cvtps_epi32(_mm512_roundscale_ps(_mm512_mul_ps(v0, id), _MM_FROUND_TO_NEAREST_INT));
    const __m512i q1 = _mm512_cvtps_epi32(_mm512_roundscale_ps(_mm512_mul_ps(v1, id), _MM_FROUND_TO_NEAREST_INT));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(qs + b * 32), _mm512_cvtsepi32_epi8(q0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(qs + b * 32 + 16), _mm512_cvtsepi32_epi8(q1));
    d[b] = fp16_scale(amax);
    bias[b] = -8 * _mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1));
  }
}

}  // namespace

void quantize_activation_row(Isa isa, const float* x, QuantizedActivations& out, int64_t r) {
  const int64_t nb = out.blocks_per_row();
  int8_t* qs = out.qs.data() + r * out.n;
  float* d = out.d.data() + r * nb;
  int32_t* bias = out.q4_bias.data() + r * nb;
  switch (isa) {
    case Isa::Avx512: quantize_row_avx512(x, out.n, qs, d, bias); return;
    case Isa::Avx2: quantize_row_avx2(x, out.n, qs, d, bias); return;
    case Isa::Scalar: quantize_row_scalar(x, out.n, qs, d, bias); return;
  }
}

void quantize_activations(Isa isa, const float* x, int64_t n_rows, int64_t n, QuantizedActivations& out) {
  out.resize(n_rows, n);
  for (int64_t r = 0; r < n_rows; ++r) quantize_activation_row(isa, x + r * n, out, r);
}

}  // namespace lfmb
