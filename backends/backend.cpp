#include "backends/backend.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"

namespace lfmb {

void WeightView::check_width() const {
  if (n_in % block_elements(type) != 0)
    throw Error("weight '" + name + "': " + std::to_string(n_in) + " columns is not a multiple of the " +
                std::string(tensor_type_name(type)) + " block size");
}

void WeightView::dequantize_rows(int64_t first, int64_t n, float* dst) const {
  for (int64_t r = 0; r < n; ++r) dequantize_row(type, row(0, first + r), dst + size_t(r) * size_t(n_in), n_in);
}

void Backend::moe(const PreparedWeight& gate, const PreparedWeight& up, const PreparedWeight& down,
                  const float* x, int64_t n_tokens, int k, const int32_t* experts, const float* weights,
                  float* y) {
  const int64_t n_in = gate.view.n_in, n_ff = gate.view.n_out, n_exp = gate.view.n_mats;
  std::fill(y, y + n_tokens * n_in, 0.0f);
  // Group (token, slot) pairs by expert so each expert's weights are read once per call.
  std::vector<std::vector<int64_t>> by_expert(static_cast<size_t>(n_exp));
  for (int64_t i = 0; i < n_tokens * k; ++i) by_expert[size_t(experts[i])].push_back(i);
  std::vector<float> xs, g, u, d;
  for (int64_t e = 0; e < n_exp; ++e) {
    const auto& slots = by_expert[size_t(e)];
    if (slots.empty()) continue;
    const int64_t m = int64_t(slots.size());
    xs.resize(size_t(m * n_in));
    for (int64_t r = 0; r < m; ++r) std::copy_n(x + (slots[size_t(r)] / k) * n_in, n_in, xs.begin() + r * n_in);
    g.resize(size_t(m * n_ff));
    u.resize(size_t(m * n_ff));
    d.resize(size_t(m * n_in));
    linear(gate, e, xs.data(), m, g.data());
    linear(up, e, xs.data(), m, u.data());
    for (size_t i = 0; i < g.size(); ++i) g[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
    linear(down, e, g.data(), m, d.data());
    for (int64_t r = 0; r < m; ++r) {
      const int64_t slot = slots[size_t(r)];
      float* yt = y + (slot / k) * n_in;
      const float w = weights[slot];
      for (int64_t i = 0; i < n_in; ++i) yt[i] += w * d[size_t(r * n_in + i)];
    }
  }
}

}  // namespace lfmb
