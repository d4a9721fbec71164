// Everything that defines an eval run: the CLI flags of `lfmb eval` and the keys of an eval
// config (configs/eval/*.yaml) are the same names (flags with dashes, YAML keys with
// underscores), and the resolved set goes into results.json.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model/model.h"
#include "eval/judge/judge_settings.h"

namespace lfmb::eval {

// Settings a config may give per task (configs/eval/card.yaml: `tasks: [{task: gsm8k, ...}]`).
struct TaskSettings {
  std::optional<int64_t> limit;
  std::optional<int> num_fewshot;
  std::optional<int64_t> max_gen_toks;
  std::optional<bool> apply_chat_template;
  std::optional<bool> think;
  std::optional<std::string> system;
  nlohmann::json gen_kwargs = nlohmann::json::object();  // lm-eval --gen_kwargs: override generation_kwargs keys
};

struct EvalOptions {
  std::string name;                    // output folder name part (config name or "eval")
  std::string model_path;
  ModelOptions model;
  std::vector<std::string> tasks;      // task or group names as given
  std::map<std::string, TaskSettings> per_task;  // by the name given
  TaskSettings defaults;               // from flags / the config's top level
  int batch_size = 1;                  // generation requests decoded together (lm-eval --batch_size)
  uint64_t seed = 0;                   // sampling seed; few-shot draws use lm-eval's 1234 + seed
  std::string chat_template;           // "" = the GGUF's; lfm2 | qwen3 to choose a family
  std::string data_dir;
  std::vector<std::string> include_paths;
  std::string output_dir;              // "" = results/<device>/eval/<date>-<name>/
  int shard_index = 1, shard_count = 1;
  bool progress = true;
  bool dry_run = false;               // resolve tasks, settings and data, print the plan, run nothing
  bool skip_missing_data = false;     // a task whose data file is absent is skipped and listed, not an error
  JudgeSettings judge;                 // LLM-judged tasks (creative_writing_v3): --judge-url/-model/-responses
  nlohmann::json resolved_config;      // what the run was asked, for results.json
};

}  // namespace lfmb::eval
