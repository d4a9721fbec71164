// Scores a task's documents once their responses are known: think-stripping, each named filter
// chain, each metric, then means with standard errors (lm-eval mean_stderr). One pass in doc_id
// order, shared by `lfmb eval` (after the model ran), `lfmb eval merge` and `lfmb eval score`, so
// all three give the same numbers for the same responses.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/run/eval_model.h"
#include "eval/task_config.h"

namespace lfmb::eval {

// One turn of a multi-turn document (the task's doc_to_turns): the conversation so far plus this
// turn's user message, and the model's reply.
struct TurnResult {
  bool skipped = false;              // the turn's message is null ("None" or empty in Multi-IF)
  std::string context;               // the rendered prompt (chat template or plain text)
  std::string response;              // the model's reply as generated
  std::string finish_reason;
  int64_t prompt_tokens = 0, generated_tokens = 0;
  bool truncated = false;
};

struct DocResult {
  size_t doc_id = 0;
  nlohmann::json doc;
  nlohmann::json arguments;          // the prompt, or [[context, continuation], ...]
  std::string target;                // doc_to_target as text (MC: the gold choice)
  // multiple_choice
  int gold = -1;
  std::vector<std::string> choices;
  std::vector<LoglikelihoodResult> lls;
  // generate_until
  std::string response;
  std::string finish_reason;
  int64_t prompt_tokens = 0, generated_tokens = 0;
  bool truncated = false;
  // multi-turn documents: one entry per turn (response/finish_reason above stay empty)
  std::vector<TurnResult> turns;
  // what a document processor needs beyond the response (creative_writing: attempts,
  // generation_failed, the judge's reply)
  nlohmann::json extra = nlohmann::json::object();
};

struct MetricValue {
  double value = 0;
  std::optional<double> stderr_;     // null with fewer than 2 documents
};

struct TaskScores {
  std::map<std::string, MetricValue> metrics;   // "<metric>,<filter>"
  std::vector<std::string> metric_order;        // as the YAML lists them
  std::map<std::string, bool> higher_is_better; // by metric name
  size_t n = 0, n_truncated = 0, n_length = 0;  // documents, cut contexts, generations that hit max_gen_toks
  std::vector<nlohmann::json> samples;          // samples_<task>.jsonl lines, doc_id order
  nlohmann::json extra = nlohmann::json::object();  // more keys for results.json's task entry (no ',' in their names)
};

// docs must be sorted by doc_id. data_dir ("" = default_data_dir()) is where processors that read
// their dataset file themselves (evalplus: the exact inputs) find it.
TaskScores score_task(const TaskConfig& t, const std::vector<DocResult>& docs, const std::string& data_dir = "");

// The fields every generation sample line has (doc_id, doc_hash, arguments, target, resps,
// finish_reason, token counts); document processors add their own.
nlohmann::json generation_sample_base(const DocResult& d);

// doc_hash: SHA-256 of the document's JSON text (keys sorted), as lm-eval hashes the doc.
std::string doc_hash(const nlohmann::json& doc);

// lm-eval's mean_stderr: sample standard deviation / sqrt(n).
std::optional<double> mean_stderr(const std::vector<double>& xs);

// Group aggregation (lm-eval aggregate_subtask_metrics + pooled_sample_stderr).
MetricValue aggregate_group(const std::vector<MetricValue>& values, const std::vector<size_t>& sizes, bool weight_by_size);

}  // namespace lfmb::eval
