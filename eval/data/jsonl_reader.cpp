// read_jsonl: JSON Lines as Python reads them line by line with json.loads (CPython v3.11.2
// Lib/json/decoder.py, scanner.py). nlohmann's parser is strict JSON, which json.loads is too,
// except that json.loads also takes the bare constants NaN, Infinity and -Infinity as floats
// (parse_constant) and float literals beyond the double range as infinities (float()); a line
// nlohmann rejects is retried with those tokens marked (see parse_with_python_floats).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <limits>
#include <string_view>

#include "core/error.h"
#include "eval/data/table_reader.h"
#include "eval/data/utf8_text.h"

namespace lfmb::eval {

namespace {

using nlohmann::json;

constexpr std::string_view kNonFinite[] = {"-Infinity", "Infinity", "NaN"};  // longest first

double non_finite_value(std::string_view token) {
  if (token == "NaN") return std::numeric_limits<double>::quiet_NaN();
  return token[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
}

// A float literal by JSON's (and json.loads's NUMBER_RE's) grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?
// with a fraction or an exponent.
bool is_json_float(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') ++i;
  else if (digits() == 0) return false;
  bool has_fraction_or_exponent = false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
    has_fraction_or_exponent = true;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
    has_fraction_or_exponent = true;
  }
  return i == s.size() && has_fraction_or_exponent;
}

// Replaces marker strings by the floats they stand for. A marker seen as an object key means a
// NaN/Infinity token sat where json.loads wants a key, which it rejects: return false.
bool resolve_markers(json& v, char mark) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key().find(mark) != std::string::npos) return false;
      if (!resolve_markers(it.value(), mark)) return false;
    }
  } else if (v.is_array()) {
    for (auto& child : v)
      if (!resolve_markers(child, mark)) return false;
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (!s.empty() && s[0] == mark) v = non_finite_value(std::string_view(s).substr(1));
  }
  return true;
}

// The fallback for what json.loads takes beyond strict JSON: the constants NaN, Infinity and
// -Infinity, and float literals too large for a double (float("1e400") is inf; nlohmann refuses
// them). Outside string literals each becomes a string literal "\u00XX<token>", XX a control
// character whose escape the line does not contain. JSON strings cannot hold a raw control
// character, so after parsing a string that contains it can only be one of ours; nlohmann checks
// the rest of the grammar as usual.
bool parse_with_python_floats(std::string_view line, json& out) {
  char mark = 0;
  for (int c = 1; c < 0x20 && !mark; ++c) {
    const std::string lower = fmt::format("\\u{:04x}", c), upper = fmt::format("\\u{:04X}", c);
    if (line.find(lower) == std::string_view::npos && line.find(upper) == std::string_view::npos)
      mark = static_cast<char>(c);
  }
  if (!mark) return false;
  std::string text;
  text.reserve(line.size() + 16);
  bool replaced = false;
  auto put_marker = [&](std::string_view token) {
    text += fmt::format("\"\\u{:04x}{}\"", static_cast<int>(mark), token);
    replaced = true;
  };
  for (size_t i = 0; i < line.size();) {
    if (line[i] == '"') {  // copy a string literal through its closing quote
      size_t j = i + 1;
      while (j < line.size() && line[j] != '"') j += line[j] == '\\' ? 2 : 1;
      j = std::min(j + 1, line.size());
      text.append(line.substr(i, j - i));
      i = j;
      continue;
    }
    bool matched = false;
    for (std::string_view token : kNonFinite) {
      if (line.substr(i, token.size()) == token) {
        put_marker(token);
        i += token.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (line[i] == '-' || (line[i] >= '0' && line[i] <= '9')) {  // a number: copy unless it overflows
      size_t j = i + 1;
      while (j < line.size() && std::string_view("0123456789.eE+-").find(line[j]) != std::string_view::npos) ++j;
      const std::string number(line.substr(i, j - i));
      if (is_json_float(number) && std::isinf(std::strtod(number.c_str(), nullptr)))
        put_marker(number[0] == '-' ? "-Infinity" : "Infinity");
      else
        text += number;
      i = j;
      continue;
    }
    text += line[i++];
  }
  if (!replaced) return false;
  json v = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded() || !resolve_markers(v, mark)) return false;
  out = std::move(v);
  return true;
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 1, " head.
std::string parse_problem(const json::exception& e) {
  std::string what = e.what();
  const size_t col = what.find("column ");
  if (col != std::string::npos) what = "invalid JSON at " + what.substr(col);
  else if (what.find("] ") != std::string::npos) what = "invalid JSON: " + what.substr(what.find("] ") + 2);
  if (what.size() > 300) what = what.substr(0, 300) + "...";
  return what;
}

}  // namespace

std::vector<json> read_jsonl(const std::string& path, uint64_t max_bytes) {
  const std::string bytes = read_data_file(path, max_bytes);
  const std::string_view text = strip_utf8_bom(bytes);
  require_utf8(text, path);
  std::vector<json> rows;
  size_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;  // blank line
    json v;
    try {
      v = json::parse(line.begin(), line.end());
    } catch (const json::exception& e) {  // parse_error, or out_of_range for a float overflow
      if (!parse_with_python_floats(line, v)) throw Error(fmt::format("{}:{}: {}", path, line_no, parse_problem(e)));
    }
    if (!v.is_object()) throw Error(fmt::format("{}:{}: expected a JSON object, found {}", path, line_no, v.type_name()));
    rows.push_back(std::move(v));
  }
  if (rows.empty()) throw Error(fmt::format("{}: empty file (no JSON lines)", path));
  return rows;
}

}  // namespace lfmb::eval
