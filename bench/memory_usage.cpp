#include "bench/memory_usage.h"

#include <fstream>
#include <sstream>
#include <string>

namespace lfmb {

namespace {
uint64_t status_kb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(f, line)) {
    if (line.rfind(key, 0) == 0) {
      std::istringstream ss(line.substr(key.size()));
      uint64_t kb = 0;
      ss >> kb;
      return kb;
    }
  }
  return 0;
}
}  // namespace

uint64_t current_rss_bytes() { return status_kb("VmRSS") * 1024; }
uint64_t peak_rss_bytes() { return status_kb("VmHWM") * 1024; }

bool reset_peak_rss() {
  std::ofstream f("/proc/self/clear_refs");
  if (!f) return false;
  f << "5";
  return bool(f.flush());
}

}  // namespace lfmb
