// What the IFEval families share: where they were ported from (InstructionType::source) and the
// comparison relation of the counting checkers ("less than" / "at least").
#pragma once
#include <string>

#include "eval/instructions/instruction.h"

namespace lfmb::eval::instructions {

// "<repo> <file> <Class> @<commit>" for an lm-eval IFEval class.
inline std::string ifeval_source(const char* cls) {
  return std::string("EleutherAI/lm-evaluation-harness lm_eval/tasks/ifeval/instructions.py ") + cls +
         " @4e7e0d47f33b";
}

// _COMPARISON_RELATION = ("less than", "at least"); any other given value is the official
// ValueError, a missing one the official random choice (refused here, see kwargs.h).
enum class Relation { LessThan, AtLeast };
Relation kw_relation(const InstructionInput& in, const char* key);
inline bool compare(Relation r, long long actual, long long threshold) {
  return r == Relation::LessThan ? actual < threshold : actual >= threshold;
}

}  // namespace lfmb::eval::instructions
