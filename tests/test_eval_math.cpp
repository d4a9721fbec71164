// MATH scorers: hand-made cases per rule of lm-eval @4e7e0d47f33b
// tasks/hendrycks_math/utils.py and tasks/leaderboard/math/utils.py, derived by reading the code.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "eval/scorers/math_boxed.h"
#include "eval/scorers/math_dollar_span.h"
#include "eval/scorers/math_equiv.h"
#include "eval/scorers/math_minerva.h"
#include "eval/scorers/math_py_int.h"

using namespace lfmb::eval;
using std::nullopt;
using std::optional;
using std::string;

namespace {
const nlohmann::json kEmpty = nlohmann::json::object();
optional<string> run_filter(const FilterInfo& f, const string& text) {
  FilterContext ctx{kEmpty, kEmpty};
  return f.fn(text, ctx);
}
double run_math_metric(const MetricInfo& m, const optional<string>& resp, const string& target) {
  MetricContext ctx{kEmpty, kEmpty};
  return m.fn(resp, target, ctx);
}
}  // namespace

// ---------------------------------------------------------------- boxed

TEST_CASE("math boxed takes the last balanced box", "[eval-math]") {
  CHECK(last_boxed_only_string("The answer is $\\boxed{5}$.") == optional<string>("\\boxed{5}"));
  CHECK(last_boxed_only_string("so \\boxed{\\frac{1}{2}} done") == optional<string>("\\boxed{\\frac{1}{2}}"));
  CHECK(last_boxed_only_string("\\boxed{1} then \\boxed{2}") == optional<string>("\\boxed{2}"));
  CHECK(boxed_answer("x \\boxed{\\{1,\\{2\\}\\}} y") == optional<string>("\\{1,\\{2\\}\\}"));
  CHECK(boxed_answer("\\boxed{}") == optional<string>(""));
  CHECK(boxed_answer("\\boxed{é}") == optional<string>("é"));
  CHECK(boxed_answer("The answer is 5") == nullopt);
}

TEST_CASE("math boxed with a space reads up to the next dollar", "[eval-math]") {
  CHECK(last_boxed_only_string("so $\\boxed 5$ ok") == optional<string>("\\boxed 5"));
  CHECK(boxed_answer("so $\\boxed 5$ ok") == optional<string>("5"));
  CHECK(boxed_answer("\\boxed 42") == optional<string>("42"));
  // "\boxed " anywhere wins over a later "\boxed{...}" and no braces are matched.
  CHECK(last_boxed_only_string("\\boxed 3 and \\boxed{4}") == optional<string>("\\boxed 3 and \\boxed{4}"));
  CHECK(boxed_answer("\\boxed 3 and \\boxed{4}") == optional<string>("3 and \\boxed{4}"));
  CHECK(boxed_answer("\\boxed{4} and \\boxed 3$ end") == optional<string>("3"));
  CHECK(boxed_answer("\\boxed 1$ and \\boxed 2 $x") == optional<string>("2 "));
}

TEST_CASE("math boxed fbox is found but rejected by remove_boxed", "[eval-math]") {
  CHECK(last_boxed_only_string("so \\fbox{7}.") == optional<string>("\\fbox{7}"));
  CHECK(remove_boxed("\\fbox{7}") == nullopt);
  CHECK(boxed_answer("so \\fbox{7}.") == nullopt);
  // With any "\boxed" present, \fbox is not looked at.
  CHECK(boxed_answer("\\boxed{5} \\fbox{6}") == optional<string>("5"));
}

TEST_CASE("math boxed unbalanced or malformed gives nullopt", "[eval-math]") {
  CHECK(last_boxed_only_string("\\boxed{\\frac{1}{2}") == nullopt);
  CHECK(last_boxed_only_string("\\boxed{5") == nullopt);
  // A '}' before any '{' takes the count below zero; it never returns to zero on a '}'.
  CHECK(last_boxed_only_string("\\boxed} {5}") == nullopt);
  // The walk starts at the command: a newline before '{' is kept, and remove_boxed's assert fails.
  CHECK(last_boxed_only_string("\\boxed\n{5}") == optional<string>("\\boxed\n{5}"));
  CHECK(boxed_answer("\\boxed\n{5}") == nullopt);
  CHECK(remove_boxed("\\boxed{5}") == optional<string>("5"));
  CHECK(remove_boxed("\\boxed{5") == nullopt);
  CHECK(remove_boxed("x\\boxed 5") == nullopt);
  CHECK(remove_boxed("\\boxed 5") == optional<string>("5"));
}

