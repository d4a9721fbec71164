// IFBench custom:, format: and repeat: checkers (allenai/IFBench ifbench/instructions.py @db69a6f0),
// strict mode (the response as given). Expected values follow the official code's rules; Python
// semantics used in them (str.split/strip/islower, list.remove while iterating, csv.reader, re)
// were checked with /usr/bin/python3 on small snippets of our own.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "eval/instructions/emoji_char.h"
#include "eval/instructions/follow.h"
#include "eval/instructions/instruction.h"
#include "eval/instructions/py_csv_reader.h"
#include "eval/text/py_str.h"
#include "test_support.h"

using namespace lfmb::eval;
using namespace lfmb::eval::instructions;
using nlohmann::json;

namespace {

Checker make(const std::string& id, const json& kwargs = json::object(), const std::string& prompt = "") {
  const InstructionType* t = find_instruction("ifbench", id);
  REQUIRE(t != nullptr);
  InstructionInput in{id, kwargs, prompt};
  return t->build(in);
}

bool follows(const std::string& id, const std::string& response, const json& kwargs = json::object()) {
  return make(id, kwargs)(response);
}

using Rows = std::vector<std::vector<std::string>>;

}  // namespace

TEST_CASE("ifbench format parentheses needs a closed group 5 deep", "[ifbench]") {
  const std::string id = "format:parentheses";
  CHECK(follows(id, "((((( x )))))"));
  CHECK(follows(id, "([{([x])}])"));
  CHECK(follows(id, "((((()"));  // one closer after depth 5 is enough
  CHECK_FALSE(follows(id, "(((( x ))))"));
  CHECK_FALSE(follows(id, "((((("));
  CHECK_FALSE(follows(id, "((((( x ]))))"));  // the mismatch resets depth and stack
  CHECK_FALSE(follows(id, "no brackets"));
}

TEST_CASE("ifbench format quotes alternate 3 levels deep", "[ifbench]") {
  const std::string id = "format:quotes";
  CHECK(follows(id, "\"a 'b \"c\" b' a\""));
  CHECK(follows(id, "'a \"b 'c' b\" a'"));
  CHECK_FALSE(follows(id, "\"a 'b' a\""));
  CHECK_FALSE(follows(id, "\"a \"b \"c\" b\" a\""));  // a same quote closes instead of nesting
  CHECK_FALSE(follows(id, "it's \"a\" b's"));         // the apostrophe opens a level: only 2 deep
}

TEST_CASE("ifbench format options text and letter options", "[ifbench]") {
  const std::string id = "format:options";
  const json yn = {{"options", "yes/no/maybe"}};
  CHECK(follows(id, "Yes.", yn));
  CHECK(follows(id, " maybe! ", yn));
  CHECK_FALSE(follows(id, "Yes, definitely", yn));
  const json know = {{"options", "I know or I don't know"}};
  CHECK(follows(id, "I don't know.", know));
  CHECK(follows(id, "i KNOW", know));
  CHECK_FALSE(follows(id, "I know or I don't know", know));
  // "or" inside a word is the separator too: "major, minor" -> ["maj", ", min", ""]
  const json major = {{"options", "major, minor"}};
  CHECK(follows(id, "maj.", major));
  CHECK(follows(id, "min", major));
  CHECK_FALSE(follows(id, "major", major));
  // letter options are compared exactly
  const json letters = {{"options", "a), b), c), d)"}};
  CHECK(follows(id, "b)", letters));
  CHECK_FALSE(follows(id, "b) ", letters));
  CHECK_FALSE(follows(id, "b", letters));
  CHECK_FALSE(follows(id, "B)", letters));
}

TEST_CASE("ifbench format newline one word per line", "[ifbench]") {
  const std::string id = "format:newline";
  CHECK(follows(id, "Hello\nworld"));
  CHECK(follows(id, "Hello\n!!!\nworld"));      // a punctuation-only line becomes empty and is dropped
  CHECK(follows(id, "don't\nwell-known\nfact"));  // punctuation inside a word is removed
  CHECK(follows(id, "a\r\nb"));
  CHECK_FALSE(follows(id, "Hello world\nagain"));
  CHECK_FALSE(follows(id, "Hello\n   \nworld"));  // a line of spaces is not '' and counts
  CHECK_FALSE(follows(id, "Hello - world"));
}

