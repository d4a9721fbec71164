// LFM2-MoE router: scores = sigmoid(x · Wr); the top-k experts are chosen by score + bias (the
// bias only balances the choice), and their weights are the chosen scores normalised to sum 1.
#pragma once
#include <cstdint>

#include "core/model/parallel_for.h"
#include "kernels/cpu_features.h"

namespace lfmb {

// x: n_tokens × n_embd. router: n_expert rows of n_embd (GGUF F32 [n_embd, n_expert]).
// bias: n_expert. experts/weights: n_tokens × k outputs.
// Tokens are spread over `parallel` in chunks.
void route_tokens(const float* x, const float* router, const float* bias, int64_t n_tokens, int64_t n_embd,
                  int64_t n_expert, int k, int32_t* experts, float* weights, Isa isa = Isa::Scalar,
                  const ParallelFor& parallel = serial_for);

}  // namespace lfmb
