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

// MemAvailable from /proc/meminfo in bytes; 0 when unknown.
uint64_t memory_available();

}  // namespace lfmb
