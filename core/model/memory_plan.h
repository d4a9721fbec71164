// What loading a model will cost in memory, computed before anything is allocated, so a model
// that does not fit is refused with a clear message instead of swapping or being OOM-killed.
#pragma once
#include <cstdint>
#include <string>

namespace lfmb {

struct MemoryPlan {
  uint64_t weights_mapped = 0;   // bytes of the file used in place (memory map)
  uint64_t backend_prepared = 0; // bytes the backend allocates for converted weights
  uint64_t small_tensors = 0;    // norms, conv kernels, router read into float vectors
  uint64_t kv_cache = 0;         // float32 K and V for every attention layer, n_ctx positions
  uint64_t conv_state = 0;
  uint64_t scratch = 0;          // activations for one n_batch chunk
  uint64_t allocated() const { return backend_prepared + small_tensors + kv_cache + conv_state + scratch; }
  std::string describe() const;  // multi-line, for --verbose
};

class Backend;
class GgufFile;
struct ExpectedTensor;
struct ModelConfig;

// Weights the backend prepares and multiplies: projections, experts, the LM head (token_embd
// when tied). Everything else is read into float vectors by the model.
bool is_backend_weight(const ExpectedTensor& e, const ModelConfig& c);

// The plan for running `f` with `backend`, n_ctx positions and n_batch-token prefill chunks.
// Needs no allocation, so `lfmb info` can show it too. Tensors absent from f are not counted.
MemoryPlan plan_memory(const GgufFile& f, const ModelConfig& c, const Backend& backend, int64_t n_ctx, int64_t n_batch);

// MemAvailable from /proc/meminfo in bytes; 0 when unknown.
uint64_t memory_available();

}  // namespace lfmb
