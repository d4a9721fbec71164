// Follows EleutherAI/lm-evaluation-harness @4e7e0d47f33b, lm_eval/tasks/leaderboard/math/utils.py.
// The comparison's sympy step is replaced by the Hendrycks string is_equiv (see math_minerva.h).
#include "eval/scorers/math_minerva.h"

#include <array>
#include <utility>

#include "eval/scorers/math_boxed.h"
#include "eval/scorers/math_equiv.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval {

namespace {

// Minerva's SUBSTITUTIONS, applied in order with str.replace.
constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kSubstitutions{{
    {"an ", ""},
    {"a ", ""},
    {".$", "$"},
    {"\\$", ""},
    {"\\ ", ""},
    {" ", ""},
    {"mbox", "text"},
    {",\\text{and}", ","},
    {"\\text{and}", ","},
    {"\\text{m}", "\\text{}"},
}};

// Minerva's REMOVED_EXPRESSIONS, removed in order (so "\text{s}" goes before "\text{}").
constexpr std::array<std::string_view, 42> kRemovedExpressions{{
    "square",   "ways",       "integers",   "dollars",     "mph",        "inches",       "ft",
    "hours",    "km",         "units",      "\\ldots",     "sue",        "points",       "feet",
    "minutes",  "digits",     "cents",      "degrees",     "cm",         "gm",           "pounds",
    "meters",   "meals",      "edges",      "students",    "childrentickets", "multiples", "\\text{s}",
    "\\text{.}", "\\text{\ns}", "\\text{}^2", "\\text{}^3", "\\text{\n}", "\\text{}",     "\\mathrm{th}",
    "^\\circ",  "^{\\circ}",  "\\;",        ",\\!",        "{,}",        "\"",           "\\dots",
}};

struct MinervaRegexes {
  PyRegex answer_line{R"(Final Answer: The final answer is(.*?). I hope it is correct.)"};
  PyRegex math_span{R"((.*?)(\$)(.*?)(\$)(.*))"};
  PyRegex text{R"((\\text\{)(.*?)(\}))"};
  PyRegex textbf{R"((\\textbf\{)(.*?)(\}))"};
  PyRegex overline{R"((\\overline\{)(.*?)(\}))"};
  PyRegex boxed{R"((\\boxed\{)(.*)(\}))"};
  PyRegex frac{R"((frac)([^{])(.))"};
  PyRegex sqrt{R"((sqrt)([^{]))"};
};

const MinervaRegexes& regexes() {
  static const MinervaRegexes r;
  return r;
}

}  // namespace

std::string get_unnormalized_answer(std::string_view text) {
  std::string with_end = std::string(text) + "I hope it is correct.";
  std::optional<PyRegex::Match> m = regexes().answer_line.search(with_end);
  if (!m) return std::string(kMinervaInvalidAnswer);
  return py_strip(m->group(1).value_or(""));
}

std::string normalize_final_answer(std::string_view answer) {
  const MinervaRegexes& re = regexes();
  std::string s = py_split_sep(answer, "=").back();
  for (const auto& [before, after] : kSubstitutions) s = py_replace(s, before, after);
  for (std::string_view expr : kRemovedExpressions) s = py_replace(s, expr, "");
  // Unwrap math mode, bold, overline and box.
  s = re.math_span.sub(s, R"($\3$)");
  s = re.text.sub(s, R"(\2)");
  s = re.textbf.sub(s, R"(\2)");
  s = re.overline.sub(s, R"(\2)");
  s = re.boxed.sub(s, R"(\2)");
  // Shorthand TeX: \fracab -> \frac{a}{b}, \sqrta -> \sqrt{a}.
  s = re.frac.sub(s, R"(frac{\2}{\3})");
  s = re.sqrt.sub(s, R"(sqrt{\2})");
  s = py_replace(s, "$", "");
  // 100,000 -> 100000
  std::string no_commas = py_replace(s, ",", "");
  if (py_isdigit(no_commas)) s = no_commas;
  return s;
}

std::string minerva_last_boxed_only_string(std::string_view text) {
  std::optional<std::string> boxed = last_boxed_only_string(text);
  return boxed ? *boxed : std::string(kMinervaInvalidAnswer);
}

std::string minerva_remove_boxed(std::string_view boxed) {
  std::optional<std::string> inner = remove_boxed(boxed);
  return inner ? *inner : std::string(kMinervaInvalidAnswer);
}

std::string minerva_gold_answer(std::string_view solution) {
  return minerva_remove_boxed(minerva_last_boxed_only_string(solution));
}

bool minerva_match(std::string_view unnormalized_answer, std::string_view gold_answer) {
  std::string answer = normalize_final_answer(unnormalized_answer);
  std::string gold = normalize_final_answer(gold_answer);
  if (answer == kMinervaInvalidAnswer) return false;
  if (py_strip(answer) == py_strip(gold)) return true;
  return is_equiv(answer, gold);  // DEVIATION: lm-eval uses sympy here (math_minerva.h)
}

FilterInfo minerva_final_answer_filter() {
  return {"minerva_final_answer",
          [](const std::string& text, const FilterContext&) -> std::optional<std::string> {
            std::string answer = get_unnormalized_answer(text);
            if (answer == kMinervaInvalidAnswer) return std::nullopt;
            return answer;
          },
          "lm-eval tasks/leaderboard/math/utils.py get_unnormalized_answer @4e7e0d47"};
}

MetricInfo minerva_match_metric() {
  return {"minerva_match",
          [](const std::optional<std::string>& response, const std::string& target, const MetricContext&) {
            if (!response) return 0.0;
            return minerva_match(*response, target) ? 1.0 : 0.0;
          },
          "lm-eval tasks/leaderboard/math/utils.py process_result_v1 (sympy step -> hendrycks is_equiv) "
          "@4e7e0d47"};
}

}  // namespace lfmb::eval
