// Speed ratios against a baseline (`lfmb report --baseline KEY=VALUE`): every row is divided by
// the baseline row that matches it on all other dimensions, e.g. backend=native gives onednn ÷
// native per model, dtype, threads and test; model=qwen3-1.7b gives each model ÷ Qwen3-1.7B.
//
// Dimensions: model, backend, dtype, threads, n_batch, mmap (GGUF files only), test, and the
// source file. `backend` covers dtype too (a compute type belongs to its backend: native vs
// onednn int8 is one comparison); `backend=onednn:int8` picks one dtype of it. `source=#2` (or
// the file's path) compares files, e.g. two days of one config. Several --baseline options must
// all hold. A row is matched across files only when its own file has no baseline row for it;
// when several baseline rows match (the same settings measured twice), each pair is listed.
//
// Uncertainty: ratio R = x̄ / ȳ of two independent means over n_x and n_y repetitions with sample
// standard deviations s_x, s_y; first-order propagation of the means' relative standard errors:
//   σ_R = R · √( (s_x / (x̄·√n_x))² + (s_y / (ȳ·√n_y))² )
// unknown (NaN) when either row has fewer than two repetitions.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/result_sources.h"

namespace lfmb {

struct BaselineSpec {
  std::string key, value;  // "backend", "onednn:int8"
};

// "KEY=VALUE" -> spec; throws UsageError naming the valid keys.
BaselineSpec parse_baseline(const std::string& text);
const char* baseline_keys();  // "model, backend, dtype, threads, n_batch, mmap, test, source"

// A dimension's value of a row as printed and matched ("" when the row does not say).
std::string dimension_value(const SourcedResult& r, const std::vector<ResultSource>& sources, const std::string& key);

struct RatioRow {
  size_t row = 0, base = 0;   // indices into LoadedResults::rows
  double ratio = 0;
  double stderr_ratio = 0;    // NaN when unknown
};

struct Ratios {
  std::vector<BaselineSpec> baseline;
  std::vector<std::string> compared;  // dimensions the baseline frees (backend, dtype / model / ...)
  std::vector<RatioRow> rows;
  size_t unmatched = 0;               // non-baseline rows with no baseline row of the same settings
};

// Throws lfmb::Error when no row matches the baseline (naming the values the key takes).
Ratios baseline_ratios(const LoadedResults& in, const std::vector<BaselineSpec>& baseline);

// The ratio and its standard error for two summaries (see the formula above).
void ratio_of_means(const Summary& x, const Summary& y, double& ratio, double& stderr_ratio);

// The default comparison when no --baseline is given: model=<last model> when the rows hold more
// than one model (LFM2-8B-A1B ÷ Qwen3-1.7B in the quick start), else none (empty).
std::vector<BaselineSpec> default_baseline(const LoadedResults& in);

std::string ratios_markdown(const LoadedResults& in, const Ratios& ratios);
std::string ratios_csv(const LoadedResults& in, const Ratios& ratios);
nlohmann::json ratios_json(const LoadedResults& in, const Ratios& ratios);

}  // namespace lfmb
