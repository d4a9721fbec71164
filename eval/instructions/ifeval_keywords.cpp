// IFEval family "keywords:" (existence, frequency, forbidden_words, letter_frequency), ported from
// EleutherAI/lm-evaluation-harness lm_eval/tasks/ifeval/instructions.py @4e7e0d47f33b
// (KeywordChecker, KeywordFrequencyChecker, ForbiddenWords, LetterFrequencyChecker).
// google-research instruction_following_eval/instructions.py @3f357bde differs only in
// LetterFrequencyChecker's argument check: it accepts any one-character `letter`, lm-eval only an
// ASCII letter (others draw a random letter there); lfmb follows google-research (see below).
#include <memory>
#include <set>

#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifeval_common.h"
#include "eval/instructions/kwargs.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

std::vector<InstructionType> ifeval_keywords() {
  InstructionType existence;
  existence.id = "keywords:existence";
  existence.source = ifeval_source("KeywordChecker");
  existence.build = [](const InstructionInput& in) -> Checker {
    const std::vector<std::string> words = kw_str_list(in, "keywords");
    if (words.empty()) kw_refuse(in, "keywords", "is empty");
    // Each keyword is used as a regular expression, unescaped: re.search(keyword, value, re.I).
    auto patterns = std::make_shared<std::vector<PyRegex>>();
    for (const std::string& w : words) patterns->emplace_back(w, PyRegex::IgnoreCase);
    return [patterns](const std::string& r) {
      for (const PyRegex& p : *patterns)
        if (!p.search(r)) return false;
      return true;
    };
  };

  InstructionType frequency;
  frequency.id = "keywords:frequency";
  frequency.source = ifeval_source("KeywordFrequencyChecker");
  frequency.build = [](const InstructionInput& in) -> Checker {
    const std::string keyword = kw_str(in, "keyword");
    if (keyword.empty()) kw_refuse(in, "keyword", "is empty");
    // keyword.strip(), then len(re.findall(keyword, value, re.I)) compared with the frequency.
    auto pattern = std::make_shared<PyRegex>(py_strip(keyword), PyRegex::IgnoreCase);
    const long long freq = kw_count(in, "frequency");
    const Relation rel = kw_relation(in, "relation");
    return [pattern, freq, rel](const std::string& r) {
      return compare(rel, (long long)pattern->finditer(r).size(), freq);
    };
  };

  InstructionType forbidden;
  forbidden.id = "keywords:forbidden_words";
  forbidden.source = ifeval_source("ForbiddenWords");
  forbidden.build = [](const InstructionInput& in) -> Checker {
    const std::vector<std::string> words = kw_str_list(in, "forbidden_words");
    if (words.empty()) kw_refuse(in, "forbidden_words", "is empty");
    // re.search(r"\b" + word + r"\b", value, re.I) for each distinct word (unescaped).
    auto patterns = std::make_shared<std::vector<PyRegex>>();
    for (const std::string& w : std::set<std::string>(words.begin(), words.end()))
      patterns->emplace_back("\\b" + w + "\\b", PyRegex::IgnoreCase);
    return [patterns](const std::string& r) {
      for (const PyRegex& p : *patterns)
        if (p.search(r)) return false;
      return true;
    };
  };

  InstructionType letter;
  letter.id = "keywords:letter_frequency";
  letter.source = ifeval_source("LetterFrequencyChecker");
  letter.build = [](const InstructionInput& in) -> Checker {
    const std::string given = kw_str(in, "letter");
    // google-research: `not letter or len(letter) > 1` draws a random letter, otherwise
    // letter.strip().lower(). lm-eval also draws one when letter.lower() is not in a-z, which
    // the IFEval data hits twice ('#' in doc 1122, '!' in doc 1129): lm-eval's decision there is
    // random (no seed); lfmb counts the given character, as google-research does.
    if (py_len(given) != 1) kw_refuse(in, "letter", "must be one character, not \"" + given + "\"");
    const std::string want = py_lower(py_strip(given));
    const long long freq = kw_count(in, "let_frequency");
    const Relation rel = kw_relation(in, "let_relation");
    return [want, freq, rel](const std::string& r) {
      // collections.Counter(value.lower())[letter]: code points equal to the letter after the full
      // Unicode lowercase ('K' KELVIN SIGN becomes 'k'; 'İ' becomes "i" + U+0307). A letter that
      // is not one code point ("" from a space, "i̇" from 'İ') is never a Counter key: 0.
      long long n = 0;
      if (py_len(want) == 1)
        for (const std::string& c : py_chars(py_lower(r))) n += c == want;
      return compare(rel, n, freq);
    };
  };
  return {existence, frequency, forbidden, letter};
}

}  // namespace lfmb::eval::instructions
