// Follows EleutherAI/lm-evaluation-harness @4e7e0d47f33b, lm_eval/tasks/hendrycks_math/utils.py
// process_results. '$' is ASCII, so byte positions give the same slice as Python's indices.
#include "eval/scorers/math_dollar_span.h"

namespace lfmb::eval {

std::string dollar_span(std::string_view response) {
  size_t first = response.find('$');
  size_t last = response.rfind('$');
  if (first == std::string_view::npos || first == last) return std::string(response);
  return std::string(response.substr(first + 1, last - first - 1));
}

FilterInfo dollar_span_filter() {
  return {"math_dollar_span",
          [](const std::string& text, const FilterContext&) -> std::optional<std::string> { return dollar_span(text); },
          "lm-eval tasks/hendrycks_math/utils.py process_results ($ indices) @4e7e0d47"};
}

}  // namespace lfmb::eval
