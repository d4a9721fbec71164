// MGSM answer extraction: openai/simple-evals mgsm_eval.py at ee3b0318d8d1, parse_answer with the
// language's LANG_TO_ANSWER_PREFIX (simple-evals passes the example's language; here the filter's
// `language` argument, e.g. "de").
#include <string>

#include "core/error.h"
#include "eval/scorers/choice_scorers.h"
#include "eval/text/py_regex.h"

namespace lfmb::eval {

std::string mgsm_parse_answer(std::string_view answer, std::string_view prefix) {
  if (prefix.empty()) throw Error("mgsm_parse_answer: empty answer prefix");  // str.split('') raises
  // answer.split(prefix)[-1]: the text after the last of the non-overlapping occurrences found
  // left to right (the same as the last occurrence unless the prefix overlaps itself).
  size_t after = std::string_view::npos;
  for (size_t pos = answer.find(prefix); pos != std::string_view::npos; pos = answer.find(prefix, pos + prefix.size()))
    after = pos + prefix.size();
  if (after == std::string_view::npos) return "";
  // .strip() is left out: whitespace can neither join nor split the numbers found below.
  std::string text;
  for (char c : answer.substr(after))
    if (c != ',') text += c;  // .replace(",", "")
  // \d is Unicode-aware (Python str pattern, PCRE2 UCP): Bengali, Thai or fullwidth digits count.
  static const PyRegex number(R"(\d+\.?\d*)");
  std::vector<PyRegex::Match> numbers = number.finditer(text);
  if (numbers.empty()) return "";
  std::string last = *numbers.back().group(0);
  while (!last.empty() && last.back() == '.') last.pop_back();  // .rstrip(".")
  return last;
}

FilterInfo mgsm_parse_answer_filter() {
  FilterFn fn = [](const std::string& text, const FilterContext& ctx) -> std::optional<std::string> {
    const auto it = ctx.args.find("language");
    if (it == ctx.args.end() || !it->is_string())
      throw Error("filter mgsm_parse_answer: argument 'language' (a string such as \"de\") is required");
    std::string parsed = mgsm_parse_answer(text, mgsm_answer_prefix(it->get<std::string>()));
    // The official "" (no prefix or no number) can never equal a target: report it as no answer.
    if (parsed.empty()) return std::nullopt;
    return parsed;
  };
  return {"mgsm_parse_answer", fn, "simple-evals mgsm_eval.py parse_answer @ee3b0318d8d1"};
}

}  // namespace lfmb::eval