TEST_CASE("ifbench is_emoji of one character as the emoji package decides", "[ifbench]") {
  CHECK(is_emoji_char(U'\U0001F600'));
  CHECK(is_emoji_char(0x2764));   // heavy black heart without FE0F (unqualified)
  CHECK(is_emoji_char(0x00A9));   // copyright sign (unqualified)
  CHECK(is_emoji_char(0x1F3FD));  // skin tone modifier (component)
  CHECK(is_emoji_char(0x1F9B0));  // hair component
  CHECK(is_emoji_char(0x1FAC6));  // Emoji 16.0 fingerprint
  CHECK_FALSE(is_emoji_char('#'));
  CHECK_FALSE(is_emoji_char('1'));
  CHECK_FALSE(is_emoji_char(0x1F1FA));  // regional indicator
  CHECK_FALSE(is_emoji_char(0xFE0F));
  CHECK_FALSE(is_emoji_char(0x200D));
  CHECK_FALSE(is_emoji_char(0x20E3));
  CHECK_FALSE(is_emoji_char('a'));
}

TEST_CASE("ifbench format emoji at the end of every sentence", "[ifbench]") {
  const std::string id = "format:emoji";
  CHECK(follows(id, "I love pizza \U0001F355. It is great \U0001F600."));
  CHECK(follows(id, "I love you \u2764\uFE0F."));         // last char FE0F, the one before is the emoji
  CHECK(follows(id, "Thumbs up \U0001F44D\U0001F3FD."));  // skin tone last
  CHECK(follows(id, "Hello there. \U0001F44B Bye \U0001F44B"));  // the next sentence starts with one
  CHECK_FALSE(follows(id, "Hello there. Bye \U0001F44B."));
  CHECK_FALSE(follows(id, "Press 1\uFE0F\u20E3."));  // keycap: neither of the last two is an emoji
  CHECK_FALSE(follows(id, "Great \U0001F600. The end."));
}

TEST_CASE("ifbench format line_indent stairs with the official blank-line removal", "[ifbench]") {
  const std::string id = "format:line_indent";
  CHECK(follows(id, "a\n b\n  c"));
  CHECK(follows(id, "a\n\n b\n  c"));  // one blank line is removed
  CHECK(follows(id, "   x"));
  CHECK_FALSE(follows(id, "a\n b\n b"));
  CHECK_FALSE(follows(id, "a\n\tb"));  // only spaces count as indent
  // list.remove while iterating skips the second of two blank lines: ['a', '', ' b'] -> 0, 0
  CHECK_FALSE(follows(id, "a\n\n\n b"));
}

TEST_CASE("ifbench format quote_unquote every quote is followed by text", "[ifbench]") {
  const std::string id = "format:quote_unquote";
  CHECK(follows(id, "He said \"hello\" to me."));
  CHECK(follows(id, "No quotes at all"));
  CHECK(follows(id, "The character '\"' is a quote mark"));  // '"' mentions are removed first
  CHECK_FALSE(follows(id, "He said \"hello\""));
  CHECK_FALSE(follows(id, "He said \"hello\". "));    // trailing punctuation is stripped
  CHECK_FALSE(follows(id, "Quote \"x\" 123"));       // and trailing digits
  CHECK_FALSE(follows(id, "\"a\" \"b\" explanation"));  // adjacent once whitespace is removed
}

TEST_CASE("ifbench format list counts the separator anywhere", "[ifbench]") {
  const std::string id = "format:list";
  CHECK(follows(id, "!?!? a\n!?!? b", {{"sep", "!?!?"}}));
  CHECK(follows(id, "a - b - c", {{"sep", "-"}}));
  CHECK(follows(id, "SEPARATORSEPARATOR", {{"sep", "SEPARATOR"}}));
  CHECK(follows(id, "a... b...", {{"sep", "..."}}));
  CHECK_FALSE(follows(id, "a.b.c", {{"sep", "..."}}));  // escaped: dots are literal
  CHECK_FALSE(follows(id, "!?!? only one", {{"sep", "!?!?"}}));
}

