// Python value semantics for the template engine (see template_values.h); CPython 3.11 rules.
#include "eval/template/template_values.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include <utf8proc.h>

#include "core/error.h"

namespace lfmb::eval::tmpl {

std::u32string utf8_decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) throw Error("string is not valid UTF-8");
    out.push_back(static_cast<char32_t>(cp));
    p += n;
    left -= n;
  }
  return out;
}

std::string utf8_encode(char32_t c) {
  utf8proc_uint8_t buf[4];
  utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buf);
  return std::string(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
}

std::string utf8_encode(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) out += utf8_encode(c);
  return out;
}

size_t utf8_length(std::string_view s) { return utf8_decode(s).size(); }

bool py_space(char32_t c) {
  // The code points for which CPython's str.isspace() is true.
  if ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20)) return true;
  switch (c) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

std::string strip_ws(std::string_view s, bool left, bool right) {
  std::u32string u = utf8_decode(s);
  size_t b = 0, e = u.size();
  if (left) while (b < e && py_space(u[b])) ++b;
  if (right) while (e > b && py_space(u[e - 1])) --e;
  return utf8_encode(std::u32string_view(u).substr(b, e - b));
}

std::string strip_chars(std::string_view s, std::string_view chars, bool left, bool right) {
  std::u32string u = utf8_decode(s), set = utf8_decode(chars);
  auto in_set = [&](char32_t c) { return set.find(c) != std::u32string::npos; };
  size_t b = 0, e = u.size();
  if (left) while (b < e && in_set(u[b])) ++b;
  if (right) while (e > b && in_set(u[e - 1])) --e;
  return utf8_encode(std::u32string_view(u).substr(b, e - b));
}

std::vector<std::string> split_ws(std::string_view s, long maxsplit) {
  // str.split(): runs of whitespace separate, no empty strings; after maxsplit splits the rest
  // (left-stripped) is the last item.
  std::u32string u = utf8_decode(s);
  std::vector<std::string> out;
  size_t i = 0, n = u.size();
  while (i < n) {
    while (i < n && py_space(u[i])) ++i;
    if (i >= n) break;
    if (maxsplit >= 0 && static_cast<long>(out.size()) == maxsplit) {
      size_t e = n;
      while (e > i && py_space(u[e - 1])) --e;
      out.push_back(utf8_encode(std::u32string_view(u).substr(i, e - i)));
      break;
    }
    size_t j = i;
    while (j < n && !py_space(u[j])) ++j;
    out.push_back(utf8_encode(std::u32string_view(u).substr(i, j - i)));
    i = j;
  }
  return out;
}

std::vector<std::string> split_sep(std::string_view s, std::string_view sep, long maxsplit) {
  if (sep.empty()) throw Error("empty separator");
  std::vector<std::string> out;
  size_t start = 0;
  while (maxsplit < 0 || static_cast<long>(out.size()) < maxsplit) {
    size_t at = s.find(sep, start);
    if (at == std::string_view::npos) break;
    out.emplace_back(s.substr(start, at - start));
    start = at + sep.size();
  }
  out.emplace_back(s.substr(start));
  return out;
}

std::string replace_all(std::string_view s, std::string_view old, std::string_view repl, long count) {
  std::string out;
  if (old.empty()) {
    // Python inserts repl before every code point and at the end (up to count times).
    std::u32string u = utf8_decode(s);
    long done = 0;
    for (char32_t c : u) {
      if (count < 0 || done < count) { out += repl; ++done; }
      out += utf8_encode(c);
    }
    if (count < 0 || done < count) out += repl;
    return out;
  }
  size_t start = 0;
  long done = 0;
  while (count < 0 || done < count) {
    size_t at = s.find(old, start);
    if (at == std::string_view::npos) break;
    out.append(s.substr(start, at - start));
    out.append(repl);
    start = at + old.size();
    ++done;
  }
  out.append(s.substr(start));
  return out;
}

std::string to_lower(std::string_view s) {
  std::u32string u = utf8_decode(s);
  for (char32_t& c : u) c = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
  return utf8_encode(u);
}

std::string to_upper(std::string_view s) {
  std::u32string u = utf8_decode(s);
  for (char32_t& c : u) c = static_cast<char32_t>(utf8proc_toupper(static_cast<utf8proc_int32_t>(c)));
  return utf8_encode(u);
}

std::string float_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  // std::to_chars gives the shortest digits that round-trip, as Python's repr does; only the
  // layout differs.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string sign;
  if (sci[0] == '-') { sign = "-"; sci.erase(0, 1); }
  size_t e = sci.find('e');
  std::string digits;
  for (size_t i = 0; i < e; ++i) if (sci[i] != '.') digits += sci[i];
  int exp10 = std::stoi(sci.substr(e + 1));
  int decpt = exp10 + 1;  // value = 0.DIGITS * 10^decpt
  std::string out;
  if (decpt > -4 && decpt <= 16) {
    int nd = static_cast<int>(digits.size());
    if (decpt <= 0) out = "0." + std::string(static_cast<size_t>(-decpt), '0') + digits;
    else if (decpt >= nd) out = digits + std::string(static_cast<size_t>(decpt - nd), '0') + ".0";
    else out = digits.substr(0, static_cast<size_t>(decpt)) + "." + digits.substr(static_cast<size_t>(decpt));
  } else {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
    out += eb;
  }
  return sign + out;
}