TEST_CASE("math boxed filter", "[eval-math]") {
  FilterInfo f = boxed_filter();
  CHECK(f.name == "boxed");
  CHECK(run_filter(f, "Thus $\\boxed{\\dfrac{3}{4}}$.") == optional<string>("\\dfrac{3}{4}"));
  CHECK(run_filter(f, "no box here") == nullopt);
  CHECK(run_filter(f, "\\boxed{open") == nullopt);
}

// ---------------------------------------------------------------- strip_string / is_equiv

TEST_CASE("math strip_string fixes fracs", "[eval-math]") {
  CHECK(strip_string("\\frac12") == optional<string>("\\frac{1}{2}"));
  CHECK(strip_string("\\frac1{72}") == optional<string>("\\frac{1}{72}"));
  CHECK(strip_string("\\frac{72}1") == optional<string>("\\frac{72}1"));
  CHECK(strip_string("\\frac123") == optional<string>("\\frac{1}{2}3"));
  CHECK(strip_string("\\dfrac{3}{4}") == optional<string>("\\frac{3}{4}"));
  CHECK(strip_string("\\tfrac12") == optional<string>("\\frac{1}{2}"));
  // Code points, not bytes.
  CHECK(fix_fracs("\\fracαβ") == optional<string>("\\frac{α}{β}"));
  // One character after \frac: the caught assert returns the input unchanged.
  CHECK(fix_fracs("\\frac1") == optional<string>("\\frac1"));
  CHECK(fix_fracs("2+\\frac12+\\fracα") == optional<string>("2+\\frac12+\\fracα"));
  // Nothing after \frac: IndexError.
  CHECK(fix_fracs("1+\\frac") == nullopt);
  CHECK(fix_fracs("\\frac\\frac12") == nullopt);
}

TEST_CASE("math strip_string leading zero and one half", "[eval-math]") {
  CHECK(strip_string("0.5") == optional<string>("\\frac{1}{2}"));
  CHECK(strip_string(".5") == optional<string>("\\frac{1}{2}"));
  CHECK(strip_string(" .5") == optional<string>("\\frac{1}{2}"));
  CHECK(strip_string(".25") == optional<string>("0.25"));
  CHECK(strip_string("{.5}") == optional<string>("{0.5}"));
  CHECK(strip_string("0.50") == optional<string>("0.50"));
  CHECK(strip_string("") == optional<string>(""));
  CHECK(strip_string("\n") == optional<string>(""));
}

TEST_CASE("math strip_string removes units after text with a space", "[eval-math]") {
  CHECK(strip_string("5\\text{ cm}") == optional<string>("5"));
  CHECK(strip_string("5 \\text{ cm}^2") == optional<string>("5"));
  CHECK(strip_string("5\\text{cm}") == optional<string>("5\\text{cm}"));
  CHECK(remove_right_units("\\text{ a}\\text{ b}") == nullopt);
  CHECK(strip_string("1\\text{ a}\\text{ b}") == nullopt);
}

TEST_CASE("math strip_string equals sign rule", "[eval-math]") {
  CHECK(strip_string("x = 5") == optional<string>("5"));
  CHECK(strip_string("k=7") == optional<string>("7"));
  CHECK(strip_string("xy = 5") == optional<string>("xy=5"));
  CHECK(strip_string("x=1=2") == optional<string>("x=1=2"));
  // len() counts code points: two-byte letters.
  CHECK(strip_string("é=5") == optional<string>("5"));
  CHECK(strip_string("éé=5") == optional<string>("5"));
  CHECK(strip_string("ééé=5") == optional<string>("ééé=5"));
}

