// IFEval family "language:" (response_language), ported from EleutherAI/lm-evaluation-harness
// lm_eval/tasks/ifeval/instructions.py @4e7e0d47f33b (ResponseLanguageChecker) and
// instructions_util.py (LANGUAGE_CODES); google-research instruction_following_eval @3f357bde is
// identical for this class.
#include <set>

#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifeval_common.h"
#include "eval/instructions/kwargs.h"
#include "eval/instructions/language_id.h"

namespace lfmb::eval::instructions {

std::vector<InstructionType> ifeval_language() {
  InstructionType language;
  language.id = "language:response_language";
  language.source = ifeval_source("ResponseLanguageChecker");
  language.approximation =
      "languages are identified by CLD2 (libcld2) mapped to langdetect's codes, not by langdetect's "
      "own profiles: short or mixed texts can be identified differently (langdetect is also "
      "randomised per call in the official code)";
  language.build = [](const InstructionInput& in) -> Checker {
    const std::string want = kw_str(in, "language");
    // build_description formats _LANGUAGES[language]: a code outside LANGUAGE_CODES is a KeyError.
    static const std::set<std::string> kLanguageCodes = {
        "en", "es", "pt", "ar", "hi", "fr", "ru", "de", "ja", "it", "bn", "uk", "th", "ur", "ta",
        "te", "bg", "ko", "pl", "he", "fa", "vi", "ne", "sw", "kn", "mr", "gu", "pa", "ml", "fi"};
    if (!kLanguageCodes.count(want))
      throw Error("instruction '" + in.id + "': kwarg 'language' \"" + want +
                  "\" is not one of IFEval's LANGUAGE_CODES (the official code raises KeyError)");
    return [want](const std::string& r) {
      // langdetect.detect(value) == language; LangDetectException counts as followed.
      const std::optional<std::string> got = detect_language(r);
      return !got || *got == want;
    };
  };
  return {language};
}

}  // namespace lfmb::eval::instructions
