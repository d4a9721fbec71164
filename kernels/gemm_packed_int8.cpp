#include "kernels/gemm_packed_int8.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/gguf/half.h"
#include "kernels/simd_helpers.h"

#define LFMB_TARGET_AVX_VNNI __attribute__((target("avx2,fma,f16c,avxvnni")))

namespace lfmb {

namespace {

constexpr int64_t kRows = PackedInt8Weights::kRows;

inline int32_t load4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// One call's operands; a register block covers groups [g, g + RG) and activation rows [x, x + RX)
// of the call (relative to g0 and x0).
struct Call {
  const PackedInt8Weights& w;
  int64_t mat, g0;
  const QuantizedActivations& a;
  int64_t x0;
  float* y;
  int64_t ldy;

  int64_t valid_rows(int64_t g) const { return std::min(kRows, w.n_out() - g * kRows); }
  float* out(int64_t g, int64_t x) const { return y + x * ldy + (g - g0) * kRows; }
};

// The RX activation rows of a register block: quants, block scales and −8·Σa biases.
template <int RX>
struct ActivationRows {
  const int8_t* q[RX];
  const float* d[RX];
  const int32_t* bias[RX];
  ActivationRows(const Call& c, int64_t x) {
    for (int i = 0; i < RX; ++i) {
      q[i] = c.a.row_qs(c.x0 + x + i);
      d[i] = c.a.row_d(c.x0 + x + i);
      bias[i] = c.a.row_bias(c.x0 + x + i);
    }
  }
};

// Runs block<RX>(x) over nx rows: RX = MaxRX while they last, then one block of the remainder.
template <int MaxRX, class Block>
void over_rows(int64_t nx, const Block& block) {
  int64_t x = 0;
  for (; x + MaxRX <= nx; x += MaxRX) block.template operator()<MaxRX>(x);
  if constexpr (MaxRX > 1) {
    const int64_t rest = nx - x;
    if (rest == 0) return;
    if constexpr (MaxRX > 3) if (rest == 3) return block.template operator()<3>(x);
    if constexpr (MaxRX > 2) if (rest == 2) return block.template operator()<2>(x);
    block.template operator()<1>(x);
  }
}

// ---- portable ----------------------------------------------------------------------------------

void gemm_scalar(const Call& c, int64_t g1, int64_t nx) {
  const int64_t nb = c.w.blocks();
  const size_t qb = c.w.quant_block_bytes();
  const bool q4 = c.w.type() == TensorType::Q4_0;
  for (int64_t g = c.g0; g < g1; ++g) {
    const uint8_t* wq = c.w.quants(c.mat, g);
    const uint16_t* wd = c.w.scales(c.mat, g);
    for (int64_t x = 0; x < nx; ++x) {
      const int8_t* xq = c.a.row_qs(c.x0 + x);
      const float* xd = c.a.row_d(c.x0 + x);
      for (int64_t r = 0; r < c.valid_rows(g); ++r) {
        float sum = 0.0f;
        for (int64_t b = 0; b < nb; ++b) {
          const uint8_t* q = wq + size_t(b) * qb + size_t(r) * 4;
          int32_t s = 0;
          for (int m = 0; m < (q4 ? 4 : 8); ++m)
            for (int e = 0; e < 4; ++e) {
              const int v = q[m * 64 + e];
              if (q4) {
                s += ((v & 0x0f) - 8) * xq[b * 32 + 4 * m + e];
                s += ((v >> 4) - 8) * xq[b * 32 + 16 + 4 * m + e];
              } else {
                s += (v - 128) * xq[b * 32 + 4 * m + e];
              }
            }
          sum += f16_to_f32(wd[b * kRows + r]) * xd[b] * float(s);
        }
        c.out(g, x)[r] = sum;
      }
    }
  }
}

// ---- AVX-512 VNNI: 16 rows per register, register blocks of 2 groups × 4 activation rows; one
// activation row (decode) in blocks of 4 groups, each stream prefetched kPrefetchBlocks ahead ------

// 6 blocks (1.5 KiB of Q4_0 quants per group) ahead of the one being read: about one memory
// latency at the rate one core consumes them (bench_kernels Q4_0 rows:1, 52 GB/s on the MoE layer).
constexpr int64_t kPrefetchBlocks = 6;

template <bool Q4, int RG, int RX>
LFMB_TARGET_AVX512 void avx512_block(const Call& c, int64_t g, int64_t x) {
  const int64_t nb = c.w.blocks();
  const size_t qb = c.w.quant_block_bytes();
  const uint8_t* wq[RG];
  const uint16_t* wd[RG];
  for (int j = 0; j < RG; ++j) {
    wq[j] = c.w.quants(c.mat, g + j);
    wd[j] = c.w.scales(c.mat, g + j);
  }
  const ActivationRows<RX> rows(c, x);
  const int8_t* const* xq = rows.q;
  const float* const* xd = rows.d;
  const int32_t* const* xb = rows.bias;
  const __m512i low4 = _mm512_set1_epi8(0x0f);
  __m512 acc[RG][RX];
  for (int j = 0; j < RG; ++j)
    for (int i = 0; i < RX; ++i) acc[j][i] = _mm512_setzero_ps();
  for (int64_t b = 0; b < nb; ++b) {
    // Start each block's integer sums at the bias that makes the unsigned weights signed:
    // −8·Σa for Q4_0 nibbles, −128·Σa for Q8_0 bytes stored plus 128.
    __m512i s[RG][RX];
    for (int i = 0; i < RX; ++i) {
      const __m512i bias = _mm512_set1_epi32(Q4 ? xb[i][b] : xb[i][b] * 16);
      for (int j = 0; j < RG; ++j) s[j][i] = bias;
    }
    const int8_t* xa[RX];
    for (int i = 0; i < RX; ++i) xa[i] = xq[i] + b * 32;
    if constexpr (RX == 1)  // decode: every weight byte is used once, so keep the reads in flight
      for (int j = 0; j < RG; ++j)
        for (int m = 0; m < (Q4 ? 4 : 8); ++m)
          _mm_prefetch(reinterpret_cast<const char*>(wq[j] + size_t(b + kPrefetchBlocks) * qb + m * 64), _MM_HINT_T0);
    for (int m = 0; m < (Q4 ? 4 : 8); ++m) {
      for (int j = 0; j < RG; ++j) {
        const __m512i v = _mm512_load_si512(wq[j] + size_t(b) * qb + m * 64);
        if constexpr (Q4) {
          const __m512i lo = _mm512_and_si512(v, low4);
          const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
          for (int i = 0; i < RX; ++i) {
            s[j][i] = _mm512_dpbusd_epi32(s[j][i], lo, _mm512_set1_epi32(load4(xa[i] + 4 * m)));
            s[j][i] = _mm512_dpbusd_epi32(s[j][i], hi, _mm512_set1_epi32(load4(xa[i] + 16 + 4 * m)));
          }
        } else {
          for (int i = 0; i < RX; ++i) s[j][i] = _mm512_dpbusd_epi32(s[j][i], v, _mm512_set1_epi32(load4(xa[i] + 4 * m)));
        }
      }
    }
    for (int j = 0; j < RG; ++j) {
      const __m512 dw = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(wd[j] + b * kRows)));
      for (int i = 0; i < RX; ++i)
        acc[j][i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s[j][i]), _mm512_mul_ps(dw, _mm512_set1_ps(xd[i][b])), acc[j][i]);
    }
  }
  for (int j = 0; j < RG; ++j) {
    const __mmask16 valid = __mmask16((1u << c.valid_rows(g + j)) - 1);
    for (int i = 0; i < RX; ++i) _mm512_mask_storeu_ps(c.out(g + j, x + i), valid, acc[j][i]);
  }
}

