// lm-eval's generic filters and exact_match (EleutherAI/lm-evaluation-harness @4e7e0d47f33b).
// Expected values come from reading lm_eval/filters/*.py and lm_eval/api/metrics.py, with the
// Python pieces (re.findall, str.lower/translate, numpy's fixed-width lower) computed by
// /usr/bin/python3.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "eval/scorers/scorer.h"

using namespace lfmb::eval;
using nlohmann::json;

namespace {

std::optional<std::string> run_filter(const std::string& name, const std::string& text, const json& args,
                                      const json& doc = json::object()) {
  const FilterInfo* f = find_filter(name);
  REQUIRE(f != nullptr);
  FilterContext ctx{doc, args};
  return f->fn(text, ctx);
}

double exact_match(const std::optional<std::string>& response, const std::string& target, const json& args) {
  const MetricInfo* m = find_metric("exact_match");
  REQUIRE(m != nullptr);
  json doc = json::object();
  MetricContext ctx{doc, args};
  return m->fn(response, target, ctx);
}

const json kStrict = {{"function", "regex"}, {"regex_pattern", R"(#### (\-?[0-9\.\,]+))"}};
const json kFlexible = {{"function", "regex"}, {"group_select", -1}, {"regex_pattern", "(-?[$0-9.,]{2,})|(-?[0-9]+)"}};
const json kGsm8kMetric = {{"metric", "exact_match"},
                           {"aggregation", "mean"},
                           {"higher_is_better", true},
                           {"ignore_case", true},
                           {"ignore_punctuation", false},
                           {"regexes_to_ignore", {",", "\\$", "(?s).*#### ", "\\.$"}}};
const std::string kGsm8kTarget =
    "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n"
    "Natalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72";

}  // namespace

TEST_CASE("registry lists the lm-eval filters and exact_match", "[eval-text]") {
  for (const char* name : {"regex", "take_first", "remove_whitespace", "lowercase", "uppercase", "multi_choice_regex"}) {
    const FilterInfo* f = find_filter(name);
    REQUIRE(f != nullptr);
    CHECK(f->name == name);
    CHECK(f->source.find("4e7e0d47f33b") != std::string::npos);
  }
  CHECK(find_filter("no_such_filter") == nullptr);
  REQUIRE(find_metric("exact_match") != nullptr);
  CHECK(find_metric("acc") == nullptr);
  // Every registered name is unique (a later entry would be unreachable).
  for (const auto& names : {filter_names(), metric_names()}) {
    std::set<std::string> unique(names.begin(), names.end());
    CHECK(unique.size() == names.size());
  }
  const auto metrics = metric_names();
  CHECK(std::find(metrics.begin(), metrics.end(), "exact_match") != metrics.end());
}

TEST_CASE("regex filter gsm8k strict-match", "[eval-text]") {
  CHECK(run_filter("regex", "Janet: 16 - 3 - 4 = <<16-3-4=9>>9 eggs.\n#### 18\n#### 20", kStrict) == "18");
  CHECK(run_filter("regex", "So she pays #### -1,234.5 in total", kStrict) == "-1,234.5");
  CHECK(run_filter("regex", "The answer is 18.", kStrict) == std::nullopt);  // lm-eval: "[invalid]"
  // Defaults: the strict pattern is RegexFilter's default regex_pattern.
  CHECK(run_filter("regex", "#### 42", json::object()) == "42");
  CHECK(run_filter("regex", "#### 42", json()) == "42");
}

TEST_CASE("regex filter gsm8k flexible-extract takes the last number", "[eval-text]") {
  // findall gives tuples; the last one is ('18.', ''), its first non-empty element is "18.".
  CHECK(run_filter("regex", "She makes 9 * 2 = $18 every day.\nThe answer is 18.", kFlexible) == "18.");
  CHECK(run_filter("regex", "The total is 1,000 dollars", kFlexible) == "1,000");
  CHECK(run_filter("regex", "x = -5", kFlexible) == "-5");  // only the second group matched
  CHECK(run_filter("regex", "I am not sure...", kFlexible) == "...");  // "..." is 2+ of [$0-9.,]
  CHECK(run_filter("regex", "no digits here", kFlexible) == std::nullopt);
  json second_last = kFlexible;
  second_last["group_select"] = -2;
  CHECK(run_filter("regex", "She makes 9 * 2 = $18 every day.\nThe answer is 18.", second_last) == "$18");
}