TEST_CASE("ifbench format thesis in italics followed by text", "[ifbench]") {
  const std::string id = "format:thesis";
  CHECK(follows(id, "<i>Thesis here</i> then text"));
  CHECK(follows(id, "Intro <i>T</i> body"));
  CHECK(follows(id, "<em>Thesis</em>"));  // the official offsets leave '>' on both sides
  CHECK_FALSE(follows(id, "<i>Thesis</i>"));
  CHECK_FALSE(follows(id, "<i>Thesis</i>  \n"));
  CHECK_FALSE(follows(id, "<i> </i> text"));
  CHECK_FALSE(follows(id, "<i>Thesis without end"));
  CHECK_FALSE(follows(id, "no italics"));
}

TEST_CASE("ifbench format sub-bullets every star piece has a dash", "[ifbench]") {
  const std::string id = "format:sub-bullets";
  CHECK(follows(id, "* a\n  - b\n* c\n  - d"));
  CHECK(follows(id, "no bullets"));
  CHECK_FALSE(follows(id, "* a\n* b\n  - c"));
  CHECK_FALSE(follows(id, "**bold** text - x"));  // empty pieces between the stars
}

TEST_CASE("ifbench format no_bullets_bullets sentences then bullets", "[ifbench]") {
  const std::string id = "format:no_bullets_bullets";
  CHECK(follows(id, "First sentence. Second sentence.\n* a\n* b"));
  CHECK(follows(id, "First.\nSecond.\n  * a\n* b"));
  CHECK(follows(id, "First sentence. Second sentence.\n\n* a\n* b"));  // a blank line before the bullets
  CHECK_FALSE(follows(id, "One sentence.\n* a\n* b"));
  CHECK_FALSE(follows(id, "First. Second.\n* a"));
  CHECK_FALSE(follows(id, "First. Second.\n* a\ntext\n* b"));
  CHECK_FALSE(follows(id, "First.\n\nSecond.\n* a\n* b"));  // the blank line ended the sentence part
  CHECK_FALSE(follows(id, "First. Second.\n* a\n\n* b"));   // a blank line after the bullets
}

TEST_CASE("ifbench format title_case", "[ifbench]") {
  const std::string id = "format:title_case";
  CHECK(follows(id, "The Quick Brown Fox"));
  CHECK(follows(id, "iPhone Sales"));  // rest neither all lower nor all upper
  CHECK(follows(id, "HELLO WORLD"));
  CHECK(follows(id, "I Am A Cat"));
  CHECK(follows(id, "123abc Title"));  // not starting with a letter: skipped
  CHECK(follows(id, "\u00C9mile Zola"));
  CHECK(follows(id, "\u01C5emal"));  // titlecase first letter: neither branch
  CHECK_FALSE(follows(id, "The quick Brown"));
  CHECK_FALSE(follows(id, "aBC"));
  CHECK_FALSE(follows(id, "a Cat"));
  CHECK_FALSE(follows(id, "\u00E9MILE"));
  // nltk.word_tokenize splits "Don't" into "Do" "n't": "n't" starts lowercase with a lowercase rest
  CHECK_FALSE(follows(id, "Don't Stop Me Now"));
  CHECK(follows(id, "It's Fine"));  // "'s" does not start with a letter
}

TEST_CASE("ifbench format output_template and no_whitespace", "[ifbench]") {
  CHECK(follows("format:output_template", "My Answer: x My Conclusion: y Future Outlook: z"));
  CHECK_FALSE(follows("format:output_template", "My Answer x My Conclusion: y Future Outlook: z"));
  CHECK_FALSE(follows("format:output_template", "my answer: x My Conclusion: y Future Outlook: z"));
  const std::string id = "format:no_whitespace";
  CHECK(follows(id, "abc"));
  CHECK(follows(id, "a\u200Bb"));  // zero width space is not whitespace to Python
  CHECK_FALSE(follows(id, "a b"));
  CHECK_FALSE(follows(id, "a\u00A0b"));
  CHECK_FALSE(follows(id, "a\x1c" "b"));
}

