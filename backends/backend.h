// The backend interface: the model never multiplies a weight matrix itself. It hands each
// weight to a backend once at load (prepare: keep as stored, convert or repack) and then asks
// for the weight-heavy operations: a linear layer and the MoE expert computation.
// Adding a backend = one class implementing this + one line in backends/registry.cpp.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/gguf/tensor_type.h"

namespace lfmb {

// A weight as stored in the GGUF file: n_mats matrices (MoE experts; 1 otherwise) of n_out rows
// by n_in values (GGML: ne0 = n_in, ne1 = n_out, ne2 = n_mats), rows of row_bytes(type, n_in)
// bytes, back to back. `data` usually points into the model's memory map.
struct WeightView {
  std::string name;
  TensorType type = TensorType::F32;
  int64_t n_in = 0;
  int64_t n_out = 0;
  int64_t n_mats = 1;
  const uint8_t* data = nullptr;

  size_t row_stride() const { return row_bytes(type, n_in); }
  size_t mat_stride() const { return row_stride() * size_t(n_out); }
  const uint8_t* row(int64_t mat, int64_t r) const { return data + size_t(mat) * mat_stride() + size_t(r) * row_stride(); }
  // lfmb::Error naming the weight when n_in is not a whole number of the type's blocks.
  void check_width() const;
  // Rows [first, first + n) of the n_mats·n_out stacked rows as float32, back to back into dst.
  void dequantize_rows(int64_t first, int64_t n, float* dst) const;
};

// v rounded up to a multiple of m (m > 0): padded row and channel counts of repacked weights.
inline int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// A backend's own form of one weight. Backends derive from it to hold converted data.
class PreparedWeight {
 public:
  explicit PreparedWeight(WeightView v) : view(std::move(v)) {}
  virtual ~PreparedWeight() = default;
  WeightView view;            // the weight as stored
  uint64_t owned_bytes = 0;   // memory the backend allocated for it (0 = used in place)
  bool stored_unused = false; // the backend computes from its own copy only: view.data is never read
};

struct BackendOptions {
  int threads = 1;
  // Compute type for backends that convert weights ("" = the backend's default):
  // e.g. "f32", "bf16", "int8", "f16", "qs8". Backends reject values they do not know.
  std::string dtype;
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string_view name() const = 0;
  // Can this backend compute with weights stored as `t`?
  virtual bool supports(TensorType t) const = 0;
  // Compute types it accepts as BackendOptions::dtype (`--dtype`, YAML `dtype`) on this CPU and
  // with this build's libraries, default first. Empty: it always computes on the stored type.
  virtual std::vector<std::string> dtypes() const { return {}; }
  // The compute type in use ("" when dtypes() is empty).
  virtual std::string dtype() const { return {}; }
  // Bytes prepare() will allocate for `w` (0 when it uses the stored bytes in place). The model
  // sums this over all weights and refuses to load before allocating when it would not fit.
  virtual uint64_t prepared_bytes(const WeightView& w) const = 0;
  virtual std::unique_ptr<PreparedWeight> prepare(const WeightView& w) = 0;

  // y = x · W[mat]ᵀ: x is n_rows × n_in, y is n_rows × n_out, both row-major float32.
  virtual void linear(const PreparedWeight& w, int64_t mat, const float* x, int64_t n_rows, float* y) = 0;

  // Mixture-of-experts FFN over n_tokens rows of x (n_tokens × n_in):
  //   y[t] = Σ_j weights[t·k+j] · down_e( silu(gate_e · x[t]) ⊙ (up_e · x[t]) ),  e = experts[t·k+j].
  // gate/up are n_mats × n_ff × n_in, down is n_mats × n_in × n_ff. The default groups tokens by
  // expert and calls linear(); backends override it with fused kernels.
  virtual void moe(const PreparedWeight& gate, const PreparedWeight& up, const PreparedWeight& down,
                   const float* x, int64_t n_tokens, int k, const int32_t* experts, const float* weights,
                   float* y);

  // Runs fn(i) once for every i in [0, n) on the backend's own threads. The model uses it for its
  // non-matmul work (attention, convolution, routing) so a process has one set of worker threads.
  virtual void parallel_for(int64_t n, const std::function<void(int64_t)>& fn) {
    for (int64_t i = 0; i < n; ++i) fn(i);
  }

  // One line naming the kernels used per weight type (for results and `lfmb backends`).
  virtual std::string describe() const { return std::string(name()); }

  int threads() const { return threads_; }

 protected:
  int threads_ = 1;
};

}  // namespace lfmb
