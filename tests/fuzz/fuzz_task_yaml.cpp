// Fuzz target: an eval task YAML (eval/task_config: load_task_file, with lm-eval's `include:`),
// then what `lfmb eval` does with a task before any model runs: the task index (groups and their
// expansion), the prompt templates compiled and rendered over a small document, process_docs, the
// few-shot sampler, the generation settings, and scoring (filters + metrics) of one made-up response per document.
// Input: the task file; when it holds a NUL byte, the part after it is written beside it as
// `_base.yaml` (an include-only template file, as eval/tasks use them).
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "eval/process_docs.h"
#include "eval/prompt_builder.h"
#include "eval/run/run_support.h"
#include "eval/scoring.h"
#include "eval/task_config.h"
#include "eval/task_index.h"
#include "tests/fuzz/support.h"

using namespace lfmb;
using namespace lfmb::eval;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  const std::string path = fuzz::write_input_file("tasks/fuzz.yaml", in.substr(0, nul));
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const std::string base = dir + "/_base.yaml";
  if (nul != std::string_view::npos) fuzz::write_input_file("tasks/_base.yaml", in.substr(nul + 1));
  else std::filesystem::remove(base);

  static const std::vector<json> docs = {
      json::parse(R"({"question": "What is 2+3?", "answer": "#### 5", "choices": ["4", "5", "6"], "label": 1,
                      "A": "x", "B": "y", "C": "z", "D": "w", "options": ["a", "b"], "target": "5", "level": "Level 5",
                      "problem": "Compute $1+1$.", "solution": "\\boxed{2}", "answer_number": 5, "n": 3.5})"),
      json::parse(R"({"question": "", "answer": "", "choices": [], "label": 0, "target": null})")};

  fuzz::expect_only_lfmb_errors([&] {
    const TaskFileContents contents = load_task_file(path);
    for (const TaskConfig& t : contents.tasks) {
      fuzz::expect_only_lfmb_errors([&] { (void)apply_process_docs(t, docs); });
      fuzz::expect_only_lfmb_errors([&] { (void)generation_json(generation_settings(t, TaskSettings{}, 1, 0)); });
      fuzz::expect_only_lfmb_errors([&] { (void)fewshot_indices(t, 3, 5, std::min(t.num_fewshot, 8), true, 1234); });
      const TaskPrompts prompts(t);
      std::vector<DocResult> results;
      for (size_t i = 0; i < docs.size(); ++i)
        fuzz::expect_only_lfmb_errors([&] {
          DocResult r;
          r.doc_id = i;
          r.doc = docs[i];
          const std::vector<const json*> shots = {&docs[0]};
          (void)plain_text(prompts.messages(docs[i], shots, "sys"));
          (void)chat_messages(prompts.messages(docs[i], {}, ""));
          r.target = prompts.target(docs[i]);
          if (t.output_type == "multiple_choice") {
            r.choices = prompts.choices(docs[i]);
            r.gold = prompts.gold_index(docs[i]);
            for (size_t c = 0; c < r.choices.size(); ++c) r.lls.push_back({-double(c) - 0.5, c == 0});
          } else {
            r.response = "<think>hm</think> The answer is 5. #### 5 \\boxed{5} (B)";
            r.finish_reason = "stop";
          }
          results.push_back(std::move(r));
        });
      fuzz::expect_only_lfmb_errors([&] { (void)score_task(t, results); });
    }
    const TaskIndex index({dir});
    (void)index.expand(index.names());
    (void)index.groups_of(index.names());
  });
  return 0;
}
