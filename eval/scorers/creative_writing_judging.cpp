// Follows EQ-bench/creative-writing-bench @ e7ab00917c96 core/conversation.py (judge) and
// utils/api.py (the request the judge gets).
#include "eval/scorers/creative_writing_judging.h"

#include <cstdio>
#include <filesystem>

#include "core/error.h"
#include "eval/scorers/creative_writing.h"

namespace lfmb::eval::cwb {

std::string base_prompt_of(const DocResult& d) {
  if (!d.doc.contains("base_prompt") || !d.doc["base_prompt"].is_string())
    throw Error("creative writing: document " + std::to_string(d.doc_id) + " has no base_prompt");
  return d.doc["base_prompt"].get<std::string>();
}

void mark_generation(DocResult& d, int attempts) {
  d.extra["attempts"] = attempts;
  d.extra["generation_failed"] = too_short(visible_text(d.response));
}

void judge_documents(const TaskConfig& t, std::vector<DocResult>& docs, const std::string& data_dir, Judge& judge,
                     bool progress) {
  const Rubric rubric = load_rubric((std::filesystem::path(data_dir) / t.dataset_path).string(), t.metadata);
  // utils/api.py sends min_p (default 0.1) to every endpoint but OpenAI's own.
  std::optional<double> min_p = 0.1;
  if (judge.settings().url.find("://api.openai.com/") != std::string::npos) min_p.reset();
  size_t n = 0;
  for (DocResult& d : docs) {
    ++n;
    if (d.extra.value("generation_failed", false)) continue;  // conversation.py: not judged
    const std::string piece = visible_text(d.response);
    if (piece.empty()) continue;  // "[Skipping – empty generation]"
    const std::string prompt = fill_judge_prompt(rubric, base_prompt_of(d), piece);
    const Judge::Reply r = judge.ask(prompt, 0.0, kJudgeMaxTokens, min_p);
    d.extra["judge_prompt_sha256"] = r.sha256;
    d.extra["judge_reply"] = r.text;
    d.extra["negative_criteria"] = rubric.negative;
    if (progress && r.source == "api")
      std::fprintf(stderr, "\r%s: judged %zu/%zu", t.task.c_str(), n, docs.size());
  }
  if (progress && judge.api_calls()) std::fprintf(stderr, "\n");
}

}  // namespace lfmb::eval::cwb