TEST_CASE("math strip_string fixes sqrt", "[eval-math]") {
  CHECK(strip_string("\\sqrt3") == optional<string>("\\sqrt{3}"));
  CHECK(strip_string("\\sqrt{3}") == optional<string>("\\sqrt{3}"));
  CHECK(strip_string("2\\sqrt2+\\sqrt{5}") == optional<string>("2\\sqrt{2}+\\sqrt{5}"));
  CHECK(fix_sqrt("\\sqrtπ") == optional<string>("\\sqrt{π}"));
  // fix_sqrt runs before spaces are removed, so the space is what gets braced.
  CHECK(strip_string("\\sqrt 3") == optional<string>("\\sqrt{}3"));
  CHECK(fix_sqrt("2\\sqrt") == nullopt);
  CHECK(fix_sqrt("\\sqrt\\sqrt2") == nullopt);
}

TEST_CASE("math strip_string removes markup and spaces", "[eval-math]") {
  CHECK(strip_string("\\left( 1, 2 \\right)") == optional<string>("(1,2)"));
  CHECK(strip_string("90^\\circ") == optional<string>("90"));
  CHECK(strip_string("90^{\\circ}") == optional<string>("90"));
  CHECK(strip_string("\\$5") == optional<string>("5"));
  CHECK(strip_string("50\\%") == optional<string>("50"));
  CHECK(strip_string("1\\!000") == optional<string>("1000"));
  CHECK(strip_string("\\\\frac12") == optional<string>("\\frac{1}{2}"));
  CHECK(strip_string("1\n2") == optional<string>("12"));
  CHECK(strip_string("tfrac") == optional<string>("frac"));
  // Only ASCII spaces are removed; a tab stays.
  CHECK(strip_string("1\t2") == optional<string>("1\t2"));
}

TEST_CASE("math strip_string a over b", "[eval-math]") {
  CHECK(strip_string("3/4") == optional<string>("\\frac{3}{4}"));
  CHECK(strip_string("-3/4") == optional<string>("\\frac{-3}{4}"));
  CHECK(strip_string("3 / 4") == optional<string>("\\frac{3}{4}"));
  CHECK(strip_string("1/2/3") == optional<string>("1/2/3"));
  // int() accepts these but str(int()) differs: the caught assert keeps the text.
  CHECK(strip_string("03/4") == optional<string>("03/4"));
  CHECK(strip_string("+3/4") == optional<string>("+3/4"));
  CHECK(strip_string("-0/4") == optional<string>("-0/4"));
  CHECK(strip_string("1_0/4") == optional<string>("1_0/4"));
  CHECK(strip_string("٣/4") == optional<string>("٣/4"));
  // int() raises ValueError, which fix_a_slash_b does not catch.
  CHECK(strip_string("x/4") == nullopt);
  CHECK(strip_string("/4") == nullopt);
  CHECK(strip_string("²/4") == nullopt);
  CHECK(strip_string("1.5/4") == nullopt);
}

TEST_CASE("math is_equiv compares stripped strings and falls back to raw", "[eval-math]") {
  CHECK(is_equiv(string("\\frac12"), string("0.5")));
  CHECK(is_equiv(string(".5"), string("\\dfrac{1}{2}")));
  CHECK(is_equiv(string("x = 5"), string("5")));
  CHECK(is_equiv(string("5\\text{ cm}"), string("5")));
  CHECK(is_equiv(string("3/4"), string("\\frac34")));
  CHECK_FALSE(is_equiv(string("0.50"), string("\\frac{1}{2}")));
  CHECK_FALSE(is_equiv(string("5"), string("6")));
  // A raise on either side compares the raw strings.
  CHECK(is_equiv(string("x/4"), string("x/4")));
  CHECK_FALSE(is_equiv(string("x / 4"), string("x/4")));
  CHECK(is_equiv(string("\\frac"), string("\\frac")));
  CHECK_FALSE(is_equiv(string("\\frac "), string("\\frac")));
  CHECK(is_equiv(nullopt, nullopt));
  CHECK_FALSE(is_equiv(nullopt, string("5")));
  CHECK_FALSE(is_equiv(string("5"), nullopt));
}

