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
  // A regular file is read in one piece of its stat size (plus one byte, to see growth), a
  // stream in steps that grow with what came so far (4 KiB to 1 MiB), straight into `out`: no
  // scratch buffer to clear per call (task YAML and configs are read many times, by the fuzzers
  // most of all). `out` never holds more than max_bytes + 1, which tells a stream that is too
  // long from one that ends exactly at the limit.
  std::string out;
  size_t step = 4 << 10;
  if (S_ISREG(st.st_mode)) {
    if (uint64_t(st.st_size) > max_bytes)
      too_large(path, fmt::format("{} bytes, more", uint64_t(st.st_size)), max_bytes, raise_hint);
    step = size_t(st.st_size) + 1;
  }
  size_t used = 0;
  for (;;) {
    const size_t want = size_t(std::min<uint64_t>(step, max_bytes + 1 - used));
    if (out.size() < used + want) out.resize(used + want);
    const ssize_t n = ::read(fd, out.data() + used, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(fmt::format("{}: read error ({})", path, std::strerror(errno)));
    }
    if (n == 0) break;
    used += size_t(n);
    if (used > max_bytes) too_large(path, "more", max_bytes, raise_hint);
    step = std::clamp<size_t>(used, 4 << 10, 1 << 20);
  }
  out.resize(used);
  return out;
}

}  // namespace lfmb