template <bool Q4>
void gemm_avx512(const Call& c, int64_t g1, int64_t nx) {
  int64_t g = c.g0;
  if (nx == 1)
    for (; g + 4 <= g1; g += 4) avx512_block<Q4, 4, 1>(c, g, 0);
  for (; g + 2 <= g1; g += 2)
    over_rows<4>(nx, [&]<int RX>(int64_t x) { avx512_block<Q4, 2, RX>(c, g, x); });
  for (; g < g1; ++g) over_rows<4>(nx, [&]<int RX>(int64_t x) { avx512_block<Q4, 1, RX>(c, g, x); });
}

// ---- 256-bit: a group is two halves of 8 rows; register blocks of 1 group × 2 activation rows ---

template <int RX>
LFMB_TARGET_AVX2 void store_halves(const Call& c, int64_t g, int64_t x, const __m256 (&acc)[2][RX]) {
  const int64_t valid = c.valid_rows(g);
  for (int i = 0; i < RX; ++i) {
    float* y = c.out(g, x + i);
    if (valid == kRows) {
      _mm256_storeu_ps(y, acc[0][i]);
      _mm256_storeu_ps(y + 8, acc[1][i]);
    } else {
      alignas(32) float tmp[kRows];
      _mm256_store_ps(tmp, acc[0][i]);
      _mm256_store_ps(tmp + 8, acc[1][i]);
      std::copy_n(tmp, valid, y);
    }
  }
}