TEST_CASE("math is_equiv metric", "[eval-math]") {
  MetricInfo m = is_equiv_metric();
  CHECK(m.name == "is_equiv");
  CHECK(run_math_metric(m, string("\\frac12"), "0.5") == 1.0);
  CHECK(run_math_metric(m, string("2"), "0.5") == 0.0);
  CHECK(run_math_metric(m, nullopt, "0.5") == 0.0);
  // boxed filter then is_equiv, as a hendrycks-style run scores.
  optional<string> filtered = run_filter(boxed_filter(), "So $x = \\boxed{\\tfrac{1}{2}}$.");
  CHECK(run_math_metric(m, filtered, *boxed_answer("... = \\boxed{\\frac{1}{2}}.")) == 1.0);
}

TEST_CASE("math dollar span of a hendrycks response", "[eval-math]") {
  CHECK(dollar_span("The answer is $\\frac{1}{2}$.") == "\\frac{1}{2}");
  // First to last '$': inner dollars stay.
  CHECK(dollar_span("So $x=1$ and $y=2$.") == "x=1$ and $y=2");
  CHECK(dollar_span("cost 5$") == "cost 5$");
  CHECK(dollar_span("no math") == "no math");
  CHECK(dollar_span("$$") == "");
  CHECK(dollar_span("é $ü$ é") == "ü");
  FilterInfo f = dollar_span_filter();
  CHECK(f.name == "math_dollar_span");
  optional<string> filtered = run_filter(f, "Answer: $\\dfrac12$");
  CHECK(filtered == optional<string>("\\dfrac12"));
  CHECK(run_math_metric(is_equiv_metric(), filtered, *boxed_answer("so \\boxed{0.5}")) == 1.0);
}

// ---------------------------------------------------------------- Minerva

TEST_CASE("math minerva final answer sentence", "[eval-math]") {
  CHECK(get_unnormalized_answer("We get 5.\nFinal Answer: The final answer is $5$. I hope it is correct.") == "$5$");
  // "I hope it is correct." (no space) is appended: it completes only a text ending in ". ".
  CHECK(get_unnormalized_answer("Final Answer: The final answer is $5$. ") == "$5$");
  CHECK(get_unnormalized_answer("Final Answer: The final answer is $5$.") == kMinervaInvalidAnswer);
  CHECK(get_unnormalized_answer("Final Answer: The final answer is 5") == kMinervaInvalidAnswer);
  // The dot before " I hope" is a wildcard.
  CHECK(get_unnormalized_answer("Final Answer: The final answer is $5$ I hope it is correct.") == "$5");
  // The answer must be on one line.
  CHECK(get_unnormalized_answer("Final Answer: The final answer is\n5. I hope it is correct.") ==
        kMinervaInvalidAnswer);
  // The first sentence wins.
  CHECK(get_unnormalized_answer("Final Answer: The final answer is 7. I hope it is correct. Final Answer: The "
                                "final answer is 8. I hope it is correct.") == "7");
  CHECK(get_unnormalized_answer("Final Answer: The final answer is. I hope it is correct.") == "");
  // str.strip() removes Unicode whitespace.
  CHECK(get_unnormalized_answer("Final Answer: The final answer is\u00a05\u3000. I hope it is correct.") == "5");
  CHECK(get_unnormalized_answer("The answer is 5.") == kMinervaInvalidAnswer);
}

TEST_CASE("math minerva normalize math mode and wrappers", "[eval-math]") {
  CHECK(normalize_final_answer("$5$") == "5");
  CHECK(normalize_final_answer("$x$ and $y$") == "x");
  CHECK(normalize_final_answer("is $7$ apples") == "7");
  CHECK(normalize_final_answer("a$1$\nb$2$") == "1\n2");
  CHECK(normalize_final_answer("\\text{(A)}") == "(A)");
  CHECK(normalize_final_answer("\\textbf{7}") == "7");
  CHECK(normalize_final_answer("\\overline{3}") == "3");
  CHECK(normalize_final_answer("$\\boxed{5}$") == "5");
  CHECK(normalize_final_answer("\\boxed{\\frac{1}{2}}") == "\\frac{1}{2}");
  // The \boxed regex is greedy.
  CHECK(normalize_final_answer("\\boxed{1}+\\boxed{2}") == "1}+\\boxed{2");
}

