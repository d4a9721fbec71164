// The document processor of HumanEval+ (`process_results: evalplus` in a task YAML): each
// response is sanitized and checked against the canonical solution's outputs on the base and the
// plus inputs in the code sandbox, as evalplus's evaluate.py does, and scored as pass@1:
//   pass@1,sanitize       HumanEval+  (base AND plus pass; evalplus "humaneval+ (base + extra tests)")
//   pass@1_base,sanitize  HumanEval   (base passes; evalplus "humaneval (base tests)")
// with lm-eval's mean_stderr. "sanitize" is the filter's name: filtered_resps holds the sanitized
// code. One sample (n = 1) per document, so pass@1's unbiased estimator is the pass rate.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "eval/code/evalplus_check.h"
#include "eval/scoring.h"
#include "eval/task_config.h"

namespace lfmb::eval {

inline constexpr const char* kEvalplusFilter = "sanitize";

struct EvalplusOptions {
  std::string data_dir;       // where the task's dataset file is ("" = default_data_dir())
  std::string cache_dir;      // ground-truth cache ("" = none); see evalplus_groundtruth.h
  size_t parallel = 1;        // sandboxes at once
  bool progress = true;       // progress lines on stderr
  EvalplusSettings settings;
};

// max(1, cores / 2), evalplus's n_workers default.
size_t evalplus_default_parallel();

// Options from the task (metadata.min_time_limit, metadata.gt_time_limit_factor) and the
// environment (cache folder, parallelism: $LFMB_EVALPLUS_PARALLEL overrides the default).
EvalplusOptions evalplus_options(const TaskConfig& t, const std::string& data_dir);

// Scores docs (any order; samples keep it). Needs the sandbox: a clear lfmb::Error when there is none.
TaskScores score_evalplus(const TaskConfig& t, const std::vector<DocResult>& docs, const EvalplusOptions& o);


}  // namespace lfmb::eval
