// PyRegex against Python 3.11 `re`: every expected value below was computed with /usr/bin/python3.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "eval/text/py_regex.h"

using lfmb::eval::PyRegex;

namespace {

// re.findall for patterns with at most one group.
std::vector<std::string> findall(const std::string& pattern, const std::string& s, int flags = PyRegex::None) {
  std::vector<std::string> out;
  for (const auto& m : PyRegex(pattern, flags).finditer(s)) out.push_back(m.findall_value());
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("PyRegex Unicode digits and word characters", "[eval-text]") {
  // Arabic-Indic and Devanagari digits are \d (Unicode Nd); superscript two is not.
  CHECK(findall(R"(\d+)", "x \u0663\u0664\u0665 y \u0967\u0968 z 7") ==
        V{"\u0663\u0664\u0665", "\u0967\u0968", "7"});
  CHECK(findall(R"(\d)", "\u00b2").empty());
  // Accented and CJK letters are \w; '-' is not; a lone combining accent is not \w in Python.
  CHECK(findall(R"(\w+)", "caf\u00e9 na\u00efve \u6771\u4eac _x-y") ==
        V{"caf\u00e9", "na\u00efve", "\u6771\u4eac", "_x", "y"});
  CHECK(findall(R"(\w)", "\u0301").empty());
  CHECK(findall(R"(\b\w+\b)", "\u00e9t\u00e9, \u00e7a!") == V{"\u00e9t\u00e9", "\u00e7a"});
  CHECK(PyRegex(R"(\b)").sub("ab \u00e7d", "|") == "|ab| |\u00e7d|");
}

TEST_CASE("PyRegex whitespace is str.isspace", "[eval-text]") {
  // Python's \s has the file/group/record/unit separators \x1c-\x1f and not U+180E.
  CHECK(findall(R"(\s+)", "a\x1c" "b\u3000c\u180ed") == V{"\x1c", "\u3000"});
  CHECK(findall(R"(\S+)", "a\x1f" "b") == V{"a", "b"});
  CHECK(findall(R"([\s]+)", "a\x1d\u0085\u00a0b") == V{"\x1d\u0085\u00a0"});
  CHECK(findall(R"([^\s]+)", "a\x1e" "b") == V{"a", "b"});
  CHECK(findall(R"([\S]+)", "a\x1e" "b\u180e") == V{"a", "b\u180e"});
}

TEST_CASE("PyRegex IGNORECASE on non-ASCII letters", "[eval-text]") {
  CHECK(findall("(?i)\u00c9T\u00c9", "\u00e9t\u00e9 \u00c9t\u00e9") == V{"\u00e9t\u00e9", "\u00c9t\u00e9"});
  CHECK(findall("\u03c9", "\u03a9\u03a9", PyRegex::IgnoreCase) == V{"\u03a9", "\u03a9"});
  CHECK(findall("(?i)K", "kK\u212a") == V{"k", "K", "\u212a"});  // Kelvin sign folds to k
  CHECK(findall("stra\u00dfe", "STRASSE", PyRegex::IgnoreCase).empty());  // no multi-character folding
  CHECK(findall("\u00e9", "\u00c9").empty());                             // case matters without the flag
}

TEST_CASE("PyRegex end anchors", "[eval-text]") {
  CHECK(findall(R"(a\Z)", "a\n").empty());  // \Z is the very end in Python
  CHECK(findall(R"(a$)", "a\n") == V{"a"});  // $ also matches before a final newline
  CHECK(findall(R"(a\Z)", "ba") == V{"a"});
  CHECK(findall(R"((?m)^\w)", "ab\ncd\n") == V{"a", "c"});
  CHECK(PyRegex("(?m)^").sub("a\nb\n", ">") == ">a\n>b\n>");  // also after a final newline
  CHECK_FALSE(PyRegex(R"(\B)").search(""));                   // Python 3.11: \B never matches ""
  REQUIRE(PyRegex(R"(\B)").search("ab"));
  CHECK(PyRegex(R"(\B)").search("ab")->start == 1);
}

TEST_CASE("PyRegex empty matches follow Python 3.7 rules", "[eval-text]") {
  CHECK(findall(R"(\d*)", "a1b") == V{"", "1", "", ""});
  CHECK(PyRegex("x*").sub("abxd", "-") == "-a-b--d-");
  CHECK(findall("", "ab") == V{"", "", ""});
  CHECK(PyRegex(R"(\b)").split("a b") == V{"", "a", " ", "b", ""});
  CHECK(PyRegex("x*").split("axbc") == V{"", "a", "", "b", "c", ""});
  // With one group findall gives the group; an unmatched group is "".
  CHECK(findall("(a)|b", "ab") == V{"a", ""});
  auto all = PyRegex("(a)(b)?").finditer("aab");
  REQUIRE(all.size() == 2);
  CHECK_FALSE(all[0].group(2).has_value());  // None in Python's tuple ('a', '')
  CHECK(*all[1].group(2) == "b");
}

TEST_CASE("PyRegex sub templates", "[eval-text]") {
  CHECK(PyRegex(R"((\w+) (\w+))").sub("hello world", R"(\2 \1)") == "world hello");
  CHECK(PyRegex(R"((\d))").sub("a1b2", R"(<\g<1>0>)") == "a<10>b<20>");
  CHECK(PyRegex("-").sub("a-b", R"(\n\t\\)") == "a\n\t\\b");
  CHECK(PyRegex("a").sub("a", R"(\0)") == std::string(1, '\0'));  // \0 is an octal escape, not group 0
  CHECK(PyRegex("(a)").sub("a", R"(\101\b)") == "A\b");          // three-digit octal, \b is backspace
  CHECK(PyRegex(R"((?P<num>\d+))").sub("a12b", R"([\g<num>])") == "a[12]b");
  CHECK(PyRegex("a").sub("a", R"(\-\.)") == R"(\-\.)");  // unknown non-letter escapes stay as written
  CHECK(PyRegex("x").sub("axbxc", "_", 1) == "a_bxc");
  CHECK(PyRegex(R"((a)(x)?)").sub("ab", R"([\2])") == "[]b");  // unmatched group gives ""
  // Template errors are raised before matching, as in Python.
  CHECK_THROWS_AS(PyRegex("(a)").sub("zzz", R"(\2)"), lfmb::Error);
  CHECK_THROWS_AS(PyRegex("(a)").sub("zzz", R"(\q)"), lfmb::Error);
  CHECK_THROWS_AS(PyRegex("(a)").sub("zzz", "\\"), lfmb::Error);
  CHECK_THROWS_AS(PyRegex("(a)").sub("zzz", R"(\g<nope>)"), lfmb::Error);
}

TEST_CASE("PyRegex sub stops at max_bytes instead of building past it", "[eval-text]") {
  CHECK(PyRegex("a").sub("aaaa", "bb", 0, 8) == "bbbbbbbb");  // exactly the limit
  CHECK_THROWS_WITH(PyRegex("a").sub("aaaa", "bb", 0, 7), Catch::Contains("substitution result is over 7 bytes"));
  CHECK_THROWS_WITH(PyRegex("x").sub("aaaaaaaa", "b", 0, 7), Catch::Contains("over 7 bytes"));  // no match, long subject
  // Streaming the matches: a million empty matches with a group each are never all held at once.
  CHECK(PyRegex("()").sub(std::string(1000000, 'x'), "") == std::string(1000000, 'x'));
}

TEST_CASE("PyRegex split with groups and maxsplit", "[eval-text]") {
  CHECK(PyRegex("(,)").split("a,b,c") == V{"a", ",", "b", ",", "c"});
  // Python gives None for the group that did not take part; PyRegex::split gives "".
  CHECK(PyRegex("(,)|(;)").split("a,b;c") == V{"a", ",", "", "b", "", ";", "c"});
  CHECK(PyRegex(",").split("a,b,c", 1) == V{"a", "b,c"});
}

TEST_CASE("PyRegex fullmatch match and group None versus empty", "[eval-text]") {
  auto fm = PyRegex("a|ab").fullmatch("ab");  // backtracks into the second alternative
  REQUIRE(fm);
  CHECK(*fm->group(0) == "ab");
  CHECK_FALSE(PyRegex(R"(\d+)").fullmatch("12a"));
  CHECK_FALSE(PyRegex("b").match("ab"));
  REQUIRE(PyRegex("b").search("ab"));
  auto m = PyRegex(R"((a)(x)?(b*))").search("ac");
  REQUIRE(m);
  CHECK(*m->group(1) == "a");
  CHECK_FALSE(m->group(2).has_value());  // None
  REQUIRE(m->group(3).has_value());      // '' (took part, matched nothing)
  CHECK(m->group(3)->empty());
  CHECK(PyRegex("(a)(x)?(b*)").group_count() == 3);
}

TEST_CASE("PyRegex Python-only spellings", "[eval-text]") {
  CHECK(findall(R"(\u00e9+)", "\u00e9\u00e9") == V{"\u00e9\u00e9"});
  CHECK(findall(R"(\U0001F600)", "\U0001F600") == V{"\U0001F600"});
  CHECK(findall("a{,2}", "aaa") == V{"aa", "a", ""});
  CHECK(findall("a{,x}", "a{,x}") == V{"a{,x}"});  // not a repeat: literal, as in Python
  CHECK_THROWS_AS(PyRegex("(unclosed"), lfmb::Error);
}

TEST_CASE("py_re_escape follows re.escape", "[eval-text]") {
  // Python 3.11: re.escape('a b\t(c)-#&~\u00e9_1:') == 'a\\ b\\\t\\(c\\)\\-\\#\\&\\~\u00e9_1:'
  CHECK(lfmb::eval::py_re_escape("a b\t(c)-#&~\u00e9_1:") == "a\\ b\\\t\\(c\\)\\-\\#\\&\\~\u00e9_1:");
  const std::string text = "3.5 m/s (approx.) [x]*{2}|$^";
  REQUIRE(PyRegex(lfmb::eval::py_re_escape(text)).fullmatch(text));
}