TEST_CASE("regex filter groups strip and fallback rules", "[eval-text]") {
  // One group: that group, then Python's str.strip() (U+3000 is whitespace).
  CHECK(run_filter("regex", "answer: \u3000B \nmore", {{"regex_pattern", "answer:(.*)"}}) == "B");
  // No group: the whole match.
  CHECK(run_filter("regex", "a 12 b 345", {{"regex_pattern", R"(\d+)"}, {"group_select", 1}}) == "345");
  // An empty single group is "" (not the fallback); an all-empty tuple is the fallback.
  CHECK(run_filter("regex", "b", {{"regex_pattern", "(a*)b"}}) == "");
  CHECK(run_filter("regex", "x", {{"regex_pattern", "(a)?(b)?"}}) == std::nullopt);
  CHECK(run_filter("regex", "x", {{"regex_pattern", "(a)?(b)?"}, {"fallback", " none "}}) == "none");
  CHECK(run_filter("regex", "x", {{"regex_pattern", "(z)"}, {"fallback", " none "}}) == " none ");
  // GPQA strict-match's look-around pattern.
  CHECK(run_filter("regex", "So the answer is... The answer is (B).\nDone",
                   {{"regex_pattern", "(?<=The answer is )(.*)(?=.)"}}) == "(B)");
  // Python raises IndexError for a group_select past the matches.
  CHECK_THROWS_AS(run_filter("regex", "#### 1", {{"group_select", 1}}), lfmb::Error);
  CHECK_THROWS_AS(run_filter("regex", "#### 1", {{"group_select", -2}}), lfmb::Error);
  // Keyword arguments: an unknown one is an error; group_select may arrive as a string.
  CHECK_THROWS_AS(run_filter("regex", "#### 1", {{"regex_patern", "x"}}), lfmb::Error);
  CHECK(run_filter("regex", "#### 1 #### 2", {{"group_select", "-1"}}) == "2");
}

TEST_CASE("take_first remove_whitespace lowercase uppercase", "[eval-text]") {
  const json none = {{"function", "take_first"}};
  CHECK(run_filter("take_first", "  Same text \n", none) == "  Same text \n");
  // WhitespaceFilter at this commit is resp.strip(): both ends, Python whitespace only.
  CHECK(run_filter("remove_whitespace", " \t\u3000 B) foo\x1c\n", json()) == "B) foo");
  CHECK(run_filter("remove_whitespace", "\u200b B", json()) == "\u200b B");  // ZWSP is not whitespace
  CHECK(run_filter("lowercase", "The Answer IS \u00c9\u039f\u03a3", json()) == "the answer is \u00e9\u03bf\u03c2");
  CHECK(run_filter("uppercase", "stra\u00dfe b)", json()) == "STRASSE B)");
  CHECK_THROWS_AS(run_filter("lowercase", "x", {{"ignore_case", true}}), lfmb::Error);
}

TEST_CASE("exact_match with the gsm8k regexes_to_ignore", "[eval-text]") {
  // The target keeps its reasoning; "(?s).*#### " removes it, as lm-eval's gsm8k.yaml intends.
  CHECK(exact_match(std::string("72"), kGsm8kTarget, kGsm8kMetric) == 1.0);
  CHECK(exact_match(std::string("$72."), kGsm8kTarget, kGsm8kMetric) == 1.0);
  CHECK(exact_match(std::string("$1,072."), "Total\n#### 1072", kGsm8kMetric) == 1.0);
  CHECK(exact_match(std::string("72.0"), kGsm8kTarget, kGsm8kMetric) == 0.0);
  CHECK(exact_match(std::string("18."), kGsm8kTarget, kGsm8kMetric) == 0.0);
  CHECK(exact_match(std::nullopt, kGsm8kTarget, kGsm8kMetric) == 0.0);  // "[invalid]"
  // Only a final '.' goes ("\.$"), so an inner point stays.
  CHECK(exact_match(std::string("7.2"), "#### 72", kGsm8kMetric) == 0.0);
}

TEST_CASE("exact_match case punctuation and number rules", "[eval-text]") {
  const json plain = json::object();
  CHECK(exact_match(std::string("(B)"), "(b)", plain) == 0.0);
  CHECK(exact_match(std::string(" B"), "B", plain) == 0.0);  // no stripping
  CHECK(exact_match(std::string("B"), "B", plain) == 1.0);
  const json case_punct = {{"ignore_case", true}, {"ignore_punctuation", true}};
  CHECK(exact_match(std::string("The Answer: (B)!"), "the answer b", case_punct) == 1.0);
  CHECK(exact_match(std::string("caf\u00e9."), "CAF\u00c9", case_punct) == 1.0);
  // string.punctuation is ASCII only: an em dash is kept.
  CHECK(exact_match(std::string("a\u2014b"), "ab", {{"ignore_punctuation", true}}) == 0.0);
  CHECK(exact_match(std::string("a-b"), "ab", {{"ignore_punctuation", true}}) == 1.0);
  CHECK(exact_match(std::string("abc123"), "ABC", {{"ignore_case", true}, {"ignore_numbers", true}}) == 1.0);
  CHECK(exact_match(std::string("abc\u0663"), "abc", {{"ignore_numbers", true}}) == 0.0);  // ASCII digits only
  // numpy's fixed-width arrays: trailing NULs vanish, and np.char.lower keeps the width, so
  // "\u0130stanbul" (8 code points) lowers to "i\u0307stanbu".
  CHECK(exact_match(std::string("72\0", 3), "72", plain) == 1.0);
  CHECK(exact_match(std::string("\u0130stanbul"), "i\u0307stanbu", {{"ignore_case", true}}) == 1.0);
  CHECK(exact_match(std::string("\u0130stanbul"), "i\u0307stanbul", {{"ignore_case", true}}) == 0.0);
  CHECK_THROWS_AS(exact_match(std::string("a"), "a", {{"ignore_cases", true}}), lfmb::Error);
}

