// Continuous batching of generation requests (as llama-server's slots and vLLM do): up to
// max_sequences requests decode together, one token each per forward step (Session::decode_batch),
// and a waiting request takes a slot as soon as one frees. Each request is prefilled alone when it
// joins. Greedy requests produce exactly the tokens they produce alone (decode_batch is bitwise
// batch-invariant on the native and reference backends). `lfmb eval --batch-size`, `lfmb serve`
// and `lfmb bench --sequences` run on it.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/model/generate.h"
#include "core/model/model.h"

namespace lfmb {

// Most sequences a batch, a bench test or a server may decode together.
inline constexpr int kMaxSequences = 256;

// Throws an lfmb::Error unless n sequences (n ≤ kMaxSequences and ≤ n_batch) fit in memory: the
// model's plan counts one session; each further one is another KV cache and conv state.
void check_sequences_fit(const Model& m, int n);

// Why a request stopped.
enum class SequenceEnd {
  Stopped,  // on_token returned false (end token, stop string, client gone)
  Length,   // max_new tokens produced
  Context,  // the session reached n_ctx
};

struct SequenceRequest {
  std::vector<int32_t> prompt;  // non-empty, ids in range, shorter than n_ctx
  int64_t max_new = 1;          // ≥ 1
  PickToken pick;               // chooses each token from the logits (greedy, a sampler)
  OnToken on_token;             // hears each token; false stops the request (the token counts)
  std::function<void(SequenceEnd)> on_end;  // once, when the request leaves its slot
};

class SequenceBatch {
 public:
  // Creates max_sequences sessions (each a full KV cache of n_ctx positions) after checking they
  // fit in memory: an lfmb::Error naming the sizes otherwise.
  SequenceBatch(const Model& m, int max_sequences);

  // Queues a request (checked here: an lfmb::Error for an empty or too long prompt, a bad id).
  void add(SequenceRequest r);
  // Admits waiting requests into free slots (prefill + first token), then runs one decode step
  // for every active request. Returns false when nothing is active or waiting.
  bool step();
  // step() until every request has ended.
  void run();

  int active() const;                              // requests in slots
  size_t waiting() const { return queue_.size(); }
  int max_sequences() const { return int(slots_.size()); }
  // Tokens run through the model: prompt tokens prefilled plus decode-step tokens.
  int64_t tokens_processed() const { return tokens_processed_; }

 private:
  struct Slot {
    std::unique_ptr<Session> session;
    std::optional<SequenceRequest> request;
    int64_t produced = 0;
    int32_t next = 0;  // the token to run in the next step
  };
  // Hands `token` to the slot's request; true when it stays for another step.
  bool accept(Slot& s, int32_t token);
  void end(Slot& s, SequenceEnd why);

  const Model& m_;
  std::vector<Slot> slots_;
  std::deque<SequenceRequest> queue_;
  int64_t tokens_processed_ = 0;
};

}  // namespace lfmb
