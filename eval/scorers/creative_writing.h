// Creative Writing v3 (EQ-bench/creative-writing-bench @ e7ab00917c96): the rules of
// core/conversation.py (short-response retries, judge prompt filling), core/scoring.py (judge
// output parsing, negative criteria inverted, per-piece mean, overall mean, x5 scaling, bootstrap)
// and utils/api.py (the reasoning blocks cut from a reply). The document processor of
// `process_results: creative_writing`; the judge itself is asked by creative_writing_judging.h.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/scoring.h"
#include "eval/task_config.h"

namespace lfmb::eval::cwb {

// conversation.py: up to 3 generations while the stripped response is shorter than 500 characters.
inline constexpr int kMaxAttempts = 3;
inline constexpr size_t kMinResponseChars = 500;
// scoring.py: SCORE_RANGE_MAX, and bootstrap_benchmark_stability_creative's defaults.
inline constexpr double kScoreMax = 20.0;
inline constexpr int kBootstrapResamples = 500;
inline constexpr double kConfidenceLevel = 0.95;
// conversation.py's judge call: temperature 0.0, max_tokens 1000.
inline constexpr int kJudgeMaxTokens = 1000;

// The rubric files of the data folder (data/ in the official repo).
struct Rubric {
  std::string judge_template;               // creative_writing_judging_prompt.txt as read in text mode
  std::vector<std::string> criteria;        // creative_writing_criteria.txt: stripped, non-empty lines
  std::vector<std::string> negative;        // negative_criteria.txt: the same
};
// Reads the three files from `dir` (names from the task's metadata: judge_prompt_file,
// criteria_file, negative_criteria_file, defaulting to the official names).
Rubric load_rubric(const std::string& dir, const nlohmann::json& metadata);

// utils/api.py, applied to every reply (test model and judge): when it holds both "<think>" and
// "</think>", keep what follows the first "</think>"; the same for <reasoning>.
std::string cut_reasoning(const std::string& reply);
// The piece as conversation.py stores it: cut_reasoning, then .strip().
std::string visible_text(const std::string& reply);
// conversation.py: len(response.strip()) < 500 (characters, after the reasoning cut).
bool too_short(const std::string& visible);
// The sampling seed of generation attempt 2, 3 of a document (attempt 1 uses the document's seed):
// a fixed mix, so reruns and shards draw the same tokens.
uint64_t attempt_seed(uint64_t doc_seed, int attempt);

// judge_prompt.format(writing_prompt=base_prompt, test_model_response=response,
// creative_writing_criteria="\n".join("- " + c), lower_is_better_criteria=", ".join(negative)),
// with Python str.format's brace rules ({{ and }} are literal braces; another field is an error).
std::string fill_judge_prompt(const Rubric& r, const std::string& base_prompt, const std::string& response);

// parse_judge_scores_creative: re.findall of both patterns over the reply, pattern 1's matches
// first; name = group 1 stripped, score = float(group 2); scores > 20 dropped; a later match of
// the same name replaces the value but keeps the first position (a Python dict).
std::vector<std::pair<std::string, double>> parse_judge_scores(const std::string& reply);

// compute_creative_scores for one piece: negative criteria inverted (20 - x), values still <= 20
// kept, their mean; nullopt when none is left.
std::optional<double> piece_score(const std::vector<std::pair<std::string, double>>& scores,
                                  const std::vector<std::string>& negative);

// Python's round(x, 2) (correctly rounded from x's exact binary value, ties to even).
double py_round2(double x);

// numpy's pairwise summation (np.sum / np.mean over a float64 array), so the bootstrap mean and
// standard deviation are numpy's to the last bit.
double np_sum(const std::vector<double>& xs);

struct Bootstrap {
  double original = 0, mean = 0, std = 0, ci_lower = 0, ci_upper = 0;
  nlohmann::json to_json() const;
};
// bootstrap_benchmark_stability_creative over the pieces that have judge scores (each element:
// that piece's score, or nullopt when its scores were all out of range): `n` resamples drawn as
// random.choices(tasks, k=len(tasks)) from random.Random(seed); each resample's overall score is
// round(mean of its pieces' scores, 2) (0.0 when none has one). pieces must not be empty.
Bootstrap bootstrap(const std::vector<std::optional<double>>& pieces, uint64_t seed, int n = kBootstrapResamples,
                    double confidence_level = kConfidenceLevel);

// Scores a task with `process_results: creative_writing`. Each DocResult's `extra` holds what the
// generation and the judge pass recorded: attempts, generation_failed, judge_prompt_sha256,
// judge_reply (the raw reply, parsed after cut_reasoning), negative_criteria. metadata.bootstrap_seed seeds the bootstrap.
TaskScores score_creative_writing(const TaskConfig& t, const std::vector<DocResult>& docs);

}  // namespace lfmb::eval::cwb