// acc[h][i] += float(s[h][i]) · d_w · d_x for block b: the 16 rows' fp16 scales at wd, row i's at xd[i][b].
template <int RX>
LFMB_TARGET_AVX2 inline void scale_block(const uint16_t* wd, const float* const* xd, int64_t b,
                                         const __m256i (&s)[2][RX], __m256 (&acc)[2][RX]) {
  for (int h = 0; h < 2; ++h) {
    const __m256 dw = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(wd + h * 8)));
    for (int i = 0; i < RX; ++i)
      acc[h][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s[h][i]), _mm256_mul_ps(dw, _mm256_set1_ps(xd[i][b])), acc[h][i]);
  }
}

// Decode (one activation row) on 256 bits: blocks of this many groups, each stream prefetched
// kPrefetchBlocks ahead, so the one row's weight reads stay in flight as on AVX-512.
constexpr int kYmmDecodeGroups = 2;

template <bool Q4, int RG>
LFMB_TARGET_AVX2 inline void prefetch_groups(const uint8_t* const (&wq)[RG], int64_t b, size_t qb) {
  for (int j = 0; j < RG; ++j)
    for (int m = 0; m < (Q4 ? 4 : 8); ++m)
      _mm_prefetch(reinterpret_cast<const char*>(wq[j] + size_t(b + kPrefetchBlocks) * qb + m * 64), _MM_HINT_T0);
}

// AVX-VNNI: the AVX-512 kernel's steps on 8 lanes, RG groups × RX activation rows.
template <bool Q4, int RG, int RX>
LFMB_TARGET_AVX_VNNI void avxvnni_block(const Call& c, int64_t g, int64_t x) {
  const int64_t nb = c.w.blocks();
  const size_t qb = c.w.quant_block_bytes();
  const uint8_t* wq[RG];
  const uint16_t* wd[RG];
  for (int j = 0; j < RG; ++j) {
    wq[j] = c.w.quants(c.mat, g + j);
    wd[j] = c.w.scales(c.mat, g + j);
  }
  const ActivationRows<RX> rows(c, x);
  const int8_t* const* xq = rows.q;
  const float* const* xd = rows.d;
  const int32_t* const* xb = rows.bias;
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  __m256 acc[RG][2][RX];
  for (int j = 0; j < RG; ++j)
    for (int h = 0; h < 2; ++h)
      for (int i = 0; i < RX; ++i) acc[j][h][i] = _mm256_setzero_ps();
  for (int64_t b = 0; b < nb; ++b) {
    if constexpr (RX == 1) prefetch_groups<Q4, RG>(wq, b, qb);
    __m256i s[RG][2][RX];
    for (int j = 0; j < RG; ++j)
      for (int i = 0; i < RX; ++i) s[j][0][i] = s[j][1][i] = _mm256_set1_epi32(Q4 ? xb[i][b] : xb[i][b] * 16);
    for (int m = 0; m < (Q4 ? 4 : 8); ++m)
      for (int j = 0; j < RG; ++j)
        for (int h = 0; h < 2; ++h) {
          const __m256i v = _mm256_load_si256(reinterpret_cast<const __m256i*>(wq[j] + size_t(b) * qb + m * 64 + h * 32));
          if constexpr (Q4) {
            const __m256i lo = _mm256_and_si256(v, low4);
            const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
            for (int i = 0; i < RX; ++i) {
              s[j][h][i] = _mm256_dpbusd_avx_epi32(s[j][h][i], lo, _mm256_set1_epi32(load4(xq[i] + b * 32 + 4 * m)));
              s[j][h][i] = _mm256_dpbusd_avx_epi32(s[j][h][i], hi, _mm256_set1_epi32(load4(xq[i] + b * 32 + 16 + 4 * m)));
            }
          } else {
            for (int i = 0; i < RX; ++i)
              s[j][h][i] = _mm256_dpbusd_avx_epi32(s[j][h][i], v, _mm256_set1_epi32(load4(xq[i] + b * 32 + 4 * m)));
          }
        }
    for (int j = 0; j < RG; ++j) scale_block<RX>(wd[j] + b * kRows, xd, b, s[j], acc[j]);
  }
  for (int j = 0; j < RG; ++j) store_halves<RX>(c, g + j, x, acc[j]);
}

