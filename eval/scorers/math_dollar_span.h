// How lm-eval's hendrycks_math tasks take the answer out of a response: the text between the
// first and the last '$', or the whole response when it has fewer than two. Follows
// EleutherAI/lm-evaluation-harness @4e7e0d47f33b, lm_eval/tasks/hendrycks_math/utils.py
// (process_results, before its is_equiv against the gold's last box).
#pragma once
#include <string>
#include <string_view>

#include "eval/scorers/scorer.h"

namespace lfmb::eval {

std::string dollar_span(std::string_view response);

// Filter `math_dollar_span`: dollar_span(response); never nullopt. With metric `is_equiv` and
// target doc["answer"] (boxed_answer(solution)) this is hendrycks_math's exact_match.
FilterInfo dollar_span_filter();

}  // namespace lfmb::eval
