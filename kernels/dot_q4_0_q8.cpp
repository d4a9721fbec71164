#include "kernels/dot_q4_0_q8.h"

#include <algorithm>
#include <vector>

#include "core/gguf/half.h"
#include "core/gguf/tensor_type.h"
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

// The fp16 scales of 8 consecutive blocks (18 bytes apart) as floats, without a scalar conversion
// per block: four 32-byte loads 32 bytes apart put block 2m's scale at word 2m of load m's low
// half and block 2m+1's at word 2m+1 of its high half; three word blends collect them and one
// more interleaves the halves. Reads bytes [0, 128) of the 144 the blocks occupy.
LFMB_TARGET_AVX2 inline __m256 scales_of_8_blocks(const BlockQ4_0* blk) {
  const auto* p = reinterpret_cast<const __m256i*>(blk);
  const __m256i v0 = _mm256_loadu_si256(p), v1 = _mm256_loadu_si256(p + 1);
  const __m256i v2 = _mm256_loadu_si256(p + 2), v3 = _mm256_loadu_si256(p + 3);
  const __m256i x = _mm256_blend_epi16(_mm256_blend_epi16(v0, v1, 0x0c), _mm256_blend_epi16(v2, v3, 0xc0), 0xf0);
  return _mm256_cvtph_ps(_mm_blend_epi16(_mm256_castsi256_si128(x), _mm256_extracti128_si256(x, 1), 0xaa));
}

// Each 32-bit lane holds Σ (q − 8)·a over its 4 values, as the reference engine's AVX2 kernel
// has it: maddubs(q, a) − maddubs(8, a) per int16 pair (exact, |·| ≤ 2·15·127). Lane sums equal to
// the engine's make the float rounding equal too; a single −8·Σa bias in lane 0 gave other
// roundings, and the rare quantisation flips they caused put lfm2moe-q4_0 at rms 1.4e-2.
// The block scales d_w·d_a (the engine's rounding: fp16 → float, then one multiply) come from
// tables, converted 8 blocks at a time: in prefill each group of 4 weight rows converts its fp16
// scales once for all the activation rows it meets and each register block multiplies them by
// its activation scales; decode forms each row's products in one pass. The dot products
// broadcast the products from memory. Converting, multiplying and
// broadcasting one scalar per block and row took nearly as many vector instructions as the dot
// product itself.
struct Q4Avx2 {
  LFMB_TARGET_AVX2 static void tile(const Int8Tile& t) {
    if (t.nx == 1) return decode(t);
    // Prefill: groups of 4 weight rows (then single rows), each against every activation row,
    // 2 at a time (then 1).
    const int64_t nb = t.a->blocks_per_row();
    thread_local std::vector<float> dw, ds;  // weight scales RW × nb; products RW × RX × nb
    dw.resize(size_t(4 * nb));
    ds.resize(size_t(4 * 2 * nb));
    int64_t w = 0;
    for (; w + 4 <= t.nw; w += 4) weight_group<4, 2>(t, w, dw.data(), ds.data());
    for (; w < t.nw; ++w) weight_group<1, 2>(t, w, dw.data(), ds.data());
  }

