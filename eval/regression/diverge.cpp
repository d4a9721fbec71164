// Layer-by-layer comparison of two model runs (no peer tool has one; definitions in diverge.h).
#include "eval/regression/diverge.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/model/model.h"

namespace lfmb::eval {

namespace {

// The base run of one sequence: per layer, the hidden states and routing of every position.
struct BaseTrace {
  std::vector<std::vector<float>> hidden;     // layer × (pos × n_embd)
  std::vector<std::vector<int32_t>> experts;  // layer × (pos × k), MoE layers only
  std::vector<std::vector<float>> weights;
};

struct LayerSums {
  double diff2 = 0, base2 = 0;
  int64_t routed = 0, changed = 0;
  double overlap = 0, max_wdiff = 0;
};

void check_compatible(const Model& a, const Model& b) {
  const ModelConfig &ca = a.config(), &cb = b.config();
  if (ca.n_layer != cb.n_layer || ca.n_embd != cb.n_embd || ca.n_vocab != cb.n_vocab)
    throw Error(fmt::format("{}: {} layers of width {} and {} tokens, the base ({}) has {}, {} and {}", b.path(),
                            cb.n_layer, cb.n_embd, cb.n_vocab, a.path(), ca.n_layer, ca.n_embd, ca.n_vocab));
  for (int64_t il = 0; il < ca.n_layer; ++il)
    if (ca.layer_is_moe(il) != cb.layer_is_moe(il) ||
        (ca.layer_is_moe(il) && (ca.n_expert != cb.n_expert || ca.n_expert_used != cb.n_expert_used)))
      throw Error(fmt::format("{}: layer {} is routed differently from the base's ({})", b.path(), il, a.path()));
}

}  // namespace

std::optional<int64_t> first_diverging_layer(const std::vector<double>& rel_errors) {
  double before = 0;  // the largest error of the layers so far
  for (size_t i = 0; i < rel_errors.size(); ++i) {
    const double e = rel_errors[i];
    if (!(e <= std::max(kJumpFloor, kJumpFactor * before))) return int64_t(i);
    before = std::max(before, e);
  }
  return std::nullopt;
}

DivergeResult run_diverge(const DivergeOptions& o) {
  if (o.sequences.empty()) throw Error("diverge: no token sequences");
  int64_t longest = 0;
  for (const auto& s : o.sequences) longest = std::max<int64_t>(longest, int64_t(s.size()));
  const Model base(o.base.path, o.base.options(o.threads, longest));
  const Model model(o.model.path, o.model.options(o.threads, longest));
  check_compatible(base, model);
  const ModelConfig& c = base.config();
  const int64_t E = c.n_embd, L = c.n_layer;
  std::vector<LayerSums> sums(static_cast<size_t>(L));
  DivergeResult r;

  Session sb(base), sm(model);
  BaseTrace trace;
  trace.hidden.resize(size_t(L));
  trace.experts.resize(size_t(L));
  trace.weights.resize(size_t(L));
  sb.set_layer_observer([&](const LayerObservation& ob) {
    const size_t il = size_t(ob.layer);
    std::copy(ob.hidden, ob.hidden + ob.n_tokens * E, trace.hidden[il].begin() + ob.pos * E);
    if (ob.routing) {
      const int k = ob.routing->k;
      std::copy(ob.routing->experts, ob.routing->experts + ob.n_tokens * k, trace.experts[il].begin() + ob.pos * k);
      std::copy(ob.routing->weights, ob.routing->weights + ob.n_tokens * k, trace.weights[il].begin() + ob.pos * k);
    }
  });
  sm.set_layer_observer([&](const LayerObservation& ob) {
    const size_t il = size_t(ob.layer);
    LayerSums& s = sums[il];
    const float* hb = trace.hidden[il].data() + ob.pos * E;
    for (int64_t i = 0; i < ob.n_tokens * E; ++i) {
      const double d = double(ob.hidden[i]) - double(hb[i]);
      s.diff2 += d * d;
      s.base2 += double(hb[i]) * double(hb[i]);
    }
    if (!ob.routing) return;
    const int k = ob.routing->k;
    std::vector<double> wb(size_t(c.n_expert)), wm(size_t(c.n_expert));
    for (int64_t t = 0; t < ob.n_tokens; ++t) {
      std::fill(wb.begin(), wb.end(), 0.0);
      std::fill(wm.begin(), wm.end(), 0.0);
      const int32_t* eb = trace.experts[il].data() + (ob.pos + t) * k;
      const float* w_b = trace.weights[il].data() + (ob.pos + t) * k;
      for (int j = 0; j < k; ++j) wb[size_t(eb[j])] = w_b[j];
      for (int j = 0; j < k; ++j) wm[size_t(ob.routing->experts[t * k + j])] = ob.routing->weights[t * k + j];
      int common = 0;
      for (int j = 0; j < k; ++j)
        common += std::count(eb, eb + k, ob.routing->experts[t * k + j]) > 0 ? 1 : 0;
      ++s.routed;
      if (common != k) ++s.changed;
      s.overlap += double(common) / double(k);
      for (int64_t e = 0; e < c.n_expert; ++e)
        s.max_wdiff = std::max(s.max_wdiff, std::fabs(wb[size_t(e)] - wm[size_t(e)]));
    }
  });

  for (const auto& seq : o.sequences) {
    const int64_t n = int64_t(seq.size());
    for (int64_t il = 0; il < L; ++il) {
      trace.hidden[size_t(il)].assign(size_t(n * E), 0.0f);
      if (c.layer_is_moe(il)) {
        trace.experts[size_t(il)].assign(size_t(n * c.n_expert_used), 0);
        trace.weights[size_t(il)].assign(size_t(n * c.n_expert_used), 0.0f);
      }
    }
    sb.reset();
    sm.reset();
    sb.prefill(seq);  // fills the trace
    sm.prefill(seq);  // compares against it, chunk by chunk
    r.n_tokens += n;
  }

  std::vector<double> errors;
  for (int64_t il = 0; il < L; ++il) {
    const LayerSums& s = sums[size_t(il)];
    DivergeLayer d;
    d.layer = il;
    d.rel_error = s.diff2 == 0 ? 0.0 : std::sqrt(s.diff2) / std::sqrt(s.base2);
    d.moe = c.layer_is_moe(il);
    if (d.moe && s.routed > 0) {
      d.expert_set_changed = double(s.changed) / double(s.routed);
      d.topk_overlap = s.overlap / double(s.routed);
      d.max_route_weight_diff = s.max_wdiff;
    }
    errors.push_back(d.rel_error);
    r.layers.push_back(d);
  }
  r.first_diverging_layer = first_diverging_layer(errors);
  return r;
}

nlohmann::json diverge_json(const DivergeResult& r) {
  nlohmann::json layers = nlohmann::json::array();
  for (const DivergeLayer& d : r.layers) {
    nlohmann::json j;
    j["layer"] = d.layer;
    // NaN is not JSON; a NaN error (non-finite hidden state) becomes null like the MoE fields.
    j["rel_error"] = std::isfinite(d.rel_error) ? nlohmann::json(d.rel_error) : nlohmann::json(nullptr);
    j["expert_set_changed"] = d.moe ? nlohmann::json(d.expert_set_changed) : nlohmann::json(nullptr);
    j["topk_overlap"] = d.moe ? nlohmann::json(d.topk_overlap) : nlohmann::json(nullptr);
    j["max_route_weight_diff"] = d.moe ? nlohmann::json(d.max_route_weight_diff) : nlohmann::json(nullptr);
    layers.push_back(j);
  }
  return {{"layers", layers},
          {"first_diverging_layer",
           r.first_diverging_layer ? nlohmann::json(*r.first_diverging_layer) : nlohmann::json(nullptr)}};
}

std::string diverge_text(const DivergeResult& r) {
  // The --json field names as column heads.
  std::string o = fmt::format("{:>5}  {:>11}  {:>18}  {:>12}  {:>21}\n", "layer", "rel_error", "expert_set_changed",
                              "topk_overlap", "max_route_weight_diff");
  for (const DivergeLayer& d : r.layers) {
    if (d.moe)
      o += fmt::format("{:>5}  {:>11.4e}  {:>18.4f}  {:>12.4f}  {:>21.4e}\n", d.layer, d.rel_error,
                       d.expert_set_changed, d.topk_overlap, d.max_route_weight_diff);
    else
      o += fmt::format("{:>5}  {:>11.4e}  {:>18}  {:>12}  {:>21}\n", d.layer, d.rel_error, "-", "-", "-");
  }
  o += r.first_diverging_layer
           ? fmt::format("first diverging layer: {} (rel_error > max({}, {}× the layers before))\n",
                         *r.first_diverging_layer, kJumpFloor, kJumpFactor)
           : fmt::format("first diverging layer: none (no rel_error > max({}, {}× the layers before))\n", kJumpFloor,
                         kJumpFactor);
  o += fmt::format("tokens: {}\n", r.n_tokens);
  return o;
}

}  // namespace lfmb::eval
