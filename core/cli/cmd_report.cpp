// lfmb report FILE.json... [--md|--csv|--json]: merges result files into one comparison table.
// Throughput result files and eval results.json files may be given together: each kind gets its
// own table (eval: lm-eval's table per file, then one column per file when there are several).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <algorithm>

#include "core/cli/command.h"
#include "core/error.h"
#include "core/io/bounded_input.h"
#include "bench/result_table.h"
#include "eval/run/results_writer.h"

namespace lfmb {

namespace {

nlohmann::json load_json(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(path + ": cannot open result file");
  const std::string text = read_bounded_input(path, kMaxResultFileBytes);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
}

// An eval results.json (lm-eval layout) rather than a throughput file.
bool is_eval_results(const nlohmann::json& j) {
  return j.is_object() && j.contains("results") && j.contains("n-shot") && j["results"].is_object();
}

std::vector<TestResult> load_results(const std::string& path, const nlohmann::json& j) {
  if (!j.is_object() || j.value("schema", "") != kResultSchema)
    throw Error(path + ": not an lfmb results file (expected \"schema\": \"" + std::string(kResultSchema) +
                "\", or an eval results.json)");
  std::vector<TestResult> out;
  try {
    for (const auto& t : j.at("tests")) out.push_back(TestResult::from_json(t));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": malformed test record: " + e.what());
  }
  // Files written before "complete" existed are whole runs; false marks an interrupted one.
  if (j.value("complete", true) == false)
    fmt::print(stderr, "lfmb: note: {} is incomplete ({} test(s); finish it with lfmb run --resume)\n", path, out.size());
  return out;
}

// Eval files: one row per task × metric × filter, one value column per file.
void print_eval(const std::vector<std::pair<std::string, nlohmann::json>>& evals, bool csv) {
  if (csv) {
    fmt::print("file,task,metric,filter,value,stderr,n_samples\n");
    for (const auto& [path, j] : evals)
      for (const auto& [task, r] : j["results"].items())
        for (const auto& [key, v] : r.items()) {
          const size_t comma = key.find(',');
          if (comma == std::string::npos || key.find("_stderr,") != std::string::npos) continue;
          const std::string metric = key.substr(0, comma), filter = key.substr(comma + 1);
          const auto& se = r[metric + "_stderr," + filter];
          fmt::print("{},{},{},{},{},{},{}\n", path, task, metric, filter, v.get<double>(),
                     se.is_number() ? fmt::format("{}", se.get<double>()) : "", r.value("n_samples", 0));
        }
    return;
  }
  for (const auto& [path, j] : evals) {
    const auto& c = j.value("config", nlohmann::json::object());
    fmt::print("{}: {} ({}, {} threads, commit {})\n\n{}\n", path, c.value("model_file", std::string("?")),
               c.value("backend", std::string("?")), c.value("threads", 0), c.value("git_hash", std::string("?")),
               eval::results_markdown(j));
  }
  if (evals.size() < 2) return;
  std::vector<std::string> rows;
  for (const auto& [path, j] : evals)
    for (const auto& [task, r] : j["results"].items())
      for (const auto& [key, v] : r.items())
        if (key.find(',') != std::string::npos && key.find("_stderr,") == std::string::npos) {
          const std::string row = task + "|" + key;
          if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
        }
  std::string head = "|task|metric,filter|", sep = "|---|---|";
  for (size_t i = 0; i < evals.size(); ++i) {
    head += fmt::format("#{}|", i + 1);
    sep += "---:|";
  }
  fmt::print("{}\n{}\n", head, sep);
  for (const std::string& row : rows) {
    const std::string task = row.substr(0, row.find('|')), key = row.substr(row.find('|') + 1);
    std::string line = "|" + task + "|" + key + "|";
    for (const auto& [path, j] : evals) {
      const auto& r = j["results"].value(task, nlohmann::json::object());
      line += r.contains(key) ? fmt::format("{:.4f}|", r[key].get<double>()) : "|";
    }
    fmt::print("{}\n", line);
  }
  for (size_t i = 0; i < evals.size(); ++i) fmt::print("{}#{}: {}", i ? ", " : "\n", i + 1, evals[i].first);
  fmt::print("\n");
}

int run_report(const ParsedArgs& args) {
  std::vector<TestResult> all;
  std::vector<std::pair<std::string, nlohmann::json>> evals;
  for (const auto& path : args.positional()) {
    nlohmann::json j = load_json(path);
    if (is_eval_results(j)) {
      evals.emplace_back(path, std::move(j));
      continue;
    }
    auto rs = load_results(path, j);
    all.insert(all.end(), rs.begin(), rs.end());
  }
  if (!evals.empty()) {
    print_eval(evals, args.has("--csv"));
    if (all.empty()) return 0;
    fmt::print("\n");
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
           "Merge throughput result files (and eval results.json files) into tables (markdown by default).",
           {{"--md", "", "markdown tables (default)"},
            {"--csv", "", "CSV, one row per test"},
            {"--json", "", "one JSON array of test records"}},
           1,
           1000},
          run_report};
}

}  // namespace lfmb
