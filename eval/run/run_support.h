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
void apply_turn_response(TurnResult& tr, const nlohmann::json& r);

// A multi-turn document's conversation up to turn `upto` (0-based): the system instruction, the
// earlier turns' user messages each followed by the model's reply (stripped, as Multi-IF's
// generation stores it), then turn upto's message; rendered with the chat template, or in plain
// text (contents joined by a blank line) when the run has none. Skipped turns add nothing.
std::string multi_turn_context(const PreparedTask& p, const DocResult& d, size_t upto, const TaskSettings& s,
                               const ChatSetup& chat);
// The user messages of a multi-turn document (doc[doc_to_turns][i].message; null: skipped).
const nlohmann::json& turn_specs(const TaskConfig& t, const nlohmann::json& doc, size_t doc_id);
std::vector<GroupOutcome> score_groups(const TaskIndex& idx, const std::vector<std::string>& names,
                                       const std::vector<TaskOutcome>& tasks);
std::string running_score(const TaskConfig& t, const std::vector<DocResult>& done);
void check_dir_writable(const std::string& dir);

}  // namespace lfmb::eval
