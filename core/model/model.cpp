#include "core/model/model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "backends/registry.h"
#include "core/error.h"
#include "core/model/attention.h"
#include "core/model/model_validation.h"
#include "core/model/moe_router.h"
#include "core/model/rms_norm.h"
#include "core/model/rope.h"
#include "core/model/short_conv.h"
#include "core/model/swiglu.h"

namespace lfmb {

namespace {

std::vector<float> to_floats(const GgufTensorInfo& t) {
  std::vector<float> v(size_t(t.n_elements));
  dequantize_row(*t.type, t.data, v.data(), t.n_elements);
  return v;
}

WeightView view_of(const GgufTensorInfo& t) {
  WeightView v;
  v.name = t.name;
  v.type = *t.type;
  v.n_in = t.ne(0);
  v.n_out = t.ne(1);
  v.n_mats = t.ne(2);
  v.data = t.data;
  return v;
}

}  // namespace

Model::Model(const std::string& path, const ModelOptions& opts)
    : Model(opts.mmap ? GgufFile(path) : GgufFile(path, read_file_into_memory(path)), opts) {}

Model::Model(GgufFile file, const ModelOptions& opts)
    : file_(std::move(file)), config_(model_config_from_gguf(file_)), opts_(opts) {
  const ModelConfig& c = config_;
  const std::string& path = file_.path();
  if (opts_.n_ctx <= 0) opts_.n_ctx = std::min<int64_t>(c.n_ctx_train > 0 ? c.n_ctx_train : 4096, 4096);
  if (opts_.n_batch <= 0) throw Error("n_batch must be positive");
  backend_ = create_backend(opts_.backend, BackendOptions{opts_.threads, opts_.dtype});

  // Validate every tensor and plan memory before allocating anything.
  std::map<std::string, const GgufTensorInfo*> t;
  const std::vector<ExpectedTensor> expected = expected_tensors(c);
  const std::vector<const GgufTensorInfo*> present = validate_model_tensors(file_, c);
  for (size_t i = 0; i < expected.size(); ++i) {
    const ExpectedTensor& e = expected[i];
    const GgufTensorInfo& info = *present[i];
    t[e.name] = &info;
    if (is_backend_weight(e, c) && !backend_->supports(*info.type))
      throw Error(fmt::format("{}: backend '{}' cannot compute with tensor '{}' of type {}", path, backend_->name(),
                              e.name, ggml_type_name(info.type_id)));
  }
  plan_ = plan_memory(file_, c, *backend_, opts_.n_ctx, opts_.n_batch);
  const uint64_t avail = opts_.memory_limit > 0 ? opts_.memory_limit : memory_available();
  if (avail > 0 && plan_.allocated() > avail)
    throw Error(fmt::format("{}: not enough memory: needs {:.2f} GiB ({}), {:.2f} GiB available", path,
                            double(plan_.allocated()) / double(1ull << 30), plan_.describe(),
                            double(avail) / double(1ull << 30)));

  file_.prefault();  // weights are read in place: no page faults later, inside the measurements
  // A weight the backend computes from its own copy of leaves memory once prepared (file maps
  // only: the pages come back from the file if anything reads them), so a model repacked at load
  // holds one copy, not two. token_embd stays: the embedding lookup reads its rows.
  auto prep = [&](const std::string& name) {
    const GgufTensorInfo& info = *t.at(name);
    std::unique_ptr<PreparedWeight> w = backend_->prepare(view_of(info));
    if (w->stored_unused && name != "token_embd.weight") file_.release_pages(info.data, info.n_bytes);
    return w;
  };
  auto floats = [&](const std::string& name) { return to_floats(*t.at(name)); };
  layers_.resize(size_t(c.n_layer));
  for (int64_t il = 0; il < c.n_layer; ++il) {
    const std::string b = "blk." + std::to_string(il) + ".";
    LayerWeights& L = layers_[size_t(il)];
    L.attn_norm = floats(b + "attn_norm.weight");
    L.ffn_norm = floats(b + "ffn_norm.weight");
    if (c.layer_is_attention[size_t(il)]) {
      L.q_norm = floats(b + "attn_q_norm.weight");
      L.k_norm = floats(b + "attn_k_norm.weight");
      L.wq = prep(b + "attn_q.weight");
      L.wk = prep(b + "attn_k.weight");
      L.wv = prep(b + "attn_v.weight");
      L.wo = prep(b + "attn_output.weight");
    } else {
      L.conv_kernel = floats(b + "shortconv.conv.weight");
      L.in_proj = prep(b + "shortconv.in_proj.weight");
      L.out_proj = prep(b + "shortconv.out_proj.weight");
    }
    if (c.layer_is_moe(il)) {
      L.router = floats(b + "ffn_gate_inp.weight");
      L.router_bias = floats(b + "exp_probs_b.bias");
      L.gate_exps = prep(b + "ffn_gate_exps.weight");
      L.up_exps = prep(b + "ffn_up_exps.weight");
      L.down_exps = prep(b + "ffn_down_exps.weight");
    } else {
      L.ffn_gate = prep(b + "ffn_gate.weight");
      L.ffn_up = prep(b + "ffn_up.weight");
      L.ffn_down = prep(b + "ffn_down.weight");
    }
  }
  final_norm_ = floats(c.is_lfm2_family() ? "token_embd_norm.weight" : "output_norm.weight");
  token_embd_ = t.at("token_embd.weight");
  lm_head_ = prep(c.tied_output ? "token_embd.weight" : "output.weight");
}

Session::Session(const Model& m) : m_(m) {
  const ModelConfig& c = m.config_;
  k_cache_.resize(size_t(c.n_layer));
  v_cache_.resize(size_t(c.n_layer));
  conv_state_.resize(size_t(c.n_layer));
  for (int64_t il = 0; il < c.n_layer; ++il) {
    if (c.layer_is_attention[size_t(il)]) {
      k_cache_[size_t(il)].assign(size_t(m.opts_.n_ctx * c.n_head_kv * c.head_dim), 0.0f);
      v_cache_[size_t(il)].assign(size_t(m.opts_.n_ctx * c.n_head_kv * c.head_dim), 0.0f);
    } else {
      conv_state_[size_t(il)].assign(size_t((c.conv_l - 1) * c.n_embd), 0.0f);
    }
  }
}

void Session::reset() {
  pos_ = 0;
  // Only the conv states carry over implicitly; the KV cache is overwritten before being read.
  for (auto& s : conv_state_) std::fill(s.begin(), s.end(), 0.0f);
}

void Session::rewind(const Checkpoint& c) {
  if (c.pos < 0 || c.pos > pos_ || c.conv_state.size() != conv_state_.size())
    throw Error(fmt::format("{}: cannot rewind a session at position {} to {}", m_.path(), pos_, c.pos));
  pos_ = c.pos;
  conv_state_ = c.conv_state;
}

void Session::count_expert_routing(bool on) {
  count_routing_ = on;
  const ModelConfig& c = m_.config_;
  if (on && expert_counts_.empty()) {
    expert_counts_.resize(size_t(c.n_layer));
    for (int64_t il = 0; il < c.n_layer; ++il)
      if (c.layer_is_moe(il)) expert_counts_[size_t(il)].assign(size_t(c.n_expert), 0);
  }
}

void Session::check_tokens(const int32_t* tokens, int64_t n) const {
  const ModelConfig& c = m_.config_;
  if (pos_ + n > m_.opts_.n_ctx)
    throw Error(fmt::format("{}: context full: {} tokens would exceed n_ctx = {}", m_.path(), pos_ + n, m_.opts_.n_ctx));
  for (int64_t i = 0; i < n; ++i)
    if (tokens[i] < 0 || tokens[i] >= c.n_vocab)
      throw Error(fmt::format("{}: token id {} out of range (n_vocab = {})", m_.path(), tokens[i], c.n_vocab));
}

std::vector<float> Session::prefill(const std::vector<int32_t>& tokens) { return run_prompt(tokens, false); }

std::vector<float> Session::prefill_last(const std::vector<int32_t>& tokens) {
  if (tokens.empty()) throw Error(m_.path() + ": prefill of an empty prompt has no last logits");
  return run_prompt(tokens, true);
}

std::vector<float> Session::run_prompt(const std::vector<int32_t>& tokens, bool last_only) {
  const int64_t n = int64_t(tokens.size()), V = m_.config_.n_vocab;
  // Check the whole prompt first so a bad one leaves the session untouched (no half-run chunks).
  check_tokens(tokens.data(), n);
  std::vector<float> logits(size_t((last_only ? 1 : n) * V));
  for (int64_t i = 0; i < n; i += m_.opts_.n_batch) {
    const int64_t len = std::min(m_.opts_.n_batch, n - i);
    // last_only: every chunk writes the one row and the last chunk's write stands.
    forward(tokens.data() + i, len, logits.data() + (last_only ? 0 : i * V), last_only);
  }
  return logits;
}

std::vector<float> Session::decode(int32_t token) {
  std::vector<float> logits(size_t(m_.config_.n_vocab));
  forward(&token, 1, logits.data());
  return logits;
}

std::vector<float> Session::decode_batch(const std::vector<Session*>& sessions, const std::vector<int32_t>& tokens) {
  if (sessions.empty()) throw Error("decode_batch: no sessions");
  if (tokens.size() != sessions.size())
    throw Error(fmt::format("decode_batch: {} tokens for {} sessions", tokens.size(), sessions.size()));
  const Model& m = sessions[0]->m_;
  if (int64_t(sessions.size()) > m.opts_.n_batch)
    throw Error(fmt::format("{}: {} sequences in one step exceed n_batch = {}", m.path(), sessions.size(), m.opts_.n_batch));
  std::vector<Segment> segs;
  for (size_t i = 0; i < sessions.size(); ++i) {
    Session* s = sessions[i];
    if (&s->m_ != &m) throw Error("decode_batch: the sessions belong to different models");
    for (size_t j = 0; j < i; ++j)
      if (sessions[j] == s) throw Error("decode_batch: a session appears twice in one step");
    segs.push_back({s, 1});  // forward_segments checks every token before any state changes
  }
  std::vector<float> logits(sessions.size() * size_t(m.config_.n_vocab));
  forward_segments(m, segs, tokens.data(), logits.data(), false);
  return logits;
}

void Session::forward(const int32_t* tokens, int64_t n, float* logits, bool last_only) {
  forward_segments(m_, {{this, n}}, tokens, logits, last_only);
}

void Session::forward_segments(const Model& m, const std::vector<Segment>& segs, const int32_t* tokens, float* logits,
                               bool last_only) {
  const ModelConfig& c = m.config_;
  Backend& be = *m.backend_;
  int64_t n = 0;  // rows of the step, all segments
  for (const Segment& sg : segs) {
    sg.session->check_tokens(tokens + n, sg.n);
    n += sg.n;
  }

  const int64_t E = c.n_embd, hd = c.head_dim;
  const int64_t q_width = c.n_head * hd, kv_width = c.n_head_kv * hd;
  std::vector<float> x(size_t(n * E)), h(size_t(n * E)), out(size_t(n * E));
  // Embedding lookup: dequantise one row of token_embd per token.
  const size_t embd_row = row_bytes(*m.token_embd_->type, E);
  for (int64_t t = 0; t < n; ++t)
    dequantize_row(*m.token_embd_->type, m.token_embd_->data + size_t(tokens[t]) * embd_row, x.data() + t * E, E);

  // Attention and routing run on the backend's threads, with the model's kernel path.
  const Isa isa = m.isa_;
  const ParallelFor parallel = [&be](int64_t count, const std::function<void(int64_t)>& fn) { be.parallel_for(count, fn); };
  std::vector<float> a, b, cbuf, att;
  std::vector<int32_t> experts;  // MoE routing of the current layer: n × k ids and weights
  std::vector<float> weights;
  for (int64_t il = 0; il < c.n_layer; ++il) {
    const LayerWeights& L = m.layers_[size_t(il)];
    rms_norm(x.data(), L.attn_norm.data(), n, E, c.rms_eps, h.data());
    if (L.wq) {
      a.resize(size_t(n * q_width));
      b.resize(size_t(n * kv_width));
      cbuf.resize(size_t(n * kv_width));
      att.resize(size_t(n * q_width));
      be.linear(*L.wq, 0, h.data(), n, a.data());
      be.linear(*L.wk, 0, h.data(), n, b.data());
      be.linear(*L.wv, 0, h.data(), n, cbuf.data());
      rms_norm(a.data(), L.q_norm.data(), n * c.n_head, hd, c.rms_eps, a.data());
      rms_norm(b.data(), L.k_norm.data(), n * c.n_head_kv, hd, c.rms_eps, b.data());
      // Positions, caches and the attention itself are each sequence's own.
      int64_t r = 0;
      for (const Segment& sg : segs) {
        Session& s = *sg.session;
        float* kc = s.k_cache_[size_t(il)].data();
        float* vc = s.v_cache_[size_t(il)].data();
        for (int64_t t = r; t < r + sg.n; ++t) {
          rope_neox(a.data() + t * q_width, c.n_head, hd, s.pos_ + t - r, c.rope_theta);
          rope_neox(b.data() + t * kv_width, c.n_head_kv, hd, s.pos_ + t - r, c.rope_theta);
        }
        std::memcpy(kc + s.pos_ * kv_width, b.data() + r * kv_width, size_t(sg.n * kv_width) * 4);
        std::memcpy(vc + s.pos_ * kv_width, cbuf.data() + r * kv_width, size_t(sg.n * kv_width) * 4);
        causal_attention({c.n_head, c.n_head_kv, hd}, a.data() + r * q_width, kc, vc, s.pos_, sg.n,
                         att.data() + r * q_width, isa, parallel);
        r += sg.n;
      }
      be.linear(*L.wo, 0, att.data(), n, out.data());
    } else {
      a.resize(size_t(n * 3 * E));
      be.linear(*L.in_proj, 0, h.data(), n, a.data());
      b.resize(size_t(n * E));
      int64_t r = 0;
      for (const Segment& sg : segs) {
        short_conv(a.data() + r * 3 * E, L.conv_kernel.data(), sg.n, E, c.conv_l,
                   sg.session->conv_state_[size_t(il)].data(), b.data() + r * E);
        r += sg.n;
      }
      be.linear(*L.out_proj, 0, b.data(), n, out.data());
    }
    for (int64_t i = 0; i < n * E; ++i) x[size_t(i)] += out[size_t(i)];

    rms_norm(x.data(), L.ffn_norm.data(), n, E, c.rms_eps, h.data());
    const int k = int(c.n_expert_used);
    if (L.gate_exps) {
      experts.resize(size_t(n * k));
      weights.resize(size_t(n * k));
      route_tokens(h.data(), L.router.data(), L.router_bias.data(), n, E, c.n_expert, k, experts.data(), weights.data(),
                   isa, parallel);
      // One call for every sequence's tokens: the backend groups them by expert.
      be.moe(*L.gate_exps, *L.up_exps, *L.down_exps, h.data(), n, k, experts.data(), weights.data(), out.data());
    } else {
      a.resize(size_t(n * c.n_ff));
      b.resize(size_t(n * c.n_ff));
      be.linear(*L.ffn_gate, 0, h.data(), n, a.data());
      be.linear(*L.ffn_up, 0, h.data(), n, b.data());
      swiglu_inplace(a.data(), b.data(), n * c.n_ff);
      be.linear(*L.ffn_down, 0, a.data(), n, out.data());
    }
    for (int64_t i = 0; i < n * E; ++i) x[size_t(i)] += out[size_t(i)];
    // Routing counts and the layer observer, each session for its own rows.
    int64_t r = 0;
    for (const Segment& sg : segs) {
      Session& s = *sg.session;
      if (L.gate_exps && s.count_routing_)
        for (int64_t i = r * k; i < (r + sg.n) * k; ++i) ++s.expert_counts_[size_t(il)][size_t(experts[size_t(i)])];
      if (s.layer_observer_) {
        RoutingInfo routing;  // dense layers have none (and empty expert buffers)
        if (L.gate_exps) routing = RoutingInfo{k, experts.data() + r * k, weights.data() + r * k};
        s.layer_observer_(LayerObservation{il, s.pos_, sg.n, E, x.data() + r * E, L.gate_exps ? &routing : nullptr});
      }
      r += sg.n;
    }
  }
  // The final norm and LM head on the rows whose logits are wanted.
  std::vector<int64_t> rows;
  int64_t r = 0;
  for (const Segment& sg : segs) {
    for (int64_t t = last_only ? sg.n - 1 : 0; t < sg.n; ++t) rows.push_back(r + t);
    r += sg.n;
  }
  const int64_t n_out = int64_t(rows.size());
  const bool contiguous = rows.front() + n_out - 1 == rows.back();
  if (!contiguous)
    for (int64_t i = 0; i < n_out; ++i)
      std::memmove(x.data() + i * E, x.data() + rows[size_t(i)] * E, size_t(E) * 4);  // rows[i] >= i
  rms_norm(x.data() + (contiguous ? rows.front() : 0) * E, m.final_norm_.data(), n_out, E, c.rms_eps, h.data());
  be.linear(*m.lm_head_, 0, h.data(), n_out, logits);
  for (const Segment& sg : segs) sg.session->pos_ += sg.n;
}

}  // namespace lfmb
