// `lfmb eval kld`: runs the base model (or reads its saved log-probs) and the model under test over
// the same tokens and accumulates KL(base ‖ model) per scored position. With --text the input is
// llama-perplexity's chunk protocol (ggml-org/llama.cpp tools/perplexity/perplexity.cpp
// @050fc7f32de1, perplexity() and kl_divergence()): the text tokenized with BOS as
// common_tokenize(..., add_special=true) does, whole chunks of n_ctx tokens, the first token of
// each chunk replaced by BOS when the vocabulary adds BOS, positions n_ctx/2 .. n_ctx−2 scored.
#pragma once
#include "core/model/model.h"
#include <cstdint>
#include <string>

#include "eval/regression/kld_stats.h"

namespace lfmb::eval {

struct KldModelSpec {
  std::string path;
  std::string backend = "reference";
  std::string dtype;
  // The load options for this side: its backend and dtype, the run's threads, a context that fits.
  ModelOptions options(int threads, int64_t n_ctx) const {
    ModelOptions o;
    o.backend = backend;
    o.dtype = dtype;
    o.threads = threads;
    o.n_ctx = n_ctx;
    return o;
  }
};

struct KldRunOptions {
  KldModelSpec base, model;
  int threads = 1;
  std::string tokens_file;  // one sequence per line, every position with a next token scored
  std::string text_file;    // llama-perplexity chunks of ctx_size (at most `chunks` when > 0)
  int64_t ctx_size = 0, chunks = 0;
  std::string save_base;    // write the base log-probs here
  std::string base_logits;  // read them from here instead of running the base model
};

// Throws lfmb::Error (one line) on bad input: inputs that do not agree with a --base-logits file,
// vocabularies of different sizes, token ids out of range, too little text.
KldAccumulator run_kld(const KldRunOptions& opts);

}  // namespace lfmb::eval
