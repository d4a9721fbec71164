// Python str/int() rules for the MATH scorers; the tables below were read from CPython 3.11's
// unicodedata (str.isspace, str.isdigit) so the ports agree with the official Python on any text.
#include "eval/scorers/math_pystr.h"

#include <utf8proc.h>

namespace lfmb::eval::math_pystr {

namespace {

constexpr char32_t kBadByte = 0xFFFFFFFF;

// Decodes the code point at byte i; an invalid sequence reads as one byte of kBadByte.
char32_t decode(std::string_view s, size_t i, size_t* len) {
  utf8proc_int32_t cp = 0;
  utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                        static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
  if (n <= 0) {
    *len = 1;
    return kBadByte;
  }
  *len = static_cast<size_t>(n);
  return static_cast<char32_t>(cp);
}

std::vector<char32_t> decode_all(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = 0;
    out.push_back(decode(s, i, &n));
    i += n;
  }
  return out;
}

// str.isspace(): bidirectional class WS, B or S, or category Zs.
bool is_py_space(char32_t c) {
  switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x1C: case 0x1D: case 0x1E: case 0x1F:
    case 0x20: case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

// int() strips ASCII whitespace as C's isspace does and turns every non-ASCII str.isspace()
// character into a space first; \x1c-\x1f are therefore NOT stripped by int().
bool is_int_space(char32_t c) {
  if (c < 127) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  return is_py_space(c);
}

bool is_decimal(char32_t c) {  // Numeric_Type=Decimal, which is exactly category Nd
  if (c == kBadByte) return false;
  return utf8proc_category(static_cast<utf8proc_int32_t>(c)) == UTF8PROC_CATEGORY_ND;
}

// Numeric_Type=Digit characters outside Nd (superscripts, circled digits, ...): str.isdigit()
// accepts them, int() does not.
bool is_digit_not_decimal(char32_t c) {
  static constexpr char32_t kRanges[][2] = {
      {0xB2, 0xB3},       {0xB9, 0xB9},       {0x1369, 0x1371},   {0x19DA, 0x19DA},   {0x2070, 0x2070},
      {0x2074, 0x2079},   {0x2080, 0x2089},   {0x2460, 0x2468},   {0x2474, 0x247C},   {0x2488, 0x2490},
      {0x24EA, 0x24EA},   {0x24F5, 0x24FD},   {0x24FF, 0x24FF},   {0x2776, 0x277E},   {0x2780, 0x2788},
      {0x278A, 0x2792},   {0x10A40, 0x10A43}, {0x10E60, 0x10E68}, {0x11052, 0x1105A}, {0x1F100, 0x1F10A}};
  for (const auto& r : kRanges)
    if (c >= r[0] && c <= r[1]) return true;
  return false;
}

}  // namespace

size_t char_len(std::string_view s, size_t i) {
  size_t n = 0;
  decode(s, i, &n);
  return n;
}

size_t char_count(std::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); i += char_len(s, i)) ++count;
  return count;
}

std::string replace(std::string_view s, std::string_view old, std::string_view repl) {
  if (old.empty()) return std::string(s);  // never used with an empty pattern here
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = s.find(old, pos)) != std::string_view::npos; pos = hit + old.size()) {
    out.append(s.substr(pos, hit - pos));
    out.append(repl);
  }
  out.append(s.substr(pos));
  return out;
}

std::vector<std::string> split(std::string_view s, std::string_view sep) {
  std::vector<std::string> parts;
  size_t pos = 0;
  for (size_t hit; (hit = s.find(sep, pos)) != std::string_view::npos; pos = hit + sep.size())
    parts.emplace_back(s.substr(pos, hit - pos));
  parts.emplace_back(s.substr(pos));
  return parts;
}

std::string strip(std::string_view s) {
  size_t begin = 0, end = s.size();
  while (begin < end) {
    size_t n = 0;
    if (!is_py_space(decode(s, begin, &n))) break;
    begin += n;
  }
  while (end > begin) {
    size_t start = end - 1;  // back up to the lead byte of the last code point
    while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t n = 0;
    char32_t c = decode(s, start, &n);
    if (start + n != end) break;  // a stray continuation byte: not whitespace
    if (!is_py_space(c)) break;
    end = start;
  }
  return std::string(s.substr(begin, end - begin));
}

bool isdigit(std::string_view s) {
  if (s.empty()) return false;
  for (char32_t c : decode_all(s))
    if (!is_decimal(c) && !is_digit_not_decimal(c)) return false;
  return true;
}

bool int_parses(std::string_view s) {
  std::vector<char32_t> cs = decode_all(s);
  size_t b = 0, e = cs.size();
  while (b < e && is_int_space(cs[b])) ++b;
  while (e > b && is_int_space(cs[e - 1])) --e;
  if (b < e && (cs[b] == '+' || cs[b] == '-')) ++b;
  size_t digits = 0;
  bool prev_digit = false;
  for (size_t i = b; i < e; ++i) {
    if (is_decimal(cs[i])) {
      ++digits;
      prev_digit = true;
    } else if (cs[i] == '_' && prev_digit && i + 1 < e && is_decimal(cs[i + 1])) {
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

}  // namespace lfmb::eval::math_pystr