 private:
  // Decode (one activation row), in DecodeStreams' row order (matmul_tile.h).
  LFMB_TARGET_AVX2 static void decode(const Int8Tile& t) {
    constexpr int S = DecodeStreams::kStreams;
    const DecodeStreams streams(t);
    const int64_t nb = t.a->blocks_per_row(), q = streams.q;
    const int8_t* xq[1] = {t.a->row_qs(t.x0)};
    const float* xd = t.a->row_d(t.x0);
    thread_local std::vector<float> ds;  // block scales d_w·d_a, S × nb
    ds.resize(size_t(S * nb));
    for (int64_t r = 0; r < q; ++r) {
      const BlockQ4_0* wr[S];
      for (int j = 0; j < S; ++j) {
        wr[j] = reinterpret_cast<const BlockQ4_0*>(t.w + size_t(j * q + r) * t.w_stride);
        scale_products(wr[j], xd, nb, ds.data() + j * nb);
      }
      __m256 sums[S][1];
      dot_blocks<S, 1>(wr, xq, ds.data(), nb, streams.ahead, sums);
      for (int j = 0; j < S; ++j) t.y[j * q + r] = simd::hsum_avx2(sums[j][0]);
    }
    for (int64_t w = S * q; w < t.nw; ++w) {  // the last nw mod S rows
      const BlockQ4_0* wr[1] = {reinterpret_cast<const BlockQ4_0*>(t.w + size_t(w) * t.w_stride)};
      scale_products(wr[0], xd, nb, ds.data());
      __m256 sums[1][1];
      dot_blocks<1, 1>(wr, xq, ds.data(), nb, 0, sums);
      t.y[w] = simd::hsum_avx2(sums[0][0]);
    }
  }

  // out[b] = d_w[b] · xd[b] for one weight row's blocks (fp16 → float, then one multiply).
  LFMB_TARGET_AVX2 static void scale_products(const BlockQ4_0* w, const float* xd, int64_t nb, float* out) {
    int64_t b = 0;
    for (; b + 8 <= nb; b += 8) _mm256_storeu_ps(out + b, _mm256_mul_ps(scales_of_8_blocks(w + b), _mm256_loadu_ps(xd + b)));
    for (; b < nb; ++b) out[b] = _cvtsh_ss(w[b].d) * xd[b];
  }

  template <int RW, int RX>
  LFMB_TARGET_AVX2 static void weight_group(const Int8Tile& t, int64_t w0, float* dw, float* ds) {
    const int64_t nb = t.a->blocks_per_row();
    const BlockQ4_0* wr[RW];
    for (int j = 0; j < RW; ++j) wr[j] = reinterpret_cast<const BlockQ4_0*>(t.w + size_t(w0 + j) * t.w_stride);
    for (int j = 0; j < RW; ++j) {
      int64_t b = 0;
      for (; b + 8 <= nb; b += 8) _mm256_storeu_ps(dw + j * nb + b, scales_of_8_blocks(wr[j] + b));
      for (; b < nb; ++b) dw[j * nb + b] = _cvtsh_ss(wr[j][b].d);
    }
    int64_t x = 0;
    for (; x + RX <= t.nx; x += RX) register_block<RW, RX>(t, wr, w0, x, dw, ds);
    for (; x < t.nx; ++x) register_block<RW, 1>(t, wr, w0, x, dw, ds);
  }

  template <int RW, int RX>
  LFMB_TARGET_AVX2 static void register_block(const Int8Tile& t, const BlockQ4_0* const* wr, int64_t w0,
                                              int64_t x0, const float* dw, float* ds) {
    const int64_t nb = t.a->blocks_per_row();
    const int8_t* xq[RX];
    for (int i = 0; i < RX; ++i) {
      xq[i] = t.a->row_qs(t.x0 + x0 + i);
      const float* xd = t.a->row_d(t.x0 + x0 + i);
      for (int j = 0; j < RW; ++j) {
        float* out = ds + (j * RX + i) * nb;
        const float* in = dw + j * nb;
        int64_t b = 0;
        for (; b + 8 <= nb; b += 8)
          _mm256_storeu_ps(out + b, _mm256_mul_ps(_mm256_loadu_ps(in + b), _mm256_loadu_ps(xd + b)));
        for (; b < nb; ++b) out[b] = in[b] * xd[b];
      }
    }
    // The group's first pass over its rows asks for the next groups' rows (2·RW rows on);
    // later passes find them in cache.
    const size_t ahead = x0 == 0 ? 2 * RW * t.w_stride : 0;
    __m256 sums[RW][RX];
    dot_blocks<RW, RX>(wr, xq, ds, nb, ahead, sums);
    for (int i = 0; i < RX; ++i)
      for (int j = 0; j < RW; ++j) t.y[(x0 + i) * t.ldy + w0 + j] = simd::hsum_avx2(sums[j][i]);
  }

