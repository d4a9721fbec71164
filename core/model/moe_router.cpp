#include "core/model/moe_router.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace lfmb {

void route_tokens(const float* x, const float* router, const float* bias, int64_t n_tokens, int64_t n_embd,
                  int64_t n_expert, int k, int32_t* experts, float* weights) {
  std::vector<float> score(static_cast<size_t>(n_expert)), choice(static_cast<size_t>(n_expert));
  std::vector<int32_t> order(static_cast<size_t>(n_expert));
  for (int64_t t = 0; t < n_tokens; ++t) {
    const float* xt = x + t * n_embd;
    for (int64_t e = 0; e < n_expert; ++e) {
      const float* we = router + e * n_embd;
      float logit = 0.0f;
      for (int64_t i = 0; i < n_embd; ++i) logit += xt[i] * we[i];
      score[size_t(e)] = 1.0f / (1.0f + std::exp(-logit));
      choice[size_t(e)] = score[size_t(e)] + bias[e];
    }
    std::iota(order.begin(), order.end(), 0);
    // Stable so ties pick the lower expert id, deterministically.
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return choice[size_t(a)] > choice[size_t(b)]; });
    float sum = 0.0f;
    for (int j = 0; j < k; ++j) sum += score[size_t(order[size_t(j)])];
    for (int j = 0; j < k; ++j) {
      experts[t * k + j] = order[size_t(j)];
      weights[t * k + j] = score[size_t(order[size_t(j)])] / sum;
    }
  }
}

}  // namespace lfmb
