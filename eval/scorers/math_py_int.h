// Python's int(str) rules the MATH scorers depend on (fix_a_slash_b's int(a), "{}".format(int(a))),
// over UTF-8 text with CPython 3.11's Unicode rules. The str methods they use are eval/text/py_str.h.
#pragma once
#include <string_view>

namespace lfmb::eval::math_py_int {

// int(s) in base 10 succeeds: surrounding whitespace, a sign, decimal digits of any script
// (str.isdecimal) with single underscores between them, at most 4300 digits (CPython 3.11's
// int_max_str_digits).
bool int_parses(std::string_view s);
// s == str(int(s)): what `"{}".format(int(s))` gives back unchanged (ASCII, no leading zeros,
// no '+', no "-0").
bool is_canonical_int(std::string_view s);

}  // namespace lfmb::eval::math_py_int
