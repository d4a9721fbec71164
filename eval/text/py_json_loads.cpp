// Python 3.11 json.loads acceptance, following CPython's Modules/_json.c scanner (scan_once_unicode,
// scanstring_unicode, _match_number_unicode) and Lib/json/decoder.py (JSONDecoder.decode: leading
// and trailing whitespace " \t\n\r", "Extra data" after the value).
#include "eval/text/py_json_loads.h"

#include <cstddef>

namespace lfmb::eval {

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  bool document() {
    ws();
    if (!value(0)) return false;
    ws();
    return i_ == s_.size();
  }

 private:
  // Python's recursion limit is 1000 frames; the scanner recurses once per nested container.
  static constexpr int kMaxDepth = 990;

  std::string_view s_;
  size_t i_ = 0;

  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool digit() const { return i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool word(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }

  bool value(int depth) {
    if (i_ >= s_.size()) return false;
    switch (s_[i_]) {
      case '"': ++i_; return string();
      case '{': return depth < kMaxDepth && object(depth + 1);
      case '[': return depth < kMaxDepth && array(depth + 1);
      case 'n': return word("null");
      case 't': return word("true");
      case 'f': return word("false");
      case 'N': return word("NaN");
      case 'I': return word("Infinity");
      case '-':
        if (s_.substr(i_, 9) == "-Infinity") { i_ += 9; return true; }
        return number();
      default: return number();
    }
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? with ASCII digits; a fraction or exponent that
  // is not complete is left unread (and then fails as extra data).
  bool number() {
    if (at('-')) ++i_;
    if (!digit()) return false;
    if (s_[i_] == '0') {
      ++i_;
    } else {
      while (digit()) ++i_;
    }
    if (at('.') && i_ + 1 < s_.size() && s_[i_ + 1] >= '0' && s_[i_ + 1] <= '9') {
      i_ += 2;
      while (digit()) ++i_;
    }
    if (at('e') || at('E')) {
      size_t j = i_ + 1;
      if (j < s_.size() && (s_[j] == '+' || s_[j] == '-')) ++j;
      if (j < s_.size() && s_[j] >= '0' && s_[j] <= '9') {
        i_ = j;
        while (digit()) ++i_;
      }
    }
    return true;
  }

  // After the opening quote: control characters (< 0x20) are errors in strict mode; escapes are
  // " \ / b f n r t and u with four hex digits (any value, surrogates included).
  bool string() {
    while (i_ < s_.size()) {
      const unsigned char c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      if (i_ >= s_.size()) return false;
      const char e = s_[i_++];
      if (e == 'u') {
        for (int k = 0; k < 4; ++k, ++i_) {
          if (i_ >= s_.size()) return false;
          const char h = s_[i_];
          if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) return false;
        }
      } else if (!(e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't')) {
        return false;
      }
    }
    return false;  // unterminated
  }

  bool object(int depth) {
    ++i_;  // '{'
    ws();
    if (at('}')) { ++i_; return true; }
    while (true) {
      if (!at('"')) return false;  // "Expecting property name enclosed in double quotes"
      ++i_;
      if (!string()) return false;
      ws();
      if (!at(':')) return false;
      ++i_;
      ws();
      if (!value(depth)) return false;
      ws();
      if (at('}')) { ++i_; return true; }
      if (!at(',')) return false;
      ++i_;
      ws();
    }
  }

  bool array(int depth) {
    ++i_;  // '['
    ws();
    if (at(']')) { ++i_; return true; }
    while (true) {
      if (!value(depth)) return false;
      ws();
      if (at(']')) { ++i_; return true; }
      if (!at(',')) return false;
      ++i_;
      ws();
    }
  }
};

}  // namespace

bool py_json_loads_ok(std::string_view text) { return Scanner(text).document(); }

}  // namespace lfmb::eval
