// lm-eval filter "regex": EleutherAI/lm-evaluation-harness lm_eval/filters/extraction.py
// RegexFilter @4e7e0d47f33b. Arguments regex_pattern (default "#### (\-?[0-9\.\,]+)"), group_select
// (default 0, negative counts from the end), fallback (default "[invalid]").
// The fallback "[invalid]" is returned as nullopt (scorer.h); any other fallback a task sets is
// returned as text, since lm-eval's metrics would compare it.
#include <optional>

#include "eval/scorers/findall_pick.h"
#include "eval/scorers/lm_eval_filters.h"
#include "eval/scorers/step_args.h"
#include "eval/text/py_str.h"

namespace lfmb::eval {

namespace {

std::optional<std::string> as_result(std::string text) {
  if (text == kInvalidFallback) return std::nullopt;
  return text;
}

std::optional<std::string> apply_regex(const std::string& text, const FilterContext& ctx) {
  StepArgs args(ctx.args, "filter regex", {"regex_pattern", "group_select", "fallback"}, {"function"});
  const std::string pattern = args.string_or("regex_pattern", R"(#### (\-?[0-9\.\,]+))");
  const long group_select = args.integer_or("group_select", 0);
  const std::string fallback = args.string_or("fallback", kInvalidFallback);
  FindallPick pick = findall_pick(cached_regex(pattern), text, group_select, "filter regex");
  if (!pick.matched) return as_result(fallback);
  // An all-empty tuple becomes the fallback, which then goes through .strip() like a match.
  return as_result(py_strip(pick.value ? *pick.value : fallback));
}

}  // namespace

FilterInfo regex_filter() {
  return {"regex", apply_regex, "lm-eval lm_eval/filters/extraction.py RegexFilter @4e7e0d47f33b"};
}

}  // namespace lfmb::eval
