#include "tests/fuzz/support.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace lfmb::fuzz {

namespace {

// One directory per process (libFuzzer's -jobs/-fork run several), removed when the process exits
// normally; a crashing run leaves it behind in /dev/shm, which is cleared at reboot.
struct InputDir {
  std::string path;
  InputDir() {
    std::string tmpl = "/dev/shm/lfmb-fuzz-XXXXXX";
    if (!mkdtemp(tmpl.data())) {
      std::perror("lfmb fuzz: mkdtemp /dev/shm");
      std::abort();
    }
    path = tmpl;
  }
  ~InputDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

std::string write_input_file(const std::string& name, std::string_view bytes) {
  static InputDir dir;
  const std::string path = dir.path + "/" + name;
  if (name.find('/') != std::string::npos) std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    std::perror(("lfmb fuzz: writing " + path).c_str());
    std::abort();
  }
  return path;
}

std::vector<std::string_view> split_fields(std::string_view data, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t i = data.find(sep, start);
    if (i == std::string_view::npos) {
      out.push_back(data.substr(start));
      return out;
    }
    out.push_back(data.substr(start, i - start));
    start = i + 1;
  }
}

void unexpected_exception(const char* what) {
  std::fprintf(stderr, "lfmb fuzz: exception other than lfmb::Error escaped: %s\n", what);
  std::abort();
}

}  // namespace lfmb::fuzz
