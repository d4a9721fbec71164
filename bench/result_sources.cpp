#include "bench/result_sources.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <sstream>

#include "core/error.h"

namespace lfmb {

namespace {

bool is_bench_row(const nlohmann::json& r) {
  return r.is_object() && r.contains("avg_ts") && r.contains("n_prompt") && r.contains("n_gen");
}

template <typename T>
T field(const nlohmann::json& row, const char* key, const std::string& where) {
  if (!row.contains(key)) throw Error(where + ": no \"" + key + "\" field");
  try {
    return row.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(where + ": \"" + key + "\" has the wrong type (" + row.at(key).dump().substr(0, 40) + ")");
  }
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// lfmb run's label for the model a bench row names, so rows of both can be matched: a file's base
// name, "<synth:lfm2-8b-a1b/q4_0/seed1>" -> "lfm2-8b-a1b Q4_0 (synth)" (ModelSpec::label()).
std::string model_label(const std::string& filename) {
  const std::string prefix = "<synth:";
  if (filename.rfind(prefix, 0) == 0 && filename.back() == '>') {
    const std::string inner = filename.substr(prefix.size(), filename.size() - prefix.size() - 1);
    const size_t a = inner.find('/'), b = inner.find('/', a == std::string::npos ? a : a + 1);
    if (a != std::string::npos && b != std::string::npos) {
      std::string type = inner.substr(a + 1, b - a - 1);
      std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return char(std::toupper(c)); });
      return inner.substr(0, a) + " " + type + " (synth)";
    }
  }
  const size_t slash = filename.find_last_of('/');
  return slash == std::string::npos ? filename : filename.substr(slash + 1);
}

}  // namespace

ResultFileKind classify_result_json(const nlohmann::json& j) {
  if (j.is_object()) {
    if (j.contains("schema") && j["schema"].is_string() && j["schema"].get<std::string>().rfind("lfmb.throughput/", 0) == 0)
      return ResultFileKind::Throughput;
    if (j.contains("results") && j.contains("n-shot") && j["results"].is_object()) return ResultFileKind::Eval;
    if (j.contains("context") && j.contains("benchmarks") && j["benchmarks"].is_array()) return ResultFileKind::KernelBench;
    return ResultFileKind::Unknown;
  }
  // A bench stopped before its first row prints "[]": bench output with no rows.
  if (j.is_array() && (j.empty() || is_bench_row(j[0]))) return ResultFileKind::BenchRows;
  return ResultFileKind::Unknown;
}

std::string ResultSource::describe() const {
  std::string s = label + " " + file + ": " + format;
  if (!config.empty()) s += " of config " + config;
  s += ", " + (date.empty() ? std::string("date unknown") : date);
  s += ", lfmb " + (commit.empty() ? std::string("?") : commit);
  if (!device.empty()) s += ", " + device;
  if (!complete) s += " (incomplete)";
  return s;
}

nlohmann::json ResultSource::to_json() const {
  return {{"label", label}, {"file", file},     {"format", format}, {"date", date},
          {"commit", commit}, {"device", device}, {"config", config}, {"complete", complete}};
}

nlohmann::json parse_result_text(const std::string& path, const std::string& text) {
  std::string first_error;
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    first_error = e.what();
  }
  // JSON Lines: every non-blank line one object.
  nlohmann::json rows = nlohmann::json::array();
  std::istringstream in(text);
  std::string line;
  bool any = false;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const nlohmann::json row = nlohmann::json::parse(line, nullptr, false);
    if (row.is_discarded() || !row.is_object()) throw Error(path + ": not valid JSON: " + first_error);
    rows.push_back(row);
    any = true;
  }
  if (!any) throw Error(path + ": not valid JSON: " + first_error);
  return rows;
}

