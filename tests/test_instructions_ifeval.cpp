// IFEval instruction checkers: cases written from the official rules (lm-eval
// tasks/ifeval/instructions.py and utils.py @4e7e0d47f33b). Expected values of Python semantics
// that are not obvious were computed with /usr/bin/python3 on small reimplementations of the
// rules (never the official code).
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "eval/instructions/follow.h"
#include "eval/instructions/instruction.h"
#include "eval/instructions/language_id.h"
#include "eval/instructions/text_util.h"
#include "eval/text/py_str.h"
#include "tests/test_support.h"

using namespace lfmb::eval::instructions;
using nlohmann::json;

namespace {

// Strict and loose result of one IFEval instruction on one response.
struct Decision {
  bool strict, loose;
};
Decision decide(const std::string& id, const json& kwargs, const std::string& response,
                const std::string& prompt = "the prompt") {
  FollowResult r = test_following("ifeval", {id}, {kwargs}, prompt, response);
  REQUIRE(r.strict.size() == 1);
  REQUIRE(r.loose.size() == 1);
  return {r.strict[0], r.loose[0]};
}
bool strict(const std::string& id, const json& kwargs, const std::string& response) {
  return decide(id, kwargs, response).strict;
}
bool loose(const std::string& id, const json& kwargs, const std::string& response) {
  return decide(id, kwargs, response).loose;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// follow.cpp: strict / loose contract

TEST_CASE("loose_variants are the 8 official variants in order", "[ifeval]") {
  const std::vector<std::string> v = loose_variants("first *line*\n middle \nlast*");
  REQUIRE(v.size() == 8);
  CHECK(v[0] == "first *line*\n middle \nlast*");
  CHECK(v[1] == "first line\n middle \nlast");
  CHECK(v[2] == "middle \nlast*");         // without the first line, stripped
  CHECK(v[3] == "first *line*\n middle");  // without the last line, stripped
  CHECK(v[4] == "middle");                 // without both
  CHECK(v[5] == "middle \nlast");
  CHECK(v[6] == "first line\n middle");
  CHECK(v[7] == "middle");
}

TEST_CASE("loose_variants of a one line response", "[ifeval]") {
  const std::vector<std::string> v = loose_variants(" *a* ");
  REQUIRE(v.size() == 8);
  CHECK(v[0] == " *a* ");
  CHECK(v[1] == " a ");  // '*' removed but not stripped (response.replace("*", ""))
  for (size_t i = 2; i < 8; ++i) CHECK(v[i].empty());
  // Only "\n" splits lines (str.split("\n")), not "\r".
  const std::vector<std::string> w = loose_variants("a\r\nb\rc");
  CHECK(w[2] == "b\rc");
  CHECK(w[3] == "a");
}

TEST_CASE("strict and loose need a non-empty stripped response", "[ifeval]") {
  // no_comma holds for an empty response, but the official code requires response.strip().
  Decision d = decide("punctuation:no_comma", json::object(), " \n\t ");
  CHECK_FALSE(d.strict);
  CHECK_FALSE(d.loose);
  d = decide("punctuation:no_comma", json::object(), "x");
  CHECK(d.strict);
  CHECK(d.loose);
  // Python's strip() knows Unicode whitespace: U+3000 alone is empty.
  CHECK_FALSE(strict("punctuation:no_comma", json::object(), "\u3000"));
}

TEST_CASE("loose passes when a variant passes", "[ifeval]") {
  // The comma is only on the first line: strict fails, "without the first line" passes.
  Decision d = decide("punctuation:no_comma", json::object(), "Sure, here it is:\nno commas here");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
  // A comma on a middle line is in every variant.
  d = decide("punctuation:no_comma", json::object(), "a\nb, c\nd");
  CHECK_FALSE(d.strict);
  CHECK_FALSE(d.loose);
  // A one-line response with a comma: the line variants are empty and skipped.
  d = decide("punctuation:no_comma", json::object(), "a, b");
  CHECK_FALSE(d.loose);
}

TEST_CASE("test_following over several instructions", "[ifeval]") {
  FollowResult r = test_following("ifeval", {"punctuation:no_comma", "startend:quotation"},
                                  {json::object(), nullptr}, "p", "\"a, b\"");
  REQUIRE(r.strict.size() == 2);
  CHECK_FALSE(r.strict[0]);
  CHECK(r.strict[1]);
  CHECK_FALSE(r.all_strict());
  CHECK_FALSE(r.all_loose());
  FollowResult none = test_following("ifeval", {}, {}, "p", "x");
  CHECK(none.all_strict());  // Python all([]) is True
  CHECK(none.all_loose());
}

TEST_CASE("test_following drops null kwargs and rejects bad input", "[ifeval]") {
  // A null-valued key is dropped before building (as IFBench / lm-eval do).
  CHECK(strict("startend:end_checker", json{{"end_phrase", "The end."}, {"unused", nullptr}}, "It is. The end."));
  CHECK_THROWS_AS(test_following("ifeval", {"no:such"}, {json::object()}, "p", "x"), lfmb::Error);
  CHECK_THROWS_AS(test_following("ifeval", {"punctuation:no_comma"}, {}, "p", "x"), lfmb::Error);
  CHECK_THROWS_AS(test_following("ifeval", {"punctuation:no_comma"}, {json::array()}, "p", "x"), lfmb::Error);
  CHECK_THROWS_AS(test_following("nosuite", {"punctuation:no_comma"}, {json::object()}, "p", "x"), lfmb::Error);
  // A missing argument is refused (the official code would draw a random one).
  CHECK_THROWS_AS(strict("startend:end_checker", json{{"end_phrase", nullptr}}, "x"), lfmb::Error);
}

// ---------------------------------------------------------------------------------------------
// punctuation:no_comma

TEST_CASE("punctuation no_comma", "[ifeval]") {
  const json k = json::object();
  CHECK(strict("punctuation:no_comma", k, "No commas at all."));
  CHECK_FALSE(strict("punctuation:no_comma", k, "one, two"));
  // Only U+002C is a comma for r"\,": full-width and ideographic commas are not.
  CHECK(strict("punctuation:no_comma", k, "a\uff0cb\u3001c"));
  CHECK(loose("punctuation:no_comma", k, "Title, with comma\nbody"));
  CHECK(loose("punctuation:no_comma", k, "body\nsign-off, me"));
}

// ---------------------------------------------------------------------------------------------
// startend

TEST_CASE("startend end_checker", "[ifeval]") {
  const std::string id = "startend:end_checker";
  const json k{{"end_phrase", " Any other questions? "}};
  CHECK(strict(id, k, "Here it is. Any other questions?"));
  CHECK(strict(id, k, "Here it is. ANY OTHER QUESTIONS?  \n"));     // case-insensitive, stripped
  CHECK(strict(id, k, "\"Here it is. Any other questions?\""));     // quotes stripped from both ends
  CHECK(strict(id, k, "\"\"Here it is. Any other questions?\"\" "));  // strip('"') removes runs
  CHECK_FALSE(strict(id, k, "Here it is. Any other questions?."));
  CHECK_FALSE(strict(id, k, "Any other questions? Thanks"));
  // Quotes are stripped after whitespace only once: whitespace inside the quotes stays.
  CHECK_FALSE(strict(id, k, "\"Any other questions? \""));
  // Loose: a trailing line after the phrase is removed by "without the last line".
  Decision d = decide(id, k, "Here it is. Any other questions?\nP.S. bye");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
  // Loose: a markdown-bold phrase passes once '*' is removed.
  d = decide(id, k, "Done. **Any other questions?**");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
  // Non-ASCII: lower() is Unicode-aware.
  CHECK(strict(id, json{{"end_phrase", "ÜBER ALLES"}}, "und über alles"));
}

TEST_CASE("startend quotation", "[ifeval]") {
  const std::string id = "startend:quotation";
  const json k = json::object();
  CHECK(strict(id, k, "\"wrapped\""));
  CHECK(strict(id, k, "  \"wrapped\"\n"));
  CHECK(strict(id, k, "\"\""));  // two characters are enough
  CHECK_FALSE(strict(id, k, "\""));
  CHECK_FALSE(strict(id, k, "\u201cwrapped\u201d"));  // curly quotes are not '"'
  CHECK_FALSE(strict(id, k, "\"wrapped\" said he"));
  Decision d = decide(id, k, "Here you go:\n\"wrapped\"");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
}

// ---------------------------------------------------------------------------------------------
// combination

TEST_CASE("combination repeat_prompt", "[ifeval]") {
  const std::string id = "combination:repeat_prompt";
  const json k{{"prompt_to_repeat", "  Write a Poem about Cats. "}};
  CHECK(strict(id, k, "write a poem about cats. Here is the poem..."));
  CHECK(strict(id, k, "\n WRITE A POEM ABOUT CATS."));
  CHECK_FALSE(strict(id, k, "Sure! Write a poem about cats."));
  CHECK_FALSE(strict(id, k, "Write a poem about cats"));  // shorter than the prompt
  Decision d = decide(id, k, "Sure!\nWrite a poem about cats. Meow.");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
  d = decide(id, k, "*Write a poem about cats.* Meow.");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
  CHECK_THROWS_AS(strict(id, json{{"prompt_to_repeat", ""}}, "x"), lfmb::Error);
}

TEST_CASE("combination two_responses", "[ifeval]") {
  const std::string id = "combination:two_responses";
  const json k = json::object();
  CHECK(strict(id, k, "First answer.\n******\nSecond answer."));
  CHECK(strict(id, k, "******\nA\n******\nB\n******"));  // empty first and last pieces are fine
  CHECK_FALSE(strict(id, k, "A\n******\n \n******\nB"));  // an empty middle piece is not
  CHECK_FALSE(strict(id, k, "Same\n******\n Same "));      // identical after strip
  CHECK_FALSE(strict(id, k, "A\n******\nB\n******\nC"));  // three responses
  CHECK_FALSE(strict(id, k, "A ***** B"));
  // Seven asterisks: split on the first six leaves "*B", a second response.
  CHECK(strict(id, k, "A*******B"));
  // Loose: removing '*' destroys the separator, so a wrong strict answer cannot be rescued that
  // way; removing a first line that holds a third response can.
  Decision d = decide(id, k, "Intro\n******\nA\n******\nB");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
}

// ---------------------------------------------------------------------------------------------
// keywords

TEST_CASE("keywords existence", "[ifeval]") {
  const std::string id = "keywords:existence";
  const json k{{"keywords", {"Cat", "dog"}}};
  CHECK(strict(id, k, "My CAT and my Dog."));
  CHECK(strict(id, k, "concatenate hotdogs"));  // re.search: substrings count
  CHECK_FALSE(strict(id, k, "Only a cat here."));
  // Keywords are regular expressions as given.
  CHECK(strict(id, json{{"keywords", {"c.t"}}}, "cut"));
  Decision d = decide(id, json{{"keywords", {"a b"}}}, "*a* b");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);  // '*' removed: "a b"
  CHECK_THROWS_AS(strict(id, json{{"keywords", json::array()}}, "x"), lfmb::Error);
  CHECK_THROWS_AS(strict(id, json{{"keywords", "cat"}}, "x"), lfmb::Error);
}

TEST_CASE("keywords frequency", "[ifeval]") {
  const std::string id = "keywords:frequency";
  const json at_least{{"keyword", " fun "}, {"frequency", 2}, {"relation", "at least"}};
  CHECK(strict(id, at_least, "Fun, FUN!"));
  CHECK(strict(id, at_least, "funny fun"));  // substring matches count
  CHECK_FALSE(strict(id, at_least, "fun only once"));
  const json less{{"keyword", "fun"}, {"frequency", 2}, {"relation", "less than"}};
  CHECK(strict(id, less, "fun only once"));
  CHECK_FALSE(strict(id, less, "fun fun"));
  CHECK(strict(id, less, "nothing"));
  // Loose can rescue "less than" by dropping a first line that holds one occurrence.
  Decision d = decide(id, less, "Fun intro\nfun body");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
  // IFBench-style float counts are integers.
  CHECK(strict(id, json{{"keyword", "a"}, {"frequency", 2.0}, {"relation", "at least"}}, "a a"));
  CHECK_THROWS_AS(strict(id, json{{"keyword", "a"}, {"frequency", 2}, {"relation", "at most"}}, "a"), lfmb::Error);
  CHECK_THROWS_AS(strict(id, json{{"keyword", "a"}, {"frequency", -1}, {"relation", "at least"}}, "a"), lfmb::Error);
  CHECK_THROWS_AS(strict(id, json{{"keyword", "a"}, {"frequency", 1.5}, {"relation", "at least"}}, "a"), lfmb::Error);
}

TEST_CASE("keywords forbidden_words", "[ifeval]") {
  const std::string id = "keywords:forbidden_words";
  const json k{{"forbidden_words", {"bad", "evil", "bad"}}};
  CHECK(strict(id, k, "A good answer, badly phrased."));  // \b: "badly" is not "bad"
  CHECK_FALSE(strict(id, k, "That is BAD."));
  CHECK_FALSE(strict(id, k, "evil!"));
  CHECK(strict(id, k, "unevil_ness"));  // '_' is a word character: no boundary
  Decision d = decide(id, k, "Not bad\nA fine answer.");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
}

TEST_CASE("keywords letter_frequency", "[ifeval]") {
  const std::string id = "keywords:letter_frequency";
  const json at_least{{"letter", "A"}, {"let_frequency", 3}, {"let_relation", "at least"}};
  CHECK(strict(id, at_least, "Banana"));  // counted after lower(): a a a
  CHECK_FALSE(strict(id, at_least, "Bana"));
  const json less{{"letter", "k"}, {"let_frequency", 2}, {"let_relation", "less than"}};
  CHECK(strict(id, less, "k"));
  // U+212A KELVIN SIGN lowercases to 'k' and counts (Counter(value.lower())).
  CHECK_FALSE(strict(id, less, "KELVIN \u212a"));
  // U+0130 lowercases to "i" + U+0307: one 'i'.
  CHECK(strict(id, json{{"letter", "i"}, {"let_frequency", 1}, {"let_relation", "at least"}}, "\u0130stanbul"));
  Decision d = decide(id, less, "Kk intro\nbody");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
  CHECK_THROWS_AS(strict(id, json{{"letter", "ab"}, {"let_frequency", 1}, {"let_relation", "at least"}}, "a"),
                  lfmb::Error);
  // Any single character is counted, as google-research does (lm-eval draws a random letter for
  // a non-letter; the data has '#' and '!').
  const json hashes{{"letter", "#"}, {"let_frequency", 4}, {"let_relation", "at least"}};
  CHECK(strict(id, hashes, "#a #b #c #d"));
  CHECK_FALSE(strict(id, hashes, "#a #b #c"));
  CHECK(strict(id, json{{"letter", "\u00c9"}, {"let_frequency", 2}, {"let_relation", "at least"}}, "\u00e9t\u00c9"));
  // A space strips to "": never counted.
  CHECK_FALSE(strict(id, json{{"letter", " "}, {"let_frequency", 1}, {"let_relation", "at least"}}, "a b"));
}

// ---------------------------------------------------------------------------------------------
// detectable_content

TEST_CASE("detectable_content number_placeholders", "[ifeval]") {
  const std::string id = "detectable_content:number_placeholders";
  const json two{{"num_placeholders", 2}};
  CHECK(strict(id, two, "[name] lives at [address]."));
  CHECK(strict(id, two, "[] and []"));          // empty brackets count
  CHECK_FALSE(strict(id, two, "[[x]] only"));   // lazy: "[[x]" is one
  CHECK_FALSE(strict(id, two, "[a\nb] [c]"));   // '.' stops at a newline
  CHECK(strict(id, json{{"num_placeholders", 0}}, "none"));
}

TEST_CASE("detectable_content postscript", "[ifeval]") {
  const std::string id = "detectable_content:postscript";
  const json ps{{"postscript_marker", "P.S."}};
  CHECK(strict(id, ps, "Body.\n\nP.S. See you."));
  CHECK(strict(id, ps, "Body. p. s. see you"));  // lowercased, optional space after "p."
  CHECK(strict(id, ps, "Body.\nPS: no\np.s. yes"));
  CHECK_FALSE(strict(id, ps, "Body.\nPS see you"));
  const json pps{{"postscript_marker", "P.P.S"}};
  CHECK(strict(id, pps, "Body.\nP. P. S see you"));
  CHECK_FALSE(strict(id, pps, "Body.\nP.S. see you"));
  // Other markers: lowercased and used as a regular expression.
  const json note{{"postscript_marker", " Note: "}};
  CHECK(strict(id, note, "Body. NOTE: x"));
  CHECK_FALSE(strict(id, note, "Body. N.B. x"));
  // The marker may be anywhere (no anchor): a postscript in the middle also counts.
  CHECK(strict(id, ps, "P.S. first\nthen body"));
  // Loose: '*' removed from a bold marker.
  Decision d = decide(id, ps, "Body.\n**P.**S. later");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
}

// ---------------------------------------------------------------------------------------------
// detectable_format

TEST_CASE("detectable_format constrained_response", "[ifeval]") {
  const std::string id = "detectable_format:constrained_response";
  const json k = json::object();
  CHECK(strict(id, k, "My answer is yes."));
  CHECK(strict(id, k, "Well... My answer is maybe. Because."));
  CHECK_FALSE(strict(id, k, "my answer is yes."));  // case-sensitive
  CHECK_FALSE(strict(id, k, "My answer is yes"));   // the period is part of the option
  Decision d = decide(id, k, "**My answer is no.**");
  CHECK(d.strict);
  d = decide(id, k, "My answer is *no*.");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
}

TEST_CASE("detectable_format json_format", "[ifeval]") {
  const std::string id = "detectable_format:json_format";
  const json k = json::object();
  struct Case {
    const char* text;
    bool ok;
  };
  // Expected values from json.loads after the official fence stripping (CPython 3.11).
  const Case cases[] = {
      {"```json\n{\"a\": 1}\n```", true}, {"{\"a\": NaN}", true},    {"[1, 2,]", false},
      {"```JSON [1] ```", true},          {"{'a': 1}", false},      {"\"str\"", true},
      {"{\"a\": 1} extra", false},        {"01", false},            {"1e5", true},
      {"-Infinity", true},                {"```\n{\"a\":\"\\ud800\"}\n```", true},
      {"{\"a\":\"x\ty\"}", false},        {"```Json\n[]", true},    {"1.", false},
      {"[-]", false},                     {"{\"a\" : [true, false, null]}", true},
      {"-0.5E-3", true},                  {"```jsonc\n{}\n```", false},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(strict(id, k, c.text) == c.ok);
  }
  // Loose: a sentence before the fence is removed with the first line.
  Decision d = decide(id, k, "Here is the JSON:\n```json\n{\"a\": [1, 2]}\n```");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
}

TEST_CASE("detectable_format multiple_sections", "[ifeval]") {
  const std::string id = "detectable_format:multiple_sections";
  const json k{{"section_spliter", " Section "}, {"num_sections", 2}};
  CHECK(strict(id, k, "Section 1 a Section 2 b"));
  CHECK(strict(id, k, "Section1 a\nSection 2 b\nSection 3 c"));  // at least
  CHECK_FALSE(strict(id, k, "section 1 a section 2 b"));  // case-sensitive
  CHECK_FALSE(strict(id, k, "Section a Section b"));      // a number is required
  const json caps{{"section_spliter", "SECTION"}, {"num_sections", 3}};
  CHECK(strict(id, caps, "SECTION 1\nx\nSECTION 2\ny\nSECTION 3"));
  Decision d = decide(id, caps, "SECTION 1\nx\n*SECTION* 2\ny\nSECTION 3");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
}

TEST_CASE("detectable_format number_bullet_lists", "[ifeval]") {
  const std::string id = "detectable_format:number_bullet_lists";
  auto n = [](int v) { return json{{"num_bullets", v}}; };
  CHECK(strict(id, n(3), "* a\n* b\n- c"));
  CHECK(strict(id, n(2), "*a\n**b\n* c"));     // "**b" is not a bullet
  CHECK(strict(id, n(2), "  * x\n\n* y"));
  CHECK(strict(id, n(1), "*\nfoo"));            // [^\*] may be the newline
  CHECK(strict(id, n(1), "**bold** line\n* item"));
  CHECK(strict(id, n(3), "-x\n - y\n--- z"));   // any line starting with '-'
  CHECK(strict(id, n(0), "text * not a bullet"));
  CHECK_FALSE(strict(id, n(2), "* a\n* b\n* c"));  // exactly
  // Loose: a response with one bullet too many in its first line passes once that line is removed.
  Decision d = decide(id, n(2), "- intro\n* a\n* b");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
}

TEST_CASE("detectable_format number_highlighted_sections", "[ifeval]") {
  const std::string id = "detectable_format:number_highlighted_sections";
  auto n = [](int v) { return json{{"num_highlights", v}}; };
  CHECK(strict(id, n(2), "*a* and *b*"));
  CHECK(strict(id, n(1), "**bold** text"));
  CHECK_FALSE(strict(id, n(1), "** ** and * *"));  // blank highlights
  CHECK_FALSE(strict(id, n(1), "*a\nb*"));          // no newline inside
  CHECK(strict(id, n(2), "***x***"));              // *x* and **x** both count
  CHECK(strict(id, n(4), "*one* **two** ***three***"));
  CHECK_FALSE(strict(id, n(5), "*one* **two** ***three***"));
  CHECK(strict(id, n(2), "**a**b**c**"));
}

TEST_CASE("detectable_format title", "[ifeval]") {
  const std::string id = "detectable_format:title";
  const json k = json::object();
  CHECK(strict(id, k, "<<Title>>\nbody"));
  CHECK_FALSE(strict(id, k, "<< >> body"));
  CHECK(strict(id, k, "<<a>> text <<b>>"));
  CHECK_FALSE(strict(id, k, "<<\n>>"));
  CHECK_FALSE(strict(id, k, "<<<>>>"));  // only angle brackets inside
  CHECK(strict(id, k, "<<< x >>>"));
  CHECK_FALSE(strict(id, k, "# Title"));
  // '*' removal cannot create a title; the loose variants keep one that is there.
  Decision d = decide(id, k, "Intro\n<<*T*>>");
  CHECK(d.strict);
  CHECK(d.loose);
}

// ---------------------------------------------------------------------------------------------
// length_constraints

TEST_CASE("length_constraints number_paragraphs", "[ifeval]") {
  const std::string id = "length_constraints:number_paragraphs";
  auto n = [](int v) { return json{{"num_paragraphs", v}}; };
  CHECK(strict(id, n(3), "a *** b *** c"));
  CHECK(strict(id, n(2), "*** a *** b ***"));     // blank first and last pieces are dropped
  CHECK_FALSE(strict(id, n(2), "a ****** b"));    // a blank middle piece fails
  CHECK_FALSE(strict(id, n(2), "a\n***\n\n***\nb"));
  CHECK(strict(id, n(2), "a***b"));
  CHECK(strict(id, n(1), "a * ** b"));
  CHECK_FALSE(strict(id, n(2), "a\n\nb"));        // only *** divides
  // Loose: '*' removal merges everything into one paragraph.
  Decision d = decide(id, n(1), "a *** b");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
}

TEST_CASE("length_constraints number_words", "[ifeval]") {
  const std::string id = "length_constraints:number_words";
  auto k = [](int v, const char* rel) { return json{{"num_words", v}, {"relation", rel}}; };
  // \w+ runs (CPython 3.11): "don't" is two words, "a_b" one, digits are words, CJK runs are one.
  CHECK(strict(id, k(3, "at least"), "don't stop"));
  CHECK_FALSE(strict(id, k(4, "at least"), "don't stop"));
  CHECK(strict(id, k(3, "at least"), "na\u00efve caf\u00e9 123"));
  CHECK(strict(id, k(3, "less than"), "\u65e5\u672c\u8a9e \u30c6\u30ad\u30b9\u30c8"));
  CHECK(strict(id, k(3, "at least"), "a_b c-d"));
  CHECK_FALSE(strict(id, k(4, "at least"), "a_b c-d"));
  // A combining mark is not \w in Python: x + U+0301 + y is two words.
  CHECK(strict(id, k(2, "at least"), "x\u0301y"));
  CHECK_FALSE(strict(id, k(2, "less than"), "x\u0301y"));
  // Arabic-Indic digits and superscript two are \w.
  CHECK(strict(id, k(2, "at least"), "\u0661\u0662\u0663 \u00b2"));
  CHECK_FALSE(strict(id, k(2, "less than"), "Hello, world!"));
  CHECK(strict(id, k(3, "less than"), "Hello, world!"));
}

TEST_CASE("length_constraints nth_paragraph_first_word", "[ifeval]") {
  const std::string id = "length_constraints:nth_paragraph_first_word";
  const json k{{"num_paragraphs", 3}, {"nth_paragraph", 2}, {"first_word", "Summary"}};
  CHECK(strict(id, k, "Intro.\n\nSummary, it works.\n\nEnd."));
  // Only . , ? ! ' " end the word: "Summary:" is the word "summary:".
  CHECK_FALSE(strict(id, k, "Intro.\n\nSummary: it works.\n\nEnd."));
  CHECK(strict(id, k, "Intro.\n\n'\"summary,\" he said\n\nEnd."));  // ' then " stripped, cut at ','
  // lstrip("'") runs before lstrip('"'): a ' after a " stays and ends the word at once.
  CHECK_FALSE(strict(id, k, "Intro.\n\n\"'summary,' he said\n\nEnd."));
  CHECK(strict(id, k, "Intro.\n\nSUMMARY.\n\nEnd."));
  CHECK_FALSE(strict(id, k, "Intro.\n\nSummaries\n\nEnd."));
  CHECK_FALSE(strict(id, k, "Intro.\n\nSummary\n\nEnd.\n\nMore."));  // four paragraphs
  CHECK_FALSE(strict(id, k, "Intro.\nSummary\n\nEnd.\n\nMore."));    // single newline: same paragraph
  // A blank paragraph is not counted, but the nth is taken from the uncounted list.
  CHECK_FALSE(strict(id, k, "Intro.\n\n\n\nSummary\n\nEnd."));
  CHECK(strict(id, json{{"num_paragraphs", 3}, {"nth_paragraph", 3}, {"first_word", "summary"}},
               "Intro.\n\n \n\nSummary\n\nEnd."));
  // "*Summary*" : the '*' is not stripped in strict mode, only by the loose variants.
  Decision d = decide(id, k, "Intro.\n\n*Summary*, yes\n\nEnd.");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
  CHECK_THROWS_AS(strict(id, json{{"num_paragraphs", 2}, {"nth_paragraph", 3}, {"first_word", "a"}}, "x"),
                  lfmb::Error);
}

TEST_CASE("length_constraints number_sentences", "[ifeval]") {
  const std::string id = "length_constraints:number_sentences";
  auto k = [](int v, const char* rel) { return json{{"num_sentences", v}, {"relation", rel}}; };
  CHECK(strict(id, k(4, "at least"), "Hello world. This is Dr. Smith. He lives in the U.S. The end"));
  CHECK_FALSE(strict(id, k(5, "at least"), "Hello world. This is Dr. Smith. He lives in the U.S. The end"));
  CHECK(strict(id, k(2, "less than"), "The meeting is at 5 p.m. Tomorrow we go."));
  CHECK_FALSE(strict(id, k(2, "less than"), "One. Two."));
  Decision d = decide(id, k(2, "less than"), "Sure. Here:\nOne sentence only");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
  const InstructionType* t = find_instruction("ifeval", id);
  REQUIRE(t);
  CHECK_FALSE(t->approximation.empty());  // listed as approximate in results
}

// ---------------------------------------------------------------------------------------------
// text_util: the splitters and counters themselves

TEST_CASE("count_sentences follows Punkt with the hand-written English parameters", "[ifeval]") {
  // Expected values: NLTK 3.8's PunktSentenceTokenizer (Debian python3-nltk) given the same
  // abbreviation list and orthographic contexts as text_util.cpp.
  struct Case {
    const char* text;
    size_t n;
  };
  const Case cases[] = {
      {"Hello world. This is Dr. Smith. He lives in the U.S. The end", 4},
      {"Wait... What? ok... then.", 3},
      {"I saw J. Smith. then left.", 2},
      {"Numbers 1. apples 2. Pears", 2},
      {"(Sent1.) Sent2.", 2},
      {"He said \"hi.\" Then left.", 2},
      {"", 0},
      {"   ", 0},
      {"a.b.c", 1},
      {"etc. The end.", 2},
      {"First line\nSecond line. Third!\n\nNew paragraph?? Yes.", 4},
      {"It costs $3.50. Cheap, e.g. for you. Ok", 3},
      {"Really?! (Yes.) No.", 3},
      {"Stop.Now. Go", 2},
      {"The meeting is at 5 p.m. Tomorrow we go.", 1},
      {"See fig. 3 for details. Done.", 2},
      {"He won in 2020. Then he lost.", 2},
      {"Is it? \"Yes,\" he said.", 2},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(count_sentences(c.text) == c.n);
  }
  CHECK(sent_tokenize("(Sent1.) Sent2.") == std::vector<std::string>{"(Sent1.)", "Sent2."});
  CHECK(sent_tokenize("First line\nSecond line. Third!\n\nNew paragraph?? Yes.") ==
        std::vector<std::string>{"First line\nSecond line.", "Third!", "New paragraph??", "Yes."});
  CHECK(sent_tokenize("Is it? \"Yes,\" he said.") == std::vector<std::string>{"Is it?", "\"Yes,\" he said."});
}

TEST_CASE("split_into_sentences is the official regex splitter", "[ifeval]") {
  using V = std::vector<std::string>;
  CHECK(split_into_sentences("Mr. Smith went to Washington. He arrived at 3.30 p.m. today!") ==
        V{"Mr. Smith went to Washington.", "He arrived at 3.30 p.m. today!"});
  CHECK(split_into_sentences("Visit example.com now... Really?") == V{"Visit example.com now...", "Really?"});
  CHECK(split_into_sentences("She has a Ph.D. in math. Great") == V{"She has a Ph.D. in math.", "Great"});
  CHECK(split_into_sentences("The U.S.A. is big. It is.") == V{"The U.S.A. is big.", "It is."});
  // A suffix before a starter ends the sentence and loses its period (the official quirk).
  CHECK(split_into_sentences("Acme Inc. He left. Acme Ltd. is here.") ==
        V{"Acme Inc", "He left.", "Acme Ltd. is here."});
  CHECK(split_into_sentences("He said \"Hi.\" Then left!") == V{"He said \"Hi\".", "Then left!"});
  CHECK(split_into_sentences("No end") == V{"No end"});
  CHECK(split_into_sentences("").empty());
}

TEST_CASE("word_tokenize is NLTK's word tokenizer after Punkt sentences", "[ifeval]") {
  using V = std::vector<std::string>;
  // Expected values: NLTK 3.8 NLTKWordTokenizer on the sentences of the approximated Punkt.
  CHECK(word_tokenize("THE U.S. IS BIG. WE ARE HERE.") == V{"THE", "U.S", ".", "IS", "BIG", ".", "WE", "ARE", "HERE", "."});
  CHECK(word_tokenize("I'M GOING (NOW), DON'T WAIT!") ==
        V{"I", "'M", "GOING", "(", "NOW", ")", ",", "DO", "N'T", "WAIT", "!"});
  CHECK(word_tokenize("HELLO--WORLD \"QUOTE\" AI/ML.") == V{"HELLO", "--", "WORLD", "``", "QUOTE", "''", "AI/ML", "."});
  CHECK(word_tokenize("cannot GONNA wanna go") == V{"can", "not", "GON", "NA", "wan", "na", "go"});
  CHECK(word_tokenize("NASA's 'TEST' ok") == V{"NASA", "'s", "'TEST", "'", "ok"});
  CHECK(word_tokenize("A. B. C.") == V{"A.", "B.", "C", "."});
  CHECK(word_tokenize("...") == V{"..."});
  CHECK(word_tokenize("Co. LTD. inc.") == V{"Co.", "LTD.", "inc", "."});
  CHECK(word_tokenize("\u00abGUT\u00bb \u201cHI\u201d") == V{"\u00ab", "GUT", "\u00bb", "\u201c", "HI", "\u201d"});
}

// ---------------------------------------------------------------------------------------------
// change_case

TEST_CASE("change_case capital_word_frequency", "[ifeval]") {
  const std::string id = "change_case:capital_word_frequency";
  auto k = [](int v, const char* rel) { return json{{"capital_frequency", v}, {"capital_relation", rel}}; };
  // Tokens whose str.isupper() holds: "I", "'M", "GOING", "NOW", "DO", "N'T", "WAIT" = 7.
  CHECK(strict(id, k(7, "at least"), "I'M GOING (NOW), DON'T WAIT!"));
  CHECK_FALSE(strict(id, k(8, "at least"), "I'M GOING (NOW), DON'T WAIT!"));
  CHECK_FALSE(strict(id, k(3, "less than"), "NASA's 'TEST' ok and AI/ML"));  // NASA, 'TEST, AI/ML
  CHECK_FALSE(strict(id, k(2, "less than"), "NASA's 'TEST' ok"));     // NASA, 'TEST = 2
  CHECK(strict(id, k(1, "less than"), "x2 and 123 are uncased"));
  Decision d = decide(id, k(2, "less than"), "BIG TITLE\nbody text with ONE cap");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
}

TEST_CASE("change_case english_capital and english_lowercase", "[ifeval]") {
  const std::string cap = "change_case:english_capital", low = "change_case:english_lowercase";
  const json k = json::object();
  const std::string en = "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG. IT IS A SUNNY DAY IN THE CITY.";
  CHECK(strict(cap, k, en));
  CHECK_FALSE(strict(cap, k, "THE QUICK BROWN FOX jumps OVER THE LAZY DOG."));
  CHECK_FALSE(strict(low, k, en));
  CHECK(strict(low, k, "the quick brown fox jumps over the lazy dog. it is a sunny day in the city."));
  CHECK_FALSE(strict(low, k, "the quick brown fox jumps over the lazy Dog."));
  // str.isupper() needs a cased character and no lowercase or titlecase one.
  CHECK_FALSE(strict(cap, k, "1234 !!"));
  CHECK_FALSE(strict(cap, k, "HELLO \u01c5"));  // U+01C5 is titlecase (Lt)
  CHECK(strict(low, k, "\u00aa the quick brown fox jumps over the lazy dog"));  // U+00AA is Lowercase
  // Not English: the case test passes, the language test fails.
  CHECK_FALSE(strict(low, k, "le renard brun rapide saute par-dessus le chien paresseux dans la ville."));
  // Undetectable text (no letters) that passes the case test counts as followed.
  CHECK(strict(low, k, "\u2170\u2171 123"));  // small roman numerals: Lowercase, category Nl
  Decision d = decide(low, k, "Sure!\nthe quick brown fox jumps over the lazy dog in the sunny city.");
  CHECK_FALSE(d.strict);
  CHECK(d.loose);
}

// ---------------------------------------------------------------------------------------------
// language

TEST_CASE("language response_language", "[ifeval]") {
  const std::string id = "language:response_language";
  CHECK(strict(id, json{{"language", "en"}}, "This is clearly an English sentence about the weather today."));
  CHECK_FALSE(strict(id, json{{"language", "de"}}, "This is clearly an English sentence about the weather today."));
  CHECK(strict(id, json{{"language", "de"}}, "Das ist eindeutig ein deutscher Satz über das Wetter von heute."));
  CHECK(strict(id, json{{"language", "fr"}}, "Ceci est clairement une phrase française sur le temps qu'il fait."));
  CHECK(strict(id, json{{"language", "ru"}}, "Это предложение написано на русском языке о погоде сегодня."));
  CHECK(strict(id, json{{"language", "he"}}, "זהו משפט בעברית על מזג האוויר של היום והוא די ארוך."));
  CHECK(strict(id, json{{"language", "ja"}}, "これは今日の天気についての日本語の文章です。"));
  // No letters: langdetect raises, the instruction counts as followed.
  CHECK(strict(id, json{{"language", "fi"}}, "12345 !!! 678"));
  CHECK(strict(id, json{{"language", "fi"}}, "https://example.com/abc user@example.com 42"));
  Decision d = decide(id, json{{"language", "es"}},
                      "Sure, here is my answer in Spanish:\nEsta es claramente una frase en español sobre el clima de hoy.");
  CHECK(d.loose);
  CHECK_THROWS_AS(strict(id, json{{"language", "zz"}}, "x"), lfmb::Error);
  CHECK_THROWS_AS(strict(id, json{{"language", "zh"}}, "x"), lfmb::Error);  // not in LANGUAGE_CODES
}

TEST_CASE("detect_language maps CLD2 to langdetect codes", "[ifeval]") {
  CHECK(detect_language("This is clearly an English sentence about the weather today.") == std::optional<std::string>("en"));
  CHECK(detect_language("זהו משפט בעברית על מזג האוויר של היום והוא די ארוך.") == std::optional<std::string>("he"));
  CHECK(detect_language("这是一个关于今天天气的简体中文句子，我们都很喜欢。") == std::optional<std::string>("zh-cn"));
  CHECK(detect_language("這是一個關於今天天氣的繁體中文句子，我們都很喜歡這個。") == std::optional<std::string>("zh-tw"));
  CHECK_FALSE(detect_language("").has_value());
  CHECK_FALSE(detect_language("123 ... !!! \U0001F600").has_value());
}

// ---------------------------------------------------------------------------------------------
// The registry against the data

TEST_CASE("every IFEval type is registered once with its source", "[ifeval]") {
  const std::vector<std::string> want = {
      "change_case:capital_word_frequency", "change_case:english_capital", "change_case:english_lowercase",
      "combination:repeat_prompt", "combination:two_responses", "detectable_content:number_placeholders",
      "detectable_content:postscript", "detectable_format:constrained_response", "detectable_format:json_format",
      "detectable_format:multiple_sections", "detectable_format:number_bullet_lists",
      "detectable_format:number_highlighted_sections", "detectable_format:title", "keywords:existence",
      "keywords:forbidden_words", "keywords:frequency", "keywords:letter_frequency", "language:response_language",
      "length_constraints:nth_paragraph_first_word", "length_constraints:number_paragraphs",
      "length_constraints:number_sentences", "length_constraints:number_words", "punctuation:no_comma",
      "startend:end_checker", "startend:quotation"};
  CHECK(instruction_ids("ifeval") == want);
  for (const std::string& id : want) {
    const InstructionType* t = find_instruction("ifeval", id);
    REQUIRE(t);
    CHECK(t->id == id);
    CHECK(t->source.find("@4e7e0d47f33b") != std::string::npos);
  }
}

TEST_CASE("every document of the IFEval data builds and is checked", "[ifeval]") {
  LFMB_REQUIRE_DATASET_FILE(path, "ifeval/input_data.jsonl");
  std::ifstream in(path);
  REQUIRE(in);
  std::string line;
  size_t docs = 0, instructions = 0;
  std::set<std::string> seen;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const json doc = json::parse(line);
    const std::vector<std::string> ids = doc.at("instruction_id_list").get<std::vector<std::string>>();
    const std::vector<json> kwargs = doc.at("kwargs").get<std::vector<json>>();
    for (const std::string& id : ids) {
      INFO(id);
      CHECK(find_instruction("ifeval", id) != nullptr);
      seen.insert(id);
    }
    // Building every instruction (and checking one response) must not throw.
    FollowResult r;
    REQUIRE_NOTHROW(r = test_following("ifeval", ids, kwargs, doc.at("prompt").get<std::string>(),
                                       "A short response.\nWith two lines."));
    CHECK(r.strict.size() == ids.size());
    CHECK(r.loose.size() == ids.size());
    // Loose never decides below strict.
    for (size_t i = 0; i < ids.size(); ++i) CHECK((!r.strict[i] || r.loose[i]));
    ++docs;
    instructions += ids.size();
  }
  CHECK(docs == 541);
  CHECK(instructions == 834);
  CHECK(seen.size() == 25);
}

