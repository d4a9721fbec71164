#include "kernels/attention_kernels.h"

#include <algorithm>
#include <cmath>

#include "kernels/dot_f32.h"
#include "kernels/simd_helpers.h"

namespace lfmb {

namespace {

// exp(x) for x ≤ 0 (softmax after subtracting the maximum): x = n·ln2 + r with |r| ≤ ln2/2,
// exp(r) by a degree-6 Taylor polynomial (relative error < 2e-7 on that range), 2^n through the
// exponent bits. Inputs below −87 give 0, as their true value underflows float anyway.
constexpr float kLog2e = 1.44269504f;
constexpr float kLn2Hi = 0.693145752f, kLn2Lo = 1.42860677e-6f;  // n·kLn2Hi is exact; then the rest
constexpr float kExpTaylor[7] = {1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f};  // Horner order

LFMB_TARGET_AVX512 inline __m512 exp_nonpositive_avx512(__m512 x) {
  x = _mm512_max_ps(x, _mm512_set1_ps(-87.0f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT);
  const __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Lo), _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Hi), x));
  __m512 p = _mm512_set1_ps(kExpTaylor[0]);
  for (int i = 1; i < 7; ++i) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpTaylor[i]));
  const __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
  return _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
}

LFMB_TARGET_AVX512 void softmax_row_avx512(float* p, int64_t n) {
  __m512 vmax = _mm512_set1_ps(-INFINITY);
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) vmax = _mm512_max_ps(vmax, _mm512_loadu_ps(p + j));
  float m = _mm512_reduce_max_ps(vmax);
  for (int64_t r = j; r < n; ++r) m = std::max(m, p[r]);
  const __m512 vm = _mm512_set1_ps(m);
  __m512 vsum = _mm512_setzero_ps();
  for (j = 0; j + 16 <= n; j += 16) {
    const __m512 e = exp_nonpositive_avx512(_mm512_sub_ps(_mm512_loadu_ps(p + j), vm));
    _mm512_storeu_ps(p + j, e);
    vsum = _mm512_add_ps(vsum, e);
  }
  if (j < n) {
    const __mmask16 k = __mmask16((1u << (n - j)) - 1);
    const __m512 e = exp_nonpositive_avx512(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, p + j), vm));
    _mm512_mask_storeu_ps(p + j, k, e);
    vsum = _mm512_add_ps(vsum, _mm512_maskz_mov_ps(k, e));
  }
  const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(vsum));
  for (j = 0; j + 16 <= n; j += 16) _mm512_storeu_ps(p + j, _mm512_mul_ps(_mm512_loadu_ps(p + j), inv));
  for (; j < n; ++j) p[j] *= _mm512_cvtss_f32(inv);
}

// The same exp on 8 lanes.
LFMB_TARGET_AVX2 inline __m256 exp_nonpositive_avx2(__m256 x) {
  x = _mm256_max_ps(x, _mm256_set1_ps(-87.0f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), x));
  __m256 p = _mm256_set1_ps(kExpTaylor[0]);
  for (int i = 1; i < 7; ++i) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpTaylor[i]));
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

LFMB_TARGET_AVX2 void softmax_row_avx2(float* p, int64_t n) {
  __m256 vmax = _mm256_set1_ps(-INFINITY);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(p + j));
  __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(vmax), _mm256_extractf128_ps(vmax, 1));
  m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
  float m = std::max(_mm_cvtss_f32(m4), _mm_cvtss_f32(_mm_movehdup_ps(m4)));
  for (int64_t r = j; r < n; ++r) m = std::max(m, p[r]);
  const __m256 vm = _mm256_set1_ps(m);
  __m256 vsum = _mm256_setzero_ps();
  for (j = 0; j + 8 <= n; j += 8) {
    const __m256 e = exp_nonpositive_avx2(_mm256_sub_ps(_mm256_loadu_ps(p + j), vm));
    _mm256_storeu_ps(p + j, e);
    vsum = _mm256_add_ps(vsum, e);
  }
  float sum = simd::hsum_avx2(vsum);
  if (j < n) {  // the last n − j < 8 values through one masked-in vector
    alignas(32) float tail[8];
    for (int k = 0; k < 8; ++k) tail[k] = j + k < n ? p[j + k] - m : -INFINITY;
    _mm256_store_ps(tail, exp_nonpositive_avx2(_mm256_load_ps(tail)));
    for (int64_t k = 0; j + k < n; ++k) sum += p[j + k] = tail[k];
  }
  const float inv = 1.0f / sum;
  const __m256 vinv = _mm256_set1_ps(inv);
  for (j = 0; j + 8 <= n; j += 8) _mm256_storeu_ps(p + j, _mm256_mul_ps(_mm256_loadu_ps(p + j), vinv));
  for (; j < n; ++j) p[j] *= inv;
}

void softmax_row_scalar(float* p, int64_t n) {
  const float m = *std::max_element(p, p + n);
  float sum = 0.0f;
  for (int64_t j = 0; j < n; ++j) sum += p[j] = std::exp(p[j] - m);
  const float inv = 1.0f / sum;
  for (int64_t j = 0; j < n; ++j) p[j] *= inv;
}

// The value sum is a chain of axpys into a small output (n_q × n floats, in L1); written plainly
// so the compiler vectorises the inner loop for each target it is inlined into.
__attribute__((always_inline)) inline void values_plain(const float* p, int64_t ldp, int64_t n_q, const float* v, int64_t v_stride, int64_t n_keys,
                         int64_t n, float* out, int64_t ldo) {
  for (int64_t g = 0; g < n_q; ++g) std::fill(out + g * ldo, out + g * ldo + n, 0.0f);
  for (int64_t j = 0; j < n_keys; ++j) {
    const float* vj = v + j * v_stride;
    for (int64_t g = 0; g < n_q; ++g) {
      const float pj = p[g * ldp + j];
      float* o = out + g * ldo;
      for (int64_t d = 0; d < n; ++d) o[d] += pj * vj[d];
    }
  }
}

