// Filters and metrics: the pieces a task's `filter_list` and `metric_list` name (lm-eval's
// vocabulary). A filter turns a model response into the value that is scored; a metric scores one
// document. Each lives in its own file under eval/scorers/ and is listed once in registry.cpp.
//
// A filter step returns nullopt when it cannot extract anything (lm-eval writes "[invalid]"
// there; lfmb writes null in filtered_resps, and every metric scores it 0). The steps of one
// named filter run in order; a nullopt ends the chain.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb::eval {

class PyRandom;

// What a filter step sees besides the text.
struct FilterContext {
  const nlohmann::json& doc;   // the document (after process_docs)
  const nlohmann::json& args;  // the step's own YAML keys (e.g. regex_pattern, group_select)
  // One generator per task and scoring pass, seeded from the task config, used in doc_id order
  // (e.g. MMLU-Pro's random fallback). May be null where a filter needs none.
  PyRandom* rng = nullptr;
};

using FilterFn = std::function<std::optional<std::string>(const std::string& text, const FilterContext& ctx)>;

// What a metric sees: the filtered response, the target (doc_to_target), the document and the
// metric's own YAML keys (e.g. ignore_case, regexes_to_ignore).
struct MetricContext {
  const nlohmann::json& doc;
  const nlohmann::json& args;
};

using MetricFn = std::function<double(const std::optional<std::string>& response, const std::string& target,
                                      const MetricContext& ctx)>;

struct FilterInfo {
  std::string name;
  FilterFn fn;
  std::string source;  // the official code it follows, e.g. "lm-eval filters/extraction.py RegexFilter @4e7e0d47"
};

struct MetricInfo {
  std::string name;
  MetricFn fn;
  std::string source;
};

// Lookups by name; nullptr when unknown.
const FilterInfo* find_filter(std::string_view name);
const MetricInfo* find_metric(std::string_view name);
std::vector<std::string> filter_names();
std::vector<std::string> metric_names();

}  // namespace lfmb::eval