// AVX2 without VNNI: maddubs (u8 × s8 → pairs summed in int16) + madd (→ int32). Q4_0 sums a whole
// block's maddubs in int16 first (|·| ≤ 8 · 2·15·127 < 2^15) and adds the −8·Σa bias once; Q8_0
// turns the stored bytes back to signed w and multiplies |w| by a·sign(w), so no pair can saturate
// (2·128·127 < 2^15) and no bias is needed.
template <bool Q4, int RG, int RX>
LFMB_TARGET_AVX2 void avx2_block(const Call& c, int64_t g, int64_t x) {
  const int64_t nb = c.w.blocks();
  const size_t qb = c.w.quant_block_bytes();
  const uint8_t* wq[RG];
  const uint16_t* wd[RG];
  for (int j = 0; j < RG; ++j) {
    wq[j] = c.w.quants(c.mat, g + j);
    wd[j] = c.w.scales(c.mat, g + j);
  }
  const ActivationRows<RX> rows(c, x);
  const int8_t* const* xq = rows.q;
  const float* const* xd = rows.d;
  const int32_t* const* xb = rows.bias;
  const __m256i low4 = _mm256_set1_epi8(0x0f), ones = _mm256_set1_epi16(1), sign_bit = _mm256_set1_epi8(char(0x80));
  __m256 acc[RG][2][RX];
  for (int j = 0; j < RG; ++j)
    for (int h = 0; h < 2; ++h)
      for (int i = 0; i < RX; ++i) acc[j][h][i] = _mm256_setzero_ps();
  for (int64_t b = 0; b < nb; ++b) {
    if constexpr (RX == 1) prefetch_groups<Q4, RG>(wq, b, qb);
    __m256i s[RG][2][RX];
    for (int j = 0; j < RG; ++j) {
      if constexpr (Q4) {
        __m256i p[2][RX];
        for (int h = 0; h < 2; ++h)
          for (int i = 0; i < RX; ++i) p[h][i] = _mm256_setzero_si256();
        for (int m = 0; m < 4; ++m)
          for (int h = 0; h < 2; ++h) {
            const __m256i v = _mm256_load_si256(reinterpret_cast<const __m256i*>(wq[j] + size_t(b) * qb + m * 64 + h * 32));
            const __m256i lo = _mm256_and_si256(v, low4);
            const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
            for (int i = 0; i < RX; ++i) {
              const __m256i pl = _mm256_maddubs_epi16(lo, _mm256_set1_epi32(load4(xq[i] + b * 32 + 4 * m)));
              const __m256i ph = _mm256_maddubs_epi16(hi, _mm256_set1_epi32(load4(xq[i] + b * 32 + 16 + 4 * m)));
              p[h][i] = _mm256_add_epi16(p[h][i], _mm256_add_epi16(pl, ph));
            }
          }
        for (int i = 0; i < RX; ++i) {
          const __m256i bias = _mm256_set1_epi32(xb[i][b]);
          for (int h = 0; h < 2; ++h) s[j][h][i] = _mm256_add_epi32(bias, _mm256_madd_epi16(p[h][i], ones));
        }
      } else {
        for (int h = 0; h < 2; ++h)
          for (int i = 0; i < RX; ++i) s[j][h][i] = _mm256_setzero_si256();
        for (int m = 0; m < 8; ++m)
          for (int h = 0; h < 2; ++h) {
            const __m256i v = _mm256_load_si256(reinterpret_cast<const __m256i*>(wq[j] + size_t(b) * qb + m * 64 + h * 32));
            const __m256i w = _mm256_xor_si256(v, sign_bit);  // the signed weights
            const __m256i w_abs = _mm256_abs_epi8(w);
            for (int i = 0; i < RX; ++i) {
              const __m256i a = _mm256_sign_epi8(_mm256_set1_epi32(load4(xq[i] + b * 32 + 4 * m)), w);
              s[j][h][i] = _mm256_add_epi32(s[j][h][i], _mm256_madd_epi16(_mm256_maddubs_epi16(w_abs, a), ones));
            }
          }
      }
    }
    for (int j = 0; j < RG; ++j) scale_block<RX>(wd[j] + b * kRows, xd, b, s[j], acc[j]);
  }
  for (int j = 0; j < RG; ++j) store_halves<RX>(c, g + j, x, acc[j]);
}

