// `lfmb eval diverge`: where two runs of a model part ways. Both models run the same token
// sequences side by side (Session::set_layer_observer); per layer, the relative error of the
// hidden state after the block and, for MoE layers, how the routing differs.
//
// Definitions (over all tokens of all sequences):
//   rel_error             = sqrt(Σ (h_model − h_base)²) / sqrt(Σ h_base²) = RMS(diff) / RMS(base)
//   expert_set_changed    = share of tokens whose set of top-k experts differs
//   topk_overlap          = mean over tokens of |A ∩ B| / k
//   max_route_weight_diff = largest |w_base(e) − w_model(e)| over tokens and experts, a weight
//                           being 0 for an expert that side did not select
//   first_diverging_layer = the first layer whose rel_error exceeds both kJumpFloor and
//                           kJumpFactor × the largest rel_error of the layers before it (a NaN
//                           error counts as exceeding); none when no layer does.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/regression/kld_run.h"

namespace lfmb::eval {

inline constexpr double kJumpFactor = 10.0;
inline constexpr double kJumpFloor = 1e-3;

struct DivergeLayer {
  int64_t layer = 0;
  double rel_error = 0;
  bool moe = false;  // the routing fields are meaningful only then
  double expert_set_changed = 0, topk_overlap = 0, max_route_weight_diff = 0;
};

struct DivergeResult {
  std::vector<DivergeLayer> layers;
  std::optional<int64_t> first_diverging_layer;
  int64_t n_tokens = 0;
};

struct DivergeOptions {
  KldModelSpec base, model;
  int threads = 1;
  std::vector<std::vector<int32_t>> sequences;
};

// The jump rule above over per-layer errors.
std::optional<int64_t> first_diverging_layer(const std::vector<double>& rel_errors);

// Throws lfmb::Error when the two models differ in layer count, width or MoE layout.
DivergeResult run_diverge(const DivergeOptions& opts);

// {"layers": [{"layer", "rel_error", "expert_set_changed", "topk_overlap", "max_route_weight_diff"}],
//  "first_diverging_layer": N or null}, the MoE fields null on dense layers.
nlohmann::json diverge_json(const DivergeResult& r);
std::string diverge_text(const DivergeResult& r);

}  // namespace lfmb::eval
