// Python 3.11 str methods: every expected value below was computed with /usr/bin/python3.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/error.h"
#include "eval/text/py_str.h"

using namespace lfmb::eval;
using V = std::vector<std::string>;

TEST_CASE("py_isspace follows str.isspace", "[eval-text]") {
  for (char32_t c : {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2005,
                     0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000})
    CHECK(py_isspace(c));
  // Zero-width space, Mongolian vowel separator and NUL are not whitespace in Python.
  for (char32_t c : {0x00, 0x08, 0x0E, 0x200B, 0x180E, 0xFEFF, 0x41}) CHECK_FALSE(py_isspace(c));
}

TEST_CASE("py_strip on Unicode whitespace", "[eval-text]") {
  const std::string s = "\x1c\u0085 a b\u3000\n";
  CHECK(py_strip(s) == "a b");
  CHECK(py_lstrip(s) == "a b\u3000\n");
  CHECK(py_rstrip(s) == "\x1c\u0085 a b");
  CHECK(py_strip(" \u200b x\u200b ") == "\u200b x\u200b");  // U+200B is not stripped
  CHECK(py_strip(" \t\n ").empty());
}

TEST_CASE("py_strip_chars strips code points", "[eval-text]") {
  CHECK(py_strip_chars("xxhixyx", "xy") == "hi");
  CHECK(py_strip_chars("\u20ac\u20aca\u20ac", "\u20ac") == "a");  // multi-byte code point, not bytes
  CHECK(py_rstrip_chars("a\u20ac", "\u20aca").empty());
  CHECK(py_lstrip_chars("www.example.com", "cmowz.") == "example.com");
  CHECK(py_strip_chars("abc", "") == "abc");
  // A set member shares its first UTF-8 byte with the text: only whole code points are stripped.
  CHECK(py_strip_chars("\u00e9", "\u00e8") == "\u00e9");
}

TEST_CASE("py_split and py_split_sep", "[eval-text]") {
  CHECK(py_split(" a  b\t\x1f" "c\u2003 ") == V{"a", "b", "c"});
  CHECK(py_split("").empty());
  CHECK(py_split("a\u00a0b\u200bc") == V{"a", "b\u200bc"});
  CHECK(py_split_sep("a,,b", ",") == V{"a", "", "b"});
  CHECK(py_split_sep("a,b,c", ",", 1) == V{"a", "b,c"});
  CHECK(py_split_sep("", ",") == V{""});
  CHECK(py_split_sep("a::b::", "::") == V{"a", "b", ""});
  CHECK_THROWS_WITH(py_split_sep("a", ""), "empty separator");  // Python's ValueError message
}

TEST_CASE("py_split with maxsplit keeps the rest as Python does", "[eval-text]") {
  // After maxsplit splits only the leading whitespace of the rest goes; its trailing whitespace stays.
  CHECK(py_split("  a b  c  ", 1) == V{"a", "b  c  "});
  CHECK(py_split(" a b ", 0) == V{"a b "});
  CHECK(py_split("", 0).empty());
  CHECK(py_split("   ", 0).empty());
  CHECK(py_split("a b", 5) == V{"a", "b"});
  CHECK(py_split("a\u3000b\u2003 ", 1) == V{"a", "b\u2003 "});
  CHECK(py_split("\x1c a\x1f" "b c", 2) == V{"a", "b", "c"});
  CHECK(py_split("a b c", -1) == V{"a", "b", "c"});
}

TEST_CASE("py_len py_chars py_ords and py_chr count and encode code points", "[eval-text]") {
  CHECK(py_len("a\u00e9\u20ac\U0001F600") == 4);
  CHECK(py_len("") == 0);
  CHECK(py_chars("a\u00e9\u20ac\U0001F600") == V{"a", "\u00e9", "\u20ac", "\U0001F600"});
  CHECK(py_chars("").empty());
  CHECK(py_ords("a\u00e9\u20ac\U0001F600") == std::u32string{0x61, 0xE9, 0x20AC, 0x1F600});
  // Stray bytes: one character each, read as b'...'.decode('utf-8', 'surrogateescape') reads them.
  const std::string stray("a\xff\xc3");
  CHECK(py_len(stray) == 3);
  CHECK(py_chars(stray) == V{"a", "\xff", "\xc3"});
  CHECK(py_ords(stray) == std::u32string{0x61, 0xDCFF, 0xDCC3});
  CHECK(py_chr(0x41) == "A");
  CHECK(py_chr(0xE9) == "\xc3\xa9");
  CHECK(py_chr(0x7FF) == "\xdf\xbf");
  CHECK(py_chr(0x800) == "\xe0\xa0\x80");
  CHECK(py_chr(0xFFFF) == "\xef\xbf\xbf");
  CHECK(py_chr(0x1F600) == "\xf0\x9f\x98\x80");
  CHECK(py_chr(0x10FFFF) == "\xf4\x8f\xbf\xbf");
  CHECK_THROWS_AS(py_chr(0x110000), lfmb::Error);
  CHECK_THROWS_AS(py_chr(0xD800), lfmb::Error);  // '\ud800'.encode() raises: surrogates not allowed
  CHECK_THROWS_AS(py_chr(0xDFFF), lfmb::Error);
  CHECK(py_chr(0xD7FF) == "\xed\x9f\xbf");
  CHECK(py_chr(0xE000) == "\xee\x80\x80");
}

