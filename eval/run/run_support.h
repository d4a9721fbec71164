// The pieces `lfmb eval`, `eval merge` and `eval score` share: task folders, per-task settings,
// a task's documents and prompts, document selection (limit, shard), prompt building, the
// response records, group scores.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/gguf/gguf_reader.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"
#include "eval/prompt_builder.h"
#include "eval/run/eval_model.h"
#include "eval/run/eval_options.h"
#include "eval/run/results_writer.h"
#include "eval/scoring.h"
#include "eval/task_index.h"

namespace lfmb::eval {

// lm-eval's default seeds are 0 (random) and 1234 (few-shot); --seed S adds S to both.
constexpr uint64_t kFewshotSeed = 1234;

std::string utc_date();
std::vector<std::string> task_dirs(const std::vector<std::string>& include_paths);
TaskSettings settings_for(const EvalOptions& o, const TaskIndex& idx, const std::string& leaf);

struct PreparedTask {
  const TaskConfig* cfg = nullptr;
  std::unique_ptr<TaskPrompts> prompts;
  std::vector<nlohmann::json> docs, pool;
  int num_fewshot = 0;
};
PreparedTask prepare_task(const TaskConfig& t, const std::string& data_dir, int num_fewshot);
std::vector<size_t> selected_ids(size_t n_docs, std::optional<int64_t> limit, int shard_i, int shard_n);

struct ChatSetup {
  std::optional<ChatTemplate> tmpl;
  std::string mode;
};
ChatSetup chat_setup(const GgufFile& f, const std::string& override_family, const Tokenizer& tok);

struct BuiltPrompt {
  std::string context;
  nlohmann::json messages;
};
BuiltPrompt build_prompt(const PreparedTask& p, size_t doc_id, const std::vector<size_t>& shots, const TaskSettings& s,
                         const ChatSetup& chat);
GenerationSettings generation_settings(const TaskConfig& t, const TaskSettings& s, uint64_t seed, size_t doc_id);
nlohmann::json generation_json(const GenerationSettings& g);
DocResult doc_skeleton(const PreparedTask& p, size_t doc_id);
void apply_response(DocResult& d, const nlohmann::json& r);
std::vector<GroupOutcome> score_groups(const TaskIndex& idx, const std::vector<std::string>& names,
                                       const std::vector<TaskOutcome>& tasks);
std::string running_score(const TaskConfig& t, const std::vector<DocResult>& done);
void check_dir_writable(const std::string& dir);

}  // namespace lfmb::eval
