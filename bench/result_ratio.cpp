#include "bench/result_ratio.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "bench/result_table.h"
#include "core/error.h"

namespace lfmb {

namespace {

// The dimensions rows are matched on, in table order ("source" is handled apart).
const std::vector<std::string>& setting_keys() {
  static const std::vector<std::string> keys = {"model", "backend", "dtype", "threads", "n_batch", "mmap", "test"};
  return keys;
}

bool synthesized(const TestResult& r) {
  if (r.params.is_object() && r.params.contains("model") && r.params["model"].is_object())
    return r.params["model"].contains("preset");
  return r.model.size() >= 7 && r.model.compare(r.model.size() - 7, 7, "(synth)") == 0;
}

std::string param_text(const TestResult& r, const char* key) {
  if (!r.params.is_object() || !r.params.contains(key)) return "";
  const nlohmann::json& v = r.params[key];
  if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

bool matches(const SourcedResult& r, const std::vector<ResultSource>& sources, const BaselineSpec& b) {
  if (b.key == "source") return sources[r.source].label == b.value || sources[r.source].file == b.value;
  if (b.key == "backend") {
    const size_t colon = b.value.find(':');
    if (colon == std::string::npos) return r.result.backend == b.value;
    return r.result.backend == b.value.substr(0, colon) && r.result.dtype == b.value.substr(colon + 1);
  }
  return dimension_value(r, sources, b.key) == b.value;
}

bool matches_all(const SourcedResult& r, const std::vector<ResultSource>& sources, const std::vector<BaselineSpec>& bs) {
  return std::all_of(bs.begin(), bs.end(), [&](const BaselineSpec& b) { return matches(r, sources, b); });
}

bool released(const Ratios& ratios, const std::string& key) {
  return std::find(ratios.compared.begin(), ratios.compared.end(), key) != ratios.compared.end();
}

// What a row is, on the compared dimensions ("onednn int8", "qwen3-1.7b Q4_0 (synth)", "#2").
std::string compared_text(const SourcedResult& r, const std::vector<ResultSource>& sources, const Ratios& ratios) {
  std::string s;
  for (const std::string& key : ratios.compared) {
    if (key == "dtype" && released(ratios, "backend")) continue;  // part of the backend text
    std::string v = key == "backend" ? backend_text(r.result) : dimension_value(r, sources, key);
    if (v.empty()) v = key == "dtype" ? "(default)" : "?";
    s += (s.empty() ? "" : ", ") + v;
  }
  return s;
}

std::string mean_sd(const Summary& s) {
  return s.n >= 2 ? fmt::format("{:.2f} ± {:.2f}", s.mean, s.stddev) : fmt::format("{:.2f}", s.mean);
}

std::string number_or_empty(double v, const char* format) {
  return std::isfinite(v) ? fmt::format(fmt::runtime(format), v) : std::string();
}

}  // namespace

const char* baseline_keys() { return "model, backend, dtype, threads, n_batch, mmap, test, source"; }

BaselineSpec parse_baseline(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError("report: --baseline expects KEY=VALUE (e.g. backend=native), got '" + text + "'");
  BaselineSpec b{text.substr(0, eq), text.substr(eq + 1)};
  const auto& keys = setting_keys();
  if (b.key != "source" && std::find(keys.begin(), keys.end(), b.key) == keys.end())
    throw UsageError("report: --baseline key '" + b.key + "' is not one of " + baseline_keys());
  return b;
}

std::string dimension_value(const SourcedResult& row, const std::vector<ResultSource>& sources, const std::string& key) {
  const TestResult& r = row.result;
  if (key == "model") return r.model;
  if (key == "backend") return r.backend;
  if (key == "dtype") return r.dtype;
  if (key == "threads") return std::to_string(r.threads);
  if (key == "n_batch") return param_text(r, "n_batch");
  if (key == "mmap") return synthesized(r) ? "" : param_text(r, "mmap");  // synthesized models are never mapped
  if (key == "test") return r.test;
  if (key == "source") return sources.at(row.source).label;
  return "";
}

void ratio_of_means(const Summary& x, const Summary& y, double& ratio, double& stderr_ratio) {
  ratio = y.mean > 0 ? x.mean / y.mean : std::numeric_limits<double>::quiet_NaN();
  stderr_ratio = std::numeric_limits<double>::quiet_NaN();
  if (x.n < 2 || y.n < 2 || !(x.mean > 0) || !(y.mean > 0)) return;
  const double rx = x.stddev / (x.mean * std::sqrt(double(x.n))), ry = y.stddev / (y.mean * std::sqrt(double(y.n)));
  stderr_ratio = ratio * std::sqrt(rx * rx + ry * ry);
}

Ratios baseline_ratios(const LoadedResults& in, const std::vector<BaselineSpec>& baseline) {
  Ratios out;
  out.baseline = baseline;
  for (const BaselineSpec& b : baseline) {
    if (b.key == "backend") {
      out.compared.push_back("backend");
      out.compared.push_back("dtype");
    } else {
      out.compared.push_back(b.key);
    }
    const bool any = std::any_of(in.rows.begin(), in.rows.end(), [&](const SourcedResult& r) { return matches(r, in.sources, b); });
    if (!any) {
      std::vector<std::string> values;
      for (const auto& r : in.rows) {
        std::string v = dimension_value(r, in.sources, b.key);
        if (b.key == "backend" && !r.result.dtype.empty()) v += ":" + r.result.dtype;
        if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
      }
      std::string list;
      for (const auto& v : values) list += (list.empty() ? "" : ", ") + (v.empty() ? std::string("''") : v);
      throw Error("report: --baseline " + b.key + "=" + b.value + " matches no row (" + b.key + " takes: " + list + ")");
    }
  }
  std::vector<size_t> base_rows;
  for (size_t j = 0; j < in.rows.size(); ++j)
    if (matches_all(in.rows[j], in.sources, baseline)) base_rows.push_back(j);
  for (size_t i = 0; i < in.rows.size(); ++i) {
    const SourcedResult& r = in.rows[i];
    if (matches_all(r, in.sources, baseline)) continue;
    std::vector<size_t> same_settings;
    for (size_t j : base_rows) {
      bool same = true;
      for (const std::string& key : setting_keys())
        if (!released(out, key) && dimension_value(r, in.sources, key) != dimension_value(in.rows[j], in.sources, key))
          same = false;
      if (same) same_settings.push_back(j);
    }
    // A baseline from the row's own file (same run, same conditions) wins over other files.
    std::vector<size_t> chosen;
    if (!released(out, "source"))
      for (size_t j : same_settings)
        if (in.rows[j].source == r.source) chosen.push_back(j);
    if (chosen.empty()) chosen = same_settings;
    if (chosen.empty()) ++out.unmatched;
    for (size_t j : chosen) {
      RatioRow row;
      row.row = i;
      row.base = j;
      ratio_of_means(r.result.ts, in.rows[j].result.ts, row.ratio, row.stderr_ratio);
      out.rows.push_back(row);
    }
  }
  return out;
}

std::vector<BaselineSpec> default_baseline(const LoadedResults& in) {
  std::vector<std::string> models;
  for (const auto& r : in.rows)
    if (std::find(models.begin(), models.end(), r.result.model) == models.end()) models.push_back(r.result.model);
  if (models.size() < 2) return {};
  return {{"model", models.back()}};
}

std::string ratios_markdown(const LoadedResults& in, const Ratios& ratios) {
  if (ratios.rows.empty()) return "";
  // Context columns: the settings the pair shares; n_batch and mmap only when they vary.
  std::vector<std::string> context;
  for (const std::string& key : setting_keys()) {
    if (released(ratios, key) || key == "dtype") continue;
    if (key == "n_batch" || key == "mmap") {
      std::vector<std::string> seen;
      for (const RatioRow& rr : ratios.rows) {
        const std::string v = dimension_value(in.rows[rr.row], in.sources, key);
        if (std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v);
      }
      if (seen.size() < 2) continue;
    }
    context.push_back(key);
  }
  const bool several_sources = in.sources.size() > 1 && !released(ratios, "source");

  std::string compared_head;
  for (const std::string& key : ratios.compared)
    if (!(key == "dtype" && released(ratios, "backend"))) compared_head += (compared_head.empty() ? "" : ", ") + key;

  std::vector<std::string> head;
  std::vector<bool> right;
  for (const auto& key : context) {
    head.push_back(key);
    right.push_back(key == "threads" || key == "n_batch" || key == "test");
  }
  if (several_sources) {
    head.push_back("source");
    right.push_back(false);
  }
  for (const char* h : {"", "t/s", "baseline", "baseline t/s", "ratio"}) {
    head.push_back(*h ? h : compared_head);
    right.push_back(std::string(h).find("t/s") != std::string::npos || std::string(h) == "ratio");
  }
  bool unknown = false;
  std::vector<std::vector<std::string>> rows;
  for (const RatioRow& rr : ratios.rows) {
    const SourcedResult& a = in.rows[rr.row];
    const SourcedResult& b = in.rows[rr.base];
    std::vector<std::string> cells;
    for (const auto& key : context)
      cells.push_back(key == "backend" ? backend_text(a.result) : dimension_value(a, in.sources, key));
    if (several_sources)
      cells.push_back(a.source == b.source ? in.sources[a.source].label
                                           : in.sources[a.source].label + " ÷ " + in.sources[b.source].label);
    cells.push_back(compared_text(a, in.sources, ratios));
    cells.push_back(mean_sd(a.result.ts));
    cells.push_back(compared_text(b, in.sources, ratios));
    cells.push_back(mean_sd(b.result.ts));
    if (!std::isfinite(rr.ratio)) {
      cells.push_back("");
    } else if (std::isfinite(rr.stderr_ratio)) {
      cells.push_back(fmt::format("{:.3f} ± {:.3f}", rr.ratio, rr.stderr_ratio));
    } else {
      cells.push_back(fmt::format("{:.3f}", rr.ratio));
      unknown = true;
    }
    rows.push_back(std::move(cells));
  }
  std::string spec;
  for (const auto& b : ratios.baseline) spec += (spec.empty() ? "" : " ") + b.key + "=" + b.value;
  std::string out = "Ratios to the baseline " + spec + ": t/s ÷ baseline t/s, ± its standard error from the repetitions\n\n";
  out += markdown_table(head, right, rows);
  if (unknown) out += "\nno ±: a row has fewer than 2 repetitions\n";
  if (ratios.unmatched > 0)
    out += fmt::format("\n{} row(s) have no baseline row with the same other settings\n", ratios.unmatched);
  return out;
}

namespace {

struct RatioField {
  std::string name;
  bool numeric;
};

// Flat fields of one ratio row, shared by CSV and JSON: the row's settings, the baseline's
// compared settings and source, both means, the ratio.
std::vector<std::pair<RatioField, std::string>> ratio_fields(const LoadedResults& in, const Ratios& ratios, const RatioRow& rr) {
  const SourcedResult& a = in.rows[rr.row];
  const SourcedResult& b = in.rows[rr.base];
  std::vector<std::pair<RatioField, std::string>> f;
  for (const std::string& key : setting_keys())
    f.push_back({{key, key == "threads" || key == "n_batch"}, dimension_value(a, in.sources, key)});
  f.push_back({{"source", false}, in.sources[a.source].label});
  f.push_back({{"avg_ts", true}, fmt::format("{:.4f}", a.result.ts.mean)});
  f.push_back({{"stddev_ts", true}, a.result.ts.n >= 2 ? fmt::format("{:.4f}", a.result.ts.stddev) : ""});
  f.push_back({{"n", true}, a.result.ts.n ? std::to_string(a.result.ts.n) : ""});
  for (const std::string& key : ratios.compared)
    if (key != "source") f.push_back({{"baseline_" + key, key == "threads" || key == "n_batch"}, dimension_value(b, in.sources, key)});
  f.push_back({{"baseline_source", false}, in.sources[b.source].label});
  f.push_back({{"baseline_avg_ts", true}, fmt::format("{:.4f}", b.result.ts.mean)});
  f.push_back({{"baseline_stddev_ts", true}, b.result.ts.n >= 2 ? fmt::format("{:.4f}", b.result.ts.stddev) : ""});
  f.push_back({{"baseline_n", true}, b.result.ts.n ? std::to_string(b.result.ts.n) : ""});
  f.push_back({{"ratio", true}, number_or_empty(rr.ratio, "{:.6f}")});
  f.push_back({{"ratio_stderr", true}, number_or_empty(rr.stderr_ratio, "{:.6f}")});
  return f;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

std::string ratios_csv(const LoadedResults& in, const Ratios& ratios) {
  if (ratios.rows.empty()) return "";
  std::string out;
  const auto names = ratio_fields(in, ratios, ratios.rows[0]);
  for (size_t k = 0; k < names.size(); ++k) out += (k ? "," : "") + names[k].first.name;
  out += "\n";
  for (const RatioRow& rr : ratios.rows) {
    const auto f = ratio_fields(in, ratios, rr);
    for (size_t k = 0; k < f.size(); ++k) out += (k ? "," : "") + csv_cell(f[k].second);
    out += "\n";
  }
  return out;
}

nlohmann::json ratios_json(const LoadedResults& in, const Ratios& ratios) {
  nlohmann::json out = nlohmann::json::array();
  for (const RatioRow& rr : ratios.rows) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& [f, v] : ratio_fields(in, ratios, rr)) {
      if (v.empty()) o[f.name] = nullptr;
      else if (f.numeric) o[f.name] = std::stod(v);
      else o[f.name] = v;
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace lfmb
