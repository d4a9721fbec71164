// Grouped-query attention on every kernel path and spread over threads, against a plain
// double-precision implementation; odd sizes so no path only works on round numbers.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "core/model/attention.h"
#include "kernels/attention_kernels.h"
#include "kernels/thread_pool.h"

using namespace lfmb;

namespace {

std::vector<float> random_floats(size_t n, std::mt19937& rng, float scale) {
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

std::vector<double> plain_attention(const AttentionShape& s, const std::vector<float>& q, const std::vector<float>& k,
                                    const std::vector<float>& v, int64_t pos0, int64_t n_tokens) {
  const int64_t hd = s.head_dim, group = s.n_head / s.n_head_kv, qs = s.n_head * hd, kvs = s.n_head_kv * hd;
  std::vector<double> out(size_t(n_tokens * qs), 0.0);
  for (int64_t t = 0; t < n_tokens; ++t)
    for (int64_t h = 0; h < s.n_head; ++h) {
      const int64_t n_keys = pos0 + t + 1, kvh = h / group;
      std::vector<double> p(static_cast<size_t>(n_keys));
      double m = -INFINITY, sum = 0;
      for (int64_t j = 0; j < n_keys; ++j) {
        double dot = 0;
        for (int64_t d = 0; d < hd; ++d) dot += double(q[size_t(t * qs + h * hd + d)]) * k[size_t(j * kvs + kvh * hd + d)];
        p[size_t(j)] = dot / std::sqrt(double(hd));
        m = std::max(m, p[size_t(j)]);
      }
      for (double& x : p) sum += x = std::exp(x - m);
      for (int64_t j = 0; j < n_keys; ++j)
        for (int64_t d = 0; d < hd; ++d)
          out[size_t(t * qs + h * hd + d)] += p[size_t(j)] / sum * v[size_t(j * kvs + kvh * hd + d)];
    }
  return out;
}

}  // namespace

TEST_CASE("causal attention matches a plain implementation on every path, serial and threaded", "[attention]") {
  std::mt19937 rng(3);
  const AttentionShape s{6, 2, 40};  // group of 3 query heads per kv head, head_dim not a multiple of 16
  ThreadPool pool(2);
  const ParallelFor threaded = [&pool](int64_t n, const std::function<void(int64_t)>& fn) { pool.parallel_for(n, fn); };
  // One token (decode), a few, and more than two tiles with a partial last one, after a prefix.
  for (const int64_t n_tokens : {int64_t(1), int64_t(5), 2 * kAttentionTokensPerTile + 3}) {
    const int64_t pos0 = 37, n_pos = pos0 + n_tokens;
    const auto q = random_floats(size_t(n_tokens * s.n_head * s.head_dim), rng, 1.0f);
    const auto k = random_floats(size_t(n_pos * s.n_head_kv * s.head_dim), rng, 1.0f);
    const auto v = random_floats(size_t(n_pos * s.n_head_kv * s.head_dim), rng, 1.0f);
    const std::vector<double> want = plain_attention(s, q, k, v, pos0, n_tokens);
    for (Isa isa : supported_isas()) {
      for (const bool use_threads : {false, true}) {
        std::vector<float> got(want.size());
        causal_attention(s, q.data(), k.data(), v.data(), pos0, n_tokens, got.data(), isa,
                         use_threads ? threaded : ParallelFor(serial_for));
        double worst = 0;
        for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(got[i] - want[i]));
        INFO(n_tokens << " tokens, " << isa_name(isa) << (use_threads ? " threaded" : " serial") << " max |err| " << worst);
        CHECK(worst < 2e-6);
      }
    }
  }
}

TEST_CASE("softmax kernel is exact to float rounding across the exponent range", "[attention]") {
  // Spread of 100 (exp underflow for the smallest), a tail that is not a multiple of 16.
  std::vector<float> x(173);
  for (size_t i = 0; i < x.size(); ++i) x[i] = -100.0f + 100.0f * float(i) / float(x.size() - 1) + 0.37f;
  for (Isa isa : supported_isas()) {
    std::vector<float> p = x;
    softmax_rows(isa, p.data(), int64_t(p.size()), 1, int64_t(p.size()));
    double sum = 0, m = -INFINITY;
    for (float xi : x) m = std::max(m, double(xi));
    for (float xi : x) sum += std::exp(double(xi) - m);
    double worst_rel = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double want = std::exp(double(x[i]) - m) / sum;
      if (want > 1e-30) worst_rel = std::max(worst_rel, std::fabs(p[i] - want) / want);
    }
    INFO(isa_name(isa) << " worst relative error " << worst_rel);
    // x − max in float is off by up to 2^-18 for |x − max| near 100: exp inherits ~4e-6 from that.
    CHECK(worst_rel < 1e-5);
  }
}