namespace {

bool py_printable(char32_t c) {
  if (c == U' ') return true;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO: case UTF8PROC_CATEGORY_CN: case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP: case UTF8PROC_CATEGORY_ZS:
      return false;
    default:
      return true;
  }
}

std::string str_repr(const std::string& s) {
  // CPython unicode_repr: single quotes unless the text has ' and no ".
  bool has_single = s.find('\'') != std::string::npos, has_double = s.find('"') != std::string::npos;
  char q = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, q);
  for (char32_t c : utf8_decode(s)) {
    char buf[16];
    if (c == static_cast<char32_t>(q) || c == U'\\') { out += '\\'; out += static_cast<char>(c); }
    else if (c == U'\t') out += "\\t";
    else if (c == U'\n') out += "\\n";
    else if (c == U'\r') out += "\\r";
    else if (c < 0x20 || c == 0x7F) { std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c)); out += buf; }
    else if (c < 0x7F) out += static_cast<char>(c);
    else if (py_printable(c)) out += utf8_encode(c);
    else if (c <= 0xFF) { std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c)); out += buf; }
    else if (c <= 0xFFFF) { std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c)); out += buf; }
    else { std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(c)); out += buf; }
  }
  out += q;
  return out;
}

}  // namespace

std::string py_type(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "NoneType";
    case nlohmann::json::value_t::boolean: return "bool";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "int";
    case nlohmann::json::value_t::number_float: return "float";
    case nlohmann::json::value_t::string: return "str";
    case nlohmann::json::value_t::array: return "list";
    case nlohmann::json::value_t::object: return "dict";
    default: return "object";
  }
}

std::string py_repr(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "None";
    case nlohmann::json::value_t::boolean: return v.get<bool>() ? "True" : "False";
    case nlohmann::json::value_t::number_integer: return std::to_string(v.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return std::to_string(v.get<uint64_t>());
    case nlohmann::json::value_t::number_float: return float_repr(v.get<double>());
    case nlohmann::json::value_t::string: return str_repr(v.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += ", ";
        out += py_repr(v[i]);
      }
      return out + "]";
    }
    case nlohmann::json::value_t::object:
      throw Error("printing a mapping is not supported (its key order is not kept)");
    default:
      throw Error("value of unsupported type " + std::string(v.type_name()));
  }
}

std::string py_str(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return py_repr(v);
}

bool py_truthy(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return false;
    case nlohmann::json::value_t::boolean: return v.get<bool>();
    case nlohmann::json::value_t::number_integer: return v.get<int64_t>() != 0;
    case nlohmann::json::value_t::number_unsigned: return v.get<uint64_t>() != 0;
    case nlohmann::json::value_t::number_float: return v.get<double>() != 0.0;
    case nlohmann::json::value_t::string: return !v.get_ref<const std::string&>().empty();
    case nlohmann::json::value_t::array:
    case nlohmann::json::value_t::object: return !v.empty();
    default: return true;
  }
}

bool is_number(const nlohmann::json& v) { return v.is_number() || v.is_boolean(); }

namespace {

bool is_integral(const nlohmann::json& v) { return v.is_number_integer() || v.is_boolean(); }

// Integers compare exactly (uint64 beyond int64 included); a float on either side compares as
// double, which is exact for every value a JSON document carries in practice.
int compare_numbers(const nlohmann::json& a, const nlohmann::json& b) {
  if (is_integral(a) && is_integral(b)) {
    auto widen = [](const nlohmann::json& x) -> __int128 {
      if (x.is_boolean()) return x.get<bool>() ? 1 : 0;
      if (x.is_number_unsigned()) return static_cast<__int128>(x.get<uint64_t>());
      return static_cast<__int128>(x.get<int64_t>());
    };
    __int128 x = widen(a), y = widen(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  auto as_double = [](const nlohmann::json& x) -> double {
    if (x.is_boolean()) return x.get<bool>() ? 1.0 : 0.0;
    return x.get<double>();
  };
  double x = as_double(a), y = as_double(b);
  if (x < y) return -1;
  if (x > y) return 1;
  return x == y ? 0 : 2;  // 2: unordered (nan)
}

}  // namespace

bool py_equal(const nlohmann::json& a, const nlohmann::json& b) {
  if (is_number(a) && is_number(b)) return compare_numbers(a, b) == 0;
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!py_equal(a[i], b[i])) return false;
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto jt = b.find(it.key());
      if (jt == b.end() || !py_equal(*it, *jt)) return false;
    }
    return true;
  }
  return a == b;
}

bool py_less(const nlohmann::json& a, const nlohmann::json& b) {
  if (is_number(a) && is_number(b)) return compare_numbers(a, b) == -1;
  if (a.is_string() && b.is_string())  // UTF-8 byte order is code point order
    return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
  if (a.is_array() && b.is_array()) {
    size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i)
      if (!py_equal(a[i], b[i])) return py_less(a[i], b[i]);
    return a.size() < b.size();
  }
  throw Error("'<' not supported between instances of '" + py_type(a) + "' and '" + py_type(b) + "'");
}

}  // namespace lfmb::eval::tmpl