  // The RW × RX dot products over nb blocks, scales ds[(j·RX + i)·nb + b], prefetching each
  // row's block `ahead` bytes on (none if 0). A function of its own with the sums in locals (and
  // its loops unrolled early): inlined into the loops around it, GCC kept a copy of every sum on
  // the stack and stored it on each step.
  template <int RW, int RX>
  LFMB_TARGET_AVX2 __attribute__((noinline)) static void dot_blocks(const BlockQ4_0* const* wr, const int8_t* const* xq,
                                                                   const float* ds, int64_t nb, size_t ahead,
                                                                   __m256 (&sums)[RW][RX]) {
    __m256 acc[RW][RX];
#pragma GCC unroll 8
    for (int j = 0; j < RW; ++j)
#pragma GCC unroll 8
      for (int i = 0; i < RX; ++i) acc[j][i] = _mm256_setzero_ps();
    const __m256i ones = _mm256_set1_epi16(1), eight = _mm256_set1_epi8(8);
    for (int64_t b = 0; b < nb; ++b) {
      if (ahead)
#pragma GCC unroll 8
        for (int j = 0; j < RW; ++j) _mm_prefetch(reinterpret_cast<const char*>(wr[j] + b) + ahead, _MM_HINT_T0);
      __m256i a[RX], a8[RX];
#pragma GCC unroll 8
      for (int i = 0; i < RX; ++i) {
        a[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq[i] + b * 32));
        a8[i] = _mm256_maddubs_epi16(eight, a[i]);
      }
#pragma GCC unroll 8
      for (int j = 0; j < RW; ++j) {
        const __m256i q = unpack_nibbles(wr[j][b].qs);
#pragma GCC unroll 8
        for (int i = 0; i < RX; ++i) {
          const __m256i s = _mm256_madd_epi16(_mm256_sub_epi16(_mm256_maddubs_epi16(q, a[i]), a8[i]), ones);
          acc[j][i] = _mm256_fmadd_ps(_mm256_broadcast_ss(ds + (j * RX + i) * nb + b), _mm256_cvtepi32_ps(s), acc[j][i]);
        }
      }
    }
#pragma GCC unroll 8
    for (int j = 0; j < RW; ++j)
#pragma GCC unroll 8
      for (int i = 0; i < RX; ++i) sums[j][i] = acc[j][i];
  }
};

