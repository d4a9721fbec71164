// `lfmb eval`: runs tasks on a model and writes results.json, samples_<task>.jsonl and
// results.md; `lfmb eval merge` combines shard folders; `lfmb eval score` scores responses made
// elsewhere. All three end in the same scoring pass (eval/scoring.h) and the same writer.
#pragma once
#include <string>
#include <vector>

#include "eval/run/eval_options.h"

namespace lfmb::eval {

// Returns the output folder written.
std::string run_eval(const EvalOptions& opts);

// Combines the shard folders of one run into `output_dir`: the same files the unsharded run
// writes. The shards must come from the same model, settings and tasks, and cover each
// document once.
std::string merge_eval(const std::vector<std::string>& shard_dirs, const std::string& output_dir);

struct ScoreOptions {
  std::string task;
  std::string responses_path;
  std::string output_dir;
  std::string data_dir;
  std::vector<std::string> include_paths;
  JudgeSettings judge;  // LLM-judged tasks
  bool progress = true;
};
std::string score_offline(const ScoreOptions& opts);

}  // namespace lfmb::eval
