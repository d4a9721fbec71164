// Python 3.11 `re` semantics over PCRE2 10.42 (UTF + UCP). Checked against /usr/bin/python3 for
// every code point (\d \w \s and their negations, single-character IGNORECASE) and by random
// differential runs of finditer/sub/split/fullmatch with empty matches.
// Known differences from CPython 3.11: under IGNORECASE Python also equates I/i with dotless ı and
// dotted İ (PCRE2 uses Unicode case folding, which does not); CPython 3.11.2's failure to match
// astral letters case-insensitively inside a set ([𐐀x]) is not reproduced; \N{name} and
// POSIX-looking sets such as [[:alpha:]] are read the PCRE2 way.
#include "eval/text/py_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <functional>

#include "core/error.h"

namespace lfmb::eval {

namespace {

// Python `re` syntax that PCRE2 10.42 spells differently, rewritten before compiling:
//  - \Z is "end of subject" (PCRE2's \z; PCRE2's \Z also matches before a final newline);
//  - \s / \S are str.isspace() (PCRE2's UCP \s lacks \x1c-\x1f and wrongly has U+180E);
//  - \uXXXX and \UXXXXXXXX are code points (PCRE2: \x{...});
//  - {,n} and {,} are repeats from 0 (PCRE2 10.42 reads them as literal text);
//  - \B never matches in an empty subject (Python 3.11's sre; PCRE2 matches there).
// Everything else the scorers use has the same spelling and meaning in both.
constexpr const char* kPySpace = R"(\t-\r\x1c-\x20\x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000})";
constexpr const char* kPyNonSpace =
    R"(\x00-\x08\x0e-\x1b\x21-\x84\x86-\x9f\xa1-\x{167f}\x{1681}-\x{1fff}\x{200b}-\x{2027}\x{202a}-\x{202e})"
    R"(\x{2030}-\x{205e}\x{2060}-\x{2fff}\x{3001}-\x{10ffff})";

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string translate_pattern(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char n = p[++i];
      size_t digits = n == 'u' ? 4 : n == 'U' ? 8 : 0;
      if (n == 'Z') {
        out += "\\z";
      } else if (n == 'B' && !in_class) {
        out += "(?:(?!\\A\\z)\\B)";
      } else if (n == 's') {
        out += in_class ? std::string(kPySpace) : std::string("[") + kPySpace + "]";
      } else if (n == 'S') {
        out += in_class ? std::string(kPyNonSpace) : std::string("[^") + kPySpace + "]";
      } else if (digits && p.size() - (i + 1) >= digits &&
                 std::all_of(p.begin() + long(i + 1), p.begin() + long(i + 1 + digits), is_hex)) {
        out += "\\x{";
        out.append(p.substr(i + 1, digits));
        out += '}';
        i += digits;
      } else {
        out += '\\';
        out += n;
      }
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '[') {
      // A ']' right after '[' or '[^' is a literal member, not the end of the class.
      in_class = true;
      out += c;
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];
      continue;
    }
    if (c == '{' && i + 1 < p.size() && p[i + 1] == ',') {
      size_t j = i + 2;
      while (j < p.size() && p[j] >= '0' && p[j] <= '9') ++j;
      out += c;
      if (j < p.size() && p[j] == '}') out += '0';
      continue;
    }
    out += c;
  }
  return out;
}

size_t utf8_next(std::string_view s, size_t i) {
  ++i;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

}  // namespace

struct PyRegex::Impl {
  pcre2_code* code = nullptr;
  ~Impl() { pcre2_code_free(code); }

  // `reuse`: match data kept across calls by a loop over matches (one allocation, not one per match).
  std::optional<Match> run(std::string_view s, size_t pos, uint32_t options, pcre2_match_data* reuse = nullptr) const {
    pcre2_match_data* md = reuse ? reuse : pcre2_match_data_create_from_pattern(code, nullptr);
    const auto release = [&] {
      if (!reuse) pcre2_match_data_free(md);
    };
    int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), pos, options, md,
                         nullptr);
    if (rc < 0) {
      release();
      if (rc == PCRE2_ERROR_NOMATCH) return std::nullopt;
      PCRE2_UCHAR buf[256];
      pcre2_get_error_message(rc, buf, sizeof buf);
      throw Error(std::string("regex match failed: ") + reinterpret_cast<char*>(buf));
    }
    uint32_t n_groups = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &n_groups);
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    Match m;
    m.groups.resize(n_groups + 1);
    for (uint32_t g = 0; g <= n_groups; ++g) {
      if (static_cast<int>(g) < rc && ov[2 * g] != PCRE2_UNSET)
        m.groups[g] = std::string(s.substr(ov[2 * g], ov[2 * g + 1] - ov[2 * g]));
    }
    m.start = ov[0];
    m.end = ov[1];
    release();
    return m;
  }
};