// AVX-512 VNNI, two blocks per 256-bit step (prefill: RX activation rows share each weight load).
// The 32 stored bytes of blocks b, b+1 are masked once for the low nibbles [b 0–15 | b+1 0–15] and
// shifted once for the high ones [b 16–31 | b+1 16–31]; the activations are regrouped the same way,
// so two dpbusd leave block b's sum in lanes 0–3 and block b+1's in lanes 4–7, scaled by
// [d_b ×4 | d_b+1 ×4].
template <int RW, int RX>
LFMB_TARGET_AVX512 inline void q4_avx512_pairs(const BlockQ4_0* const* wr, const int8_t* const* xq,
                                               const float* const* xd, const int32_t* const* xb, int64_t b,
                                               int64_t nb, size_t prefetch_ahead, __m256 (&acc)[RW][RX]) {
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  const __m256i halves = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1);
  const __m256i bias_lanes = _mm256_setr_epi32(0, 0, 0, 0, 1, 0, 0, 0);
  for (; b + 2 <= nb; b += 2) {
    __m256i a_lo[RX], a_hi[RX], bias[RX];
    __m256 da[RX];
    for (int i = 0; i < RX; ++i) {
      const __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq[i] + b * 32));
      const __m256i a1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq[i] + b * 32 + 32));
      a_lo[i] = _mm256_permute2x128_si256(a0, a1, 0x20);
      a_hi[i] = _mm256_permute2x128_si256(a0, a1, 0x31);
      const __m128i two = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(xb[i] + b));
      bias[i] = _mm256_maskz_permutexvar_epi32(0x11, bias_lanes, _mm256_castsi128_si256(two));
      da[i] = _mm256_permutexvar_ps(halves, _mm256_castps128_ps256(_mm_castsi128_ps(
                                                _mm_loadl_epi64(reinterpret_cast<const __m128i*>(xd[i] + b)))));
    }
    for (int j = 0; j < RW; ++j) {
      const BlockQ4_0* blk = wr[j] + b;
      _mm_prefetch(reinterpret_cast<const char*>(blk) + prefetch_ahead, _MM_HINT_T0);
      const __m256i v = _mm256_inserti128_si256(
          _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(blk[0].qs))),
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk[1].qs)), 1);
      const __m256i lo = _mm256_and_si256(v, low4);
      const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
      const __m128i dh = _mm_insert_epi16(_mm_cvtsi32_si128(blk[0].d), blk[1].d, 1);
      const __m256 dw = _mm256_permutexvar_ps(halves, _mm256_castps128_ps256(_mm_cvtph_ps(dh)));
      for (int i = 0; i < RX; ++i) {
        const __m256i s = _mm256_dpbusd_epi32(_mm256_dpbusd_epi32(bias[i], lo, a_lo[i]), hi, a_hi[i]);
        acc[j][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(dw, da[i]), acc[j][i]);
      }
    }
  }
  for (; b < nb; ++b) {  // odd block count: the last block alone
    for (int j = 0; j < RW; ++j) {
      const __m256i q = unpack_nibbles(wr[j][b].qs);
      const float dw = _cvtsh_ss(wr[j][b].d);
      for (int i = 0; i < RX; ++i) {
        const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq[i] + b * 32));
        const __m256i s = _mm256_dpbusd_epi32(_mm256_zextsi128_si256(_mm_cvtsi32_si128(xb[i][b])), q, a);
        acc[j][i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(dw * xd[i][b]), acc[j][i]);
      }
    }
  }
}

