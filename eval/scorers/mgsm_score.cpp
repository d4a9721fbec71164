// MGSM scoring: openai/simple-evals mgsm_eval.py at ee3b0318d8d1, score_mgsm (trailing zeros and
// the point dropped from a decimal prediction, commas removed from both, then string equality).
#include <string>

#include "eval/scorers/choice_scorers.h"

namespace lfmb::eval {

namespace {
std::string without_commas(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ',') out += c;
  return out;
}
}  // namespace

bool mgsm_score(std::string_view target, std::string_view prediction) {
  std::string pred(prediction);
  if (pred.find('.') != std::string::npos) {
    while (!pred.empty() && pred.back() == '0') pred.pop_back();  // .rstrip("0")
    while (!pred.empty() && pred.back() == '.') pred.pop_back();  // .rstrip(".")
  }
  return without_commas(target) == without_commas(pred);
}

MetricInfo mgsm_score_metric() {
  MetricFn fn = [](const std::optional<std::string>& response, const std::string& target, const MetricContext&) {
    // No extracted answer scores 0 (the official "" never equals a target).
    return response && mgsm_score(target, *response) ? 1.0 : 0.0;
  };
  return {"mgsm_score", fn, "simple-evals mgsm_eval.py score_mgsm @ee3b0318d8d1"};
}

}  // namespace lfmb::eval
