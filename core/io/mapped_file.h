// A read-only memory map of a whole file. Weights are used straight from it when a backend
// keeps them as stored, so a 5 GB model costs page cache, not a second copy.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/io/anonymous_mapping.h"

namespace lfmb {

class MappedFile {
 public:
  explicit MappedFile(const std::string& path);  // throws lfmb::Error naming the file
  // Adopts memory built in place (e.g. a synthesized GGUF image) and makes it read-only;
  // `display_name` stands in for the path in messages ("<synth:...>").
  MappedFile(std::string display_name, AnonymousMapping memory);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  // Movable so a GgufFile built in memory can be handed to a Model; the mapping stays put, so
  // pointers into it remain valid.
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  // Faults every page in now (reading the file if it is not cached), so later reads never stop on
  // a page fault: a model's experts are first touched mid-decode otherwise, inside the timings.
  void prefault() const;
  // Lets the whole pages inside [p, p + n) leave this process's memory when the map is of a file:
  // a later read faults them in again from the file (or page cache), so the bytes stay valid. For
  // memory built in place (which has no file behind it) it does nothing.
  void release_pages(const uint8_t* p, size_t n) const;
  bool file_backed() const { return file_backed_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool file_backed_ = false;
};

// The whole file at `path` read into a fresh anonymous mapping (huge pages when large): the
// no-mmap way to load a model. lfmb::Error naming the file when it cannot be read.
AnonymousMapping read_file_into_memory(const std::string& path);

}  // namespace lfmb
