// The reference backend: obviously-correct float32 C++. Weights stay as stored (in the memory
// map); each row is dequantised when used. Slow and simple: the oracle for all others.
#pragma once
#include "backends/backend.h"

namespace lfmb {

class ReferenceBackend final : public Backend {
 public:
  explicit ReferenceBackend(const BackendOptions& opts);
  std::string_view name() const override { return "reference"; }
  bool supports(TensorType) const override { return true; }
  uint64_t prepared_bytes(const WeightView&) const override { return 0; }
  std::unique_ptr<PreparedWeight> prepare(const WeightView& w) override;
  void linear(const PreparedWeight& w, int64_t mat, const float* x, int64_t n_rows, float* y) override;
  std::string describe() const override { return "reference: dequantise row + float32 dot, all types"; }
};

}  // namespace lfmb
