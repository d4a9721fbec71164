#include "core/model/generate.h"

#include "core/error.h"

namespace lfmb {

int32_t argmax_token(const float* logits, int64_t n_vocab) {
  int64_t best = 0;
  for (int64_t i = 1; i < n_vocab; ++i)
    if (logits[i] > logits[best]) best = i;
  return int32_t(best);
}

std::vector<int32_t> generate(Session& s, const std::vector<int32_t>& prompt, int64_t n_new, const PickToken& pick,
                              const OnToken& on_token) {
  if (prompt.empty()) throw Error("generate: the prompt has no tokens");
  std::vector<int32_t> produced;
  const std::vector<float> logits = s.prefill_last(prompt);
  const int64_t V = int64_t(logits.size());
  const float* last = logits.data();
  std::vector<float> step;
  for (int64_t i = 0; i < n_new; ++i) {
    const int32_t tok = pick(last, V);
    produced.push_back(tok);
    if (on_token && !on_token(tok)) break;
    if (i + 1 == n_new) break;  // no need to run the last token through the model
    step = s.decode(tok);
    last = step.data();
  }
  return produced;
}

}  // namespace lfmb
