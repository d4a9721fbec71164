#include "backends/thread_environment.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace lfmb {

namespace {

constexpr const char* kMarker = "LFMB_THREAD_ENV_SETTLED";

struct Setting {
  const char* name;
  const char* value;
};
// OpenMP workers sleep as soon as a parallel region ends; OpenBLAS workers after 2^4 cycles
// instead of 2^28 (its default).
constexpr Setting kSettings[] = {{"OMP_WAIT_POLICY", "passive"}, {"OPENBLAS_THREAD_TIMEOUT", "4"}};

}  // namespace

void settle_thread_environment(char** argv) {
  if (std::getenv(kMarker)) return;
  setenv(kMarker, "1", 1);
  for (const Setting& s : kSettings) setenv(s.name, s.value, /*overwrite=*/0);
  execv("/proc/self/exe", argv);  // only returns on failure: run on with the runtimes' defaults
}

const char* thread_environment_summary() {
  static const std::string text = [] {
    std::string t;
    for (const Setting& s : kSettings) {
      const char* v = std::getenv(s.name);
      t += (t.empty() ? "" : " ") + std::string(s.name) + "=" + (v ? v : "(unset)");
    }
    return t;
  }();
  return text.c_str();
}

}  // namespace lfmb
