// Python's int(str) for the MATH scorers, following CPython 3.11 Objects/longobject.c
// (PyLong_FromUnicodeObject: _PyUnicode_TransformDecimalAndSpaceToASCII, then base-10 parsing with
// single underscores between digits, and the 4300-digit limit); checked against /usr/bin/python3.
#include "eval/scorers/math_py_int.h"

#include "eval/text/py_str.h"

namespace lfmb::eval::math_py_int {

namespace {

// int() turns every non-ASCII str.isspace() character into a space, then strips ASCII whitespace as
// C's isspace does: \x1c-\x1f, though str.isspace(), are therefore NOT stripped by int().
bool is_int_space(char32_t c) {
  if (c < 127) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  return py_isspace(c);
}

}  // namespace

bool int_parses(std::string_view s) {
  std::u32string cs = py_ords(s);
  size_t b = 0, e = cs.size();
  while (b < e && is_int_space(cs[b])) ++b;
  while (e > b && is_int_space(cs[e - 1])) --e;
  if (b < e && (cs[b] == '+' || cs[b] == '-')) ++b;
  size_t digits = 0;
  bool prev_digit = false;
  for (size_t i = b; i < e; ++i) {
    if (py_isdecimal(cs[i])) {
      ++digits;
      prev_digit = true;
    } else if (cs[i] == '_' && prev_digit && i + 1 < e && py_isdecimal(cs[i + 1])) {
      prev_digit = false;
    } else {
      return false;
    }
  }
  return digits > 0 && digits <= 4300;
}

bool is_canonical_int(std::string_view s) {
  if (!int_parses(s)) return false;
  std::string_view d = s;
  if (!d.empty() && d[0] == '-') d.remove_prefix(1);
  if (d.empty()) return false;
  for (char c : d)
    if (c < '0' || c > '9') return false;
  if (d[0] == '0') return d.size() == 1 && s.size() == 1;  // "0" yes; "00", "07", "-0" no
  return true;
}

}  // namespace lfmb::eval::math_py_int
