// lfmb run CONFIG.yaml [--set key=value]... [--out DIR] [--dry-run]: runs a throughput config
// (every combination of its sweep), writes results/<device>/<date>-<name>.json and .csv, and
// prints the llama-bench-style table. Every run is validated before the first one starts, and
// nothing is written unless all of them succeed.
#include <fmt/format.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "core/io/output_file.h"
#include "core/cli/command.h"
#include "core/error.h"
#include "bench/device_info.h"
#include "bench/progress.h"
#include "bench/result_table.h"
#include "bench/run_config.h"
#include "bench/run_validation.h"
#include "bench/throughput_runner.h"

namespace lfmb {

namespace {

std::string utc_now(const char* format) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string tests_text(const RunParams& p) {
  std::string s;
  for (const TestSpec& t : planned_tests(p)) s += (s.empty() ? "" : ", ") + test_name(t.n_prompt, t.n_gen, t.depth);
  return s;
}

std::string command_line(const ParsedArgs& args) {
  std::string s = "lfmb run " + args.positional()[0];
  for (const auto& o : args.all("--set")) s += " --set " + o;
  if (args.has("--out")) s += " --out " + *args.get("--out");
  return s;
}

int run_run(const ParsedArgs& args) {
  const uint64_t max_combinations =
      uint64_t(args.get_int("--max-combinations", int64_t(kDefaultMaxCombinations), 1, 1ll << 40));
  RunConfig cfg = load_run_config(args.positional()[0], args.all("--set"), max_combinations);
  const std::vector<std::string> skipped = drop_unavailable_runs(cfg);
  for (const auto& s : skipped) fmt::print(stderr, "lfmb: skipping {} (skip_unavailable)\n", s);
  for (size_t i = 0; i < cfg.runs.size(); ++i)
    validate_run(cfg.runs[i], [&](const std::string& key) { return cfg.where(i, key); });

  if (args.has("--dry-run")) {
    fmt::print("{}: {} run(s)\n", cfg.path, cfg.runs.size());
    for (size_t i = 0; i < cfg.runs.size(); ++i) {
      const RunParams& p = cfg.runs[i];
      fmt::print("{:3}. {} | {}{} | threads {} | {} | {} rep(s) after {} warm-up\n", i + 1, p.model.label(), p.backend,
                 p.dtype.empty() ? "" : " " + p.dtype, resolved_threads(p.threads), tests_text(p), p.repetitions,
                 p.warmup);
    }
    return 0;
  }

  const DeviceInfo device = detect_device();
  ThroughputRunner runner;
  Progress progress(int(cfg.runs.size()));
  std::vector<TestResult> results;
  try {
    for (size_t i = 0; i < cfg.runs.size(); ++i) {
      auto rs = runner.run(cfg.runs[i], [&](const std::string& what) { progress.step(int(i) + 1, what); });
      results.insert(results.end(), rs.begin(), rs.end());
    }
  } catch (...) {
    progress.done();
    throw;
  }
  progress.done();

  nlohmann::json tests = nlohmann::json::array();
  for (const auto& r : results) tests.push_back(r.to_json());
  nlohmann::json bandwidth = nlohmann::json::object();
  for (const auto& r : results)
    if (!bandwidth.contains(std::to_string(r.threads))) {
      const BandwidthResult& b = runner.bandwidth(r.threads);
      bandwidth[std::to_string(r.threads)] = {{"median_gbps", b.median_gbps}, {"samples_gbps", b.samples_gbps},
                                              {"buffer_bytes", b.buffer_bytes}};
    }
  const nlohmann::json doc = {
      {"schema", kResultSchema},
      {"created", utc_now("%Y-%m-%dT%H:%M:%SZ")},
      {"command", command_line(args)},
      {"config", {{"name", cfg.name}, {"path", cfg.path}, {"description", cfg.description}, {"swept_keys", cfg.swept_keys}}},
      {"device", device.to_json()},
      {"read_bandwidth", bandwidth},
      {"skipped_runs", skipped},
      {"tests", tests},
  };
  const std::string base = args.get_or("--out", "results") + "/" + device.slug() + "/" + utc_now("%Y-%m-%d") + "-" + cfg.name;
  write_output(base + ".json", doc.dump(2) + "\n", ParentDirs::Create);
  write_output(base + ".csv", results_csv(results), ParentDirs::Create);

  fmt::print("{}", results_markdown(results));
  const std::string ratio = ratio_markdown(results);
  if (!ratio.empty()) fmt::print("\n{}", ratio);
  fmt::print(stderr, "wrote {}.json and {}.csv\n", base, base);
  return 0;
}

}  // namespace

Command run_command() {
  return {{"run",
           "lfmb run CONFIG.yaml [--set key=value]... [--out DIR] [--dry-run] [--max-combinations N]",
           "Run a throughput config or sweep; write results/<device>/<date>-<name>.json + .csv and print the table.",
           {{"--set", "KEY=VALUE", "override a run key (value parsed as YAML; replaces a swept key's list)", true},
            {"--out", "DIR", "results directory (default: results)"},
            {"--dry-run", "", "validate and list the expanded runs without running them"},
            {"--max-combinations", "N", "largest sweep (runs, and tests over all runs) to expand (default 10000)"}},
           1,
           1},
          run_run};
}

}  // namespace lfmb
