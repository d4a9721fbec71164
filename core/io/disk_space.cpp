#include "core/io/disk_space.h"

#include <sys/statvfs.h>

#include <cstdio>

#include "core/error.h"

namespace lfmb {

std::optional<uint64_t> free_bytes_for(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return std::nullopt;
  return uint64_t(st.f_bavail) * uint64_t(st.f_frsize);
}

void require_free_space(const std::string& path, uint64_t bytes) {
  const auto avail = free_bytes_for(path);
  if (avail && *avail < bytes)
    throw Error(path + ": needs " + format_gib(bytes) + " (" + std::to_string(bytes) + " bytes) but only " +
                format_gib(*avail) + " are free on its file system");
}

std::string format_gib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GiB", double(bytes) / double(1ull << 30));
  return buf;
}

std::string format_size(uint64_t bytes) {
  char buf[32];
  if (bytes >= (1ull << 30)) return format_gib(bytes);
  if (bytes >= (1ull << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / double(1ull << 20));
  else if (bytes >= (1ull << 10)) std::snprintf(buf, sizeof buf, "%.1f KiB", double(bytes) / double(1ull << 10));
  else std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  return buf;
}

}  // namespace lfmb