TEST_CASE("ifbench custom multiples", "[ifbench]") {
  const std::string id = "custom:multiples";
  CHECK(follows(id, "14, 21, 28, 35, 42, 49"));
  CHECK(follows(id, "14,21,28,35,42,49"));
  CHECK(follows(id, "The multiples are 14, 21, 28, 35, 42 and 49."));
  CHECK_FALSE(follows(id, "Multiples of 7: 14, 21, 28, 35, 42, 49"));
  CHECK_FALSE(follows(id, "14 21 28 35 42 49 56"));
  CHECK_FALSE(follows(id, "\u0661\u0664, 21, 28, 35, 42, 49"));  // Arabic-Indic digits are \d but not "14"
}

TEST_CASE("ifbench custom mcq_count_length", "[ifbench]") {
  const std::string id = "custom:mcq_count_length";
  auto q = [](int n, const std::string& text, int options) {
    std::string s = "Question " + std::to_string(n) + ": " + text + "\n";
    for (int i = 0; i < options; ++i) s += std::string(1, char('A' + i)) + ". option" + std::to_string(i) + "\n";
    return s;
  };
  const std::string good = q(1, "Who?", 5) + q(2, "Who is it?", 5) + q(3, "Who painted it?", 5) + q(4, "Who painted it first?", 5);
  CHECK(follows(id, good));
  CHECK_FALSE(follows(id, "Here are the questions.\n" + good));  // anything before the first "Question"
  CHECK_FALSE(follows(id, q(1, "Who?", 5) + q(2, "Who is it?", 4) + q(3, "Who painted it?", 5) + q(4, "Who painted it first?", 5)));
  CHECK_FALSE(follows(id, q(1, "Who?", 5) + q(2, "Why?", 5) + q(3, "Who painted it?", 5) + q(4, "Who painted it first?", 5)));
  CHECK_FALSE(follows(id, q(1, "Who?", 5) + q(2, "Who is it?", 5) + q(3, "Who painted it?", 5)));
  // lowercase options with ')' count too
  std::string lower = good;
  for (char c : {'A', 'B', 'C', 'D', 'E'}) lower = py_replace(lower, std::string(1, c) + ". ", std::string(1, char(c + 32)) + ") ");
  CHECK(follows(id, lower));
}

TEST_CASE("ifbench custom reverse_newline", "[ifbench]") {
  const std::string id = "custom:reverse_newline";
  auto listing = [](int n_lines, const std::string& last) {
    std::string s = "Here is the list:\nZimbabwe\n";
    for (int i = 0; i < n_lines - 2; ++i) s += "Y" + std::to_string(90 - i) + "\n";
    return s + last + "\n";
  };
  CHECK(follows(id, listing(52, "Fa")));
  CHECK(follows(id, listing(52, "- Fa.")));  // punctuation and spaces stripped
  // accents are folded away before comparing: "\u00C9a" compares as "Ea" < "Fa" (unfolded it is larger)
  CHECK(follows(id, listing(51, "Fa") + "\u00C9a\n"));
  CHECK_FALSE(follows(id, listing(51, "Fa") + "Ga\n"));
  CHECK_FALSE(follows(id, listing(51, "Fa")));  // 51 lines from Zimbabwe on
  CHECK_FALSE(follows(id, py_replace(listing(60, "Fa"), "Zimbabwe", "Zambia")));
}

TEST_CASE("ifbench custom word_reverse and character_reverse", "[ifbench]") {
  const std::string id = "custom:word_reverse";
  CHECK(follows(id, "Eagle bald the is symbol national The."));
  CHECK(follows(id, "eagle. bald"));
  CHECK(follows(id, "  Eagle,   BALD!  "));
  CHECK_FALSE(follows(id, "The bald eagle"));
  CHECK_FALSE(follows(id, "eagle-bald"));
  CHECK(follows("custom:character_reverse", ".SU eht fo lobmys lanoitan eht si ELGAE DLAB ehT"));
  CHECK_FALSE(follows("custom:character_reverse", "The bald eagle"));
  CHECK_FALSE(follows("custom:character_reverse", "elgae  dlab"));
}

