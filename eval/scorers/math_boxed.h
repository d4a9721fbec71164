// The last \boxed{...} answer of a MATH solution or model response.
// Follows EleutherAI/lm-evaluation-harness @4e7e0d47f33b, lm_eval/tasks/hendrycks_math/utils.py
// (last_boxed_only_string, remove_boxed); Python's None and a failed assert are nullopt here.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "eval/scorers/scorer.h"

namespace lfmb::eval {

// The last "\boxed{...}" (or "\fbox{...}" when there is no "\boxed") with balanced braces, box
// command included. Quirks kept from the official code:
//  - if "\boxed " (with a space) occurs ANYWHERE, the result is "\boxed " + the text after the
//    last "\boxed " up to the next '$' (braces are not looked at);
//  - the brace walk starts at the command, so "\boxed" without a '{' takes the next balanced
//    group wherever it is; nullopt when no '}' closes the first '{' (unbalanced).
std::optional<std::string> last_boxed_only_string(std::string_view text);

// The content of a "\boxed ..." or "\boxed{...}" string; nullopt where the official asserts fail
// (text does not start with "\boxed{" and end with '}', or contains "\boxed " but does not start
// with it). A "\fbox{...}" from last_boxed_only_string fails here, as in the official code.
std::optional<std::string> remove_boxed(std::string_view boxed);

// remove_boxed(last_boxed_only_string(text)): the gold `answer` of hendrycks_math's
// process_docs, and the `boxed` filter.
std::optional<std::string> boxed_answer(std::string_view text);

// Filter `boxed`: boxed_answer(response); nullopt when there is no (well-formed) boxed answer.
FilterInfo boxed_filter();

}  // namespace lfmb::eval
