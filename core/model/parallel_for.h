// How model code spreads work over threads it does not own: fn(i) for every i in [0, n), on the
// backend's worker threads (Backend::parallel_for), so a process has one set of them.
#pragma once
#include <cstdint>
#include <functional>

namespace lfmb {

using ParallelFor = std::function<void(int64_t n, const std::function<void(int64_t)>& fn)>;

// Runs everything on the calling thread (tests, tools).
inline void serial_for(int64_t n, const std::function<void(int64_t)>& fn) {
  for (int64_t i = 0; i < n; ++i) fn(i);
}

}  // namespace lfmb