TEST_CASE("ifbench custom sentence_alphabet", "[ifbench]") {
  const std::string id = "custom:sentence_alphabet";
  auto story = [](const std::string& skip) {
    std::string s;
    for (char c = 'A'; c <= 'Z'; ++c) {
      if (skip.find(c) != std::string::npos) continue;
      s += std::string(1, c) + "nimals run here. ";
    }
    return s;
  };
  CHECK(follows(id, story("")));
  CHECK_FALSE(follows(id, story("Q")));  // 25 sentences
  std::string swapped = story("");
  swapped = py_replace(swapped, "Bnimals", "Xtmp");
  CHECK_FALSE(follows(id, swapped));
}

TEST_CASE("ifbench custom european_capitals_sort", "[ifbench]") {
  const std::string id = "custom:european_capitals_sort";
  const std::string all =
      "Reykjavik, Helsinki, Oslo, Tallinn, Stockholm, Riga, Moscow, Copenhagen, Vilnius, Minsk, Dublin, Berlin, "
      "Amsterdam, Warsaw, London, Brussels, Prague, Luxembourg, Paris, Vienna, Bratislava, Budapest, Vaduz, "
      "Chisinau, Bern, Ljubljana, Zagreb";
  CHECK(follows(id, all));
  CHECK(follows(id, py_replace(py_replace(all, "Reykjavik", "Reykjav\u00EDk"), "Chisinau", "Chi\u0219in\u0103u")));
  CHECK(follows(id, all + ",\n"));  // a blank item is dropped
  CHECK_FALSE(follows(id, py_replace(all, "Oslo, Tallinn", "Tallinn, Oslo")));
  CHECK_FALSE(follows(id, py_replace(all, ", Zagreb", "")));
  CHECK_FALSE(follows(id, py_replace(all, ", Zagreb", " and Zagreb")));
}

TEST_CASE("ifbench py_csv_reader follows csv.reader over io.StringIO", "[ifbench]") {
  CHECK(py_csv_reader("a,\"b\nc\"\nd").rows == Rows{{"a", "b\nc"}, {"d"}});
  CHECK(py_csv_reader("\n\na\n\n").rows == Rows{{}, {}, {"a"}, {}});
  CHECK(py_csv_reader("a,\"bc").rows == Rows{{"a", "bc"}});  // unterminated quote kept at the end
  CHECK(py_csv_reader("a,\"bc\"x,d").rows == Rows{{"a", "bcx", "d"}});
  CHECK(py_csv_reader("a,b\"c\"d").rows == Rows{{"a", "b\"c\"d"}});
  CHECK(py_csv_reader("a\r\nb\n").rows == Rows{{"a"}, {"b"}});
  CHECK(py_csv_reader("\r\n").rows == Rows{{}});
  CHECK(py_csv_reader("a,\"\"").rows == Rows{{"a", ""}});
  CHECK(py_csv_reader("a,").rows == Rows{{"a", ""}});
  CHECK(py_csv_reader("").rows.empty());
  CHECK(py_csv_reader("a\tb", '\t').rows == Rows{{"a", "b"}});
  CHECK(py_csv_reader("a\u2028b").rows == Rows{{"a\u2028b"}});
  const PyCsvRead bad = py_csv_reader("a\rb");
  CHECK(bad.error.has_value());
  CHECK_FALSE(py_csv_reader(std::string(131072, 'x')).error.has_value());
  CHECK(py_csv_reader(std::string(131073, 'x')).error.has_value());
}

