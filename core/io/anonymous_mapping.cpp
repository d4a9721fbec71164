#include "core/io/anonymous_mapping.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "core/error.h"

namespace lfmb {

AnonymousMapping::AnonymousMapping(size_t size) : size_(size) {
  if (size == 0) return;
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw Error("cannot allocate " + std::to_string(size) + " bytes of memory: " + std::strerror(errno));
  data_ = static_cast<uint8_t*>(p);
  // Model images and converted weights are written once and then streamed: 2 MB pages cut the
  // page faults 512-fold (they dominate a multi-GB conversion in a VM) and the TLB misses of every
  // later read. Only a hint; without transparent huge pages nothing changes.
  if (size >= (2u << 20)) ::madvise(p, size, MADV_HUGEPAGE);
}

AnonymousMapping::~AnonymousMapping() {
  if (data_) ::munmap(data_, size_);
}

AnonymousMapping::AnonymousMapping(AnonymousMapping&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

AnonymousMapping& AnonymousMapping::operator=(AnonymousMapping&& other) noexcept {
  if (this != &other) {
    if (data_) ::munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

uint8_t* AnonymousMapping::release() {
  size_ = 0;
  return std::exchange(data_, nullptr);
}

}  // namespace lfmb
