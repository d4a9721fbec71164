// The `openblas` backend: weights converted once at load to float32 (F32 used in place from the
// memory map) and multiplied with cblas_sgemv for one row, cblas_sgemm otherwise. bf16 through
// cblas_sbgemm only when the installed OpenBLAS exports it (configure-time LFMB_OPENBLAS_HAS_SBGEMM;
// Debian 12's 0.3.21 declares it in cblas.h but does not export it).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "kernels/thread_pool.h"

namespace lfmb {

class OpenblasBackend final : public Backend {
 public:
  explicit OpenblasBackend(const BackendOptions& opts);

  std::string_view name() const override { return "openblas"; }
  bool supports(TensorType) const override { return true; }
  std::vector<std::string> dtypes() const override;
  std::string dtype() const override { return dtype_; }
  uint64_t prepared_bytes(const WeightView& w) const override;
  std::unique_ptr<PreparedWeight> prepare(const WeightView& w) override;
  void linear(const PreparedWeight& w, int64_t mat, const float* x, int64_t n_rows, float* y) override;
  // OpenBLAS has no public API to run caller work on its threads: a pool of the same size whose
  // workers park when idle does it instead.
  void parallel_for(int64_t n, const std::function<void(int64_t)>& fn) override { pool_.parallel_for(n, fn); }
  std::string describe() const override;

 private:
  // openblas_set_num_threads is process-wide: re-assert our count before each call.
  void use_our_thread_count() const;

  std::string dtype_;
  ThreadPool pool_;
#ifdef LFMB_OPENBLAS_HAS_SBGEMM
  std::vector<uint16_t> x_bf16_;  // activations rounded to bf16 for sbgemm
#endif
};

}  // namespace lfmb
