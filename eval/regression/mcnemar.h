// McNemar's exact test for paired 0/1 outcomes, as ../shared/eval-protocols.md §4.2 states it
// (the proposal of lm-evaluation-harness #3831 / PR #3868): with b documents right only in run A
// and c right only in run B, p = min(1, 2·Σ_{i=0}^{min(b,c)} C(b+c, i)·2^−(b+c)), the two-sided
// exact binomial test of b against Binomial(b+c, 1/2). Documents both runs got right or wrong
// carry no information about the difference and do not enter.
#pragma once
#include <cstdint>

namespace lfmb::eval {

// Exact two-sided p-value; 1 when b + c == 0. Stable for b + c in the millions: the binomial
// terms are summed in log space (no C(n, i) is ever formed), so nothing overflows, and a p-value
// below the smallest double comes out as 0.
double mcnemar_exact_p(uint64_t b, uint64_t c);

}  // namespace lfmb::eval
