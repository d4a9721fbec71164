#include "backends/reference/reference_backend.h"

#include <vector>

#include "core/error.h"

namespace lfmb {

ReferenceBackend::ReferenceBackend(const BackendOptions& opts) {
  if (!opts.dtype.empty() && opts.dtype != "f32")
    throw Error("backend 'reference' computes in f32 only (asked for dtype '" + opts.dtype + "')");
  threads_ = 1;
}

std::unique_ptr<PreparedWeight> ReferenceBackend::prepare(const WeightView& w) {
  return std::make_unique<PreparedWeight>(w);
}

void ReferenceBackend::linear(const PreparedWeight& pw, int64_t mat, const float* x, int64_t n_rows, float* y) {
  const WeightView& w = pw.view;
  std::vector<float> row(size_t(w.n_in));
  for (int64_t o = 0; o < w.n_out; ++o) {
    dequantize_row(w.type, w.row(mat, o), row.data(), w.n_in);
    for (int64_t r = 0; r < n_rows; ++r) {
      const float* xr = x + r * w.n_in;
      float sum = 0.0f;
      for (int64_t i = 0; i < w.n_in; ++i) sum += xr[i] * row[size_t(i)];
      y[r * w.n_out + o] = sum;
    }
  }
}

}  // namespace lfmb
