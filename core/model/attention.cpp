#include "core/model/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace lfmb {

void causal_attention(const AttentionShape& s, const float* q, const float* k_cache, const float* v_cache,
                      int64_t pos0, int64_t n_tokens, float* out) {
  const int64_t hd = s.head_dim, group = s.n_head / s.n_head_kv;
  const int64_t q_stride = s.n_head * hd, kv_stride = s.n_head_kv * hd;
  const float scale = 1.0f / std::sqrt(float(hd));
  std::vector<float> scores(size_t(pos0 + n_tokens));
  for (int64_t t = 0; t < n_tokens; ++t) {
    const int64_t n_keys = pos0 + t + 1;  // causal: this token and everything before it
    for (int64_t h = 0; h < s.n_head; ++h) {
      const float* qh = q + t * q_stride + h * hd;
      const int64_t kvh = h / group;
      float max_score = -INFINITY;
      for (int64_t j = 0; j < n_keys; ++j) {
        const float* kj = k_cache + j * kv_stride + kvh * hd;
        float dot = 0.0f;
        for (int64_t d = 0; d < hd; ++d) dot += qh[d] * kj[d];
        scores[size_t(j)] = dot * scale;
        max_score = std::max(max_score, scores[size_t(j)]);
      }
      float sum = 0.0f;
      for (int64_t j = 0; j < n_keys; ++j) sum += scores[size_t(j)] = std::exp(scores[size_t(j)] - max_score);
      float* oh = out + t * q_stride + h * hd;
      std::fill(oh, oh + hd, 0.0f);
      for (int64_t j = 0; j < n_keys; ++j) {
        const float p = scores[size_t(j)] / sum;
        const float* vj = v_cache + j * kv_stride + kvh * hd;
        for (int64_t d = 0; d < hd; ++d) oh[d] += p * vj[d];
      }
    }
  }
}

}  // namespace lfmb
