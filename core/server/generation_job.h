// One server request while it generates: the scheduler thread feeds it tokens (pick, on_token,
// on_end: what core/model/sequence_batch.h asks of a request) and the HTTP thread that owns the
// client waits for its text, streamed or whole. The two meet under the job's mutex. The text is
// decoded as eval's generation requests are (StreamingDecoder without special tokens, end tokens
// and stop strings end the request, the text is cut before the stop string); streamed text holds
// back the bytes a stop string could still begin with, so a client never sees a stop string's
// first half.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "core/model/sequence_batch.h"
#include "core/tokenizer/sampler.h"
#include "core/tokenizer/streaming_decoder.h"
#include "core/tokenizer/tokenizer.h"

namespace lfmb {

struct JobSettings {
  std::vector<int32_t> prompt;     // tokens, checked against the model by the server
  int64_t max_new = 1;             // token budget (≥ 1)
  SamplerOptions sampling;         // temperature <= 0: greedy (argmax)
  std::vector<std::string> stop;   // stop strings
  std::vector<int32_t> stop_ids;   // end tokens (eos, <|im_end|>)
};

class GenerationJob {
 public:
  // `tok` must outlive the job (the server's tokenizer; decoding only reads it).
  GenerationJob(const Tokenizer& tok, JobSettings s);

  const JobSettings& settings() const { return s_; }

  // --- the scheduler thread ---
  int32_t pick(const float* logits, int64_t n_vocab);
  bool on_token(int32_t token);  // false ends the request
  void on_end(SequenceEnd why);
  void fail(const std::string& message);  // ends the request with an error (e.g. the model threw)

  // --- any thread ---
  // The client went away: the request ends at its next token.
  void cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }

  // --- the client's thread ---
  struct Progress {
    std::string text;  // text not handed out before
    bool ended = false;
  };
  // Waits up to `timeout` for new text or the end, and hands out the text that became safe.
  Progress wait(std::chrono::milliseconds timeout);
  // Waits up to `timeout` for the end (a whole answer); true once ended.
  bool wait_end(std::chrono::milliseconds timeout);
  bool ended() const;
  // After the end (wait() said so):
  std::string text() const;            // the whole answer
  std::string finish_reason() const;   // "stop" | "length"
  std::string error() const;           // non-empty when the job failed
  int64_t completion_tokens() const;

 private:
  JobSettings s_;
  const Tokenizer& tok_;  // for the decoder
  Sampler sampler_;
  StreamingDecoder dec_;  // scheduler thread only
  size_t longest_stop_ = 0;
  bool cut_at_stop_string_ = false;  // scheduler thread only
  std::atomic<bool> cancelled_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string text_;      // decoded so far, cut before a stop string
  size_t safe_ = 0;       // text_[0, safe_) can no longer change
  size_t handed_ = 0;     // text_[0, handed_) was handed out by wait()
  bool ended_ = false;
  std::string finish_reason_;
  std::string error_;
  int64_t completion_tokens_ = 0;
};

}  // namespace lfmb