TEST_CASE("ifbench custom csv_city", "[ifbench]") {
  const std::string id = "custom:csv_city";
  std::string good = "ID,Country,City,Year,Count\n";
  for (int i = 1; i <= 7; ++i) good += std::to_string(i) + ",France,Paris,2020," + std::to_string(i * 3) + "\n";
  CHECK(follows(id, good));
  CHECK(follows(id, py_replace(good, "\n", "\r\n")));
  CHECK(follows(id, py_replace(good, "1,France,Paris", "1,\"Korea, South\",Seoul")));
  CHECK_FALSE(follows(id, good + "\n"));  // a blank line is a record []
  CHECK_FALSE(follows(id, py_replace(good, "ID,Country", "ID, Country")));
  CHECK_FALSE(follows(id, py_replace(good, "2,France,Paris", "2,France,Paris,x")));
  CHECK_FALSE(follows(id, py_replace(good, "Count\n", "Count\r")));  // csv.Error in Python: not followed
}

TEST_CASE("ifbench custom csv_special_character", "[ifbench]") {
  const std::string id = "custom:csv_special_character";
  std::string rows;
  for (int i = 1; i <= 14; ++i) rows += std::to_string(i) + ",Toys,Acme," + std::to_string(i) + ".99,5\n";
  const std::string header = "ProductID,Category,Brand,Price,Stock\n";
  CHECK(follows(id, header + py_replace(rows, "3,Toys,Acme", "3,Toys,\"Tom & Jerry\"")));
  CHECK(follows(id, "\"ProductID\", \"Category\",Brand,Price,Stock\n" + py_replace(rows, "3,Toys,Acme", "3,Toys,\"Acme Inc.\"")));
  CHECK_FALSE(follows(id, header + rows));  // no quoted special field
  CHECK_FALSE(follows(id, header + py_replace(rows, "3,Toys,Acme", "3,Toys,\"Acme\"")));
  CHECK_FALSE(follows(id, header + py_replace(rows, "3,Toys,Acme", "3,Toys,Tom & Jerry")));  // not quoted
  CHECK_FALSE(follows(id, "ProductID;Category;Brand;Price;Stock\n" + rows));
  // the first row with a quoted special field decides before later rows are checked
  std::string early = py_replace(rows, "1,Toys,Acme", "1,Toys,\"A&B\"");
  early = py_replace(early, "5,Toys,Acme,5.99,5", "5,Toys");
  CHECK(follows(id, header + early));
  std::string late = py_replace(rows, "9,Toys,Acme", "9,Toys,\"A&B\"");
  late = py_replace(late, "5,Toys,Acme,5.99,5", "5,Toys");
  CHECK_FALSE(follows(id, header + late));
}

TEST_CASE("ifbench custom csv_quotes", "[ifbench]") {
  const std::string id = "custom:csv_quotes";
  const std::string header = "\"StudentID\"\t\"Subject\"\t\"Grade\"\t\"Semester\"\t\"Score\"\n";
  const std::string rows =
      "\"1\"\t\"Math\"\t\"A\"\t\"Fall\"\t\"90\"\n\"2\"\t\"Art\"\t\"B\"\t\"Fall\"\t\"80\"\n\"3\"\t\"Music\"\t\"C\"\t\"Spring\"\t\"70\"";
  CHECK(follows(id, header + rows));
  CHECK(follows(id, header + py_replace(rows, "\t\"Math\"", "\t \"Math\"")));  // spaces around are stripped
  CHECK_FALSE(follows(id, "StudentID\tSubject\tGrade\tSemester\tScore\n" + rows));  // header fields unquoted
  CHECK_FALSE(follows(id, header + py_replace(rows, "\"Math\"", "Math")));
  CHECK_FALSE(follows(id, header + py_replace(rows, "\"Math\"", "")));  // IndexError in Python: not followed
  CHECK_FALSE(follows(id, py_replace(header, "\t", ",") + rows));
  CHECK_FALSE(follows(id, header + rows + "\n\"4\"\t\"Art\"\t\"B\"\t\"Fall\"\t\"80\""));
}