std::string PyRegex::Match::findall_value() const {
  if (groups.size() == 1) return groups[0].value_or("");
  return groups[1].value_or("");
}

PyRegex::PyRegex(std::string_view pattern, int flags) : pattern_(pattern), impl_(std::make_unique<Impl>()) {
  // ALT_CIRCUMFLEX: in multiline mode Python's ^ also matches after a newline that ends the subject.
  uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_ALT_CIRCUMFLEX;
  if (flags & IgnoreCase) options |= PCRE2_CASELESS;
  if (flags & DotAll) options |= PCRE2_DOTALL;
  if (flags & Multiline) options |= PCRE2_MULTILINE;
  std::string translated = translate_pattern(pattern);
  int err = 0;
  PCRE2_SIZE off = 0;
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(), options, &err, &off,
                              nullptr);
  if (!impl_->code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    throw Error("bad regular expression '" + pattern_ + "' at offset " + std::to_string(off) + ": " +
                reinterpret_cast<char*>(buf));
  }
}

PyRegex::~PyRegex() = default;
PyRegex::PyRegex(PyRegex&&) noexcept = default;
PyRegex& PyRegex::operator=(PyRegex&&) noexcept = default;

size_t PyRegex::group_count() const {
  uint32_t n = 0;
  pcre2_pattern_info(impl_->code, PCRE2_INFO_CAPTURECOUNT, &n);
  return n;
}

std::optional<PyRegex::Match> PyRegex::search(std::string_view s, size_t pos) const {
  if (pos > s.size()) return std::nullopt;
  return impl_->run(s, pos, 0);
}

std::optional<PyRegex::Match> PyRegex::match(std::string_view s) const { return impl_->run(s, 0, PCRE2_ANCHORED); }

std::optional<PyRegex::Match> PyRegex::fullmatch(std::string_view s) const {
  return impl_->run(s, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED);
}

// Python 3.7+: after an empty match at p, the next match may start at p only if it is non-empty;
// after a non-empty match ending at e, an empty match at e is allowed. Matches are handed to `on`
// one at a time (sub and split never hold them all); `on` returns false to stop.
void PyRegex::for_each_match(std::string_view s, const std::function<bool(Match&&)>& on) const {
  size_t pos = 0;
  bool last_empty = false;
  // PCRE2 checks the whole subject's UTF-8 on every call unless told not to: once is enough (the
  // next positions are character boundaries), or a million matches take a million full scans.
  uint32_t checked = 0;
  std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> md(
      pcre2_match_data_create_from_pattern(impl_->code, nullptr), pcre2_match_data_free);
  while (pos <= s.size()) {
    std::optional<Match> m;
    if (last_empty) {
      m = impl_->run(s, pos, PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED | checked, md.get());
      if (!m) {
        if (pos >= s.size()) break;
        pos = utf8_next(s, pos);
        m = impl_->run(s, pos, checked, md.get());
      }
    } else {
      m = impl_->run(s, pos, checked, md.get());
    }
    checked = PCRE2_NO_UTF_CHECK;
    if (!m) break;
    last_empty = m->start == m->end;
    pos = m->end;
    if (!on(std::move(*m))) break;
  }
}

std::vector<PyRegex::Match> PyRegex::finditer(std::string_view s) const {
  std::vector<Match> out;
  for_each_match(s, [&](Match&& m) {
    out.push_back(std::move(m));
    return true;
  });
  return out;
}

