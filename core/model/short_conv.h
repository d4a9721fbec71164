// LFM2 gated short convolution, the part between in_proj and out_proj:
//   in_proj(x) = [B | C | x'] (split in that order), y = C ⊙ causal_depthwise_conv(B ⊙ x').
// The conv has kernel length L per channel and keeps the last L−1 inputs as state, so a prompt
// can be processed in pieces and then one token at a time with identical results.
#pragma once
#include <cstdint>

namespace lfmb {

// bcx: n_tokens × 3·n_embd (in_proj output). kernel: n_embd × L (L taps per channel, oldest first).
// state: (L−1) × n_embd, the previous inputs oldest first; updated in place. y: n_tokens × n_embd.
void short_conv(const float* bcx, const float* kernel, int64_t n_tokens, int64_t n_embd, int64_t L, float* state,
                float* y);

}  // namespace lfmb
