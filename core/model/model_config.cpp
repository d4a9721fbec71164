#include "core/model/model_config.h"

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

int64_t positive(const GgufFile& f, const std::string& key) {
  const uint32_t v = f.get_u32(key);
  if (v == 0) bad(f, "metadata key '" + key + "' must be positive");
  return v;
}

}  // namespace

ModelConfig model_config_from_gguf(const GgufFile& f) {
  ModelConfig c;
  const std::string arch = f.get_string("general.architecture");
  if (arch == "lfm2") c.arch = Arch::LFM2;
  else if (arch == "lfm2moe") c.arch = Arch::LFM2MOE;
  else if (arch == "qwen3") c.arch = Arch::QWEN3;
  else bad(f, "unsupported architecture '" + arch + "' (supported: " + kSupportedArchitectures + ")");
  const std::string p = arch + ".";

  c.name = f.get_string_or("general.name", "");
  c.n_embd = positive(f, p + "embedding_length");
  c.n_layer = positive(f, p + "block_count");
  c.n_ff = positive(f, p + "feed_forward_length");
  c.n_head = positive(f, p + "attention.head_count");
  c.head_dim = f.has(p + "attention.key_length") ? positive(f, p + "attention.key_length") : c.n_embd / c.n_head;
  if (f.has(p + "attention.value_length") && f.get_u32(p + "attention.value_length") != c.head_dim)
    bad(f, "attention.value_length differs from attention.key_length, which lfmb does not support");
  if (c.head_dim % 2 != 0) bad(f, "attention head dimension " + std::to_string(c.head_dim) + " is odd (RoPE needs even)");
  c.n_ctx_train = f.get_u32_or(p + "context_length", 0);
  c.rope_theta = f.get_f32_or(p + "rope.freq_base", 10000.0f);
  c.rms_eps = f.get_f32(p + "attention.layer_norm_rms_epsilon");
  if (!(c.rms_eps > 0.0f)) bad(f, "attention.layer_norm_rms_epsilon must be positive");

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
    if (c.n_head % n != 0) bad(f, "head_count " + std::to_string(c.n_head) + " is not a multiple of head_count_kv " + std::to_string(n));
  }

  if (c.is_lfm2_family()) {
    c.conv_l = positive(f, p + "shortconv.l_cache");
  }
  if (c.arch == Arch::LFM2MOE) {
    c.n_expert = positive(f, p + "expert_count");
    c.n_expert_used = positive(f, p + "expert_used_count");
    c.n_ff_expert = positive(f, p + "expert_feed_forward_length");
    c.n_dense_lead = f.get_u32(p + "leading_dense_block_count");
    if (c.n_expert_used > c.n_expert) bad(f, "expert_used_count exceeds expert_count");
    if (c.n_dense_lead > c.n_layer) bad(f, "leading_dense_block_count exceeds block_count");
    const uint32_t gating = f.get_u32_or(p + "expert_gating_func", 2);
    if (gating != 2) bad(f, p + "expert_gating_func is " + std::to_string(gating) + "; lfm2moe routing is sigmoid (2)");
  }

  // Vocabulary size: the key if present, else the embedding's second dimension.
  const GgufTensorInfo& embd = f.tensor("token_embd.weight");
  c.n_vocab = f.has(p + "vocab_size") ? positive(f, p + "vocab_size") : embd.ne(1);
  if (embd.ne(0) != c.n_embd || embd.ne(1) != c.n_vocab)
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
