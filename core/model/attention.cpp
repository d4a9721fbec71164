#include "core/model/attention.h"

#include <cmath>
#include <vector>

#include "kernels/attention_kernels.h"

namespace lfmb {

void causal_attention(const AttentionShape& s, const float* q, const float* k_cache, const float* v_cache,
                      int64_t pos0, int64_t n_tokens, float* out, Isa isa, const ParallelFor& parallel) {
  const int64_t hd = s.head_dim, group = s.n_head / s.n_head_kv;
  const int64_t q_stride = s.n_head * hd, kv_stride = s.n_head_kv * hd;
  const float scale = 1.0f / std::sqrt(float(hd));
  parallel(n_tokens * s.n_head_kv, [&](int64_t task) {
    const int64_t t = task / s.n_head_kv, kvh = task % s.n_head_kv;
    const int64_t n_keys = pos0 + t + 1;  // causal: this token and everything before it
    thread_local std::vector<float> scores;
    scores.resize(size_t(group * n_keys));
    const float* qg = q + t * q_stride + kvh * group * hd;  // the group's query heads, back to back
    attention_scores(isa, qg, hd, group, k_cache + kvh * hd, kv_stride, n_keys, hd, scale, scores.data(), n_keys);
    softmax_rows(isa, scores.data(), n_keys, group, n_keys);
    attention_values(isa, scores.data(), n_keys, group, v_cache + kvh * hd, kv_stride, n_keys, hd,
                     out + t * q_stride + kvh * group * hd, hd);
  });
}

}  // namespace lfmb