TestResult result_from_bench_row(const nlohmann::json& row, const std::string& where) {
  TestResult r;
  const std::string filename = field<std::string>(row, "model_filename", where);
  r.model = model_label(filename);
  const std::string type = row.value("model_type", std::string());
  r.architecture = type.substr(0, type.find(' '));
  r.model_size_bytes = row.value("model_size", uint64_t(0));
  r.n_params = row.value("model_n_params", int64_t(0));
  r.backend = field<std::string>(row, "backends", where);
  r.dtype = row.value("dtype", std::string());
  r.threads = field<int>(row, "n_threads", where);
  r.n_prompt = field<int>(row, "n_prompt", where);
  r.n_gen = field<int>(row, "n_gen", where);
  r.depth = row.value("n_depth", 0);
  r.n_seq = row.value("n_seq", 1);  // lfmb's bench rows; llama-bench's have none (one sequence)
  r.test = test_name(r.n_prompt, r.n_gen, r.depth, r.n_seq);
  if (row.contains("samples_ns")) r.samples_ns = row["samples_ns"].get<std::vector<double>>();
  if (row.contains("samples_ts")) r.samples_ts = row["samples_ts"].get<std::vector<double>>();
  if (!r.samples_ts.empty()) {
    r.ts = summarize(r.samples_ts);
  } else {
    // Without samples only the summary is known; n = 0 says the repetitions are unknown.
    r.ts.mean = r.ts.median = field<double>(row, "avg_ts", where);
    r.ts.stddev = row.value("stddev_ts", 0.0);
  }
  r.ttft_ms = row.value("ttft_ms", 0.0);
  r.load_ms = row.value("load_ms", 0.0);
  r.peak_rss_bytes = row.value("peak_rss_bytes", uint64_t(0));
  r.roofline_pct = row.value("roofline_pct", 0.0);
  // The settings a bench row states that distinguish runs (lfmb run keeps them in "params").
  r.params = {{"model_filename", filename}};
  if (row.contains("n_batch")) r.params["n_batch"] = row["n_batch"];
  if (row.contains("use_mmap")) r.params["mmap"] = row["use_mmap"];
  r.test_time = row.value("test_time", std::string());
  r.build_commit = row.value("build_commit", std::string());
  return r;
}

void add_result_file(LoadedResults& into, const std::string& path, const nlohmann::json& doc) {
  ResultSource src;
  src.label = "#" + std::to_string(into.sources.size() + 1);
  src.file = path;
  const size_t index = into.sources.size();
  std::vector<std::string> commits;
  std::vector<SourcedResult> rows;
  const ResultFileKind kind = classify_result_json(doc);
  if (kind == ResultFileKind::Throughput) {
    if (doc.value("schema", std::string()) != kResultSchema)
      throw Error(path + ": schema \"" + doc.value("schema", std::string()) + "\" is not one this lfmb reads (\"" +
                  std::string(kResultSchema) + "\")");
    src.format = "lfmb run";
    src.date = doc.value("created", std::string());
    const nlohmann::json device = doc.value("device", nlohmann::json::object());
    if (device.is_object()) {
      add_unique(commits, device.value("lfmb_commit", std::string()));
      const std::string cpu = device.value("cpu_model", std::string()), slug = device.value("slug", std::string());
      src.device = cpu + (slug.empty() ? "" : " (" + slug + ")");
    }
    const nlohmann::json config = doc.value("config", nlohmann::json::object());
    if (config.is_object()) src.config = config.value("name", std::string());
    src.complete = doc.value("complete", true);
    if (!doc.contains("tests") || !doc["tests"].is_array()) throw Error(path + ": no \"tests\" list");
    const nlohmann::json& tests = doc["tests"];
    for (size_t i = 0; i < tests.size(); ++i) {
      try {
        rows.push_back({TestResult::from_json(tests[i]), index});
      } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": tests[" + std::to_string(i) + "]: malformed test record: " + e.what());
      }
      add_unique(commits, rows.back().result.build_commit);
    }
  } else if (kind == ResultFileKind::BenchRows) {
    src.format = "lfmb bench";
    for (size_t i = 0; i < doc.size(); ++i) {
      const nlohmann::json& row = doc[i];
      const std::string where = path + ": row " + std::to_string(i);
      if (!is_bench_row(row)) throw Error(where + ": not a bench row (no avg_ts, n_prompt, n_gen)");
      try {
        rows.push_back({result_from_bench_row(row, where), index});
      } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": " + e.what());
      }
      const TestResult& r = rows.back().result;
      if (src.date.empty()) src.date = r.test_time;
      add_unique(commits, r.build_commit);
      if (src.device.empty()) src.device = row.value("cpu_info", std::string());
    }
  } else {
    throw Error(path + ": not a throughput result file (lfmb run's \"schema\": \"" + std::string(kResultSchema) +
                "\" or lfmb bench -o json rows)");
  }
  src.commit = fmt::format("{}", fmt::join(commits, ", "));
  into.sources.push_back(std::move(src));
  for (auto& r : rows) into.rows.push_back(std::move(r));
}

}  // namespace lfmb
