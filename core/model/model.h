// A loaded model (config, weights prepared by a backend) and a Session holding the per-sequence
// state (KV cache, conv states, position), so one model serves many sequences without reloading.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "core/gguf/gguf_reader.h"
#include "core/model/memory_plan.h"
#include "core/model/model_config.h"
#include "kernels/cpu_features.h"

namespace lfmb {

struct ModelOptions {
  std::string backend = "reference";
  int threads = 1;
  std::string dtype;   // passed to the backend
  int64_t n_ctx = 0;   // 0 = min(n_ctx_train, 4096)
  int64_t n_batch = 512;  // prefill chunk length
  uint64_t memory_limit = 0;  // bytes the load may allocate; 0 = MemAvailable from /proc/meminfo
  // true: map the file (page cache, 4 KB pages); false: read it into anonymous memory on huge
  // pages, like a model synthesized in memory (llama-bench's --mmap 0).
  bool mmap = true;
};

struct LayerWeights {
  std::vector<float> attn_norm, ffn_norm, q_norm, k_norm;
  std::vector<float> conv_kernel;               // n_embd × L
  std::vector<float> router, router_bias;       // n_expert × n_embd, n_expert
  std::unique_ptr<PreparedWeight> wq, wk, wv, wo, in_proj, out_proj;
  std::unique_ptr<PreparedWeight> ffn_gate, ffn_up, ffn_down;           // dense
  std::unique_ptr<PreparedWeight> gate_exps, up_exps, down_exps;        // MoE
};

class Model {
 public:
  // Opens, validates every tensor against expected_tensors(), checks memory, prepares weights.
  Model(const std::string& path, const ModelOptions& opts);
  // Same, for a GGUF image already parsed (e.g. a model synthesized in memory).
  Model(GgufFile file, const ModelOptions& opts);

  const ModelConfig& config() const { return config_; }
  const MemoryPlan& memory_plan() const { return plan_; }
  const ModelOptions& options() const { return opts_; }
  Backend& backend() const { return *backend_; }
  const std::string& path() const { return file_.path(); }
  const GgufFile& file() const { return file_; }

 private:
  friend class Session;
  GgufFile file_;
  ModelConfig config_;
  ModelOptions opts_;
  MemoryPlan plan_;
  std::unique_ptr<Backend> backend_;
  std::vector<LayerWeights> layers_;
  std::vector<float> final_norm_;
  const GgufTensorInfo* token_embd_ = nullptr;
  std::unique_ptr<PreparedWeight> lm_head_;
  Isa isa_ = default_isa();  // SIMD path of the model's own kernels (attention, routing)
};

// What a layer observer sees after each block (Session::set_layer_observer).
struct RoutingInfo {
  int k = 0;                       // experts chosen per token
  const int32_t* experts = nullptr;  // n_tokens × k expert ids, in the router's order
  const float* weights = nullptr;    // n_tokens × k routing weights (sum 1 per token)
};
struct LayerObservation {
  int64_t layer = 0;
  int64_t pos = 0;        // position of the first of these tokens in the sequence
  int64_t n_tokens = 0;
  int64_t n_embd = 0;
  const float* hidden = nullptr;        // n_tokens × n_embd: the residual stream after the block
  const RoutingInfo* routing = nullptr;  // MoE layers only; nullptr on dense layers
};

class Session {
 public:
  explicit Session(const Model& m);
  void reset();                 // back to an empty sequence

  // A point to come back to: the position and the conv states. Tokens after it write the KV cache
  // only at and above the position, so rewinding needs no copy of the cache: several
  // continuations (the choices of a multiple-choice question) share one prefix computed once.
  struct Checkpoint {
    int64_t pos = 0;
    std::vector<std::vector<float>> conv_state;
  };
  Checkpoint checkpoint() const { return {pos_, conv_state_}; }
  void rewind(const Checkpoint& c);
  int64_t position() const { return pos_; }
  // Runs the tokens (chunked by n_batch) and returns n_tokens × n_vocab logits.
  std::vector<float> prefill(const std::vector<int32_t>& tokens);
  // Same, but only the last position's n_vocab logits: what generation and throughput runs need
  // (the LM head runs on one row, no n_tokens × n_vocab buffer).
  std::vector<float> prefill_last(const std::vector<int32_t>& tokens);
  // One token through the caches; returns n_vocab logits.
  std::vector<float> decode(int32_t token);
  // One decode step for several independent sequences of the same model: sessions[i] takes
  // tokens[i] at its own position, with its own KV cache and conv state. Every weight, and each
  // MoE expert, is read once for all tokens routed to it. Returns sessions.size() × n_vocab
  // logits, row i for sessions[i]. Sequences may join (after their own prefill) and leave between
  // steps. On the native and reference backends each row is bitwise what decode() alone gives
  // (their kernels compute a row independently of the others); a BLAS backend may differ in the
  // last bits. At most n_batch sessions per step; all are checked before any state changes.
  static std::vector<float> decode_batch(const std::vector<Session*>& sessions, const std::vector<int32_t>& tokens);

  // MoE routing statistics for the throughput harness: while enabled, counts the tokens routed
  // to each expert, per layer (empty rows for dense layers). Off by default.
  void count_expert_routing(bool on);
  const std::vector<std::vector<uint64_t>>& expert_routing_counts() const { return expert_counts_; }

  // Debugging hook for `lfmb eval diverge`: when set, called after every block of every forward
  // pass with the hidden state and (MoE layers) the routing. The pointers are valid only during
  // the call. Off by default; unset, forward() pays one branch per layer. An empty function unsets.
  using LayerObserver = std::function<void(const LayerObservation&)>;
  void set_layer_observer(LayerObserver observer) { layer_observer_ = std::move(observer); }

 private:
  void check_tokens(const int32_t* tokens, int64_t n) const;  // n_ctx and vocabulary range
  std::vector<float> run_prompt(const std::vector<int32_t>& tokens, bool last_only);
  // logits: n × n_vocab, or 1 × n_vocab for the last token only when last_only.
  void forward(const int32_t* tokens, int64_t n, float* logits, bool last_only = false);
  // The rows of one forward step that belong to one session: `n` consecutive tokens.
  struct Segment {
    Session* session;
    int64_t n;
  };
  // One forward step over the segments' tokens, back to back in `tokens`. logits: a row per token,
  // or with last_only a row per segment (its last token).
  static void forward_segments(const Model& m, const std::vector<Segment>& segs, const int32_t* tokens, float* logits,
                               bool last_only);
  const Model& m_;
  int64_t pos_ = 0;
  std::vector<std::vector<float>> k_cache_, v_cache_, conv_state_;  // per layer
  bool count_routing_ = false;
  std::vector<std::vector<uint64_t>> expert_counts_;  // layer × expert
  LayerObserver layer_observer_;
};

}  // namespace lfmb
