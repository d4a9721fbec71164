#include "backends/registry.h"

#include "backends/native/native_backend.h"
#include "backends/onednn/onednn_backend.h"
#include "backends/openblas/openblas_backend.h"
#include "backends/reference/reference_backend.h"
#include "backends/xnnpack/xnnpack_backend.h"
#include "core/error.h"

namespace lfmb {

const std::vector<BackendEntry>& backend_registry() {
  static const std::vector<BackendEntry> entries = {
      {"reference", "plain float32 C++, dequantises as it goes; the oracle every backend is tested against",
       [](const BackendOptions& o) { return std::make_unique<ReferenceBackend>(o); }},
      {"native", "hand-written AVX-512/AVX2 kernels on the stored GGUF blocks (int8 activations for Q4_0/Q8_0), fused MoE",
       [](const BackendOptions& o) { return std::make_unique<NativeBackend>(o); }},
      {"onednn", "oneDNN matmul primitives in f32, bf16 or int8 (--dtype), weights reordered once at load",
       [](const BackendOptions& o) { return std::make_unique<OnednnBackend>(o); }},
      {"openblas", "OpenBLAS cblas_sgemv/sgemm on float32 weights converted at load", [](const BackendOptions& o) { return std::make_unique<OpenblasBackend>(o); }},
      {"xnnpack", "XNNPACK f32 fully-connected operators on weights packed at load, one pthreadpool", [](const BackendOptions& o) { return std::make_unique<XnnpackBackend>(o); }},
  };
  return entries;
}

std::string available_backend_names() {
  std::string s;
  for (const auto& e : backend_registry()) s += (s.empty() ? "" : ", ") + e.name;
  return s;
}

std::unique_ptr<Backend> create_backend(std::string_view name, const BackendOptions& opts) {
  for (const auto& e : backend_registry())
    if (e.name == name) return e.create(opts);
  throw Error("unknown backend '" + std::string(name) + "' (available: " + available_backend_names() + ")");
}

}  // namespace lfmb
