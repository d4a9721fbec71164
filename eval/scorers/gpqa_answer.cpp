// GPQA answer extraction: openai/simple-evals gpqa_eval.py at ee3b0318d8d1, which runs
// re.search(common.ANSWER_PATTERN_MULTICHOICE, response_text) on the raw response (it does not call
// common.normalize_response, unlike mmlu_eval.py) and takes group(1). The (?i) flag lets a
// lowercase letter through; it is returned as written and then fails the letter comparison, as
// in the official scoring.
#include "eval/scorers/choice_scorers.h"
#include "eval/text/py_regex.h"

namespace lfmb::eval {

std::optional<std::string> gpqa_extract_answer(std::string_view text) {
  static const PyRegex pattern(R"((?i)Answer[ \t]*:[ \t]*\$?([A-D])\$?)");  // ANSWER_PATTERN_MULTICHOICE
  if (auto m = pattern.search(text)) return m->group(1);
  return std::nullopt;
}

FilterInfo gpqa_answer_filter() {
  FilterFn fn = [](const std::string& text, const FilterContext&) { return gpqa_extract_answer(text); };
  return {"gpqa_answer", fn, "simple-evals gpqa_eval.py ANSWER_PATTERN_MULTICHOICE (common.py) @ee3b0318d8d1"};
}

}  // namespace lfmb::eval
