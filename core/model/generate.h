// The generation loop, shared by `lfmb generate` and the later chat/sampling front ends: prefill
// the prompt, then repeatedly pick a token from the logits and feed it back.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "core/model/model.h"

namespace lfmb {

// Picks the next token from n_vocab logits.
using PickToken = std::function<int32_t(const float* logits, int64_t n_vocab)>;
// Called for each produced token; return false to stop early (e.g. end of sequence).
using OnToken = std::function<bool(int32_t token)>;

int32_t argmax_token(const float* logits, int64_t n_vocab);

// Generates up to n_new tokens after `prompt`; returns them.
std::vector<int32_t> generate(Session& s, const std::vector<int32_t>& prompt, int64_t n_new, const PickToken& pick,
                              const OnToken& on_token = {});

}  // namespace lfmb
