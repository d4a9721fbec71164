// The few Python str and int() rules the MATH scorers (math_boxed, math_equiv, math_minerva)
// depend on, with Python's code-point semantics over UTF-8 text. Kept local to the MATH scorers
// so they do not wait on eval/text/py_str; the rules are those of CPython 3.11 (Unicode 14).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lfmb::eval::math_pystr {

// Bytes of the code point that starts at byte i (1 for an invalid byte, as if it were one char).
size_t char_len(std::string_view s, size_t i);
// len(s): the number of code points.
size_t char_count(std::string_view s);

std::string replace(std::string_view s, std::string_view old, std::string_view repl);  // s.replace(old, repl)
std::vector<std::string> split(std::string_view s, std::string_view sep);               // s.split(sep)
std::string strip(std::string_view s);                                                  // s.strip()
bool isdigit(std::string_view s);                                                       // s.isdigit()

// int(s) in base 10 succeeds: surrounding whitespace, a sign, digits of any script (Nd) with
// single underscores between them, at most 4300 digits (CPython 3.11's int_max_str_digits).
bool int_parses(std::string_view s);
// s == str(int(s)): what `"{}".format(int(s))` gives back unchanged (ASCII, no leading zeros,
// no '+', no "-0").
bool is_canonical_int(std::string_view s);

}  // namespace lfmb::eval::math_pystr
