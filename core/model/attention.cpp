#include "core/model/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/attention_kernels.h"

namespace lfmb {

void causal_attention(const AttentionShape& s, const float* q, const float* k_cache, const float* v_cache,
                      int64_t pos0, int64_t n_tokens, float* out, Isa isa, const ParallelFor& parallel) {
  const int64_t hd = s.head_dim, group = s.n_head / s.n_head_kv;
  const int64_t q_stride = s.n_head * hd, kv_stride = s.n_head_kv * hd;
  const float scale = 1.0f / std::sqrt(float(hd));
  const int64_t n_tiles = (n_tokens + kAttentionTokensPerTile - 1) / kAttentionTokensPerTile;
  parallel(n_tiles * s.n_head_kv, [&](int64_t task) {
    const int64_t t0 = (task / s.n_head_kv) * kAttentionTokensPerTile, kvh = task % s.n_head_kv;
    const int64_t nt = std::min(kAttentionTokensPerTile, n_tokens - t0);
    const int64_t rows = nt * group;       // query rows (token, head of the group), back to back
    const int64_t n_keys = pos0 + t0 + nt;  // the tile's last token sees the most keys
    thread_local std::vector<float> qs, scores, os;
    qs.resize(size_t(rows * hd));
    scores.resize(size_t(rows * n_keys));
    os.resize(size_t(rows * hd));
    for (int64_t t = 0; t < nt; ++t)
      std::copy_n(q + (t0 + t) * q_stride + kvh * group * hd, group * hd, qs.data() + t * group * hd);
    attention_scores(isa, qs.data(), hd, rows, k_cache + kvh * hd, kv_stride, n_keys, hd, scale, scores.data(), n_keys);
    for (int64_t t = 0; t < nt; ++t) {
      // Causal: token t0 + t sees keys 0 .. pos0 + t0 + t; the zeros after them add nothing below.
      const int64_t own = pos0 + t0 + t + 1;
      float* p = scores.data() + t * group * n_keys;
      softmax_rows(isa, p, n_keys, group, own);
      for (int64_t g = 0; g < group; ++g) std::fill(p + g * n_keys + own, p + (g + 1) * n_keys, 0.0f);
    }
    attention_values(isa, scores.data(), n_keys, rows, v_cache + kvh * hd, kv_stride, n_keys, hd, os.data(), hd);
    for (int64_t t = 0; t < nt; ++t)
      std::copy_n(os.data() + t * group * hd, group * hd, out + (t0 + t) * q_stride + kvh * group * hd);
  });
}

}  // namespace lfmb
