#include "core/model/moe_router.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "kernels/dot_f32.h"

namespace lfmb {

void route_tokens(const float* x, const float* router, const float* bias, int64_t n_tokens, int64_t n_embd,
                  int64_t n_expert, int k, int32_t* experts, float* weights, Isa isa, const ParallelFor& parallel) {
  constexpr int64_t kChunk = 16;  // tokens per task: one register-blocked product over the router rows
  parallel((n_tokens + kChunk - 1) / kChunk, [&](int64_t chunk) {
    const int64_t t0 = chunk * kChunk, nt = std::min(kChunk, n_tokens - t0);
    std::vector<float> logits(size_t(nt * n_expert));
    gemm_f32(isa, FloatTile{reinterpret_cast<const uint8_t*>(router), size_t(n_embd) * sizeof(float), n_expert,
                            x + t0 * n_embd, n_embd, nt, n_embd, logits.data(), n_expert});
    std::vector<float> score(static_cast<size_t>(n_expert)), choice(static_cast<size_t>(n_expert));
    std::vector<int32_t> order(static_cast<size_t>(n_expert));
    for (int64_t i = 0; i < nt; ++i) {
      for (int64_t e = 0; e < n_expert; ++e) {
        score[size_t(e)] = 1.0f / (1.0f + std::exp(-logits[size_t(i * n_expert + e)]));
        choice[size_t(e)] = score[size_t(e)] + bias[e];
      }
      std::iota(order.begin(), order.end(), 0);
      // Stable so ties pick the lower expert id, deterministically.
      std::stable_sort(order.begin(), order.end(),
                       [&](int32_t a, int32_t b) { return choice[size_t(a)] > choice[size_t(b)]; });
      float sum = 0.0f;
      for (int j = 0; j < k; ++j) sum += score[size_t(order[size_t(j)])];
      const int64_t t = t0 + i;
      for (int j = 0; j < k; ++j) {
        experts[t * k + j] = order[size_t(j)];
        weights[t * k + j] = score[size_t(order[size_t(j)])] / sum;
      }
    }
  });
}

}  // namespace lfmb
