// Pairing and statistics follow ../shared/eval-protocols.md §4.2 (flips, McNemar exact test,
// paired standard error of the difference); the folder layout is lfmb's own (eval/run/results_writer).
#include "eval/regression/run_compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/error.h"
#include "eval/data/table_reader.h"
#include "eval/regression/mcnemar.h"
#include "eval/scoring.h"

namespace lfmb::eval {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr uint64_t kMaxFileBytes = 1ull << 30;  // one results or samples file

// results.json keeps the metric keys in the order it was written; ordered_json preserves it.
ordered_json read_results(const std::string& dir) {
  const std::string path = dir + "/results.json";
  std::string text;
  try {
    text = read_data_file(path, kMaxFileBytes);
  } catch (const Error&) {
    throw Error(path + ": cannot read (not an lfmb eval output folder?)");
  }
  ordered_json r;
  try {
    r = ordered_json::parse(text);
  } catch (const json::exception& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
  if (!r.is_object() || !r.contains("results") || !r["results"].is_object())
    throw Error(path + ": no \"results\" object (not an lfmb eval results file)");
  return r;
}

std::vector<json> read_compare_samples(const std::string& path) {
  const std::string text = read_data_file(path, kMaxFileBytes);
  std::vector<json> out;
  size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++line_no;
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw Error(fmt::format("{}:{}: not a JSON object", path, line_no));
    j["__line"] = line_no;
    out.push_back(std::move(j));
  }
  return out;
}

std::string where_line(const std::string& where, const json& s) {
  return s.contains("__line") ? fmt::format("{}:{}", where, s["__line"].get<size_t>()) : where;
}

int64_t doc_id_of(const json& s, const std::string& where) {
  const auto it = s.find("doc_id");
  if (it == s.end() || !it->is_number_integer() || it->get<int64_t>() < 0)
    throw Error(where_line(where, s) + ": \"doc_id\" missing or not a non-negative integer");
  return it->get<int64_t>();
}

double metric_of(const json& s, const std::string& metric, const std::string& where) {
  const auto it = s.find(metric);
  if (it == s.end() || !(it->is_number() || it->is_boolean()))
    throw Error(where_line(where, s) + ": no numeric \"" + metric + "\" value");
  return it->is_boolean() ? (it->get<bool>() ? 1.0 : 0.0) : it->get<double>();
}

// The answer a sample gave: for multiple choice (resps = [[logprob, is_greedy], ...]) the index of
// the highest loglikelihood, first on ties as the acc metric picks it; for generation the filtered
// response the metric scored (filtered_resps[filter]; null when the filter extracted nothing).
json answer_of(const json& s, const std::string& filter) {
  const json& resps = s.contains("resps") ? s["resps"] : json();
  if (resps.is_array() && !resps.empty() && resps[0].is_array()) {
    size_t best = 0;
    for (size_t i = 1; i < resps.size(); ++i)
      if (resps[i].is_array() && !resps[i].empty() && resps[best].is_array() && !resps[best].empty() &&
          resps[i][0].is_number() && resps[best][0].is_number() &&
          resps[i][0].get<double>() > resps[best][0].get<double>())
        best = i;
    return best;
  }
  if (s.contains("filtered_resps") && s["filtered_resps"].is_object() && s["filtered_resps"].contains(filter))
    return s["filtered_resps"][filter];
  return s.contains("filtered_resps") ? s["filtered_resps"] : resps;
}

std::string fmt_p(double p) { return p >= 1e-4 ? fmt::format("{:.4f}", p) : fmt::format("{:.1e}", p); }

}  // namespace

