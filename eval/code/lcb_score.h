// The document processor of the LiveCodeBench tasks (`process_results: livecodebench`): each
// response's program (lcb_extract_code, after think-stripping) runs against the problem's public +
// private tests in the code sandbox (eval/sandbox), graded by lcb_driver.py with
// LiveCodeBench/LiveCodeBench 28fef95ea8c9 testing_util.py semantics, under the global deadline of
// compute_code_generation_metrics.check_correctness, (timeout + 1) * n_tests + 5 seconds. A problem
// passes when every entry of its graded list is > 0 (pass_k_utils.compute_metrics_from_results).
// One response per problem: pass@1 = c/n of each problem (the unbiased estimator with n = 1) averaged
// over problems, with lm-eval's mean_stderr; also per difficulty.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/scoring.h"
#include "eval/task_config.h"

namespace lfmb::eval {

// One program's verdict on one problem.
struct LcbVerdict {
  nlohmann::json graded = nlohmann::json::array();  // LiveCodeBench's graded list (true, false, -1 .. -5)
  nlohmann::json metadata = nlohmann::json::object(); // error_code, error_message, output/inputs/expected (truncated)
  bool passed = false;
  bool global_timeout = false;   // the sandbox hit the global deadline (or died): every test -1
  double wall_seconds = 0;
  size_t n_tests = 0;
};

// Runs `code` on the grader sample {inputs, outputs, fn_name} in the sandbox (per-test timeout in
// seconds). Throws lfmb::Error when no sandbox can be made.
LcbVerdict run_lcb_program(const nlohmann::json& sample, const std::string& code, int timeout_seconds);

// The verdict's one-word status for reports: passed, wrong_answer, time_limit, runtime_error,
// global_timeout, runner_error.
std::string lcb_status(const LcbVerdict& v);

// pass@k of one problem from n samples with c correct (pass_k_utils.estimate_pass_at_k's estimator).
double lcb_pass_at_k(int n, int c, int k);

// Scores a task with process_results: livecodebench. At most max(1, cores / 2) sandboxes run at
// once (metadata.max_parallel overrides); a progress line goes to stderr. metadata.timeout is the
// per-test limit (default 6, LiveCodeBench's --timeout).
TaskScores score_livecodebench(const TaskConfig& t, const std::vector<DocResult>& docs);

}  // namespace lfmb::eval