namespace {

// One piece of a parsed re.sub template: literal text, or a group's text (group >= 0).
struct TemplatePiece {
  std::string text;
  long group = -1;
};

void append_code_point(std::string& out, unsigned cp) {  // cp <= 0xFF here (octal escapes)
  if (cp < 0x80) {
    out += char(cp);
  } else {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_oct(char c) { return c >= '0' && c <= '7'; }

// Parses a re.sub replacement as Python 3.11's sre_parse.parse_template does: \g<n> / \g<name>,
// \N (one or two digits) group references, \0 and three-digit octal escapes, \a \b \f \n \r \t \v
// \\, other ASCII letters an error, any other escaped character kept with its backslash.
// Parsed once per call, before matching, so a bad template fails even without a match (as in Python).
std::vector<TemplatePiece> parse_template(std::string_view repl, size_t n_groups,
                                          const std::function<long(const std::string&)>& group_by_name,
                                          const std::string& pattern) {
  std::vector<TemplatePiece> pieces(1);
  auto fail = [&](const std::string& what) {
    throw Error("regex '" + pattern + "': replacement '" + std::string(repl) + "': " + what);
  };
  auto add_group = [&](long g) {
    if (g < 0 || size_t(g) > n_groups) fail("invalid group reference " + std::to_string(g));
    pieces.push_back({"", g});
    pieces.emplace_back();
  };
  for (size_t i = 0; i < repl.size(); ++i) {
    char c = repl[i];
    if (c != '\\') {
      pieces.back().text += c;
      continue;
    }
    if (i + 1 == repl.size()) fail("bad escape (end of pattern)");
    char n = repl[++i];
    auto next_is = [&](bool (*pred)(char)) { return i + 1 < repl.size() && pred(repl[i + 1]); };
    if (n == 'g') {
      if (i + 1 >= repl.size() || repl[i + 1] != '<') fail("missing <");
      size_t close = repl.find('>', i + 2);
      if (close == std::string_view::npos) fail("missing >, unterminated name");
      std::string name(repl.substr(i + 2, close - i - 2));
      i = close;
      if (name.empty()) fail("missing group name");
      if (std::all_of(name.begin(), name.end(), is_digit)) {
        add_group(name.size() > 6 ? -1 : std::stol(name));
      } else {
        long g = group_by_name(name);
        if (g < 0) fail("unknown group name '" + name + "'");
        add_group(g);
      }
    } else if (n == '0') {
      unsigned v = 0;
      for (int k = 0; k < 2 && next_is(is_oct); ++k) v = v * 8 + unsigned(repl[++i] - '0');
      append_code_point(pieces.back().text, v & 0xFF);
    } else if (is_digit(n)) {
      if (next_is(is_digit)) {
        char d2 = repl[++i];
        if (is_oct(n) && is_oct(d2) && next_is(is_oct)) {
          unsigned v = unsigned(n - '0') * 64 + unsigned(d2 - '0') * 8 + unsigned(repl[++i] - '0');
          if (v > 0377) fail("octal escape value outside of range 0-0o377");
          append_code_point(pieces.back().text, v);
        } else {
          add_group(long(n - '0') * 10 + long(d2 - '0'));
        }
      } else {
        add_group(long(n - '0'));
      }
    } else {
      std::string& t = pieces.back().text;
      switch (n) {
        case 'a': t += '\a'; break;
        case 'b': t += '\b'; break;
        case 'f': t += '\f'; break;
        case 'n': t += '\n'; break;
        case 'r': t += '\r'; break;
        case 't': t += '\t'; break;
        case 'v': t += '\v'; break;
        case '\\': t += '\\'; break;
        default:
          if ((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z')) fail(std::string("bad escape \\") + n);
          t += '\\';
          t += n;
      }
    }
  }
  return pieces;
}

}  // namespace

std::string PyRegex::sub(std::string_view s, std::string_view repl, size_t count, size_t max_bytes) const {
  pcre2_code* code = impl_->code;
  std::vector<TemplatePiece> pieces = parse_template(
      repl, group_count(),
      [code](const std::string& name) {
        int g = pcre2_substring_number_from_name(code, reinterpret_cast<PCRE2_SPTR>(name.c_str()));
        return g < 0 ? -1L : long(g);
      },
      pattern_);
  std::string out;
  size_t last = 0, n = 0;
  auto check_size = [&] {
    if (out.size() > max_bytes)
      throw Error("regex '" + pattern_ + "': the substitution result is over " + std::to_string(max_bytes) + " bytes");
  };
  for_each_match(s, [&](Match&& m) {
    if (count && n == count) return false;
    out.append(s.substr(last, m.start - last));
    for (const TemplatePiece& p : pieces) {
      out += p.text;
      if (p.group >= 0) out += m.groups[size_t(p.group)].value_or("");  // unmatched group: "" (Python 3.5+)
      check_size();
    }
    last = m.end;
    ++n;
    return true;
  });
  out.append(s.substr(last));
  check_size();
  return out;
}

std::vector<std::string> PyRegex::split(std::string_view s, size_t maxsplit) const {
  std::vector<std::string> out;
  size_t last = 0, n = 0;
  for_each_match(s, [&](Match&& m) {
    if (maxsplit && n == maxsplit) return false;
    out.emplace_back(s.substr(last, m.start - last));
    for (size_t g = 1; g < m.groups.size(); ++g) out.push_back(m.groups[g].value_or(""));
    last = m.end;
    ++n;
    return true;
  });
  out.emplace_back(s.substr(last));
  return out;
}

std::string py_re_escape(std::string_view text) {
  static constexpr std::string_view kSpecial = "()[]{}?*+-|^$\\.&~# \t\n\r\v\f";
  std::string out;
  out.reserve(text.size() * 2);
  for (char c : text) {
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace lfmb::eval
