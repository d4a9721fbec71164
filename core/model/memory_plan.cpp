#include "core/model/memory_plan.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace lfmb {

namespace {
std::string mib(uint64_t b) { return fmt::format("{:.2f} MiB", double(b) / double(1 << 20)); }
}  // namespace

std::string MemoryPlan::describe() const {
  return fmt::format(
      "memory plan: weights mapped {}, backend-prepared {}, small tensors {}, KV cache {}, conv state {}, "
      "scratch {}; allocated total {}",
      mib(weights_mapped), mib(backend_prepared), mib(small_tensors), mib(kv_cache), mib(conv_state), mib(scratch),
      mib(allocated()));
}

uint64_t memory_available() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream ss(line.substr(13));
    uint64_t kb = 0;
    ss >> kb;
    return kb * 1024;
  }
  return 0;
}

}  // namespace lfmb
