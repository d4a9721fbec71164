// The float32 parts of attention that grow with the context: scores of query heads against the
// cached keys, softmax over them, and the probability-weighted sum of the cached values. All the
// query heads that share one key/value head go through together, so each cached row is read
// once per token, not once per query head (what makes grouped-query attention cheap).
#pragma once
#include <cstdint>

#include "kernels/cpu_features.h"

namespace lfmb {

// scores[g·lds + j] = scale · (q[g·ldq + 0..n) · k[j·k_stride + 0..n)) for g < n_q, j < n_keys.
void attention_scores(Isa isa, const float* q, int64_t ldq, int64_t n_q, const float* k, int64_t k_stride,
                      int64_t n_keys, int64_t n, float scale, float* scores, int64_t lds);

// Each of the n_q rows of p (n_keys values, ldp apart) becomes softmax(row), in place.
void softmax_rows(Isa isa, float* p, int64_t ldp, int64_t n_q, int64_t n_keys);

// out[g·ldo + d] = Σ_j p[g·ldp + j] · v[j·v_stride + d] for g < n_q, d < n.
void attention_values(Isa isa, const float* p, int64_t ldp, int64_t n_q, const float* v, int64_t v_stride,
                      int64_t n_keys, int64_t n, float* out, int64_t ldo);

}  // namespace lfmb
