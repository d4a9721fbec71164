// The bytes one decode token must read, as the loaded backend stores its weights: the decode
// roofline divides them by the measured memory read bandwidth.
#pragma once
#include <cstdint>

namespace lfmb {

class Model;
struct ModelConfig;

// Weights read for one token: every matrix in the backend's own form (converted bytes when the
// backend converted it, stored bytes otherwise), n_expert_used of n_expert experts per MoE layer,
// one embedding row unless the table doubles as the LM head, the float32 small tensors.
uint64_t decode_weight_bytes(const Model& m);

// Weight multiply-adds one prompt token costs: every backend matrix (routed experts only), not the
// LM head (a prompt runs it once) and not attention scores (they grow with the position).
uint64_t prefill_macs_per_token(const Model& m);

// K and V bytes the attention layers read for one token at `position` (float32 cache).
uint64_t kv_bytes_read(const ModelConfig& c, int64_t position);

}  // namespace lfmb
