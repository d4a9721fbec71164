// IFEval family "combination:" (repeat_prompt, two_responses), ported from
// EleutherAI/lm-evaluation-harness lm_eval/tasks/ifeval/instructions.py @4e7e0d47f33b
// (RepeatPromptThenAnswer, TwoResponsesChecker); google-research
// instruction_following_eval/instructions.py @3f357bde is identical for both.
#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifeval_common.h"
#include "eval/instructions/kwargs.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

std::vector<InstructionType> ifeval_combination() {
  InstructionType repeat;
  repeat.id = "combination:repeat_prompt";
  repeat.source = ifeval_source("RepeatPromptThenAnswer");
  repeat.build = [](const InstructionInput& in) -> Checker {
    const std::string p = kw_str(in, "prompt_to_repeat");
    // `if not prompt_to_repeat: raise ValueError("prompt_to_repeat must be set.")`
    if (p.empty()) throw Error("instruction '" + in.id + "': kwarg 'prompt_to_repeat' must be set (it is empty)");
    const std::string want = py_lower(py_strip(p));
    return [want](const std::string& r) {
      // value.strip().lower().startswith(prompt_to_repeat.strip().lower())
      const std::string v = py_lower(py_strip(r));
      return v.compare(0, want.size(), want) == 0 && v.size() >= want.size();
    };
  };

  InstructionType two;
  two.id = "combination:two_responses";
  two.source = ifeval_source("TwoResponsesChecker");
  two.build = [](const InstructionInput&) -> Checker {
    return [](const std::string& r) {
      // value.split("******"): an empty piece is allowed only first or last; exactly two
      // non-empty pieces, different after strip.
      const std::vector<std::string> parts = py_split_sep(r, "******");
      std::vector<std::string> valid;
      for (size_t i = 0; i < parts.size(); ++i) {
        if (py_strip(parts[i]).empty()) {
          if (i != 0 && i != parts.size() - 1) return false;
        } else {
          valid.push_back(parts[i]);
        }
      }
      return valid.size() == 2 && py_strip(valid[0]) != py_strip(valid[1]);
    };
  };
  return {repeat, two};
}

}  // namespace lfmb::eval::instructions