TEST_CASE("py_isdecimal follows str.isdecimal of CPython 3.11", "[eval-text]") {
  for (char32_t c : {0x30, 0x39, 0x663, 0xFF19, 0x1E951}) CHECK(py_isdecimal(c));
  // Digits that are not decimal (superscript two, circled one), a letter, one half, and the Kawi
  // digit one, which Unicode 15 added and Python 3.11 (Unicode 14) does not know.
  for (char32_t c : {0xB2, 0x2460, 0x61, 0xBD, 0x11F51}) CHECK_FALSE(py_isdecimal(c));
  CHECK_FALSE(py_isdigit("\U00011F51"));
}

TEST_CASE("py_lower and py_upper use full Unicode case mappings", "[eval-text]") {
  CHECK(py_lower("HeLLo \u00c9T\u00c9") == "hello \u00e9t\u00e9");
  CHECK(py_lower("\u0130stanbul") == "i\u0307stanbul");  // SpecialCasing: I with dot above -> 2 code points
  CHECK(py_lower("\u01c5") == "\u01c6");
  CHECK(py_lower("\u216b") == "\u217b");  // Roman numeral twelve
  // Final sigma: after a cased letter and not before one (case-ignorable characters skipped).
  CHECK(py_lower("\u039f\u0394\u039f\u03a3") == "\u03bf\u03b4\u03bf\u03c2");
  CHECK(py_lower("\u03a3\u0391") == "\u03c3\u03b1");
  CHECK(py_lower("\u03a3") == "\u03c3");
  CHECK(py_lower("A\u03a3.") == "a\u03c2.");
  CHECK(py_lower("A\u03a3\u0301b") == "a\u03c3\u0301b");
  CHECK(py_upper("stra\u00dfe") == "STRASSE");
  CHECK(py_upper("\ufb01") == "FI");
  CHECK(py_upper("\u0149") == "\u02bcN");
  CHECK(py_upper("\u1fb3") == "\u0391\u0399");
  CHECK(py_upper("\u01c5") == "\u01c4");
  CHECK(py_upper("\u00e9") == "\u00c9");
  CHECK(py_lower(std::string("a\xff" "B")) == std::string("a\xff" "b"));  // stray bytes pass through
}

TEST_CASE("py_replace and py_isdigit", "[eval-text]") {
  CHECK(py_replace("aaa", "a", "b") == "bbb");
  CHECK(py_replace("aaa", "aa", "b") == "ba");
  CHECK(py_replace("ab", "", "-") == "-a-b-");
  CHECK(py_replace("\u00e9", "", "-") == "-\u00e9-");  // inserts between code points, not bytes
  // str.replace(old, new, count)
  CHECK(py_replace("aaa", "a", "b", 2) == "bba");
  CHECK(py_replace("aaa", "a", "b", 0) == "aaa");
  CHECK(py_replace("aaa", "a", "b", -1) == "bbb");
  CHECK(py_replace("aaaa", "aa", "b", 5) == "bb");
  CHECK(py_replace("xyxy", "xy", "Z", 1) == "Zxy");
  CHECK(py_replace("ab", "", "-", 2) == "-a-b");
  CHECK(py_replace("ab", "", "-", 0) == "ab");
  CHECK(py_replace("\u00e9\u20ac", "", "|", 1) == "|\u00e9\u20ac");
  CHECK(py_isdigit("123"));
  CHECK(py_isdigit("\u0663\u0664"));
  CHECK(py_isdigit("\u0967"));
  CHECK(py_isdigit("\u00b2"));   // superscript two: Numeric_Type=Digit
  CHECK(py_isdigit("\u2460"));   // circled one
  CHECK_FALSE(py_isdigit("\u00bd"));  // one half: Numeric, not Digit
  CHECK_FALSE(py_isdigit(""));
  CHECK_FALSE(py_isdigit("1a"));
}
