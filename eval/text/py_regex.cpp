#include "eval/text/py_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/error.h"

namespace lfmb::eval {

namespace {

// Python spells "end of subject" \Z; PCRE2's \Z also matches before a final newline, its \z
// does not. Everything else the scorers use has the same spelling in both.
std::string translate_pattern(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\' && i + 1 < p.size()) {
      out += '\\';
      out += p[i + 1] == 'Z' ? 'z' : p[i + 1];
      ++i;
    } else {
      out += p[i];
    }
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

  std::optional<Match> run(std::string_view s, size_t pos, uint32_t options) const {
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code, nullptr);
    int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), pos, options | PCRE2_NO_UTF_CHECK, md,
                         nullptr);
    if (rc < 0) {
      pcre2_match_data_free(md);
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
    pcre2_match_data_free(md);
    return m;
  }
};

std::string PyRegex::Match::findall_value() const {
  if (groups.size() == 1) return groups[0].value_or("");
  return groups[1].value_or("");
}

PyRegex::PyRegex(std::string_view pattern, int flags) : pattern_(pattern), impl_(std::make_unique<Impl>()) {
  uint32_t options = PCRE2_UTF | PCRE2_UCP;
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
// after a non-empty match ending at e, an empty match at e is allowed.
std::vector<PyRegex::Match> PyRegex::finditer(std::string_view s) const {
  std::vector<Match> out;
  size_t pos = 0;
  bool last_empty = false;
  while (pos <= s.size()) {
    std::optional<Match> m;
    if (last_empty) {
      m = impl_->run(s, pos, PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED);
      if (!m) {
        if (pos >= s.size()) break;
        pos = utf8_next(s, pos);
        m = impl_->run(s, pos, 0);
      }
    } else {
      m = impl_->run(s, pos, 0);
    }
    if (!m) break;
    last_empty = m->start == m->end;
    pos = m->end;
    out.push_back(std::move(*m));
  }
  return out;
}

namespace {

// Expands a Python re.sub template for one match.
std::string expand(std::string_view repl, const PyRegex::Match& m, const std::string& pattern) {
  std::string out;
  for (size_t i = 0; i < repl.size(); ++i) {
    char c = repl[i];
    if (c != '\\' || i + 1 == repl.size()) {
      out += c;
      continue;
    }
    char n = repl[++i];
    auto group = [&](size_t g) {
      if (g >= m.groups.size()) throw Error("regex '" + pattern + "': invalid group reference " + std::to_string(g));
      out += m.groups[g].value_or("");
    };
    if (n >= '0' && n <= '9') {
      size_t g = size_t(n - '0');
      if (i + 1 < repl.size() && repl[i + 1] >= '0' && repl[i + 1] <= '9') g = g * 10 + size_t(repl[++i] - '0');
      group(g);
    } else if (n == 'g' && i + 1 < repl.size() && repl[i + 1] == '<') {
      size_t close = repl.find('>', i + 2);
      if (close == std::string_view::npos) throw Error("regex '" + pattern + "': missing > in group reference");
      std::string name(repl.substr(i + 2, close - i - 2));
      i = close;
      if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
        throw Error("regex '" + pattern + "': named group references are not supported in replacements");
      group(std::stoul(name));
    } else {
      switch (n) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case 'a': out += '\a'; break;
        case '\\': out += '\\'; break;
        default:
          if ((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z'))
            throw Error("regex '" + pattern + "': bad escape \\" + std::string(1, n) + " in replacement");
          out += '\\';
          out += n;
      }
    }
  }
  return out;
}

}  // namespace

std::string PyRegex::sub(std::string_view s, std::string_view repl, size_t count) const {
  std::string out;
  size_t last = 0, n = 0;
  for (const Match& m : finditer(s)) {
    if (count && n == count) break;
    out.append(s.substr(last, m.start - last));
    out += expand(repl, m, pattern_);
    last = m.end;
    ++n;
  }
  out.append(s.substr(last));
  return out;
}

std::vector<std::string> PyRegex::split(std::string_view s, size_t maxsplit) const {
  std::vector<std::string> out;
  size_t last = 0, n = 0;
  for (const Match& m : finditer(s)) {
    if (maxsplit && n == maxsplit) break;
    out.emplace_back(s.substr(last, m.start - last));
    for (size_t g = 1; g < m.groups.size(); ++g) out.push_back(m.groups[g].value_or(""));
    last = m.end;
    ++n;
  }
  out.emplace_back(s.substr(last));
  return out;
}

}  // namespace lfmb::eval
