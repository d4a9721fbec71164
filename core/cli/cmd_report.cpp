// lfmb report FILE.json... [--md|--csv|--json]: merges result files into one comparison table.
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/cli/command.h"
#include "core/error.h"
#include "bench/result_table.h"

namespace lfmb {

namespace {

std::vector<TestResult> load_results(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw Error(path + ": cannot open result file");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
  if (!j.is_object() || j.value("schema", "") != kResultSchema)
    throw Error(path + ": not an lfmb results file (expected \"schema\": \"" + std::string(kResultSchema) + "\")");
  std::vector<TestResult> out;
  try {
    for (const auto& t : j.at("tests")) out.push_back(TestResult::from_json(t));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": malformed test record: " + e.what());
  }
  return out;
}

int run_report(const ParsedArgs& args) {
  std::vector<TestResult> all;
  for (const auto& path : args.positional()) {
    auto rs = load_results(path);
    all.insert(all.end(), rs.begin(), rs.end());
  }
  if (args.has("--csv")) {
    fmt::print("{}", results_csv(all));
  } else if (args.has("--json")) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : all) j.push_back(r.to_json());
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{}", results_markdown(all));
    const std::string ratio = ratio_markdown(all);
    if (!ratio.empty()) fmt::print("\n{}", ratio);
  }
  return 0;
}

}  // namespace

Command report_command() {
  return {{"report",
           "lfmb report RESULT.json... [--md|--csv|--json]",
           "Merge throughput result files into one table (markdown by default, with model-vs-model speed ratios).",
           {{"--md", "", "markdown tables (default)"},
            {"--csv", "", "CSV, one row per test"},
            {"--json", "", "one JSON array of test records"}},
           1,
           1000},
          run_report};
}

}  // namespace lfmb