TaskComparison compare_task_samples(const std::string& task, const std::string& metric,
                                    const std::vector<json>& samples_a, const std::vector<json>& samples_b,
                                    const std::string& where_a, const std::string& where_b) {
  TaskComparison c;
  c.task = task;
  c.metric = metric;
  const std::string filter = metric.substr(metric.find(',') + 1);
  std::map<int64_t, const json*> by_id_b;
  for (const json& s : samples_b)
    if (!by_id_b.emplace(doc_id_of(s, where_b), &s).second)
      throw Error(fmt::format("{}: doc_id {} appears twice", where_line(where_b, s), doc_id_of(s, where_b)));
  std::map<int64_t, bool> seen_a;
  std::vector<double> diffs;
  double sum_a = 0, sum_b = 0;
  size_t n_agree = 0, n_identical = 0;
  for (const json& sa : samples_a) {
    const int64_t id = doc_id_of(sa, where_a);
    if (!seen_a.emplace(id, true).second) throw Error(fmt::format("{}: doc_id {} appears twice", where_line(where_a, sa), id));
    const auto it = by_id_b.find(id);
    if (it == by_id_b.end()) {
      ++c.n_unpaired_a;
      continue;
    }
    const json& sb = *it->second;
    const json ha = sa.value("doc_hash", json()), hb = sb.value("doc_hash", json());
    if (ha != hb)
      throw Error(fmt::format("{}: doc_id {}: doc_hash differs between {} and {} (different data or prompt); refusing to "
                              "compare",
                              task, id, where_a, where_b));
    const double a = metric_of(sa, metric, where_a), b = metric_of(sb, metric, where_b);
    sum_a += a;
    sum_b += b;
    diffs.push_back(b - a);
    if (a != b) {
      (a > b ? c.n_a_only : c.n_b_only) += 1;
      c.flipped.push_back(id);
    }
    if (answer_of(sa, filter) == answer_of(sb, filter)) ++n_agree;
    if (sa.value("resps", json()) == sb.value("resps", json())) ++n_identical;
    if (sa.contains("arguments") && sb.contains("arguments") && sa["arguments"] != sb["arguments"]) ++c.n_prompt_changed;
  }
  c.n_unpaired_b = by_id_b.size() - diffs.size();
  c.n = diffs.size();
  if (c.n > 0) {
    c.a = sum_a / double(c.n);
    c.b = sum_b / double(c.n);
    c.agree = double(n_agree) / double(c.n);
    c.identical = double(n_identical) / double(c.n);
  }
  double sum_d = 0;
  for (double d : diffs) sum_d += d;
  c.diff = c.n ? sum_d / double(c.n) : 0.0;
  // Paired standard error: the sample sd of the per-document differences / sqrt(n). For 0/1 scores
  // this is sqrt(((b+c)/N − Δ²)/(N−1)) of §4.2.
  c.diff_stderr = mean_stderr(diffs);
  c.mcnemar_p = mcnemar_exact_p(c.n_a_only, c.n_b_only);
  std::sort(c.flipped.begin(), c.flipped.end());
  return c;
}

RunComparison compare_runs(const std::string& dir_a, const std::string& dir_b, const std::vector<std::string>& tasks) {
  const ordered_json ra = read_results(dir_a), rb = read_results(dir_b);
  auto is_task = [](const ordered_json& r, const std::string& name) {
    return r["results"].contains(name) && !(r.contains("groups") && r["groups"].is_object() && r["groups"].contains(name));
  };
  RunComparison out;
  for (const std::string& t : tasks) {
    if (!is_task(ra, t)) throw Error(dir_a + "/results.json: no task '" + t + "'");
    if (!is_task(rb, t)) throw Error(dir_b + "/results.json: no task '" + t + "'");
  }
  for (const auto& [name, r] : ra["results"].items()) {
    if (!is_task(ra, name)) continue;
    if (!tasks.empty() && std::find(tasks.begin(), tasks.end(), name) == tasks.end()) continue;
    if (!is_task(rb, name)) {
      out.only_a.push_back(name);
      continue;
    }
    const std::string fa = dir_a + "/samples_" + name + ".jsonl", fb = dir_b + "/samples_" + name + ".jsonl";
    const std::vector<json> sa = read_compare_samples(fa);
    // The task's headline when its samples carry it per document, else the first metric key whose
    // per-document values are numbers (instruction-following tasks also report aggregate-only
    // keys and per-document lists).
    auto per_doc = [&](const std::string& key) {
      return !sa.empty() && sa[0].contains(key) && (sa[0][key].is_number() || sa[0][key].is_boolean());
    };
    std::string metric;
    if (r.contains("headline") && r["headline"].is_string() && per_doc(r["headline"].get<std::string>()))
      metric = r["headline"].get<std::string>();
    for (const auto& [key, v] : r.items()) {
      if (!metric.empty()) break;
      if (key.find(',') != std::string::npos && key.find("_stderr,") == std::string::npos && (sa.empty() || per_doc(key)))
        metric = key;
    }
    if (metric.empty()) throw Error(dir_a + "/results.json: task '" + name + "' has no metric");
    out.tasks.push_back(compare_task_samples(name, metric, sa, read_compare_samples(fb), fa, fb));
  }
  if (tasks.empty())
    for (const auto& [name, r] : rb["results"].items())
      if (is_task(rb, name) && !is_task(ra, name)) out.only_b.push_back(name);
  if (out.tasks.empty()) throw Error("eval compare: " + dir_a + " and " + dir_b + " have no task in common");
  return out;
}

