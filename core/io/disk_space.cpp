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
    throw Error(path + ": needs " + format_gb(bytes) + " (" + std::to_string(bytes) + " bytes) but only " +
                format_gb(*avail) + " are free on its file system");
}

std::string format_gb(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GB", double(bytes) / 1e9);
  return buf;
}

std::string format_size(uint64_t bytes) {
  char buf[32];
  if (bytes >= 1000000000ull) return format_gb(bytes);
  if (bytes >= 1000000ull) std::snprintf(buf, sizeof buf, "%.1f MB", double(bytes) / 1e6);
  else if (bytes >= 1000ull) std::snprintf(buf, sizeof buf, "%.1f kB", double(bytes) / 1e3);
  else std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  return buf;
}

}  // namespace lfmb
