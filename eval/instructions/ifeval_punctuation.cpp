// IFEval family "punctuation:" (no_comma), ported from EleutherAI/lm-evaluation-harness
// lm_eval/tasks/ifeval/instructions.py @4e7e0d47f33b (CommaChecker); google-research
// instruction_following_eval/instructions.py @3f357bde is identical for this class.
#include "eval/instructions/families.h"
#include "eval/instructions/ifeval_common.h"

namespace lfmb::eval::instructions {

std::vector<InstructionType> ifeval_punctuation() {
  InstructionType no_comma;
  no_comma.id = "punctuation:no_comma";
  no_comma.source = ifeval_source("CommaChecker");
  // not re.search(r"\,", value): only U+002C counts (not the full-width or ideographic comma).
  no_comma.build = [](const InstructionInput&) -> Checker {
    return [](const std::string& r) { return r.find(',') == std::string::npos; };
  };
  return {no_comma};
}

}  // namespace lfmb::eval::instructions
