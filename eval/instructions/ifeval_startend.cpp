// IFEval family "startend:" (end_checker, quotation), ported from EleutherAI/lm-evaluation-harness
// lm_eval/tasks/ifeval/instructions.py @4e7e0d47f33b (EndChecker, QuotationChecker);
// google-research instruction_following_eval/instructions.py @3f357bde is identical for both.
#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifeval_common.h"
#include "eval/instructions/kwargs.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::vector<InstructionType> ifeval_startend() {
  InstructionType end;
  end.id = "startend:end_checker";
  end.source = ifeval_source("EndChecker");
  end.build = [](const InstructionInput& in) -> Checker {
    // build: end_phrase.strip(); check: .strip().lower() again, and the response
    // value.strip().strip('"').lower() must end with it (byte-wise endswith on UTF-8 is
    // str.endswith, since both sides are whole characters).
    const std::string phrase = py_lower(py_strip(kw_str(in, "end_phrase")));
    return [phrase](const std::string& r) { return ends_with(py_lower(py_strip_chars(py_strip(r), "\"")), phrase); };
  };

  InstructionType quotation;
  quotation.id = "startend:quotation";
  quotation.source = ifeval_source("QuotationChecker");
  quotation.build = [](const InstructionInput&) -> Checker {
    // value.strip(); len(value) > 1 and value[0] == '"' and value[-1] == '"'. Both ends are one
    // ASCII byte, so two bytes or more means two characters or more.
    return [](const std::string& r) {
      const std::string v = py_strip(r);
      return v.size() > 1 && v.front() == '"' && v.back() == '"';
    };
  };
  return {end, quotation};
}

}  // namespace lfmb::eval::instructions
