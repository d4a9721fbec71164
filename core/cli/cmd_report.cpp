// lfmb report FILE.json... [--baseline KEY=VALUE]... [--md|--csv|--json]: merges result files into
// one comparison table, each row with the file it came from (bench/result_sources.h), and prints
// speed ratios to a baseline (bench/result_ratio.h). Throughput files (lfmb run, lfmb bench -o json)
// and eval results.json files may be given together: each kind gets its own table (eval: lm-eval's
// table per file, then one column per file when there are several). Other JSON, such as the
// kernel benchmark results beside the run files, is skipped with one note.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <algorithm>

#include "core/cli/command.h"
#include "core/error.h"
#include "core/io/bounded_input.h"
#include "bench/result_ratio.h"
#include "bench/result_sources.h"
#include "bench/result_table.h"
#include "eval/run/results_writer.h"

namespace lfmb {

namespace {

nlohmann::json load_json(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(path + ": cannot open result file");
  return parse_result_text(path, read_bounded_input(path, kMaxResultFileBytes));
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

const char* skipped_kind(ResultFileKind kind) {
  return kind == ResultFileKind::KernelBench ? "kernel benchmark results (scripts/kernels-report reads them)"
                                             : "not throughput or eval results";
}

int run_report(const ParsedArgs& args) {
  LoadedResults loaded;
  std::vector<std::pair<std::string, nlohmann::json>> evals;
  std::vector<std::pair<std::string, ResultFileKind>> skipped;
  std::vector<BaselineSpec> baseline;
  for (const auto& b : args.all("--baseline")) baseline.push_back(parse_baseline(b));
  for (const auto& path : args.positional()) {
    nlohmann::json j = load_json(path);
    const ResultFileKind kind = classify_result_json(j);
    if (kind == ResultFileKind::Eval) {
      evals.emplace_back(path, std::move(j));
    } else if (kind == ResultFileKind::Throughput || kind == ResultFileKind::BenchRows) {
      add_result_file(loaded, path, j);
      if (!loaded.sources.back().complete)
        fmt::print(stderr, "lfmb: note: {} is incomplete (finish it with lfmb run --resume)\n", path);
    } else {
      skipped.emplace_back(path, kind);
    }
  }
  // One note for every file left out, grouped by what it is.
  if (!skipped.empty()) {
    std::string text;
    for (ResultFileKind kind : {ResultFileKind::KernelBench, ResultFileKind::Unknown}) {
      std::string files;
      for (const auto& [path, k] : skipped)
        if (k == kind) files += (files.empty() ? "" : ", ") + path;
      if (!files.empty()) text += (text.empty() ? "" : "; ") + files + ": " + skipped_kind(kind);
    }
    fmt::print(stderr, "lfmb: note: skipped {} file(s): {}\n", skipped.size(), text);
  }
  if (evals.empty() && loaded.sources.empty()) throw Error("report: none of the files holds throughput or eval results");
  if (!baseline.empty() && loaded.rows.empty()) throw Error("report: --baseline needs throughput results");
  const bool csv = args.has("--csv"), json = args.has("--json");
  if (!evals.empty()) {
    print_eval(evals, csv);
    if (loaded.sources.empty()) return 0;
    fmt::print("\n");
  }
  const std::string dup = duplicates_note(loaded);
  if (!dup.empty()) fmt::print(stderr, "lfmb: {}", dup);
  if (!baseline.empty()) {
    const Ratios ratios = baseline_ratios(loaded, baseline);
    // With --csv or --json the ratio rows are the output (one table per stream).
    if (csv) {
      fmt::print("{}", ratios_csv(loaded, ratios));
    } else if (json) {
      fmt::print("{}\n", ratios_json(loaded, ratios).dump(2));
    } else {
      fmt::print("{}\n", report_markdown(loaded));
      const std::string md = ratios_markdown(loaded, ratios);
      fmt::print("{}", md.empty() ? "No row has a baseline row with the same other settings.\n" : md);
    }
    return 0;
  }
  if (csv) {
    fmt::print("{}", report_csv(loaded));
  } else if (json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : loaded.rows) {
      nlohmann::json o = r.result.to_json();
      o["source"] = loaded.sources[r.source].to_json();
      j.push_back(std::move(o));
    }
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{}", report_markdown(loaded));
    const std::vector<BaselineSpec> dflt = default_baseline(loaded);
    if (!dflt.empty()) {
      const std::string md = ratios_markdown(loaded, baseline_ratios(loaded, dflt));
      if (!md.empty()) fmt::print("\n{}", md);
    }
  }
  return 0;
}

}  // namespace

Command report_command() {
  return {{"report",
           "lfmb report RESULT.json... [--baseline KEY=VALUE]... [--md|--csv|--json]",
           "Merge result files (lfmb run, lfmb bench -o json|jsonl, eval results.json) into tables that name "
           "each row's file, date, commit and device; --baseline prints speed ratios.",
           {{"--baseline", "KEY=VALUE",
             "ratios of every other row to the baseline row with the same other\n"
             "                            settings, from its own file when it has one (several candidates: one line\n"
             "                            each). KEY: model, backend (frees dtype too; backend:dtype picks one\n"
             "                            dtype), dtype, threads, n_batch, mmap, test, source (#N or the path).\n"
             "                            Repeatable: all must hold. With --csv or --json the ratio rows are the output.\n"
             "                            Ratio R = m1 / m2 of the mean t/s, ± its standard error from the repetitions:\n"
             "                              R * sqrt((s1 / (m1 * sqrt(n1)))^2 + (s2 / (m2 * sqrt(n2)))^2)\n"
             "                            s: sample standard deviation, n: repetitions (no ± when n < 2). Without\n"
             "                            --baseline, rows of several models end with the ratios to the last model.",
             true},
            {"--md", "", "markdown tables (default)"},
            {"--csv", "", "CSV, one row per test, with its source (file, date, device); empty where a field does not "
                          "apply"},
            {"--json", "", "one JSON array of test records, each with a \"source\" object"}},
           1,
           1000},
          run_report};
}

}  // namespace lfmb