// Decode (one activation row): four blocks per 512-bit step, so the per-block work that is not
// multiply-add — unpacking nibbles, converting and spreading the fp16 scales — is done once per
// 72 stored bytes instead of once per 36. Four blocks are 72 bytes: two overlapping 64-byte loads
// and two word permutes give their quants in order and their scales spread to four lanes each
// (measured: 33.5 → 39 GB/s cache-warm on one thread against four loads and three inserts).
template <int RW>
LFMB_TARGET_AVX512 inline int64_t q4_avx512_quads(const BlockQ4_0* const* wr, const int8_t* xq, const float* xd,
                                                  const int32_t* xb, int64_t nb, size_t prefetch_ahead,
                                                  __m512 (&acc)[RW]) {
  const __m512i low4 = _mm512_set1_epi8(0x0f);
  // Word 9k is block k's scale (blocks are 18 bytes apart): each goes to its block's four float lanes.
  const __m512i scale_words = _mm512_setr_epi32(0, 0, 9 | 9 << 16, 9 | 9 << 16, 18 | 18 << 16, 18 | 18 << 16,
                                                27 | 27 << 16, 27 | 27 << 16, 0, 0, 0, 0, 0, 0, 0, 0);
  // Block k's quants are words 9k+1..9k+8; words ≥ 28 come from the second load (offset by 4 words).
  const __m512i quant_words = _mm512_setr_epi32(1 | 2 << 16, 3 | 4 << 16, 5 | 6 << 16, 7 | 8 << 16,
                                                10 | 11 << 16, 12 | 13 << 16, 14 | 15 << 16, 16 | 17 << 16,
                                                19 | 20 << 16, 21 | 22 << 16, 23 | 24 << 16, 25 | 26 << 16,
                                                56 | 57 << 16, 58 | 59 << 16, 60 | 61 << 16, 62 | 63 << 16);
  const __m512i spread = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
  int64_t b = 0;
  for (; b + 4 <= nb; b += 4) {
    // Activations regrouped like the weights: [b 0–15 | b+1 0–15 | b+2 0–15 | b+3 0–15] and the 16–31 halves.
    const __m512i a01 = _mm512_loadu_si512(xq + b * 32);
    const __m512i a23 = _mm512_loadu_si512(xq + b * 32 + 64);
    const __m512i a_lo = _mm512_shuffle_i64x2(a01, a23, _MM_SHUFFLE(2, 0, 2, 0));
    const __m512i a_hi = _mm512_shuffle_i64x2(a01, a23, _MM_SHUFFLE(3, 1, 3, 1));
    const __m512i bias = _mm512_maskz_expand_epi32(0x1111, _mm512_castsi128_si512(_mm_loadu_si128(
                                                                reinterpret_cast<const __m128i*>(xb + b))));
    const __m512 da = _mm512_permutexvar_ps(spread, _mm512_castps128_ps512(_mm_loadu_ps(xd + b)));
    // The RW rows are contiguous, and this step reads RW·72 of their bytes: prefetch as many bytes
    // in one sequential run, prefetch_ahead past the block's start. Each line is asked for once and
    // in address order, which measured ~15 % faster on the MoE layer than a prefetch per row.
    const char* ahead = reinterpret_cast<const char*>(wr[0]) + prefetch_ahead + b * RW * 18;
    for (int k = 0; k < RW * 72; k += 64) _mm_prefetch(ahead + k, _MM_HINT_T0);
    for (int j = 0; j < RW; ++j) {
      const BlockQ4_0* blk = wr[j] + b;
      const char* bytes = reinterpret_cast<const char*>(blk);
      // Block k's quants are bytes 18k+2..18k+17 (even offsets, so whole words).
      const __m512i w0 = _mm512_loadu_si512(bytes);
      const __m512i w1 = _mm512_loadu_si512(bytes + 8);
      const __m512i v = _mm512_permutex2var_epi16(w0, quant_words, w1);
      const __m512i lo = _mm512_and_si512(v, low4);
      const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
      const __m512 dw = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_permutexvar_epi16(scale_words, w0)));
      const __m512i s = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(bias, lo, a_lo), hi, a_hi);
      acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_mul_ps(dw, da), acc[j]);
    }
  }
  return b;
}

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
    const size_t prefetch_ahead = 2 * RW * t.w_stride;
    __m256 acc[RW][RX];
    for (int j = 0; j < RW; ++j)
      for (int i = 0; i < RX; ++i) acc[j][i] = _mm256_setzero_ps();
    int64_t b = 0;
    if constexpr (RX == 1) {
      __m512 wide[RW];
      for (int j = 0; j < RW; ++j) wide[j] = _mm512_setzero_ps();
      b = q4_avx512_quads<RW>(wr, xq[0], xd[0], xb[0], nb, prefetch_ahead, wide);
      for (int j = 0; j < RW; ++j)
        acc[j][0] = _mm256_add_ps(_mm512_castps512_ps256(wide[j]),
                                  _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(wide[j]), 1)));
    }
    q4_avx512_pairs<RW, RX>(wr, xq, xd, xb, b, nb, prefetch_ahead, acc);
    for (int i = 0; i < RX; ++i)
      for (int j = 0; j < RW; ++j) t.y[(x0 + i) * t.ldy + w0 + j] = simd::hsum_avx2(acc[j][i]);
  }
};

}  // namespace

void gemm_q4_0_q8(Isa isa, const Int8Tile& t) {
  switch (isa) {
    case Isa::Avx512:
      if (t.nx == 1) prefetch_rows(t, 0, 8);  // 2 × the 4-row register block
      return drive_tile<Q4Avx512, 4, 4>(t);
    case Isa::Avx2: return Q4Avx2::tile(t);
    case Isa::Scalar: return drive_tile<Q4Scalar, 1, 1>(t);
  }
}

}  // namespace lfmb
