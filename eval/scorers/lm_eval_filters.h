// lm-eval's generic filters and its exact_match metric, each ported in its own file from
// EleutherAI/lm-evaluation-harness @4e7e0d47f33b (lm_eval/filters/{extraction,selection,
// transformation}.py, lm_eval/api/metrics.py). registry.cpp lists them by their lm-eval names.
#pragma once
#include "eval/scorers/scorer.h"

namespace lfmb::eval {

FilterInfo regex_filter();               // "regex"              RegexFilter
FilterInfo take_first_filter();          // "take_first"         TakeFirstFilter
FilterInfo remove_whitespace_filter();   // "remove_whitespace"  WhitespaceFilter
FilterInfo lowercase_filter();           // "lowercase"          LowercaseFilter
FilterInfo uppercase_filter();           // "uppercase"          UppercaseFilter
FilterInfo multi_choice_regex_filter();  // "multi_choice_regex" MultiChoiceRegexFilter
MetricInfo exact_match_metric();         // "exact_match"        exact_match_hf_evaluate

}  // namespace lfmb::eval
