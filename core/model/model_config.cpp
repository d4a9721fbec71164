#include "core/model/model_config.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/gguf/gguf_writer.h"

namespace lfmb {

std::string arch_name(Arch a) {
  switch (a) {
    case Arch::LFM2: return "lfm2";
    case Arch::LFM2MOE: return "lfm2moe";
    case Arch::QWEN3: return "qwen3";
  }
  return "?";
}

namespace {

[[noreturn]] void bad(const GgufFile& f, const std::string& what) { throw Error(f.path() + ": " + what); }

// A count or dimension: positive and at most `limit` (see ModelLimits), so that the products
// expected_tensors() and the memory plan form stay far inside int64.
int64_t bounded(const GgufFile& f, const std::string& key, uint64_t limit) {
  const uint32_t v = f.get_u32(key);
  if (v == 0) bad(f, "metadata key '" + key + "' must be positive");
  if (v > limit)
    bad(f, "metadata key '" + key + "' is " + std::to_string(v) + ", above lfmb's limit of " + std::to_string(limit));
  return v;
}

// A float hyperparameter: finite and strictly inside (lo, hi).
float finite_in(const GgufFile& f, const std::string& key, float v, float lo, float hi, const char* why) {
  if (!std::isfinite(v) || !(v > lo) || !(v < hi))
    bad(f, fmt::format("metadata key '{}' is {}, expected a finite number above {:g} and below {:g} ({})", key, v, lo,
                       hi, why));
  return v;
}

}  // namespace

ModelConfig model_config_from_gguf(const GgufFile& f) {
  namespace L = model_limits;
  ModelConfig c;
  const std::string arch = f.get_string("general.architecture");
  if (arch == "lfm2") c.arch = Arch::LFM2;
  else if (arch == "lfm2moe") c.arch = Arch::LFM2MOE;
  else if (arch == "qwen3") c.arch = Arch::QWEN3;
  else bad(f, "unsupported architecture '" + arch + "' (supported: " + kSupportedArchitectures + ")");
  const std::string p = arch + ".";

  c.name = f.get_string_or("general.name", "");
  c.n_embd = bounded(f, p + "embedding_length", L::kMaxDim);
  // Every layer has at least its two norm tensors, besides the embedding: a block count the file
  // cannot hold is refused here, before any per-layer list is built (the tensor count is itself
  // bounded by the file size).
  c.n_layer = bounded(f, p + "block_count", L::kMaxLayers);
  const uint64_t n_tensors = f.tensors().size();
  if (uint64_t(c.n_layer) > (n_tensors > 0 ? (n_tensors - 1) / 2 : 0))
    bad(f, fmt::format("metadata key '{}block_count' is {}, but the file has only {} tensors (each layer needs at "
                       "least 2)", p, c.n_layer, n_tensors));
  const std::string last_norm = "blk." + std::to_string(c.n_layer - 1) + ".attn_norm.weight";
  if (!f.find_tensor(last_norm))
    bad(f, fmt::format("metadata key '{}block_count' is {}, but the file has no tensor '{}'", p, c.n_layer, last_norm));
  c.n_ff = bounded(f, p + "feed_forward_length", L::kMaxDim);
  c.n_head = bounded(f, p + "attention.head_count", L::kMaxHeads);
  c.head_dim = f.has(p + "attention.key_length") ? bounded(f, p + "attention.key_length", L::kMaxDim) : c.n_embd / c.n_head;
  if (c.head_dim == 0)
    bad(f, fmt::format("attention head dimension is 0 (embedding_length {} / head_count {}); give {}attention.key_length",
                       c.n_embd, c.n_head, p));
  if (f.has(p + "attention.value_length") && f.get_u32(p + "attention.value_length") != c.head_dim)
    bad(f, "attention.value_length differs from attention.key_length, which lfmb does not support");
  if (c.head_dim % 2 != 0) bad(f, "attention head dimension " + std::to_string(c.head_dim) + " is odd (RoPE needs even)");
  c.n_ctx_train = f.get_u32_or(p + "context_length", 0);
  if (uint64_t(c.n_ctx_train) > L::kMaxContext)
    bad(f, fmt::format("metadata key '{}context_length' is {}, above lfmb's limit of {}", p, c.n_ctx_train, L::kMaxContext));
  // RoPE needs base > 1 (frequencies base^(-2i/d) must fall); 0, 1, negative or NaN give wrong
  // positions without any error downstream.
  c.rope_theta = finite_in(f, p + "rope.freq_base", f.get_f32_or(p + "rope.freq_base", 10000.0f), 1.0f, 1e12f,
                           "RoPE base");
  // eps is added to a mean of squares: it must be small and positive; inf zeroes every activation.
  c.rms_eps = finite_in(f, p + "attention.layer_norm_rms_epsilon", f.get_f32(p + "attention.layer_norm_rms_epsilon"),
                        0.0f, 1.0f, "RMS norm epsilon");

  // head_count_kv: one number for every layer, or (LFM2) one per layer where 0 marks short conv.
  const std::string kv_key = p + "attention.head_count_kv";
  std::vector<uint32_t> kv_per_layer;
  const GgufValue* kv = f.find(kv_key);
  if (!kv) bad(f, "missing metadata key '" + kv_key + "'");
  if (kv->type == GgufType::ARRAY) kv_per_layer = f.get_u32_array(kv_key);
  else kv_per_layer.assign(size_t(c.n_layer), f.get_u32(kv_key));
  if (int64_t(kv_per_layer.size()) != c.n_layer)
    bad(f, kv_key + " has " + std::to_string(kv_per_layer.size()) + " entries for " + std::to_string(c.n_layer) + " layers");
  for (int64_t il = 0; il < c.n_layer; ++il) {
    const uint32_t n = kv_per_layer[size_t(il)];
    c.layer_is_attention.push_back(n != 0);
    if (n == 0) {
      if (!c.is_lfm2_family()) bad(f, kv_key + " is 0 for layer " + std::to_string(il) + ", but qwen3 has attention in every layer");
      continue;
    }
    if (c.n_head_kv != 0 && c.n_head_kv != n) bad(f, kv_key + ": layers with different kv head counts are not supported");
    c.n_head_kv = n;
    if (n > c.n_head || c.n_head % n != 0)
      bad(f, kv_key + " " + std::to_string(n) + " does not divide head_count " + std::to_string(c.n_head));
  }

  if (c.is_lfm2_family()) {
    c.conv_l = bounded(f, p + "shortconv.l_cache", L::kMaxConvLength);
  }
  if (c.arch == Arch::LFM2MOE) {
    c.n_expert = bounded(f, p + "expert_count", L::kMaxExperts);
    c.n_expert_used = bounded(f, p + "expert_used_count", L::kMaxExperts);
    c.n_ff_expert = bounded(f, p + "expert_feed_forward_length", L::kMaxDim);
    c.n_dense_lead = f.get_u32(p + "leading_dense_block_count");
    if (c.n_expert_used > c.n_expert) bad(f, "expert_used_count exceeds expert_count");
    if (c.n_dense_lead > c.n_layer) bad(f, "leading_dense_block_count exceeds block_count");
    const uint32_t gating = f.get_u32_or(p + "expert_gating_func", 2);
    if (gating != 2) bad(f, p + "expert_gating_func is " + std::to_string(gating) + "; lfm2moe routing is sigmoid (2)");
  }

  // Vocabulary size: the key if present, else the embedding's second dimension.
  const GgufTensorInfo& embd = f.tensor("token_embd.weight");
  c.n_vocab = f.has(p + "vocab_size") ? bounded(f, p + "vocab_size", L::kMaxDim) : embd.ne(1);
  if (embd.ne(0) != c.n_embd || embd.ne(1) != c.n_vocab || embd.dims.size() > 2)
    bad(f, "token_embd.weight is " + std::to_string(embd.ne(0)) + "x" + std::to_string(embd.ne(1)) +
               ", expected " + std::to_string(c.n_embd) + "x" + std::to_string(c.n_vocab));
  c.tied_output = f.find_tensor("output.weight") == nullptr;
  return c;
}

void model_config_to_gguf(const ModelConfig& c, GgufWriter& w) {
  const std::string p = arch_name(c.arch) + ".";
  w.set("general.architecture", GgufValue::str(arch_name(c.arch)));
  if (!c.name.empty()) w.set("general.name", GgufValue::str(c.name));
  w.set(p + "block_count", GgufValue::u32(uint32_t(c.n_layer)));
  w.set(p + "context_length", GgufValue::u32(uint32_t(c.n_ctx_train)));
  w.set(p + "embedding_length", GgufValue::u32(uint32_t(c.n_embd)));
  w.set(p + "feed_forward_length", GgufValue::u32(uint32_t(c.n_ff)));
  w.set(p + "attention.head_count", GgufValue::u32(uint32_t(c.n_head)));
  if (c.is_lfm2_family()) {
    std::vector<GgufValue> kv;
    for (int64_t il = 0; il < c.n_layer; ++il)
      kv.push_back(GgufValue::u32(c.layer_is_attention[size_t(il)] ? uint32_t(c.n_head_kv) : 0u));
    w.set(p + "attention.head_count_kv", GgufValue::array(GgufType::UINT32, std::move(kv)));
  } else {
    w.set(p + "attention.head_count_kv", GgufValue::u32(uint32_t(c.n_head_kv)));
  }
  if (c.head_dim != c.n_embd / c.n_head || c.arch == Arch::QWEN3) {
    w.set(p + "attention.key_length", GgufValue::u32(uint32_t(c.head_dim)));
    w.set(p + "attention.value_length", GgufValue::u32(uint32_t(c.head_dim)));
  }
  w.set(p + "rope.freq_base", GgufValue::f32(c.rope_theta));
  w.set(p + "attention.layer_norm_rms_epsilon", GgufValue::f32(c.rms_eps));
  w.set(p + "vocab_size", GgufValue::u32(uint32_t(c.n_vocab)));
  if (c.is_lfm2_family()) w.set(p + "shortconv.l_cache", GgufValue::u32(uint32_t(c.conv_l)));
  if (c.arch == Arch::LFM2MOE) {
    w.set(p + "expert_count", GgufValue::u32(uint32_t(c.n_expert)));
    w.set(p + "expert_used_count", GgufValue::u32(uint32_t(c.n_expert_used)));
    w.set(p + "expert_feed_forward_length", GgufValue::u32(uint32_t(c.n_ff_expert)));
    w.set(p + "leading_dense_block_count", GgufValue::u32(uint32_t(c.n_dense_lead)));
    w.set(p + "expert_gating_func", GgufValue::u32(2));
  }
}

int64_t ExpectedTensor::n_elements() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

bool ExpectedTensor::stays_f32() const {
  return role == TensorRole::Norm || role == TensorRole::ConvKernel || role == TensorRole::Router ||
         role == TensorRole::RouterBias;
}

std::vector<ExpectedTensor> expected_tensors(const ModelConfig& c) {
  std::vector<ExpectedTensor> t;
  const int64_t E = c.n_embd, hd = c.head_dim;
  auto add = [&](std::string name, std::vector<int64_t> dims, TensorRole role, int64_t layer) {
    t.push_back({std::move(name), std::move(dims), role, layer});
  };
  add("token_embd.weight", {E, c.n_vocab}, TensorRole::Embedding, -1);
  for (int64_t il = 0; il < c.n_layer; ++il) {
    const std::string b = "blk." + std::to_string(il) + ".";
    const bool attn = c.layer_is_attention[size_t(il)];
    auto add_attention = [&] {
      add(b + "attn_q.weight", {E, c.n_head * hd}, TensorRole::Matrix, il);
      add(b + "attn_k.weight", {E, c.n_head_kv * hd}, TensorRole::Matrix, il);
      add(b + "attn_v.weight", {E, c.n_head_kv * hd}, TensorRole::Matrix, il);
      add(b + "attn_output.weight", {c.n_head * hd, E}, TensorRole::Matrix, il);
      add(b + "attn_q_norm.weight", {hd}, TensorRole::Norm, il);
      add(b + "attn_k_norm.weight", {hd}, TensorRole::Norm, il);
    };
    auto add_dense_ffn = [&] {
      add(b + "ffn_gate.weight", {E, c.n_ff}, TensorRole::Matrix, il);
      add(b + "ffn_up.weight", {E, c.n_ff}, TensorRole::Matrix, il);
      add(b + "ffn_down.weight", {c.n_ff, E}, TensorRole::Matrix, il);
    };
    add(b + "attn_norm.weight", {E}, TensorRole::Norm, il);
    if (c.arch == Arch::QWEN3) {
      add_attention();
      add(b + "ffn_norm.weight", {E}, TensorRole::Norm, il);
      add_dense_ffn();
      continue;
    }
    add(b + "ffn_norm.weight", {E}, TensorRole::Norm, il);
    if (attn) {
      add_attention();
    } else {
      add(b + "shortconv.conv.weight", {c.conv_l, E}, TensorRole::ConvKernel, il);
      add(b + "shortconv.in_proj.weight", {E, 3 * E}, TensorRole::Matrix, il);
      add(b + "shortconv.out_proj.weight", {E, E}, TensorRole::Matrix, il);
    }
    if (c.layer_is_moe(il)) {
      add(b + "ffn_gate_inp.weight", {E, c.n_expert}, TensorRole::Router, il);
      add(b + "ffn_gate_exps.weight", {E, c.n_ff_expert, c.n_expert}, TensorRole::ExpertMatrix, il);
      add(b + "ffn_up_exps.weight", {E, c.n_ff_expert, c.n_expert}, TensorRole::ExpertMatrix, il);
      add(b + "ffn_down_exps.weight", {c.n_ff_expert, E, c.n_expert}, TensorRole::ExpertMatrix, il);
      add(b + "exp_probs_b.bias", {c.n_expert}, TensorRole::RouterBias, il);
    } else {
      add_dense_ffn();
    }
  }
  if (c.is_lfm2_family()) add("token_embd_norm.weight", {E}, TensorRole::Norm, -1);
  else add("output_norm.weight", {E}, TensorRole::Norm, -1);
  if (!c.tied_output) add("output.weight", {E, c.n_vocab}, TensorRole::Output, -1);
  return t;
}

int64_t count_params(const ModelConfig& c) {
  int64_t n = 0;
  for (const auto& t : expected_tensors(c)) n += t.n_elements();
  return n;
}

int64_t count_active_params(const ModelConfig& c) {
  int64_t n = 0;
  for (const auto& t : expected_tensors(c)) {
    if (t.role == TensorRole::ExpertMatrix) n += t.n_elements() / c.n_expert * c.n_expert_used;
    else n += t.n_elements();
  }
  return n;
}

}  // namespace lfmb