// ---------------------------------------------------------------------------------------------
// The C++ Punkt and word tokenizer against NLTK's own code on real texts

namespace {

void check_text(const std::string& text, const json& e) {
  INFO(text);
  CHECK(count_sentences(text) == e.at("sentences").get<size_t>());
  const std::vector<std::string> toks = word_tokenize(text);
  CHECK(toks.size() == e.at("tokens").get<size_t>());
  size_t caps = 0;
  for (const std::string& t : toks) caps += lfmb::eval::py_isupper(t);
  CHECK(caps == e.at("caps").get<size_t>());
  CHECK(count_words(text) == e.at("words").get<size_t>());
}

}  // namespace

TEST_CASE("sentences and tokens equal NLTK on hand-written texts and every IFEval prompt", "[ifeval]") {
  // tests/data/ifeval_text_expected.json: NLTK 3.8's Punkt (with text_util.cpp's parameters) and
  // word tokenizer, and re.findall(r"\w+"), written by tests/data/make_ifeval_text_expected.py.
  const json expected =
      json::parse(lfmb::test::read_file(std::string(LFMB_SOURCE_DIR) + "/tests/data/ifeval_text_expected.json"));
  for (const json& t : expected.at("texts")) check_text(t.at("text").get<std::string>(), t);

  LFMB_REQUIRE_DATASET_FILE(path, "ifeval/input_data.jsonl");
  std::ifstream in(path);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const json doc = json::parse(line);
    check_text(doc.at("prompt").get<std::string>(), expected.at("prompts").at(std::to_string(doc.at("key").get<long>())));
    ++n;
  }
  CHECK(n == expected.at("prompts").size());
}

TEST_CASE("py_isupper and py_islower follow CPython", "[ifeval]") {
  using lfmb::eval::py_islower;
  using lfmb::eval::py_isupper;
  CHECK(py_isupper("HELLO, WORLD 42"));
  CHECK_FALSE(py_isupper("HELLO world"));
  CHECK_FALSE(py_isupper("123 !"));              // no cased character
  CHECK_FALSE(py_isupper(""));
  CHECK_FALSE(py_isupper("A\u01c5"));            // titlecase letter
  CHECK(py_isupper("\u24b6\u24b7"));              // circled capitals: Other_Uppercase
  CHECK(py_isupper("\u0391\u0392\u0393 \u00c9"));  // Greek and Latin-1 capitals
  CHECK(py_islower("hello, world 42"));
  CHECK_FALSE(py_islower("hello World"));
  CHECK(py_islower("\u00aa\u02b0"));              // Other_Lowercase (Lo, Lm)
  CHECK(py_islower("\u00df stra\u00dfe"));
  CHECK_FALSE(py_islower("\u01c6\u01c5"));        // U+01C5 is titlecase
  CHECK_FALSE(py_islower("\u65e5\u672c"));        // uncased only
}
