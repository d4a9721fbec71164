// The model side of an eval run, in lm-eval's request vocabulary (lm_eval/api/model.py):
// loglikelihood(context, continuation) -> (logprob, is_greedy) and generate_until(context,
// gen_kwargs) -> text, on one lfmb Model + Session. The choices of one multiple-choice document
// share their context: it runs once and the session rewinds to it for each choice.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model/model.h"
#include "core/model/sequence_batch.h"
#include "core/tokenizer/tokenizer.h"

namespace lfmb::eval {

struct LoglikelihoodResult {
  double logprob = 0;
  bool is_greedy = false;
  int64_t n_tokens = 0;     // continuation tokens scored
};

struct GenerationSettings {
  std::vector<std::string> until;
  int64_t max_gen_toks = 256;
  bool do_sample = false;   // false or temperature 0: greedy
  double temperature = 0.0, top_p = 1.0, min_p = 0.0;  // as given (JSON numbers), sampled in float
  int32_t top_k = 0;
  uint64_t seed = 0;        // per document (the run seed mixed with doc_id), so shards agree
};

struct GenerationResult {
  std::string text;               // up to the first stop string (excluded)
  std::string finish_reason;      // stop | eos | length
  int64_t prompt_tokens = 0, generated_tokens = 0;
  bool truncated = false;         // the context was cut on the left to fit
};

class EvalModel {
 public:
  // chat: contexts are rendered chat text that already carries its BOS; otherwise the
  // tokenizer adds BOS as the vocabulary asks (add_bos_token), so every prompt has exactly one.
  // batch_size: generation requests decoded together by generate_batch (sessions made at the
  // first generation).
  EvalModel(const Model& model, Tokenizer& tok, bool chat, int batch_size = 1);

  // lm-eval's rule: trailing whitespace of the context moves into the continuation; the
  // continuation's tokens are enc(context + continuation)[len(enc(context)):]; inputs longer than
  // n_ctx + 1 tokens are cut on the left. `truncated` is set when that happened.
  std::vector<LoglikelihoodResult> loglikelihood(const std::string& context, const std::vector<std::string>& continuations,
                                                 bool* truncated = nullptr);
  GenerationResult generate(const std::string& context, const GenerationSettings& g);
  // Several requests, batch_size at a time in one decode step (continuous batching); result i
  // for request i. Greedy results are exactly generate()'s, one by one.
  std::vector<GenerationResult> generate_batch(const std::vector<std::pair<std::string, GenerationSettings>>& requests);
  int batch_size() const { return batch_size_; }

  std::vector<int32_t> encode_context(const std::string& text);
  const Tokenizer& tokenizer() const { return tok_; }
  int64_t n_ctx() const { return model_.options().n_ctx; }
  int64_t tokens_processed() const { return tokens_processed_; }

 private:
  const Model& model_;
  Tokenizer& tok_;
  bool chat_;
  int batch_size_;
  // Made at first use, so a task that only scores or only generates holds one kind of cache.
  std::unique_ptr<Session> session_;      // loglikelihood
  std::unique_ptr<SequenceBatch> batch_;  // generation
  std::vector<int32_t> stop_ids_;
  int64_t tokens_processed_ = 0;
};

// Liquid's / lighteval's think stripping before answer extraction: drop <think>…</think> blocks,
// an orphan …</think> (the opening tag was in the prompt), an unterminated <think>…, then strip.
std::string strip_think(const std::string& text);

}  // namespace lfmb::eval
