// Follows LiveCodeBench/LiveCodeBench 28fef95ea8c9: lcb_runner/evaluation/compute_code_generation_metrics.py
// (check_correctness: global timeout, no result -> every test -1; evaluate_generations_by_problem),
// pass_k_utils.py (estimate_pass_at_k, compute_metrics_from_results), utils/extraction_utils.py.
#include "eval/code/lcb_score.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <optional>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "core/error.h"
#include "eval/code/lcb_extract.h"
#include "eval/code/lcb_tests.h"
#include "eval/run/eval_model.h"
#include "eval/sandbox/sandbox.h"
#include "lcb_driver_py.h"  // lcb_driver.py, embedded by eval/CMakeLists.txt
#include "sandbox_guard_py.h"

namespace lfmb::eval {

using nlohmann::json;

namespace {

std::string nonce() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}", rd(), rd());
}

// The result line the driver writes: the last line "LCB-RESULT <nonce> <json>".
std::optional<json> driver_report(const std::string& out, const std::string& tag) {
  const std::string prefix = "LCB-RESULT " + tag + " ";
  const size_t at = out.rfind(prefix);
  if (at == std::string::npos || (at > 0 && out[at - 1] != '\n')) return std::nullopt;
  const size_t end = out.find('\n', at);
  const json j = json::parse(out.substr(at + prefix.size(), end == std::string::npos ? std::string::npos : end - at - prefix.size()),
                             nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

bool entry_passes(const json& e) {
  if (e.is_boolean()) return e.get<bool>();
  if (e.is_number()) return e.get<double>() > 0;
  return false;
}

}  // namespace

double lcb_pass_at_k(int n, int c, int k) {
  if (n - c < k) return 1.0;
  double prod = 1.0;
  for (int i = n - c + 1; i <= n; ++i) prod *= 1.0 - double(k) / double(i);
  return 1.0 - prod;
}

LcbVerdict run_lcb_program(const json& sample, const std::string& code, int timeout) {
  const size_t n_tests = sample.at("inputs").size();
  json problem = sample;
  problem["timeout"] = timeout;
  SandboxRequest req;
  const std::string tag = nonce();
  req.argv = {kSandboxPython, "-B", "/input/driver.py"};
  req.stdin_data = tag;  // not in argv: /proc/self/cmdline is readable by the program
  req.files = {{"driver.py", std::string(kLcbDriverPy)}, {"sandbox_guard.py", std::string(kSandboxGuardPy)},
               {"problem.json", problem.dump()}, {"code.py", code}};
  // check_correctness's global deadline; CPU time cannot usefully exceed it either.
  const double deadline = double(timeout + 1) * double(n_tests) + 5;
  req.limits.wall_seconds = deadline;
  req.limits.cpu_seconds = deadline;
  const SandboxResult r = run_sandboxed(req);
  LcbVerdict v;
  v.n_tests = n_tests;
  v.wall_seconds = r.wall_seconds;
  const std::optional<json> rep = r.status == SandboxStatus::exited ? driver_report(r.out, tag) : std::nullopt;
  if (!rep || !(*rep)["results"].is_array()) {
    // No result (deadline, CPU limit, a crash of the interpreter, an exception escaping the
    // grader): LiveCodeBench marks every test -1.
    v.global_timeout = r.status == SandboxStatus::wall_timeout || r.status == SandboxStatus::cpu_limit;
    v.graded = json::array();
    for (size_t i = 0; i < n_tests; ++i) v.graded.push_back(-1);
    v.metadata = {{"error_code", -1},
                  {"error_message", v.global_timeout ? "global timeout"
                                    : rep && rep->contains("crash") ? "grader ended: " + (*rep)["crash"].get<std::string>()
                                                                    : "no result from the sandboxed grader"}};
    if (r.status == SandboxStatus::signaled) v.metadata["signal"] = r.signal;
  } else {
    v.graded = (*rep)["results"];
    v.metadata = rep->value("metadata", json::object());
  }
  v.passed = std::all_of(v.graded.begin(), v.graded.end(), entry_passes);
  return v;
}

std::string lcb_status(const LcbVerdict& v) {
  if (v.passed) return "passed";
  if (v.global_timeout) return "global_timeout";
  const int code = v.metadata.value("error_code", 0);
  switch (code) {
    case -2: return "wrong_answer";
    case -3: return "time_limit";
    case -4: return "runtime_error";
    case -1: return "no_result";
    default: return "runner_error";
  }
}

TaskScores score_livecodebench(const TaskConfig& t, const std::vector<DocResult>& docs) {
  TaskScores s;
  s.n = docs.size();
  const int timeout = t.metadata.value("timeout", 6);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t workers = std::min<size_t>(std::max<size_t>(1, t.metadata.value("max_parallel", size_t(std::max(1u, cores / 2)))),
                                          std::max<size_t>(1, docs.size()));
  std::vector<std::string> codes(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) codes[i] = lcb_extract_code(strip_think(docs[i].response));
  // Every document must be a real problem (its tests); fail before any program runs.
  for (const DocResult& d : docs)
    if (!d.doc.contains("private_test_cases"))
      throw Error("task '" + t.task + "': document " + std::to_string(d.doc_id) +
                  " has no tests (livecodebench needs the official code_generation_lite rows)");
  if (!docs.empty()) require_sandbox("task '" + t.task + "' runs model-written code");

  std::vector<LcbVerdict> verdicts(docs.size());
  std::atomic<size_t> next{0}, done{0}, passed{0};
  std::mutex mu;
  std::string failure;
  const auto start = std::chrono::steady_clock::now();
  auto work = [&] {
    for (size_t i; (i = next++) < docs.size();) {
      try {
        const json sample = lcb_grader_sample(docs[i].doc);
        verdicts[i] = run_lcb_program(sample, codes[i], timeout);
      } catch (const Error& e) {
        std::lock_guard<std::mutex> lock(mu);
        if (failure.empty()) failure = e.what();
        next = docs.size();
        return;
      }
      if (verdicts[i].passed) ++passed;
      const size_t k = ++done;
      std::lock_guard<std::mutex> lock(mu);
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (docs.size() > 1)
        std::fprintf(stderr, "\r%s: ran %zu/%zu programs in the sandbox (%zu passed, %.0f s)%s", t.task.c_str(), k,
                     docs.size(), size_t(passed), secs, k == docs.size() ? "\n" : "");
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (std::thread& th : pool) th.join();
  if (!failure.empty()) throw Error(failure);

  std::map<std::string, std::vector<double>> by_difficulty;
  std::vector<double> all;
  size_t n_time_limit = 0, n_global = 0, n_no_code = 0;
  std::map<std::string, size_t> statuses;
  for (size_t i = 0; i < docs.size(); ++i) {
    const DocResult& d = docs[i];
    const LcbVerdict& v = verdicts[i];
    if (d.truncated) ++s.n_truncated;
    if (d.finish_reason == "length") ++s.n_length;
    const double p = lcb_pass_at_k(1, v.passed ? 1 : 0, 1);
    all.push_back(p);
    const std::string difficulty = d.doc.value("difficulty", std::string("unknown"));
    by_difficulty[difficulty].push_back(p);
    const std::string status = lcb_status(v);
    ++statuses[status];
    if (status == "time_limit") ++n_time_limit;
    if (v.global_timeout) ++n_global;
    if (codes[i].empty()) ++n_no_code;
    json line = generation_sample_base(d);
    line["filtered_resps"] = json{{kNoFilter, codes[i]}};
    line["question_id"] = d.doc.value("question_id", std::string());
    line["difficulty"] = difficulty;
    line["tests"] = {{"n", v.n_tests},
                     {"graded", v.graded},
                     {"status", status},
                     {"metadata", v.metadata},
                     {"wall_seconds", std::round(v.wall_seconds * 1000) / 1000}};
    line["pass@1," + std::string(kNoFilter)] = p;
    s.samples.push_back(std::move(line));
  }
  auto put = [&](const std::string& key, const std::vector<double>& xs) {
    double sum = 0;
    for (double x : xs) sum += x;
    s.metrics[key] = MetricValue{xs.empty() ? 0 : sum / double(xs.size()), mean_stderr(xs)};
    s.metric_order.push_back(key);
  };
  put("pass@1," + std::string(kNoFilter), all);
  for (const char* level : {"easy", "medium", "hard"})
    if (by_difficulty.count(level)) put(std::string("pass@1_") + level + "," + kNoFilter, by_difficulty[level]);
  for (const MetricConfig& m : t.metric_list) s.higher_is_better[m.metric] = m.higher_is_better;
  for (const char* level : {"easy", "medium", "hard"}) s.higher_is_better[std::string("pass@1_") + level] = true;
  json counts = json::object();
  for (const auto& [k, v] : by_difficulty) counts[k] = v.size();
  s.extra["difficulty_counts"] = counts;
  s.extra["status_counts"] = statuses;
  s.extra["n_time_limit"] = n_time_limit;
  s.extra["n_global_timeout"] = n_global;
  s.extra["n_no_code"] = n_no_code;
  s.extra["timeout_seconds"] = timeout;
  for (const char* k : {"headline", "label"})
    if (t.metadata.contains(k)) s.extra[k] = t.metadata[k];
  return s;
}

}  // namespace lfmb::eval
