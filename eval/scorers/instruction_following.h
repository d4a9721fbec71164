// The document processor of the instruction-following tasks (IFEval, IFBench, Multi-IF):
// `process_results: instruction_following` in a task YAML, lfmb's name for lm-eval's
// `process_results: !function utils.process_results`. Each document (or each turn of a Multi-IF
// conversation) is checked strict and loose by eval/instructions (test_following); the summaries
// are lm-eval's and Multi-IF's:
//   prompt_level_*_acc = mean over prompts of all(follow list)
//   inst_level_*_acc   = sum of all follow lists / their total length (agg_inst_level_acc, flattened)
//   overall            = mean(prompt strict, inst strict, prompt loose, inst loose) (Multi-IF metrics.py)
// Standard errors are delta-method (linearized) over documents: for a plain mean this is lm-eval's
// mean_stderr; for the flattened instruction mean it is the ratio estimator's cluster-robust error
// (instructions of one prompt are not independent; lm-eval reports N/A there).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "eval/scoring.h"
#include "eval/task_config.h"

namespace lfmb::eval {

// What one scored prompt followed: a document, or one turn of a multi-turn document.
struct FollowRecord {
  size_t doc = 0;                  // the document's index in the task's list (errors pool by document)
  std::vector<bool> strict, loose; // one per instruction
};

// An estimate with its per-document influence (its linearization), so averages of estimates
// (overall, the mean over turns) get a standard error too.
struct Estimate {
  double value = 0;
  std::vector<double> influence;   // per document; 0 for documents not involved
  std::vector<bool> involved;
  MetricValue metric() const;      // value with sqrt(n/(n-1) * sum influence^2), n = documents involved (null if n < 2)
};

Estimate prompt_level_acc(const std::vector<FollowRecord>& records, size_t n_docs, bool loose);
Estimate inst_level_acc(const std::vector<FollowRecord>& records, size_t n_docs, bool loose);
Estimate mean_of(const std::vector<Estimate>& parts);

// Scores a task with process_results: instruction_following. The suite of checkers is
// metadata.instruction_suite (ifeval, ifbench, multi_if); multi-turn tasks (doc_to_turns) are
// scored per turn and language as Multi-IF's metrics_gen does.
TaskScores score_instruction_following(const TaskConfig& t, const std::vector<DocResult>& docs);

// Before any generation: every instruction id of the documents docs[ids] is in the task's suite (a
// run must not spend hours generating and then fail in scoring). Throws lfmb::Error naming the first
// unknown id and its document.
void check_instruction_ids(const TaskConfig& t, const std::vector<nlohmann::json>& docs, const std::vector<size_t>& ids);

// The response the checkers see: <think> blocks removed (strip_think) when it has a think tag,
// otherwise unchanged (the checkers are whitespace-sensitive, and the official ones see the raw text).
std::string if_visible_response(const std::string& response);

// Multi-IF's metrics read `responses` as json.loads(r)[0]['response'] when that works, else r.
std::string multi_if_response_text(const std::string& r);

}  // namespace lfmb::eval
