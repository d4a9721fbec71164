// RMSNorm (Zhang & Sennrich 2019): y = x / sqrt(mean(x²) + eps) · w, per row.
#pragma once
#include <cstdint>

namespace lfmb {

// Normalises n_rows rows of n values from x into y (x == y allowed).
void rms_norm(const float* x, const float* w, int64_t n_rows, int64_t n, float eps, float* y);

}  // namespace lfmb
