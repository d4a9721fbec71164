// A task or group definition read from eval/tasks/*.yaml, with lm-eval's field names
// (lm_eval/config/task.py TaskConfig) and lm-eval's `include:` inheritance. Unknown keys, wrong
// types and values outside what lfmb implements are one-line errors naming file:line and the key.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb::eval {

struct FilterStepConfig {
  std::string function;   // a name in the filter registry (eval/scorers/registry.cpp)
  nlohmann::json args;    // the step's other keys
};

struct FilterConfig {
  std::string name;                       // lm-eval filter name, e.g. "strict-match"
  std::vector<FilterStepConfig> steps;
};

struct MetricConfig {
  std::string metric;                     // acc, acc_norm, exact_match, is_equiv, ...
  std::string aggregation = "mean";       // mean | agg_inst_level_acc (instruction following)
  bool higher_is_better = true;
  nlohmann::json args;                    // e.g. ignore_case, regexes_to_ignore
  std::vector<std::string> filters;       // `filter_list:` of the entry: the filters it scores (empty: all)
};

struct ProcessDocsStep {
  std::string function;                   // a name in eval/process_docs.cpp
  nlohmann::json args;
};

struct TaskConfig {
  std::string task;                       // unique name
  std::string task_alias;
  std::string file;                       // the YAML it came from
  std::string dataset_path;               // folder under the data dir
  std::string dataset_name;
  nlohmann::json dataset_kwargs = nlohmann::json::object();  // data_files {split: file}, format options
  std::string test_split = "test";
  std::string fewshot_split;
  std::vector<ProcessDocsStep> process_docs;
  std::string output_type = "generate_until";  // multiple_choice | generate_until
  std::string doc_to_text;                // template source
  std::string doc_to_target;
  nlohmann::json doc_to_choice;           // list of strings, or a template source string (null: none)
  std::string description;
  std::string target_delimiter = " ";
  std::string fewshot_delimiter = "\n\n";
  std::string gen_prefix;
  int num_fewshot = 0;
  std::string fewshot_sampler = "default";  // default (seeded sample) | first_n
  std::string fewshot_doc_to_target;      // fewshot_config.doc_to_target (empty: doc_to_target)
  nlohmann::json fewshot_samples;         // fewshot_config.samples: fixed examples (null: from split)
  nlohmann::json generation_kwargs = nlohmann::json::object();
  std::vector<FilterConfig> filter_list;  // empty: one filter "none" that keeps the response
  std::vector<MetricConfig> metric_list;
  std::string data_hint;                  // how users obtain data files that are not shipped
  // lfmb's named document processors in place of lm-eval's `process_results: !function ...`:
  // "" (filters + metrics), "instruction_following" (eval/scorers/instruction_following.h) or
  // "livecodebench" (eval/code/lcb_score.h), "evalplus" (eval/code/evalplus_scorer.h): both run
  // model-written programs in the code sandbox (runs_model_code).
  std::string process_results;
  // Multi-turn generation: the document field holding the user turns, each {role, content} or
  // null (a skipped turn). Each turn is generated after the earlier turns and the model's own
  // replies (Multi-IF). Empty: one prompt from doc_to_text.
  std::string doc_to_turns;
  nlohmann::json metadata = nlohmann::json::object();
  nlohmann::json resolved;                // every key after includes, for results.json
};

struct GroupConfig {
  std::string group;
  std::string file;
  std::vector<std::string> tasks;         // task or group names
  struct Aggregate {
    std::string metric;
    std::string filter = "none";
    bool weight_by_size = true;
  };
  std::vector<Aggregate> aggregate_metric_list;
  nlohmann::json metadata = nlohmann::json::object();
};

// One YAML file may define a task, a group, or a group whose `task:` list holds inline task
// definitions (lm-eval allows both).
struct TaskFileContents {
  std::vector<TaskConfig> tasks;
  std::vector<GroupConfig> groups;
};

TaskFileContents load_task_file(const std::string& path);

// Whether scoring the task runs model-written programs (in the code sandbox, eval/sandbox).
inline bool runs_model_code(const TaskConfig& t) {
  return t.process_results == "livecodebench" || t.process_results == "evalplus";
}

// lm-eval's name for the filter-less pipeline.
inline constexpr const char* kNoFilter = "none";

}  // namespace lfmb::eval
