// lfmb backends [--json] [--threads N]: every compiled-in backend, the weight types it computes on
// this CPU, which kernels run for them, and the CPU features the choice was made from.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "backends/registry.h"
#include "backends/thread_environment.h"
#include "core/cli/command.h"
#include "kernels/cpu_features.h"

namespace lfmb {

namespace {

constexpr TensorType kTypes[] = {TensorType::Q4_0, TensorType::Q8_0, TensorType::BF16, TensorType::F16,
                                 TensorType::F32};

std::vector<std::pair<std::string, bool>> feature_flags(const CpuFeatures& f) {
  return {{"avx2", f.avx2},         {"fma", f.fma},           {"f16c", f.f16c},
          {"avx512f", f.avx512f},   {"avx512bw", f.avx512bw}, {"avx512vl", f.avx512vl},
          {"avx512dq", f.avx512dq}, {"avx512_vnni", f.avx512_vnni}, {"avx512_bf16", f.avx512_bf16}};
}

int run_backends(const ParsedArgs& args) {
  const int threads = int(args.get_int("--threads", 1, 1, 1024));
  const Isa selected = default_isa();  // a bad $LFMB_ISA fails here, before anything is printed
  const CpuFeatures& cpu = cpu_features();
  nlohmann::json backends = nlohmann::json::array();
  for (const BackendEntry& e : backend_registry()) {
    nlohmann::json b = {{"name", e.name}, {"summary", e.summary}};
    try {
      const auto backend = e.create({threads, ""});
      nlohmann::json types = nlohmann::json::array();
      for (TensorType t : kTypes)
        if (backend->supports(t)) types.push_back(std::string(tensor_type_name(t)));
      b["types"] = types;
      b["dtypes"] = backend->dtypes();  // --dtype values, default first; empty: computes on the stored type
      b["describe"] = backend->describe();
      b["threads"] = backend->threads();
    } catch (const std::exception& ex) {  // a backend that cannot run here is listed, with why
      b["types"] = nlohmann::json::array();
      b["unavailable"] = ex.what();
    }
    backends.push_back(b);
  }
  std::vector<std::string> isas;
  for (Isa i : supported_isas()) isas.emplace_back(isa_name(i));

  if (args.has("--json")) {
    nlohmann::json j;
    nlohmann::json features = nlohmann::json::object();
    for (const auto& [name, on] : feature_flags(cpu)) features[name] = on;
    j["cpu"] = {{"model", cpu.model}, {"logical_cpus", cpu.cores}, {"features", features},
                {"kernel_paths", isas}, {"kernel_path_selected", std::string(isa_name(selected))}};
    j["backends"] = backends;
    j["thread_environment"] = thread_environment_summary();
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  std::string flags;
  for (const auto& [name, on] : feature_flags(cpu))
    if (on) flags += (flags.empty() ? "" : " ") + name;
  std::string paths;
  for (const auto& i : isas) paths += (paths.empty() ? "" : ", ") + i;
  fmt::print("cpu:       {} ({} logical CPUs)\n", cpu.model.empty() ? "unknown" : cpu.model, cpu.cores);
  fmt::print("features:  {}\n", flags.empty() ? "none detected" : flags);
  fmt::print("kernels:   {} available, using {} (cap with LFMB_ISA=scalar|avx2|avx512)\n", paths,
             isa_name(selected));
  fmt::print("threads:   {}\n\n", thread_environment_summary());
  for (const auto& b : backends) {
    std::string types;
    for (const auto& t : b["types"]) types += (types.empty() ? "" : " ") + t.get<std::string>();
    fmt::print("{:<12} {}\n", b["name"].get<std::string>(), b["summary"].get<std::string>());
    if (b.contains("unavailable")) {
      fmt::print("{:<12} unavailable: {}\n", "", b["unavailable"].get<std::string>());
      continue;
    }
    fmt::print("{:<12} types: {}\n", "", types);
    std::string dtypes;
    for (const auto& d : b["dtypes"]) dtypes += (dtypes.empty() ? "" : " ") + d.get<std::string>();
    fmt::print("{:<12} --dtype: {}\n", "", dtypes.empty() ? "none (computes on the stored type)" : dtypes + " (default first)");
    fmt::print("{:<12} {}\n", "", b["describe"].get<std::string>());
  }
  return 0;
}

}  // namespace

Command backends_command() {
  return {{"backends",
           "lfmb backends [--json] [--threads N]",
           "List the compiled-in backends, the weight types and kernels each runs on this CPU, and the CPU features.",
           {{"--json", "", "print one JSON object (for scripts)"},
            {"--threads", "N", "threads to create each backend with (shown in its description; default 1)"}},
           0,
           0},
          run_backends};
}

}  // namespace lfmb