template <bool Q4, bool Vnni, int RG, int RX>
void ymm_block(const Call& c, int64_t g, int64_t x) {
  if constexpr (Vnni) avxvnni_block<Q4, RG, RX>(c, g, x);
  else avx2_block<Q4, RG, RX>(c, g, x);
}

template <bool Q4, bool Vnni>
void gemm_ymm(const Call& c, int64_t g1, int64_t nx) {
  int64_t g = c.g0;
  if (nx == 1)
    for (; g + kYmmDecodeGroups <= g1; g += kYmmDecodeGroups) ymm_block<Q4, Vnni, kYmmDecodeGroups, 1>(c, g, 0);
  for (; g < g1; ++g) over_rows<2>(nx, [&]<int RX>(int64_t x) { ymm_block<Q4, Vnni, 1, RX>(c, g, x); });
}

}  // namespace

Int8GemmPath int8_gemm_path(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return Int8GemmPath::Avx512Vnni;
    case Isa::Avx2: return cpu_features().avx_vnni ? Int8GemmPath::AvxVnni : Int8GemmPath::Avx2;
    case Isa::Scalar: return Int8GemmPath::Scalar;
  }
  return Int8GemmPath::Scalar;
}

bool int8_gemm_path_supported(Int8GemmPath p) {
  switch (p) {
    case Int8GemmPath::Scalar: return true;
    case Int8GemmPath::Avx2: return isa_supported(Isa::Avx2);
    case Int8GemmPath::AvxVnni: return isa_supported(Isa::Avx2) && cpu_features().avx_vnni;
    case Int8GemmPath::Avx512Vnni: return isa_supported(Isa::Avx512);
  }
  return false;
}

std::string_view int8_gemm_path_name(Int8GemmPath p) {
  switch (p) {
    case Int8GemmPath::Scalar: return "scalar";
    case Int8GemmPath::Avx2: return "avx2";
    case Int8GemmPath::AvxVnni: return "avx-vnni";
    case Int8GemmPath::Avx512Vnni: return "avx512-vnni";
  }
  return "?";
}

void gemm_packed_int8(Int8GemmPath path, const PackedInt8Weights& w, int64_t mat, int64_t g0, int64_t g1,
                      const QuantizedActivations& a, int64_t x0, int64_t nx, float* y, int64_t ldy) {
  if (a.n != w.n_in()) throw Error("internal: activations quantised for another width");
  const Call c{w, mat, g0, a, x0, y, ldy};
  const bool q4 = w.type() == TensorType::Q4_0;
  switch (path) {
    case Int8GemmPath::Avx512Vnni: return q4 ? gemm_avx512<true>(c, g1, nx) : gemm_avx512<false>(c, g1, nx);
    case Int8GemmPath::AvxVnni: return q4 ? gemm_ymm<true, true>(c, g1, nx) : gemm_ymm<false, true>(c, g1, nx);
    case Int8GemmPath::Avx2: return q4 ? gemm_ymm<true, false>(c, g1, nx) : gemm_ymm<false, false>(c, g1, nx);
    case Int8GemmPath::Scalar: return gemm_scalar(c, g1, nx);
  }
}

}  // namespace lfmb
