// The judge pass of Creative Writing v3 (EQ-bench/creative-writing-bench @ e7ab00917c96,
// core/conversation.py CreativeWritingTask.judge): for every piece that was generated (not
// generation_failed), the judging prompt is filled with the prompt template as stored (with its
// <SEED>), the piece and the rubric, and sent as one user message at temperature 0, max_tokens
// 1000 (and min_p 0.1 except to api.openai.com, as utils/api.py sends it). The reply goes into the
// document's extra (judge_prompt_sha256, judge_reply) for score_creative_writing.
#pragma once
#include <string>
#include <vector>

#include "eval/judge/judge.h"
#include "eval/scoring.h"
#include "eval/task_config.h"

namespace lfmb::eval::cwb {

// The base prompt of a document (its `base_prompt` field: the stored template with <SEED>).
std::string base_prompt_of(const DocResult& d);

// Throws lfmb::Error when the judge fails (after its retries): the run stops, and rerunning the
// same command resumes from the cache (the official run re-queues the piece the same way).
void judge_documents(const TaskConfig& t, std::vector<DocResult>& docs, const std::string& data_dir, Judge& judge,
                     bool progress);

// The rule of the generation side, shared by `lfmb eval` and `lfmb eval score`: records attempts
// and marks a piece whose visible text is still shorter than 500 characters as generation_failed.
void mark_generation(DocResult& d, int attempts);

}  // namespace lfmb::eval::cwb
