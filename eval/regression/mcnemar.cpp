#include "eval/regression/mcnemar.h"

#include <algorithm>
#include <cmath>

namespace lfmb::eval {

double mcnemar_exact_p(uint64_t b, uint64_t c) {
  const uint64_t n = b + c, k = std::min(b, c);
  // |b − c| ≤ 1: the summed terms are at least half the binomial mass, so p is exactly 1 (the
  // log-space sum would come out a few ulps short).
  if (std::max(b, c) - k <= 1) return 1.0;
  // log of the binomial term t_i = C(n, i)·2^−n, built incrementally from t_0 = 2^−n with
  // t_{i+1} = t_i·(n−i)/(i+1). For i ≤ k ≤ n/2 the terms grow with i, so t_k is the largest: sum
  // exp(log t_i − log t_k) (each ≤ 1, no overflow) and add log t_k back at the end.
  double log_t = -double(n) * std::log(2.0);
  double log_terms_k = 0;
  // First pass: log t_k.
  for (uint64_t i = 0; i < k; ++i) log_t += std::log(double(n - i)) - std::log(double(i + 1));
  log_terms_k = log_t;
  // Second pass, downward from k: t_{i-1} = t_i·i/(n−i+1); the sum is dominated by its first terms,
  // and once a term falls below 1e-20 of the total the rest cannot change a double.
  double sum = 1.0, rel = 1.0;
  for (uint64_t i = k; i > 0; --i) {
    rel *= double(i) / double(n - i + 1);
    sum += rel;
    if (rel < 1e-20 * sum) break;
  }
  const double log_p = std::log(2.0) + log_terms_k + std::log(sum);
  return log_p >= 0 ? 1.0 : std::exp(log_p);
}

}  // namespace lfmb::eval
