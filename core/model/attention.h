// Causal grouped-query attention over a float32 KV cache (Ainslie et al. 2023): query head h
// reads key/value head h / (n_head / n_head_kv). Projections, q/k norms and RoPE happen in the
// model; this is the softmax(q·kᵀ/√d)·v part, one task per (tile of tokens, key/value head), so
// the query heads of a group and the tokens of a tile share each read of the cache.
#pragma once
#include <cstdint>

#include "core/model/parallel_for.h"
#include "kernels/cpu_features.h"

namespace lfmb {

// Prefill tokens per task: reading a head's keys and values once per tile instead of once per
// token (at depth 4096 that read dominated Qwen3-1.7B's prefill); the tile's scores
// (tokens × group × keys floats) stay within a few hundred KB to 1 MB.
constexpr int64_t kAttentionTokensPerTile = 16;

struct AttentionShape {
  int64_t n_head = 0, n_head_kv = 0, head_dim = 0;
};

// q: n_tokens × n_head·head_dim for positions pos0 .. pos0+n_tokens−1. k_cache/v_cache hold
// positions 0 .. pos0+n_tokens−1 (row p = n_head_kv·head_dim values). out: n_tokens × n_head·head_dim.
void causal_attention(const AttentionShape& s, const float* q, const float* k_cache, const float* v_cache,
                      int64_t pos0, int64_t n_tokens, float* out, Isa isa = Isa::Scalar,
                      const ParallelFor& parallel = serial_for);

}  // namespace lfmb
