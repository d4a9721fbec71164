// One HumanEval+ candidate, checked as evalplus's check_correctness does: the response is
// sanitized (sanitize.py), then run against the base inputs and against the plus inputs, each in
// its own process with per-input time limits T_i = max(min_time_limit, factor * t_gt_i), stopping
// at the first failure (fast_check). All of it happens inside one sandbox run.
#pragma once
#include <optional>
#include <string>

#include "eval/code/evalplus_groundtruth.h"
#include "eval/code/evalplus_problems.h"

namespace lfmb::eval {

struct EvalplusSettings {
  double min_time_limit = 4.0;        // evalplus config.py DEFAULT_MIN_TIME_LIMIT
  double gt_time_limit_factor = 4.0;  // DEFAULT_GT_TIME_LIMIT_FACTOR
  bool fast_check = true;             // evalplus's default (no --test-details)
  bool base_only = false;             // evaluate.py --base-only: the plus set is not run
};

struct EvalplusSetResult {
  std::string status;                  // "pass", "fail", "timeout" (evalplus PASS / FAIL / TIMEOUT); "" = not run
  size_t n_done = 0;                   // inputs that finished (evalplus's progress)
  std::optional<size_t> fail_index;    // the input that failed (evalplus reports its input)
  double seconds = 0;
};

struct EvalplusCheck {
  std::string sanitized;               // the code that ran
  EvalplusSetResult base, plus;
  std::string error;                   // the driver gave no result (status "fail"): why
};

// The per-input limits of one set.
std::vector<double> evalplus_time_limits(const std::vector<double>& t_gt, const EvalplusSettings& s);

EvalplusCheck evalplus_check(const EvalplusProblem& p, const EvalplusGroundTruth& gt, const std::string& response,
                             const EvalplusSettings& s);

// sanitize(response, entry_point) alone, in the sandbox (for tests and inspection).
std::string evalplus_sanitize(const std::string& response, const std::string& entry_point);

}  // namespace lfmb::eval
