#include "core/model/short_conv.h"

#include <algorithm>
#include <vector>

namespace lfmb {

void short_conv(const float* bcx, const float* kernel, int64_t n_tokens, int64_t n_embd, int64_t L, float* state,
                float* y) {
  const int64_t E = n_embd;
  // window = state (L−1 rows) followed by the gated inputs B ⊙ x' of this call, time-major so
  // each tap reads a contiguous row.
  std::vector<float> window(size_t((L - 1 + n_tokens) * E));
  std::copy(state, state + (L - 1) * E, window.begin());
  for (int64_t t = 0; t < n_tokens; ++t) {
    const float* b = bcx + t * 3 * E;
    const float* xp = b + 2 * E;
    float* w = window.data() + (L - 1 + t) * E;
    for (int64_t c = 0; c < E; ++c) w[c] = b[c] * xp[c];
  }
  for (int64_t t = 0; t < n_tokens; ++t) {
    const float* gate_c = bcx + t * 3 * E + E;
    float* yt = y + t * E;
    for (int64_t c = 0; c < E; ++c) {
      float acc = 0.0f;
      for (int64_t l = 0; l < L; ++l) acc += window[size_t((t + l) * E + c)] * kernel[c * L + l];
      yt[c] = gate_c[c] * acc;
    }
  }
  // The newest L−1 inputs become the state for the next call.
  std::copy(window.end() - (L - 1) * E, window.end(), state);
}

}  // namespace lfmb