TEST_CASE("math minerva normalize equals substitutions and removals", "[eval-math]") {
  CHECK(normalize_final_answer("x = \\frac{1}{2}") == "\\frac{1}{2}");
  CHECK(normalize_final_answer("y = 2x + 1") == "2x+1");
  CHECK(normalize_final_answer("a=b=3") == "3");
  CHECK(normalize_final_answer("10 dollars") == "10");
  CHECK(normalize_final_answer("10\\text{ dollars}") == "10");
  CHECK(normalize_final_answer("5 inches") == "5");
  CHECK(normalize_final_answer("soft") == "so");
  CHECK(normalize_final_answer("an apple") == "apple");
  CHECK(normalize_final_answer("a banana") == "banana");
  CHECK(normalize_final_answer("\\mbox{cm}") == "");
  CHECK(normalize_final_answer("5\\text{m}") == "5");
  CHECK(normalize_final_answer("5^\\circ") == "5");
  CHECK(normalize_final_answer("90^{\\circ}") == "90");
  CHECK(normalize_final_answer("3\\text{s}") == "3");
  CHECK(normalize_final_answer("1\\;000") == "1000");
  CHECK(normalize_final_answer("\"yes\"") == "yes");
  CHECK(normalize_final_answer("1,\\text{and}2") == "12");
  CHECK(normalize_final_answer("7.$") == "7");
  CHECK(normalize_final_answer("\\ 4") == "4");
}

TEST_CASE("math minerva normalize shorthand and numbers", "[eval-math]") {
  CHECK(normalize_final_answer("\\frac12") == "\\frac{1}{2}");
  CHECK(normalize_final_answer("\\frac123") == "\\frac{1}{2}3");
  CHECK(normalize_final_answer("\\dfrac12") == "\\dfrac{1}{2}");
  CHECK(normalize_final_answer("\\sqrt2") == "\\sqrt{2}");
  CHECK(normalize_final_answer("\\sqrt{2}") == "\\sqrt{2}");
  // '.' does not match a newline.
  CHECK(normalize_final_answer("\\frac1\n") == "\\frac1\n");
  CHECK(normalize_final_answer("\\$1,000") == "1000");
  CHECK(normalize_final_answer("1{,}000") == "1000");
  CHECK(normalize_final_answer("1,2,3") == "123");
  CHECK(normalize_final_answer("1, 2, \\ldots") == "12");
  CHECK(normalize_final_answer("1,000.5") == "1,000.5");
  CHECK(normalize_final_answer("(1,2)") == "(1,2)");
  // str.isdigit() accepts superscript digits.
  CHECK(normalize_final_answer("1,²") == "1²");
  CHECK(normalize_final_answer("[invalidanswer]") == "[invalidanswer]");
}

TEST_CASE("math minerva gold answer from the solution", "[eval-math]") {
  CHECK(minerva_gold_answer("so the domain is $\\boxed{[2,5)}$.\nFinal Answer: The final answer is $[2,5)$.") ==
        "[2,5)");
  CHECK(minerva_gold_answer("$\\boxed 7$") == "7");
  CHECK(minerva_gold_answer("no box") == kMinervaInvalidAnswer);
  CHECK(minerva_gold_answer("\\fbox{3}") == kMinervaInvalidAnswer);
  CHECK(minerva_gold_answer("\\boxed{3") == kMinervaInvalidAnswer);
  CHECK(minerva_last_boxed_only_string("none") == kMinervaInvalidAnswer);
  CHECK(minerva_remove_boxed("\\boxed{x}") == "x");
}