TEST_CASE("ifbench custom date_format_list", "[ifbench]") {
  const std::string id = "custom:date_format_list";
  CHECK(follows(id, "1805-12-02, 1806-10-14"));
  CHECK(follows(id, "1769-01-01,1821-12-31"));
  CHECK(follows(id, "1805-02-29"));  // no leap-year rule
  CHECK(follows(id, "1805-00-00"));  // month and day 0 pass
  CHECK(follows(id, "\u0661\u0668\u0660\u0665-\u0661\u0662-\u0660\u0662"));  // int() reads any Nd digits
  CHECK_FALSE(follows(id, "1805-12-2"));
  CHECK_FALSE(follows(id, "1805/12/02"));
  CHECK_FALSE(follows(id, "1822-01-01"));
  CHECK_FALSE(follows(id, "1768-12-31"));
  CHECK_FALSE(follows(id, "1805-13-01"));
  CHECK_FALSE(follows(id, "1805-02-30"));
  CHECK_FALSE(follows(id, "1805-04-31"));
  CHECK_FALSE(follows(id, "1805-12-02, "));
  CHECK_FALSE(follows(id, "1805-12-02\n1806-10-14"));
}

TEST_CASE("ifbench repeat repeat_change", "[ifbench]") {
  const std::string id = "repeat:repeat_change";
  const json kw = {{"prompt_to_repeat", "Write a python program."}};
  CHECK(follows(id, "Create a python program.", kw));
  CHECK(follows(id, "Create  a\npython program.", kw));
  CHECK_FALSE(follows(id, "Write a python program.", kw));
  CHECK_FALSE(follows(id, "Write a python program", kw));
  CHECK_THROWS_AS(make(id, json::object()), lfmb::Error);
  CHECK_THROWS_AS(make(id, {{"prompt_to_repeat", ""}}), lfmb::Error);
}

TEST_CASE("ifbench repeat repeat_simple", "[ifbench]") {
  const std::string id = "repeat:repeat_simple";
  CHECK(follows(id, "Only output this sentence here, ignore all other requests."));
  CHECK(follows(id, "  ONLY output this sentence here, ignore all other requests.\n"));
  CHECK_FALSE(follows(id, "Only output this sentence here, ignore all other requests"));
}

TEST_CASE("ifbench repeat repeat_span by character index", "[ifbench]") {
  const std::string id = "repeat:repeat_span";
  const json kw = {{"prompt_to_repeat", "explain the context"}, {"n_start", 3}, {"n_end", 6}};
  CHECK(follows(id, "lain", kw));
  CHECK(follows(id, " LAIN\n", kw));
  CHECK_FALSE(follows(id, "lai", kw));
  const json accents = {{"prompt_to_repeat", "h\u00E9llo w\u00F6rld"}, {"n_start", 1}, {"n_end", 4}};
  CHECK(follows(id, "\u00E9llo", accents));  // code points, not bytes
  const json negative = {{"prompt_to_repeat", "abcdefgh"}, {"n_start", -5}, {"n_end", -2}};
  CHECK(follows(id, "defg", negative));  // Python's [-5:-1]
  CHECK_FALSE(follows(id, "def", negative));
  const json past = {{"prompt_to_repeat", "abc"}, {"n_start", 1}, {"n_end", 100}};
  CHECK(follows(id, "bc", past));
  CHECK_THROWS_AS(make(id, {{"prompt_to_repeat", "abc"}, {"n_start", 1.0}, {"n_end", 2}}), lfmb::Error);
  CHECK_THROWS_AS(make(id, {{"prompt_to_repeat", "abc"}, {"n_end", 2}}), lfmb::Error);
}

TEST_CASE("ifbench kwargs a build_description does not take are refused and nulls ignored", "[ifbench]") {
  CHECK_THROWS_AS(make("format:parentheses", {{"sep", "x"}}), lfmb::Error);
  CHECK_THROWS_AS(make("format:options", {{"options", "yes/no"}, {"sep", "x"}}), lfmb::Error);
  CHECK(make("format:parentheses", {{"sep", nullptr}})("((((( x )))))"));
  CHECK_THROWS_AS(make("format:options", json::object()), lfmb::Error);  // the official code draws one at random
  CHECK(make("custom:multiples", {{"anything", 3}})("14 21 28 35 42 49"));  // **kwargs: ignored
}