TEST_CASE("multi_choice_regex follows MultiChoiceRegexFilter", "[eval-text]") {
  // GPQA's flexible-extract configuration.
  const json gpqa = {{"function", "multi_choice_regex"},
                     {"group_select", -1},
                     {"ignore_case", true},
                     {"ignore_punctuation", true},
                     {"regex_pattern", R"((\([A-Z]\)))"}};
  const json capitals = {{"choices", {"Paris", "London", "Berlin", "Madrid"}}};
  // 1. The pattern itself, last match.
  CHECK(run_filter("multi_choice_regex", "(A) is wrong, the answer is (C).", gpqa, capitals) == "(C)");
  // 2. A choice's text in the normalised response becomes its letter.
  CHECK(run_filter("multi_choice_regex", "I think the capital is BERLIN.", gpqa, capitals) == "(C)");
  CHECK(run_filter("multi_choice_regex", "Not London, it's Paris", gpqa, capitals) == "(A)");
  json first = gpqa;
  first["group_select"] = 0;
  CHECK(run_filter("multi_choice_regex", "Not London, it's Paris", first, capitals) == "(B)");
  // 3. ":" and a bare letter in the raw response (case-sensitive there).
  CHECK(run_filter("multi_choice_regex", "Answer: D", gpqa, capitals) == "(D)");
  CHECK(run_filter("multi_choice_regex", "Answer:\n\nB because C", gpqa, capitals) == "(B)");
  CHECK(run_filter("multi_choice_regex", "answer: d", gpqa, capitals) == std::nullopt);
  CHECK(run_filter("multi_choice_regex", "Answer: E", gpqa, capitals) == std::nullopt);  // only A-D exist
  CHECK(run_filter("multi_choice_regex", "No idea.", gpqa, capitals) == std::nullopt);
}

TEST_CASE("multi_choice_regex normalisation of choices", "[eval-text]") {
  const json args = {{"regex_pattern", R"((\([A-Z]\)))"}, {"ignore_case", true}, {"ignore_punctuation", true}};
  // Unicode punctuation (category P) goes, unlike exact_match's ASCII string.punctuation.
  CHECK(run_filter("multi_choice_regex", "It is paris", args, {{"choices", {"\u00abParis\u00bb", "Rome"}}}) == "(A)");
  CHECK(run_filter("multi_choice_regex", "The speed is 3.5 m/s.", args, {{"choices", {" 3.5 m/s ", "7 m/s"}}}) ==
        "(A)");
  // Equal normalised choices: the later letter wins (dict assignment).
  CHECK(run_filter("multi_choice_regex", "same", args, {{"choices", {"Same", "same!", "other"}}}) == "(B)");
  // A choice that normalises with a leading space matches " foo", which .strip() turns into "foo":
  // no longer a key, so lm-eval returns the text itself.
  CHECK(run_filter("multi_choice_regex", "it is foo", args, {{"choices", {"- foo", "bar"}}}) == "foo");
  // Without ignore_case the choice text is case-sensitive.
  CHECK(run_filter("multi_choice_regex", "paris", {{"regex_pattern", R"((\([A-Z]\)))"}},
                   {{"choices", {"Paris", "Rome"}}}) == std::nullopt);
  // regexes_to_ignore applies to choices and response before the search.
  const json ignore_the = {{"regex_pattern", R"((\([A-Z]\)))"}, {"regexes_to_ignore", {"the "}}};
  CHECK(run_filter("multi_choice_regex", "It is Red Sea", ignore_the, {{"choices", {"the Red Sea", "Nile"}}}) ==
        "(A)");
  // The choices must be in the document.
  CHECK_THROWS_AS(run_filter("multi_choice_regex", "x", args, json::object()), lfmb::Error);
  CHECK_THROWS_AS(run_filter("multi_choice_regex", "x", args, {{"choices", {1, 2}}}), lfmb::Error);
}
