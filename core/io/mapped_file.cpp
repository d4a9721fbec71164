#include "core/io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/error.h"

namespace lfmb {

namespace {

// An open regular file that closes itself; errors name the path.
struct InputFile {
  int fd = -1;
  size_t size = 0;
  explicit InputFile(const std::string& path) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      throw Error(path + ": not a regular file");
    }
    size = size_t(st.st_size);
  }
  ~InputFile() { ::close(fd); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
};

}  // namespace

MappedFile::MappedFile(const std::string& path) : path_(path) {
  const InputFile file(path);
  size_ = file.size;
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, file.fd, 0);
    if (p == MAP_FAILED) throw Error(path + ": cannot memory-map: " + std::strerror(errno));
    data_ = static_cast<const uint8_t*>(p);
  }
  file_backed_ = true;
}

AnonymousMapping read_file_into_memory(const std::string& path) {
  const InputFile file(path);
  AnonymousMapping image(file.size);
  for (size_t done = 0; done < image.size();) {
    const ssize_t n = ::pread(file.fd, image.data() + done, image.size() - done, off_t(done));
    if (n <= 0) throw Error(path + ": cannot read: " + std::strerror(n < 0 ? errno : EIO));
    done += size_t(n);
  }
  return image;
}

MappedFile::MappedFile(std::string display_name, AnonymousMapping memory) : path_(std::move(display_name)) {
  size_ = memory.size();
  data_ = memory.release();
  // Read-only from here on, like a mapped file: a stray write faults instead of corrupting weights.
  if (data_) ::mprotect(const_cast<uint8_t*>(data_), size_, PROT_READ);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      file_backed_(other.file_backed_) {}

void MappedFile::prefault() const {
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  // Linux 5.14; older kernels reject it and pages fault in lazily
#endif
  if (data_) ::madvise(const_cast<uint8_t*>(data_), size_, MADV_POPULATE_READ);
}

void MappedFile::release_pages(const uint8_t* p, size_t n) const {
  if (!file_backed_ || !data_ || p < data_ || n > size_ || size_t(p - data_) > size_ - n) return;
  const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
  const uintptr_t first = (uintptr_t(p) + page - 1) / page * page, last = (uintptr_t(p) + n) / page * page;
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace lfmb
