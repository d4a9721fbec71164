// The Minerva answer path of MATH Lvl 5 (lm-eval `leaderboard_math_hard`, the
// `exact_match_original` metric): the "Final Answer: The final answer is ... I hope it is
// correct." sentence, Minerva's normalize_final_answer, the gold from the solution's last box.
// Follows EleutherAI/lm-evaluation-harness @4e7e0d47f33b, lm_eval/tasks/leaderboard/math/utils.py
// (get_unnormalized_answer, SUBSTITUTIONS, REMOVED_EXPRESSIONS, normalize_final_answer,
// last_boxed_only_string, remove_boxed, process_docs, process_result_v1).
//
// DEVIATION: process_result_v1 accepts when the stripped normalised strings are equal OR when a
// sympy check (parse_latex both, simplify(difference) == 0, 1 s timeout) says so. sympy cannot
// run in C++, so the second test here is the Hendrycks string is_equiv (math_equiv.h) on the two
// normalised answers. Answers that are equal only symbolically (e.g. "2\sqrt{2}" vs "\sqrt{8}",
// "x+1" vs "1+x") score 0 here and 1 in lm-eval; the Hendrycks rules also accept pairs that differ
// only in markup strip_string drops (e.g. "50\%" vs "50"), which sympy's LaTeX parser may not.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "eval/scorers/scorer.h"

namespace lfmb::eval {

inline constexpr std::string_view kMinervaInvalidAnswer = "[invalidanswer]";

// The text between "Final Answer: The final answer is" and ". I hope it is correct." (the dots
// are regex wildcards, the answer lies on one line), stripped; "I hope it is correct." (no
// leading space) is appended to the text first. kMinervaInvalidAnswer when there is none.
std::string get_unnormalized_answer(std::string_view text);

// Minerva's normalisation (Lewkowycz et al. 2022, appendix D): text after the last '=', the
// substitutions and removals in order, the $...$ / \text{} / \textbf{} / \overline{} / \boxed{}
// unwrapping, \fracab and \sqrta shorthand, '$' removed, thousands commas dropped from numbers.
std::string normalize_final_answer(std::string_view answer);

// The leaderboard's own last_boxed_only_string and remove_boxed: as in math_boxed.h, but every
// failure gives kMinervaInvalidAnswer instead of None or an AssertionError.
std::string minerva_last_boxed_only_string(std::string_view text);
std::string minerva_remove_boxed(std::string_view boxed);
// process_docs' doc["answer"]: minerva_remove_boxed(minerva_last_boxed_only_string(solution)).
std::string minerva_gold_answer(std::string_view solution);

// process_result_v1 on an already extracted answer: 0 when the normalised answer is
// kMinervaInvalidAnswer; 1 when the normalised answer and normalised gold are equal after
// str.strip(), or (DEVIATION, see above) Hendrycks-is_equiv; else 0. `gold_answer` is
// doc["answer"] (minerva_gold_answer), normalised here as the official code does.
bool minerva_match(std::string_view unnormalized_answer, std::string_view gold_answer);

// Filter `minerva_final_answer`: get_unnormalized_answer(response), nullopt when invalid.
FilterInfo minerva_final_answer_filter();
// Metric `minerva_match`: minerva_match(filtered, target) with target = doc["answer"]; 0 for nullopt.
MetricInfo minerva_match_metric();

}  // namespace lfmb::eval