GateVerdict apply_gate(const RunComparison& c, const CompareGate& gate) {
  GateVerdict v;
  std::vector<std::string> reasons;
  for (const TaskComparison& t : c.tasks) {
    std::vector<std::string> why;
    const size_t flips = t.n_a_only + t.n_b_only;
    if (gate.max_flips && flips > *gate.max_flips) why.push_back(fmt::format("{} flips > {}", flips, *gate.max_flips));
    if (gate.alpha && t.mcnemar_p < *gate.alpha) why.push_back(fmt::format("p {} < {}", fmt_p(t.mcnemar_p), *gate.alpha));
    if (why.empty()) continue;
    v.failed_tasks.push_back(t.task);
    reasons.push_back(t.task + ": " + fmt::format("{}", fmt::join(why, ", ")));
  }
  v.failed = !v.failed_tasks.empty();
  std::string bounds;
  if (gate.alpha) bounds += fmt::format("alpha {}", *gate.alpha);
  if (gate.max_flips) bounds += fmt::format("{}max flips {}", bounds.empty() ? "" : ", ", *gate.max_flips);
  if (bounds.empty()) bounds = "no bounds";
  v.summary = v.failed ? fmt::format("eval compare: gate FAILED on {} of {} tasks ({})", v.failed_tasks.size(),
                                     c.tasks.size(), fmt::join(reasons, "; "))
                       : fmt::format("eval compare: gate passed on {} tasks ({})", c.tasks.size(), bounds);
  return v;
}

ordered_json comparison_json(const RunComparison& c, const CompareGate& gate, const GateVerdict& v) {
  ordered_json tasks = ordered_json::object();
  for (const TaskComparison& t : c.tasks)
    tasks[t.task] = {{"metric", t.metric},
                     {"a", t.a},
                     {"b", t.b},
                     {"diff", t.diff},
                     {"diff_stderr", t.diff_stderr ? ordered_json(*t.diff_stderr) : ordered_json(nullptr)},
                     {"n", t.n},
                     {"n_a_only", t.n_a_only},
                     {"n_b_only", t.n_b_only},
                     {"mcnemar_p", t.mcnemar_p},
                     {"flipped", t.flipped},
                     {"agree", t.agree},
                     {"identical", t.identical},
                     {"n_unpaired_a", t.n_unpaired_a},
                     {"n_unpaired_b", t.n_unpaired_b},
                     {"n_prompt_changed", t.n_prompt_changed}};
  ordered_json g = {{"alpha", gate.alpha ? ordered_json(*gate.alpha) : ordered_json(nullptr)},
                    {"max_flips", gate.max_flips ? ordered_json(*gate.max_flips) : ordered_json(nullptr)},
                    {"failed", v.failed},
                    {"failed_tasks", v.failed_tasks}};
  return {{"tasks", tasks}, {"gate", g}, {"tasks_only_in_a", c.only_a}, {"tasks_only_in_b", c.only_b}};
}

std::string comparison_table(const RunComparison& c) {
  std::string s = "|task|metric|A|B|B-A|±SE|n|A only|B only|mcnemar_p|agree|identical|\n"
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const TaskComparison& t : c.tasks)
    s += fmt::format("|{}|{}|{:.4f}|{:.4f}|{:+.4f}|{}|{}|{}|{}|{}|{:.3f}|{:.3f}|\n", t.task, t.metric, t.a, t.b, t.diff,
                     t.diff_stderr ? fmt::format("{:.4f}", *t.diff_stderr) : "N/A", t.n, t.n_a_only, t.n_b_only,
                     fmt_p(t.mcnemar_p), t.agree, t.identical);
  for (const TaskComparison& t : c.tasks)
    if (t.n_prompt_changed)
      s += fmt::format("({}: the prompt differs on {} of {} documents: a template or setting changed, not only numerics)\n",
                       t.task, t.n_prompt_changed, t.n);
  for (const std::string& t : c.only_a) s += "(only in A: " + t + ")\n";
  for (const std::string& t : c.only_b) s += "(only in B: " + t + ")\n";
  return s;
}

std::string moved_table(const RunComparison& c, const GateVerdict& v) {
  std::string s = "what moved:\n|task|metric|A|B|flips (A only/B only)|mcnemar_p|flipped doc_ids|\n"
                  "|---|---|---:|---:|---:|---:|---|\n";
  for (const TaskComparison& t : c.tasks) {
    if (std::find(v.failed_tasks.begin(), v.failed_tasks.end(), t.task) == v.failed_tasks.end()) continue;
    std::vector<int64_t> head(t.flipped.begin(), t.flipped.begin() + std::min<size_t>(t.flipped.size(), 12));
    s += fmt::format("|{}|{}|{:.4f}|{:.4f}|{} ({}/{})|{}|{}{}|\n", t.task, t.metric, t.a, t.b, t.n_a_only + t.n_b_only,
                     t.n_a_only, t.n_b_only, fmt_p(t.mcnemar_p), fmt::join(head, " "),
                     t.flipped.size() > head.size() ? " …" : "");
  }
  return s;
}

}  // namespace lfmb::eval
