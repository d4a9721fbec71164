// The files of an eval folder, in lm-eval's layout: results.json (lm_eval/result_schema.py
// keys), samples_<task>.jsonl (one line per document, doc_id order, no timestamps), results.md
// (lm-eval's make_table). Each is written atomically.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/scoring.h"
#include "eval/task_config.h"

namespace lfmb::eval {

struct TaskOutcome {
  const TaskConfig* task = nullptr;
  TaskScores scores;
  int num_fewshot = 0;
  size_t n_original = 0;                 // documents in the split
  nlohmann::json extra = nlohmann::json::object();  // timings, first prompt tokens, mode
};

struct GroupOutcome {
  std::string group;
  std::vector<std::string> subtasks;
  std::map<std::string, MetricValue> metrics;
  std::vector<std::string> metric_order;
  size_t n = 0;
};

void write_eval_folder(const std::string& dir, const std::vector<TaskOutcome>& tasks,
                       const std::vector<GroupOutcome>& groups, const nlohmann::json& config);

// lm-eval's markdown table.
std::string results_markdown(const nlohmann::json& results_json);

}  // namespace lfmb::eval
