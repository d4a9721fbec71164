// MappedFile::release_pages: a file map's pages leave the process (its Rss in /proc/self/smaps
// drops) and read back the file's bytes; memory built in place is never released (it has no file
// behind it: dropping it would read back zeros).
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/io/mapped_file.h"
#include "test_support.h"

using namespace lfmb;

namespace {

// Resident kB of the mapping that starts at `p` (0 when not found).
long rss_kb_of_mapping(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool in = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      in = lo <= uintptr_t(p) && uintptr_t(p) < hi;
      continue;
    }
    if (in && line.rfind("Rss:", 0) == 0) return std::stol(line.substr(4));
  }
  return 0;
}

std::string pattern(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 12345;
  for (char& c : s) c = char((x = x * 1103515245u + 12345u) >> 24);
  return s;
}

}  // namespace

TEST_CASE("release_pages drops a file map's pages and the bytes read back from the file", "[io]") {
  const std::string path = test::temp_dir() + "/weights.bin";
  const std::string bytes = pattern(size_t(8) << 20);
  test::write_file(path, bytes);
  const MappedFile f(path);
  REQUIRE(f.file_backed());
  f.prefault();
  const long before = rss_kb_of_mapping(f.data());
  CHECK(before >= 8 * 1024 - 4);
  // An unaligned range: only the whole pages inside it go.
  f.release_pages(f.data() + 100, f.size() - 200);
  const long after = rss_kb_of_mapping(f.data());
  INFO("Rss before " << before << " kB, after " << after << " kB");
  CHECK(after <= 8);  // the first and last partial pages at most
  CHECK(std::memcmp(f.data(), bytes.data(), bytes.size()) == 0);
  // A range outside the map is ignored.
  f.release_pages(f.data() + f.size() - 10, 100);
  CHECK(std::memcmp(f.data() + f.size() - 10, bytes.data() + bytes.size() - 10, 10) == 0);
}

TEST_CASE("release_pages leaves memory built in place alone", "[io]") {
  const std::string bytes = pattern(size_t(4) << 20);
  AnonymousMapping m(bytes.size());
  std::memcpy(m.data(), bytes.data(), bytes.size());
  const MappedFile f("<built>", std::move(m));
  CHECK_FALSE(f.file_backed());
  f.release_pages(f.data(), f.size());
  CHECK(std::memcmp(f.data(), bytes.data(), bytes.size()) == 0);
}
