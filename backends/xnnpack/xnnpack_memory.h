// XNNPACK is initialised once per process with an allocator that counts, per thread, the heap
// bytes XNNPACK holds, so the backend can report what an operator's packed weights really take
// (the packed layout is internal to XNNPACK and depends on the kernels it picked for this CPU).
#pragma once
#include <cstdint>

namespace lfmb {

// Initialises XNNPACK on first use; lfmb::Error when it refuses this CPU.
void ensure_xnnpack_initialized();

// Bytes XNNPACK allocated minus bytes it freed on the calling thread so far.
int64_t xnnpack_net_bytes_on_this_thread();

}  // namespace lfmb
