// Picks the next token from a row of logits. Deterministic for a given seed on every platform:
// it uses its own PRNG (SplitMix64) and its own uniform draw instead of std::*_distribution.
//
// Order of operations (as in llama.cpp's default chain): repetition penalty -> top-k ->
// softmax with temperature -> top-p -> min-p -> draw. temperature <= 0 means greedy (argmax
// after the repetition penalty).
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace lfmb {

struct SamplerOptions {
  float temperature = 0.0f;        // <= 0: greedy
  int32_t top_k = 0;               // <= 0: off
  float top_p = 1.0f;              // >= 1: off
  float min_p = 0.0f;              // <= 0: off; keeps tokens with p >= min_p * p_max
  float repetition_penalty = 1.0f; // 1: off; llama.cpp convention (divide positive, multiply negative)
  int32_t repetition_last_n = 64;  // how many recent tokens the penalty looks at
  uint64_t seed = 0;

  // LFM2's recommended generation settings.
  static SamplerOptions lfm2_recommended(uint64_t seed = 0) {
    SamplerOptions o;
    o.temperature = 0.3f;
    o.min_p = 0.15f;
    o.repetition_penalty = 1.05f;
    o.seed = seed;
    return o;
  }
};

class Sampler {
 public:
  explicit Sampler(SamplerOptions opts);

  // Chooses a token from logits[0..n_vocab) and records it as recent history.
  int32_t sample(const float* logits, size_t n_vocab);
  // Records tokens as history without sampling (e.g. the prompt), for the repetition penalty.
  void accept(int32_t id);

  // The candidates (id, probability) that survive the filters, most likely first; exposed so
  // tests can check what each filter keeps. Does not draw or change state.
  std::vector<std::pair<int32_t, float>> candidates(const float* logits, size_t n_vocab) const;

  const SamplerOptions& options() const { return opts_; }

 private:
  double next_uniform();  // [0, 1)

  SamplerOptions opts_;
  uint64_t state_;
  std::deque<int32_t> recent_;
};

// Stop conditions for generation: an end token, or a stop string appearing in the decoded text.
struct StopCondition {
  std::vector<int32_t> stop_ids;        // e.g. eos and <|im_end|>
  std::vector<std::string> stop_strings;

  bool is_stop_token(int32_t id) const;
  // Position in `text` where the earliest stop string begins, or npos.
  size_t find_stop_string(const std::string& text) const;
};

}  // namespace lfmb
