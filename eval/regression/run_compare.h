// Per-document comparison of two `lfmb eval` output folders (results.json + samples_<task>.jsonl),
// the decision side of ../shared/eval-protocols.md §4.2: for each task both runs have, the primary
// metric of each run, the paired difference B − A with its standard error, the documents that
// flipped (right in one run only) and McNemar's exact p-value, plus how often the two runs gave the
// same answer. Documents are paired by doc_id; a doc_id whose doc_hash differs means the runs saw
// different data (or a different process_docs) and the comparison is refused.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb::eval {

struct TaskComparison {
  std::string task;
  std::string metric;              // "<metric>,<filter>", e.g. "acc,none"
  double a = 0, b = 0;             // means of the metric over the paired documents
  double diff = 0;                 // b − a
  std::optional<double> diff_stderr;  // paired: sample sd of (b_i − a_i) / sqrt(n); none when n < 2
  size_t n = 0;                    // paired documents
  size_t n_a_only = 0, n_b_only = 0;  // documents scoring higher in A (right in A, wrong in B) / in B
  double mcnemar_p = 1;
  std::vector<int64_t> flipped;    // doc_ids of those documents, ascending
  // Share of documents with the same answer: generative tasks compare the filtered response the
  // metric scored; multiple-choice tasks compare the choice with the highest loglikelihood.
  double agree = 0;
  double identical = 0;            // share with byte-identical `resps`
  size_t n_unpaired_a = 0, n_unpaired_b = 0;  // documents only one run has (e.g. different --limit)
  // Paired documents whose `arguments` (the prompt and continuations) differ: a changed template,
  // few-shot setting or tokenizer-side change rather than numerics. Not refused, but shown.
  size_t n_prompt_changed = 0;
};

struct RunComparison {
  std::vector<TaskComparison> tasks;      // in results.json order of run A
  std::vector<std::string> only_a, only_b;  // tasks one run has and the other lacks
};

// One task from its samples lines (as read from samples_<task>.jsonl; `where_a`/`where_b` name the
// files in errors). The metric key must be present in every line.
TaskComparison compare_task_samples(const std::string& task, const std::string& metric,
                                    const std::vector<nlohmann::json>& samples_a,
                                    const std::vector<nlohmann::json>& samples_b, const std::string& where_a,
                                    const std::string& where_b);

// Every task in both folders (groups are skipped: their documents are their subtasks'). `tasks`,
// when not empty, restricts the comparison to those names (each must be in both runs). The primary
// metric is the task's `headline` when its samples carry it per document, else its first metric key
// in results.json order with per-document numbers ("acc,none" for multiple choice).
RunComparison compare_runs(const std::string& dir_a, const std::string& dir_b,
                           const std::vector<std::string>& tasks = {});

struct CompareGate {
  std::optional<double> alpha;       // fail a task when mcnemar_p < alpha
  std::optional<size_t> max_flips;   // fail a task when n_a_only + n_b_only > max_flips
};

struct GateVerdict {
  bool failed = false;
  std::vector<std::string> failed_tasks;
  std::string summary;               // one line
};

GateVerdict apply_gate(const RunComparison& c, const CompareGate& gate);

// {"tasks": {"<task>": {...}}, "gate": {...}} as `lfmb eval compare --json` prints it.
nlohmann::ordered_json comparison_json(const RunComparison& c, const CompareGate& gate, const GateVerdict& v);

// The text table (one row per task) and, when a gate failed, the table of what moved.
std::string comparison_table(const RunComparison& c);
std::string moved_table(const RunComparison& c, const GateVerdict& v);

}  // namespace lfmb::eval
