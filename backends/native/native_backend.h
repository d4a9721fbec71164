// The `native` backend: hand-written kernels (kernels/) on the GGUF blocks as stored, used in place
// from the memory map. Q4_0/Q8_0 run against int8 activations quantised per 32-block on the fly;
// F16/BF16/F32 against float activations. Q4_0/Q8_0 weights are also repacked at load for the
// packed int8 GEMM (kernels/gemm_packed_int8.h): on the AVX-512 path every call uses it, decode
// included; on the others every call of 2 or more rows, and one-row calls (decode) stream the
// stored blocks. LFMB_NATIVE_PACK=0 turns the repacking off (A/B runs). A fused MoE computes gate, up and SiLU·up in one pass over
// each expert's gate/up rows and accumulates the down projection straight into y.
#pragma once
#include <vector>

#include "backends/backend.h"
#include "kernels/cpu_features.h"
#include "kernels/gemm_packed_int8.h"
#include "kernels/thread_pool.h"
#include "kernels/weight_matmul.h"

namespace lfmb {

class NativeBackend final : public Backend {
 public:
  // Kernel path from default_isa() (best on this CPU, capped by $LFMB_ISA).
  explicit NativeBackend(const BackendOptions& opts);
  // Forces a path (tests check every path this CPU supports); Error if the CPU cannot run it.
  NativeBackend(const BackendOptions& opts, Isa isa);

  std::string_view name() const override { return "native"; }
  bool supports(TensorType) const override { return true; }
  uint64_t prepared_bytes(const WeightView& w) const override;
  std::unique_ptr<PreparedWeight> prepare(const WeightView& w) override;
  void linear(const PreparedWeight& w, int64_t mat, const float* x, int64_t n_rows, float* y) override;
  void moe(const PreparedWeight& gate, const PreparedWeight& up, const PreparedWeight& down, const float* x,
           int64_t n_tokens, int k, const int32_t* experts, const float* weights, float* y) override;
  void parallel_for(int64_t n, const std::function<void(int64_t)>& fn) override { pool_.parallel_for(n, fn); }
  std::string describe() const override;

  Isa isa() const { return isa_; }

 private:
  // The tokens routed to one expert, their activations and intermediate results.
  struct ExpertWork {
    int64_t expert = 0;
    std::vector<int64_t> slots;  // indices into experts[]/weights[] (token = slot / k)
    std::vector<float> x;        // gathered token rows (slots.size() × n_in)
    KernelInput x_in;
    std::vector<float> h;        // silu(gate·x) ⊙ (up·x): slots.size() × n_ff
    KernelInput h_in;
  };

  bool packs(const WeightView& w) const;

  Isa isa_;
  Int8GemmPath gemm_path_;
  bool pack_ = true;
  ThreadPool pool_;
  KernelInput input_;
  std::vector<ExpertWork> work_;
};

}  // namespace lfmb