LFMB_TARGET_AVX512 void values_avx512(const float* p, int64_t ldp, int64_t n_q, const float* v, int64_t v_stride,
                                      int64_t n_keys, int64_t n, float* out, int64_t ldo) {
  values_plain(p, ldp, n_q, v, v_stride, n_keys, n, out, ldo);
}
// RG query rows × 16 dims of the output over keys [j0, j1): the 2·RG sums stay in registers for
// the whole run of keys (values_plain loads and stores the output row once per key).
template <int RG>
LFMB_TARGET_AVX2 inline void values_block_avx2(const float* p, int64_t ldp, const float* v, int64_t v_stride,
                                               int64_t j0, int64_t j1, float* out, int64_t ldo) {
  __m256 acc[RG][2];
  for (int r = 0; r < RG; ++r) {
    acc[r][0] = _mm256_loadu_ps(out + r * ldo);
    acc[r][1] = _mm256_loadu_ps(out + r * ldo + 8);
  }
  for (int64_t j = j0; j < j1; ++j) {
    const __m256 v0 = _mm256_loadu_ps(v + j * v_stride), v1 = _mm256_loadu_ps(v + j * v_stride + 8);
    for (int r = 0; r < RG; ++r) {
      const __m256 pj = _mm256_broadcast_ss(p + r * ldp + j);
      acc[r][0] = _mm256_fmadd_ps(pj, v0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(pj, v1, acc[r][1]);
    }
  }
  for (int r = 0; r < RG; ++r) {
    _mm256_storeu_ps(out + r * ldo, acc[r][0]);
    _mm256_storeu_ps(out + r * ldo + 8, acc[r][1]);
  }
}

LFMB_TARGET_AVX2 void values_avx2(const float* p, int64_t ldp, int64_t n_q, const float* v, int64_t v_stride,
                                  int64_t n_keys, int64_t n, float* out, int64_t ldo) {
  // Fewer than 4 rows (decode of a small group): one plain pass reads each value row once.
  if (n_q < 4) return values_plain(p, ldp, n_q, v, v_stride, n_keys, n, out, ldo);
  // Keys in runs whose values (up to 256 × head_dim floats) stay in L2 while every row block and
  // 16-dim slice passes over them; dims past the last multiple of 16 go the plain way.
  // Qwen3-1.7B pp256 at depth 2048: 23.5–23.7 → 25.8–26.2 t/s (lfmb bench, two runs each).
  constexpr int64_t kKeysPerRun = 256;
  const int64_t n16 = n / 16 * 16;
  for (int64_t g = 0; g < n_q; ++g) std::fill(out + g * ldo, out + g * ldo + n16, 0.0f);
  for (int64_t j0 = 0; j0 < n_keys; j0 += kKeysPerRun) {
    const int64_t j1 = std::min(n_keys, j0 + kKeysPerRun);
    for (int64_t d0 = 0; d0 < n16; d0 += 16) {
      int64_t g = 0;
      for (; g + 4 <= n_q; g += 4) values_block_avx2<4>(p + g * ldp, ldp, v + d0, v_stride, j0, j1, out + g * ldo + d0, ldo);
      for (; g < n_q; ++g) values_block_avx2<1>(p + g * ldp, ldp, v + d0, v_stride, j0, j1, out + g * ldo + d0, ldo);
    }
  }
  if (n16 < n) values_plain(p, ldp, n_q, v + n16, v_stride, n_keys, n - n16, out + n16, ldo);
}

}  // namespace

void attention_scores(Isa isa, const float* q, int64_t ldq, int64_t n_q, const float* k, int64_t k_stride,
                      int64_t n_keys, int64_t n, float scale, float* scores, int64_t lds) {
  // Keys are the "weight rows" of a float matrix product: the register-blocked f32 kernel applies.
  FloatTile t{reinterpret_cast<const uint8_t*>(k), size_t(k_stride) * sizeof(float), n_keys, q, ldq, n_q, n,
              scores, lds};
  gemm_f32(isa, t);
  for (int64_t g = 0; g < n_q; ++g)
    for (int64_t j = 0; j < n_keys; ++j) scores[g * lds + j] *= scale;
}

void softmax_rows(Isa isa, float* p, int64_t ldp, int64_t n_q, int64_t n_keys) {
  for (int64_t g = 0; g < n_q; ++g) {
    switch (isa) {
      case Isa::Avx512: softmax_row_avx512(p + g * ldp, n_keys); break;
      case Isa::Avx2: softmax_row_avx2(p + g * ldp, n_keys); break;
      case Isa::Scalar: softmax_row_scalar(p + g * ldp, n_keys); break;
    }
  }
}

void attention_values(Isa isa, const float* p, int64_t ldp, int64_t n_q, const float* v, int64_t v_stride,
                      int64_t n_keys, int64_t n, float* out, int64_t ldo) {
  switch (isa) {
    case Isa::Avx512: return values_avx512(p, ldp, n_q, v, v_stride, n_keys, n, out, ldo);
    case Isa::Avx2: return values_avx2(p, ldp, n_q, v, v_stride, n_keys, n, out, ldo);
    case Isa::Scalar: return values_plain(p, ldp, n_q, v, v_stride, n_keys, n, out, ldo);
  }
}

}  // namespace lfmb
