#include "core/io/bounded_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "core/error.h"

namespace lfmb {

namespace {

[[noreturn]] void too_large(const std::string& path, const std::string& size, uint64_t max_bytes,
                            const std::string& hint) {
  throw Error(fmt::format("{}: {} than the limit of {} bytes{}", path, size, max_bytes, hint.empty() ? "" : "; " + hint));
}

struct Fd {
  int fd;
  ~Fd() { ::close(fd); }
};

}  // namespace

std::string read_bounded_input(const std::string& path, uint64_t max_bytes, const std::string& raise_hint) {
  // O_NONBLOCK is not used: a FIFO waits for its writer as `cat` would.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) throw Error(path + ": no such file");
    throw Error(fmt::format("{}: cannot open ({})", path, std::strerror(errno)));
  }
  Fd guard{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw Error(fmt::format("{}: cannot stat ({})", path, std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory, not a file");
  std::string out;
  if (S_ISREG(st.st_mode)) {
    if (uint64_t(st.st_size) > max_bytes)
      too_large(path, fmt::format("{} bytes, more", uint64_t(st.st_size)), max_bytes, raise_hint);
    out.reserve(size_t(st.st_size));
  }
  // Read in chunks, never holding more than max_bytes + 1 (one byte past the limit tells a
  // stream that is too long from one that ends exactly at it).
  constexpr size_t kChunk = 1 << 20;
  std::string chunk(kChunk, '\0');
  for (;;) {
    const size_t want = size_t(std::min<uint64_t>(kChunk, max_bytes + 1 - out.size()));
    const ssize_t n = ::read(fd, chunk.data(), want);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(fmt::format("{}: read error ({})", path, std::strerror(errno)));
    }
    if (n == 0) break;
    out.append(chunk.data(), size_t(n));
    if (out.size() > max_bytes) too_large(path, "more", max_bytes, raise_hint);
  }
  return out;
}

}  // namespace lfmb
