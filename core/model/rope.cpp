#include "core/model/rope.h"

#include <cmath>

namespace lfmb {

void rope_neox(float* v, int64_t n_heads, int64_t head_dim, int64_t pos, float theta) {
  const int64_t half = head_dim / 2;
  for (int64_t i = 0; i < half; ++i) {
    const double freq = std::pow(double(theta), -2.0 * double(i) / double(head_dim));
    const double angle = double(pos) * freq;
    const float c = float(std::cos(angle)), s = float(std::sin(angle));
    for (int64_t h = 0; h < n_heads; ++h) {
      float* x = v + h * head_dim;
      const float x0 = x[i], x1 = x[i + half];
      x[i] = x0 * c - x1 * s;
      x[i + half] = x0 * s + x1 * c;
    }
  }
}

}  // namespace lfmb
