// Builds a document's prompt as lm-eval's ConfigurableTask.fewshot_context does (lm_eval/api/task.py
// and api/utils.py at 4e7e0d47f33b): system instruction + description, few-shot question/answer
// turns (target_delimiter between question and answer, fewshot_delimiter after each answer), then
// the question. Plain text joins the turns; chat mode keeps them as user/assistant messages
// (few-shot as multi-turn) for the model's chat template.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/tokenizer/chat_template.h"
#include "eval/task_config.h"
#include "eval/template/doc_template.h"

namespace lfmb::eval {

struct PromptMessage {
  std::string role;       // system | user | assistant
  std::string content;
  std::string delimiter;  // appended in plain text only
};

class TaskPrompts {
 public:
  explicit TaskPrompts(const TaskConfig& t);  // compiles the templates (errors name the task file)

  std::string text(const nlohmann::json& doc) const;
  std::vector<std::string> choices(const nlohmann::json& doc) const;  // multiple_choice only
  // The gold answer: for multiple_choice the index into choices(); for generation the text.
  int gold_index(const nlohmann::json& doc) const;
  std::string target(const nlohmann::json& doc) const;                // text (MC: the gold choice)
  std::string description(const nlohmann::json& doc) const;

  std::vector<PromptMessage> messages(const nlohmann::json& doc, const std::vector<const nlohmann::json*>& fewshot,
                                      const std::string& system_instruction) const;

 private:
  std::string fewshot_answer(const nlohmann::json& doc) const;
  const TaskConfig& t_;
  DocTemplate text_, target_;
  std::optional<DocTemplate> choice_template_, fewshot_target_, description_;
};

// lm-eval's plain-text rendering: each message's content then its delimiter.
std::string plain_text(const std::vector<PromptMessage>& messages);
std::vector<ChatMessage> chat_messages(const std::vector<PromptMessage>& messages);

// Indices into the few-shot pool for every evaluated document, in doc order, as lm-eval's
// samplers draw them: first_n takes the first n (skipping the document itself when the pool is
// the test split); the default sampler draws random.Random(seed).sample(pool, n) (n + 1 and the
// document removed when the pool is the test split), one generator shared by the documents in order.
std::vector<std::vector<size_t>> fewshot_indices(const TaskConfig& t, size_t n_docs, size_t pool_size, int n,
                                                 bool same_split, uint64_t fewshot_seed);

}  // namespace lfmb::eval
