// Python value semantics for the template engine (see template_values.h); CPython 3.11 rules.
#include "eval/template/template_values.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include <utf8proc.h>

#include "core/error.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::tmpl {

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
  for (char32_t c : py_ords(s)) {
    char buf[16];
    if (c == static_cast<char32_t>(q) || c == U'\\') { out += '\\'; out += static_cast<char>(c); }
    else if (c == U'\t') out += "\\t";
    else if (c == U'\n') out += "\\n";
    else if (c == U'\r') out += "\\r";
    else if (c < 0x20 || c == 0x7F) { std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c)); out += buf; }
    else if (c < 0x7F) out += static_cast<char>(c);
    else if (py_printable(c)) out += py_chr(c);
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
