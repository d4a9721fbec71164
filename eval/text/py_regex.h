// Regular expressions with Python `re` semantics, for the patterns the official scorers use:
// UTF-8 text, Unicode-aware \d \w \s \b (PCRE2 with UTF + UCP), inline flags (?i) (?s) (?m).
//
//   PyRegex re(R"(#### (\-?[0-9\.\,]+))");
//   if (auto m = re.search(text)) use(*m->group(1));
//   std::vector<PyRegex::Match> all = re.finditer(text);   // re.finditer / re.findall order
//   std::string out = re.sub(text, "");                     // re.sub (repl: \1, \g<1>, \g<name>)
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lfmb::eval {

class PyRegex {
 public:
  enum Flags { None = 0, IgnoreCase = 1, DotAll = 2, Multiline = 4 };

  struct Match {
    // groups[0] is the whole match; an unmatched group is nullopt (Python None).
    std::vector<std::optional<std::string>> groups;
    size_t start = 0, end = 0;  // byte offsets of the whole match in the subject
    const std::optional<std::string>& group(size_t i) const { return groups.at(i); }
    // re.findall's value for this match: the whole match without groups, group 1 with one group;
    // with several groups Python returns a tuple: use groups[1..] directly.
    std::string findall_value() const;
  };

  // Throws lfmb::Error naming the pattern and PCRE2's message when the pattern does not compile.
  explicit PyRegex(std::string_view pattern, int flags = None);
  ~PyRegex();
  PyRegex(PyRegex&&) noexcept;
  PyRegex& operator=(PyRegex&&) noexcept;

  std::optional<Match> search(std::string_view subject, size_t pos = 0) const;  // re.search
  std::optional<Match> match(std::string_view subject) const;                   // re.match (anchored at start)
  std::optional<Match> fullmatch(std::string_view subject) const;               // re.fullmatch
  // re.finditer: non-overlapping matches, empty matches handled as Python 3.7+ does.
  std::vector<Match> finditer(std::string_view subject) const;
  // re.sub: count = 0 replaces all. repl uses Python's template syntax. A result that would pass
  // max_bytes is an lfmb::Error instead (templates bound what they build).
  std::string sub(std::string_view subject, std::string_view repl, size_t count = 0,
                  size_t max_bytes = SIZE_MAX) const;
  // re.split; a group that did not take part gives "" here where Python gives None.
  std::vector<std::string> split(std::string_view subject, size_t maxsplit = 0) const;

  size_t group_count() const;
  const std::string& pattern() const { return pattern_; }

 private:
  void for_each_match(std::string_view subject, const std::function<bool(Match&&)>& on) const;
  struct Impl;
  std::string pattern_;
  std::unique_ptr<Impl> impl_;
};

// re.escape (Python 3.7+): a backslash before each of ()[]{}?*+-|^$\.&~# and space, \t \n \r \v \f;
// every other character as it is.
std::string py_re_escape(std::string_view text);

}  // namespace lfmb::eval
