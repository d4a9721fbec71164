// The device fingerprint stored with every result: which CPU, how many cores were used, memory,
// OS, compiler, library versions and the lfmb commit — so numbers from different machines and
// builds can be told apart.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb {

const char* build_git_commit();  // generated at build time (cmake/GitVersion.cmake)

struct DeviceInfo {
  std::string cpu_model;
  std::vector<std::string> cpu_features;  // "avx2", "avx512f", "avx512_vnni", ...
  int cores = 0;                          // logical processors
  uint64_t mem_total_bytes = 0;
  uint64_t mem_available_bytes = 0;
  std::string os;       // "Debian GNU/Linux 12 (bookworm)"
  std::string kernel;   // uname -r
  std::string compiler;
  std::string compile_flags;
  std::string build_type;
  std::string onednn_version, openblas_version, xnnpack_version;
  std::string thread_environment;  // wait policies of the threading runtimes in effect
  std::string lfmb_commit;

  nlohmann::json to_json() const;
  // A short, file-name-safe id for results/<device>/: e.g. "amd-epyc-2c-avx512".
  std::string slug() const;
};

DeviceInfo detect_device();

// MemAvailable from /proc/meminfo (0 if unknown).
uint64_t available_memory_bytes();

}  // namespace lfmb
