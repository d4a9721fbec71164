// The `xnnpack` backend: one XNNPACK fully-connected operator per weight matrix (experts too), all
// sharing one pthreadpool. XNNPACK packs the weights inside the operator at creation, so prepare()
// converts each matrix to a temporary, creates the operator and frees the temporary: the packed copy
// is the only one kept. Computes in f32 only: why not f16 or qs8 is in describe().
#pragma once
#include <pthreadpool.h>

#include <cstdint>
#include <string>
#include <vector>

#include "backends/backend.h"

namespace lfmb {

class XnnpackBackend final : public Backend {
 public:
  explicit XnnpackBackend(const BackendOptions& opts);
  ~XnnpackBackend() override;
  XnnpackBackend(const XnnpackBackend&) = delete;
  XnnpackBackend& operator=(const XnnpackBackend&) = delete;

  std::string_view name() const override { return "xnnpack"; }
  bool supports(TensorType) const override { return true; }
  std::vector<std::string> dtypes() const override { return {"f32"}; }
  std::string dtype() const override { return "f32"; }
  // An upper bound on the packed size (XNNPACK rounds output channels and input channels up to its
  // kernel tile); PreparedWeight::owned_bytes holds what it really allocated.
  uint64_t prepared_bytes(const WeightView& w) const override;
  std::unique_ptr<PreparedWeight> prepare(const WeightView& w) override;
  void linear(const PreparedWeight& w, int64_t mat, const float* x, int64_t n_rows, float* y) override;
  void parallel_for(int64_t n, const std::function<void(int64_t)>& fn) override;
  std::string describe() const override;

 private:
  pthreadpool_t pool_ = nullptr;
};

}  // namespace lfmb
