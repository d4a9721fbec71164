// A private, writable block of memory obtained straight from mmap (not the heap), so a
// multi-GB model image built in memory is page-aligned, zero-filled lazily and returned to the
// system as a whole. A MappedFile can adopt it once it is complete.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lfmb {

class AnonymousMapping {
 public:
  AnonymousMapping() = default;
  explicit AnonymousMapping(size_t size);  // throws lfmb::Error when the memory is not available
  ~AnonymousMapping();
  AnonymousMapping(AnonymousMapping&& other) noexcept;
  AnonymousMapping& operator=(AnonymousMapping&& other) noexcept;
  AnonymousMapping(const AnonymousMapping&) = delete;
  AnonymousMapping& operator=(const AnonymousMapping&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

  // Gives up ownership: the caller must munmap(data, size).
  uint8_t* release();

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace lfmb
