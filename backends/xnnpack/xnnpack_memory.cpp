#include "backends/xnnpack/xnnpack_memory.h"

#include <malloc.h>
#include <sys/mman.h>
#include <xnnpack.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/error.h"

namespace lfmb {

namespace {

thread_local int64_t net_bytes = 0;

// Counting by usable size keeps allocate and free symmetric without a size header.
void* counted(void* p) {
  if (p) net_bytes += int64_t(malloc_usable_size(p));
  return p;
}

void* allocate(void*, size_t size) { return counted(std::malloc(size)); }

void* reallocate(void*, void* p, size_t size) {
  const int64_t before = p ? int64_t(malloc_usable_size(p)) : 0;
  void* q = std::realloc(p, size);
  if (q || size == 0) net_bytes -= before;
  return counted(q);
}

void deallocate(void*, void* p) {
  if (p) net_bytes -= int64_t(malloc_usable_size(p));
  std::free(p);
}

// Packed weights are written once and read on every call: 2 MB pages save most of the page faults
// (expensive in a VM) and TLB misses for the large ones.
constexpr size_t kHugePage = 2u << 20;

void* aligned_allocate(void*, size_t alignment, size_t size) {
  const bool huge = size >= kHugePage;
  void* p = nullptr;
  if (posix_memalign(&p, huge ? kHugePage : std::max(alignment, sizeof(void*)), size) != 0) return nullptr;
  if (huge) ::madvise(p, size / kHugePage * kHugePage, MADV_HUGEPAGE);
  return counted(p);
}

const xnn_allocator counting_allocator = {nullptr, allocate, reallocate, deallocate, aligned_allocate, deallocate};

}  // namespace

void ensure_xnnpack_initialized() {
  static const xnn_status status = xnn_initialize(&counting_allocator);
  if (status != xnn_status_success)
    throw Error("backend 'xnnpack': XNNPACK failed to initialise on this CPU (status " + std::to_string(int(status)) +
                ")");
}

int64_t xnnpack_net_bytes_on_this_thread() { return net_bytes; }

}  // namespace lfmb