TEST_CASE("math minerva match", "[eval-math]") {
  CHECK(minerva_match("$\\frac{1}{2}$", "\\frac12"));
  CHECK(minerva_match("1,000", "1000"));
  CHECK(minerva_match("10 dollars", "\\$10"));
  CHECK_FALSE(minerva_match("5", "6"));
  // Invalid answers score 0 even against an invalid gold.
  CHECK_FALSE(minerva_match("[invalidanswer]", "[invalidanswer]"));
  CHECK_FALSE(minerva_match("[invalid answer]", "[invalidanswer]"));
  // The Hendrycks fallback (lm-eval uses sympy here): 0.5 and 1/2 agree, "\%" is dropped.
  CHECK(minerva_match("0.5", "\\frac{1}{2}"));
  CHECK(minerva_match("50\\%", "50"));
  // Minerva's removal of "ft" has already turned "\left" into "\le", so this pair stays apart.
  CHECK(normalize_final_answer("\\left(1,2\\right)") == "\\le(1,2\\right)");
  CHECK_FALSE(minerva_match("\\left(1,2\\right)", "(1,2)"));
  // Equal only symbolically: lm-eval's sympy would accept, the string rules do not.
  CHECK_FALSE(minerva_match("2\\sqrt{2}", "\\sqrt{8}"));
}

TEST_CASE("math minerva filter and metric", "[eval-math]") {
  FilterInfo f = minerva_final_answer_filter();
  MetricInfo m = minerva_match_metric();
  CHECK(f.name == "minerva_final_answer");
  CHECK(m.name == "minerva_match");
  string gold = minerva_gold_answer("Thus $\\frac{a}{b}=\\boxed{-\\frac{2}{3}}.$");
  CHECK(gold == "-\\frac{2}{3}");
  string gen = "Multiply by -3/2.\nFinal Answer: The final answer is $-\\frac23$. I hope it is correct.\n\n";
  optional<string> filtered = run_filter(f, gen);
  CHECK(filtered == optional<string>("$-\\frac23$"));
  CHECK(run_math_metric(m, filtered, gold) == 1.0);
  CHECK(run_math_metric(m, string("$\\frac23$"), gold) == 0.0);
  CHECK(run_filter(f, "I think it is 5.") == nullopt);
  CHECK(run_math_metric(m, nullopt, gold) == 0.0);
}

// ---------------------------------------------------------------- Python rules

TEST_CASE("math python int rules", "[eval-math]") {
  namespace py = math_py_int;
  CHECK(py::int_parses("+1"));
  CHECK(py::int_parses(" 1 "));
  CHECK(py::int_parses("\u00a01\u2003"));
  CHECK(py::int_parses("1_0"));
  CHECK(py::int_parses("٣"));
  CHECK_FALSE(py::int_parses("+ 1"));
  CHECK_FALSE(py::int_parses("1__0"));
  CHECK_FALSE(py::int_parses("_1"));
  CHECK_FALSE(py::int_parses("1_"));
  CHECK_FALSE(py::int_parses("²"));
  CHECK_FALSE(py::int_parses(""));
  CHECK_FALSE(py::int_parses("-"));
  CHECK_FALSE(py::int_parses("\x1c" "1"));  // str.isspace() but not stripped by int()
  CHECK_FALSE(py::int_parses(string(4301, '7')));
  CHECK(py::int_parses(string(4300, '7')));
  CHECK(py::is_canonical_int("0"));
  CHECK(py::is_canonical_int("-12"));
  CHECK_FALSE(py::is_canonical_int("-0"));
  CHECK_FALSE(py::is_canonical_int("007"));
  CHECK_FALSE(py::is_canonical_int(" 7"));
  // Python 3.11 knows Unicode 14: the Kawi digits (Unicode 15, Nd) are not decimal to it.
  CHECK_FALSE(py::int_parses("\U00011F51"));
  CHECK(py::int_parses("\U0001E951"));  // ADLAM DIGIT ONE (Unicode 9)
  CHECK_FALSE(py::int_parses("1\xff"));  // a stray byte is no digit
}
