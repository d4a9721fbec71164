// Hendrycks MATH answer equivalence: both answers normalised by strip_string, then compared as
// strings. Follows EleutherAI/lm-evaluation-harness @4e7e0d47f33b,
// lm_eval/tasks/hendrycks_math/utils.py (strip_string and helpers, is_equiv).
//
// Where the Python raises (an assert, an IndexError, int()'s ValueError) the functions below
// return nullopt; is_equiv then falls back to comparing the raw strings, as its `except` does.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "eval/scorers/scorer.h"

namespace lfmb::eval {

// "\frac12" -> "\frac{1}{2}", "\frac1{72}" -> "\frac{1}{72}"; unchanged when a "\frac" is
// followed by a single character (the caught assert); nullopt when one is followed by nothing
// (IndexError).
std::optional<std::string> fix_fracs(std::string_view s);
// "3/4" -> "\frac{3}{4}" when s is exactly "<int>/<int>" in canonical form; unchanged when the
// '/' count is not one or a side is an int() in another spelling ("03", "+3"); nullopt when a
// side is not an int() at all ("x/2", "/2"), where Python's ValueError escapes.
std::optional<std::string> fix_a_slash_b(std::string_view s);
// Drops the units after "\text{ " (with a space); nullopt when it occurs twice (the assert).
std::optional<std::string> remove_right_units(std::string_view s);
// "\sqrt3" -> "\sqrt{3}"; nullopt when a "\sqrt" ends the string or precedes another (IndexError).
std::optional<std::string> fix_sqrt(std::string_view s);

// The whole normalisation, in the official order; nullopt when a step raises.
std::optional<std::string> strip_string(std::string_view s);

// is_equiv(str1, str2): both None -> true, one None -> false; strip_string on both and compare;
// if either raises, compare the raw strings.
bool is_equiv(const std::optional<std::string>& a, const std::optional<std::string>& b);

// Metric `is_equiv`: is_equiv(filtered response, target); 0 for a nullopt response.
MetricInfo is_equiv_metric();

}  // namespace lfmb::eval
