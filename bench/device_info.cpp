#include "bench/device_info.h"

#include "backends/thread_environment.h"

#include <cpuinfo.h>
#include <cblas.h>
#include <dnnl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

namespace lfmb {

namespace {

uint64_t meminfo_kb(const std::string& field) {
  std::ifstream f("/proc/meminfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream ss(line.substr(field.size() + 1));
      uint64_t kb = 0;
      ss >> kb;
      return kb;
    }
  }
  return 0;
}

std::string os_pretty_name() {
  std::ifstream f("/etc/os-release");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string v = line.substr(12);
      if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return "unknown";
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

}  // namespace

uint64_t available_memory_bytes() { return meminfo_kb("MemAvailable") * 1024; }

DeviceInfo detect_device() {
  DeviceInfo d;
  if (cpuinfo_initialize()) {
    if (cpuinfo_get_packages_count() > 0) d.cpu_model = trim(cpuinfo_get_package(0)->name);
    d.cores = int(cpuinfo_get_processors_count());
    const std::pair<const char*, bool> feats[] = {
        {"sse4.2", cpuinfo_has_x86_sse4_2()},         {"avx", cpuinfo_has_x86_avx()},
        {"avx2", cpuinfo_has_x86_avx2()},             {"fma", cpuinfo_has_x86_fma3()},
        {"f16c", cpuinfo_has_x86_f16c()},
        {"avx512f", cpuinfo_has_x86_avx512f()},       {"avx512bw", cpuinfo_has_x86_avx512bw()},
        {"avx512vl", cpuinfo_has_x86_avx512vl()},     {"avx512dq", cpuinfo_has_x86_avx512dq()},
        {"avx512_vnni", cpuinfo_has_x86_avx512vnni()}, {"avx512_bf16", cpuinfo_has_x86_avx512bf16()},
        {"neon", cpuinfo_has_arm_neon()},             {"arm_dotprod", cpuinfo_has_arm_neon_dot()},
    };
    for (const auto& [name, has] : feats)
      if (has) d.cpu_features.push_back(name);
  }
  if (d.cpu_model.empty()) d.cpu_model = "unknown CPU";
  if (d.cores == 0) d.cores = int(std::thread::hardware_concurrency());
  d.mem_total_bytes = meminfo_kb("MemTotal") * 1024;
  d.mem_available_bytes = available_memory_bytes();
  d.os = os_pretty_name();
  struct utsname u {};
  if (::uname(&u) == 0) d.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
  d.compiler = LFMB_COMPILER;
  d.compile_flags = trim(LFMB_CXX_FLAGS);
  d.build_type = LFMB_BUILD_TYPE;
  const dnnl_version_t* v = dnnl_version();
  d.onednn_version = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
                     " (" + v->hash + ")";
  d.openblas_version = trim(openblas_get_config());
  d.xnnpack_version = std::string("Debian libxnnpack-dev ") + LFMB_XNNPACK_PACKAGE_VERSION;
  d.thread_environment = thread_environment_summary();
  d.lfmb_commit = build_git_commit();
  return d;
}

nlohmann::json DeviceInfo::to_json() const {
  return {{"cpu_model", cpu_model},
          {"cpu_features", cpu_features},
          {"cores", cores},
          {"mem_total_bytes", mem_total_bytes},
          {"mem_available_bytes", mem_available_bytes},
          {"os", os},
          {"kernel", kernel},
          {"compiler", compiler},
          {"compile_flags", compile_flags},
          {"build_type", build_type},
          {"libraries", {{"onednn", onednn_version}, {"openblas", openblas_version}, {"xnnpack", xnnpack_version}}},
          {"thread_environment", thread_environment},
          {"lfmb_commit", lfmb_commit},
          {"slug", slug()}};
}

std::string DeviceInfo::slug() const {
  std::string s;
  for (char c : cpu_model) {
    if (std::isalnum(static_cast<unsigned char>(c))) s += char(std::tolower(static_cast<unsigned char>(c)));
    else if (!s.empty() && s.back() != '-') s += '-';
  }
  while (!s.empty() && s.back() == '-') s.pop_back();
  s += '-';
  s += std::to_string(cores);
  s += 'c';
  const auto has = [&](const char* f) { return std::find(cpu_features.begin(), cpu_features.end(), f) != cpu_features.end(); };
  s += has("avx512f") ? "-avx512" : has("avx2") ? "-avx2" : "";
  return s;
}

}  // namespace lfmb
