// Follows evalplus/evalplus 26d6d00bb1fd evaluate.py evaluate(): ground truth (get_groundtruth),
// check_correctness per sample with n_workers = parallel or max(1, cpu_count() // 2), then pass@k
// from estimate_pass_at_k over base_status == PASS ("humaneval") and base_status == plus_status ==
// PASS ("humaneval+"). lfmb has one greedy sample per problem, so pass@1 is the mean of 0/1.
#include "eval/code/evalplus_scorer.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "eval/code/evalplus_sandbox.h"
#include "eval/run/eval_progress.h"
#include "eval/sandbox/sandbox.h"
#include "eval/task_docs.h"

namespace lfmb::eval {

using nlohmann::json;

size_t evalplus_default_parallel() {
  const unsigned cores = std::thread::hardware_concurrency();
  return std::max<size_t>(1, cores / 2);
}

EvalplusOptions evalplus_options(const TaskConfig& t, const std::string& data_dir) {
  EvalplusOptions o;
  o.data_dir = data_dir;
  o.cache_dir = evalplus_cache_dir();
  o.parallel = evalplus_default_parallel();
  if (const char* p = std::getenv("LFMB_EVALPLUS_PARALLEL"); p && *p) {
    char* end = nullptr;
    const long v = std::strtol(p, &end, 10);
    if (*end || v < 1 || v > 1024) throw Error("LFMB_EVALPLUS_PARALLEL: expected an integer from 1 to 1024, got '" + std::string(p) + "'");
    o.parallel = size_t(v);
  }
  auto number = [&](const char* key, double& into) {
    if (!t.metadata.contains(key)) return;
    if (!t.metadata[key].is_number() || t.metadata[key].get<double>() < 0)
      throw Error(t.file + ": metadata." + key + ": expected a non-negative number");
    into = t.metadata[key].get<double>();
  };
  number("min_time_limit", o.settings.min_time_limit);
  number("gt_time_limit_factor", o.settings.gt_time_limit_factor);
  return o;
}


namespace {

const char* const kPlusMetric = "pass@1";
const char* const kBaseMetric = "pass@1_base";

}  // namespace

TaskScores score_evalplus(const TaskConfig& t, const std::vector<DocResult>& docs, const EvalplusOptions& o) {
  const std::string task_where = t.file + ": task '" + t.task + "'";
  TaskScores s;
  s.n = docs.size();
  for (const MetricConfig& m : t.metric_list) {
    if (m.metric != kPlusMetric && m.metric != kBaseMetric)
      throw Error(task_where + ": metric '" + m.metric + "' is not an evalplus metric (pass@1, pass@1_base)");
    if (m.aggregation != "mean") throw Error(task_where + ": metric '" + m.metric + "' needs aggregation: mean");
    s.higher_is_better[m.metric] = m.higher_is_better;
    s.metric_order.push_back(m.metric + "," + kEvalplusFilter);
  }
  if (docs.empty()) return s;
  require_sandbox("task '" + t.task + "' runs model-written code");

  // The problems, as their dataset lines (exact inputs), matched by task_id.
  const std::string file = split_file(t, t.test_split, o.data_dir.empty() ? default_data_dir() : o.data_dir);
  const std::map<std::string, EvalplusProblem> problems = load_evalplus_problems(file);
  std::vector<const EvalplusProblem*> of_doc(docs.size());
  for (size_t k = 0; k < docs.size(); ++k) {
    const DocResult& d = docs[k];
    const std::string where = task_where + ": document " + std::to_string(d.doc_id);
    if (!d.doc.contains("task_id") || !d.doc["task_id"].is_string()) throw Error(where + ": no task_id");
    auto it = problems.find(d.doc["task_id"].get<std::string>());
    if (it == problems.end()) throw Error(where + ": task_id '" + d.doc["task_id"].get<std::string>() + "' is not in " + file);
    of_doc[k] = &it->second;
  }
  const std::map<std::string, EvalplusGroundTruth> gt = evalplus_ground_truth(of_doc, o.cache_dir, o.parallel, o.progress);

  std::vector<EvalplusCheck> checks(docs.size());
  EvalProgress bar(t.task + " (sandbox)", docs.size(), o.progress);
  evalplus_parallel_for(
      docs.size(), o.parallel,
      [&](size_t k) {
        checks[k] = evalplus_check(*of_doc[k], gt.at(of_doc[k]->task_id), strip_think(docs[k].response), o.settings);
      },
      [&](size_t done) { bar.update(done, 0, ""); });
  bar.finish();

  std::map<std::string, std::vector<double>> values;
  std::map<std::string, std::map<std::string, size_t>> counts;  // set -> status -> documents
  size_t n_errors = 0;
  for (size_t k = 0; k < docs.size(); ++k) {
    const DocResult& d = docs[k];
    const EvalplusCheck& c = checks[k];
    json line = generation_sample_base(d);
    if (d.truncated) ++s.n_truncated;
    if (d.finish_reason == "length") ++s.n_length;
    line["task_id"] = of_doc[k]->task_id;
    line["filtered_resps"] = json{{kEvalplusFilter, c.sanitized}};
    for (const auto& [name, r] : {std::pair<const char*, const EvalplusSetResult&>{"base", c.base}, {"plus", c.plus}}) {
      if (r.status.empty()) continue;
      line[std::string(name) + "_status"] = r.status;
      if (r.fail_index) line[std::string(name) + "_fail_input"] = *r.fail_index;
      ++counts[name][r.status];
    }
    if (!c.error.empty()) {
      line["error"] = c.error;
      ++n_errors;
    }
    const bool base_pass = c.base.status == "pass";
    const bool plus_pass = base_pass && (o.settings.base_only || c.plus.status == "pass");
    for (const MetricConfig& m : t.metric_list) {
      const double v = m.metric == kBaseMetric ? (base_pass ? 1 : 0) : (plus_pass ? 1 : 0);
      line[m.metric + "," + kEvalplusFilter] = v;
      values[m.metric + "," + kEvalplusFilter].push_back(v);
    }
    s.samples.push_back(std::move(line));
  }
  for (const std::string& key : s.metric_order) {
    const std::vector<double>& xs = values[key];
    MetricValue mv;
    for (double x : xs) mv.value += x;
    mv.value /= double(xs.size());
    mv.stderr_ = mean_stderr(xs);
    s.metrics[key] = mv;
  }
  json status = json::object();
  for (const auto& [set, by] : counts) {
    json c = {{"pass", 0}, {"fail", 0}, {"timeout", 0}};
    for (const auto& [st, n] : by) c[st] = n;
    status[set] = c;
  }
  s.extra["status_counts"] = status;
  s.extra["n_timeout_base"] = counts["base"]["timeout"];
  s.extra["n_timeout_plus"] = counts["plus"]["timeout"];
  s.extra["n_driver_errors"] = n_errors;
  s.extra["sandbox_python"] = evalplus_python_version();
  s.extra["time_limits"] = {{"min_time_limit", o.settings.min_time_limit},
                            {"gt_time_limit_factor", o.settings.gt_time_limit_factor},
                            {"fast_check", o.settings.fast_check}};
  if (t.metadata.contains("headline") && t.metadata["headline"].is_string()) s.extra["headline"] = t.metadata["headline"];
  if (t.metadata.contains("label") && t.metadata["label"].is_string()) s.extra["label"] = t.metadata["label"];
  return s;
}

}  // namespace lfmb::eval
