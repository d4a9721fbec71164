// IFEval family "change_case:" (capital_word_frequency, english_capital, english_lowercase),
// ported from EleutherAI/lm-evaluation-harness lm_eval/tasks/ifeval/instructions.py @4e7e0d47f33b
// (CapitalWordFrequencyChecker, CapitalLettersEnglishChecker, LowercaseLettersEnglishChecker);
// google-research instruction_following_eval/instructions.py @3f357bde is identical for these.
#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifeval_common.h"
#include "eval/instructions/kwargs.h"
#include "eval/instructions/language_id.h"
#include "eval/instructions/text_util.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

// `value.isupper() and langdetect.detect(value) == "en"` inside try: an undetectable text counts
// as followed (only reached when the case test passed, by short-circuit).
bool case_and_english(bool case_ok, const std::string& r) {
  if (!case_ok) return false;
  const std::optional<std::string> lang = detect_language(r);
  return !lang || *lang == "en";
}

}  // namespace

std::vector<InstructionType> ifeval_change_case() {
  InstructionType capital_words;
  capital_words.id = "change_case:capital_word_frequency";
  capital_words.source = ifeval_source("CapitalWordFrequencyChecker");
  capital_words.approximation =
      "nltk.word_tokenize's punkt sentence split is approximated (see length_constraints:number_sentences); "
      "it only changes which tokens are all-caps where a sentence boundary splits a trailing period";
  capital_words.build = [](const InstructionInput& in) -> Checker {
    // Only a missing frequency draws a random one here (no `< 0` test in this class).
    const long long n = kw_int(in, "capital_frequency");
    const Relation rel = kw_relation(in, "capital_relation");
    return [n, rel](const std::string& r) {
      long long caps = 0;
      for (const std::string& w : word_tokenize(r)) caps += py_isupper(w);
      return compare(rel, caps, n);
    };
  };

  InstructionType capital;
  capital.id = "change_case:english_capital";
  capital.source = ifeval_source("CapitalLettersEnglishChecker");
  capital.approximation = "language identification by CLD2 instead of langdetect (see language:response_language)";
  capital.build = [](const InstructionInput&) -> Checker {
    return [](const std::string& r) { return case_and_english(py_isupper(r), r); };
  };

  InstructionType lower;
  lower.id = "change_case:english_lowercase";
  lower.source = ifeval_source("LowercaseLettersEnglishChecker");
  lower.approximation = capital.approximation;
  lower.build = [](const InstructionInput&) -> Checker {
    return [](const std::string& r) { return case_and_english(py_islower(r), r); };
  };
  return {capital_words, capital, lower};
}

}  // namespace lfmb::eval::instructions