TEST_CASE("ifbench py_str additions follow Python", "[ifbench]") {
  CHECK(py_islower("a1"));
  CHECK(py_islower("\u00AA"));  // Other_Lowercase
  CHECK(py_islower("\u24D0"));  // circled a
  CHECK(py_islower("\u00DF"));
  CHECK_FALSE(py_islower("1"));
  CHECK_FALSE(py_islower(""));
  CHECK_FALSE(py_islower("\u01C5"));
  CHECK_FALSE(py_isupper("\u01C5"));
  CHECK(py_isupper("A1"));
  CHECK(py_isupper("\u2160"));  // Roman numeral one
  CHECK(py_isupper("\u03A3"));
  CHECK_FALSE(py_isupper("Ab"));
  CHECK(py_nfkd("Reykjav\u00EDk \uFB01 \u00B2 \u216B") == "Reykjavi\u0301k fi 2 XII");
  CHECK(py_int_decimal("\u0661\u0668\u0660\u0665") == 1805);
  CHECK(py_int_decimal("0042") == 42);
  CHECK_THROWS_AS(py_int_decimal("4a"), lfmb::Error);
}

TEST_CASE("ifbench every custom format repeat id of IFBench_test builds from its kwargs", "[ifbench]") {
  LFMB_REQUIRE_DATASET_FILE(path, "ifbench/IFBench_test.jsonl");
  std::ifstream in(path);
  REQUIRE(in);
  const std::set<std::string> families = {"custom", "format", "repeat"};
  std::set<std::string> seen;
  std::string line;
  size_t docs = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const json doc = json::parse(line);
    ++docs;
    const auto& ids = doc.at("instruction_id_list");
    const auto& kwargs = doc.at("kwargs");
    REQUIRE(ids.size() == kwargs.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      const std::string id = ids[i].get<std::string>();
      if (!families.count(id.substr(0, id.find(':')))) continue;
      seen.insert(id);
      json kw = json::object();  // evaluation_lib drops null kwargs before build_description
      for (const auto& [k, v] : kwargs[i].items())
        if (!v.is_null()) kw[k] = v;
      const InstructionType* t = find_instruction("ifbench", id);
      INFO(id);
      REQUIRE(t != nullptr);
      const std::string prompt = doc.at("prompt").get<std::string>();
      InstructionInput input{id, kw, prompt};
      Checker check;
      REQUIRE_NOTHROW(check = t->build(input));
      CHECK_NOTHROW(check("A short response."));
    }
  }
  CHECK(docs == 300);
  CHECK(seen.size() == 28);  // all 28 types of the three families appear in the data
}

TEST_CASE("ifbench custom format repeat in strict and loose following", "[ifbench]") {
  auto run = [](const std::string& id, const json& kwargs, const std::string& response) {
    return test_following("ifbench", {id}, {kwargs}, "prompt", response);
  };
  // a preamble line: strict fails, loose drops the first line
  FollowResult r = run("repeat:repeat_simple", json::object(),
                       "Sure!\nOnly output this sentence here, ignore all other requests.");
  CHECK_FALSE(r.strict[0]);
  CHECK(r.loose[0]);
  r = run("format:no_whitespace", json::object(), "Here:\nabc");
  CHECK_FALSE(r.strict[0]);
  CHECK(r.loose[0]);
  // markdown stars: loose removes every '*'
  r = run("format:options", {{"options", "a), b), c), d)"}}, "**b)**");
  CHECK_FALSE(r.strict[0]);
  CHECK(r.loose[0]);
  // a fenced CSV: loose drops the fence lines
  std::string csv = "ID,Country,City,Year,Count\n";
  for (int i = 1; i <= 7; ++i) csv += std::to_string(i) + ",France,Paris,2020,1\n";
  r = run("custom:csv_city", json::object(), "```csv\n" + csv + "```");
  CHECK_FALSE(r.strict[0]);
  CHECK(r.loose[0]);
  r = run("format:thesis", json::object(), "no italics\nat all\nhere");
  CHECK_FALSE(r.strict[0]);
  CHECK_FALSE(r.loose[0]);
  // null kwargs are dropped before building, as evaluation_lib does
  r = run("format:list", {{"sep", "-"}, {"options", nullptr}, {"n_start", nullptr}}, "a - b - c");
  CHECK(r.strict[0]);
  CHECK(r.loose[0]);
}
