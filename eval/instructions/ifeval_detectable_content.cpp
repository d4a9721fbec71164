// IFEval family "detectable_content:" (number_placeholders, postscript), ported from
// EleutherAI/lm-evaluation-harness lm_eval/tasks/ifeval/instructions.py @4e7e0d47f33b
// (PlaceholderChecker, PostscriptChecker); google-research
// instruction_following_eval/instructions.py @3f357bde is identical for both.
#include <memory>

#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifeval_common.h"
#include "eval/instructions/kwargs.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

std::vector<InstructionType> ifeval_detectable_content() {
  InstructionType placeholders;
  placeholders.id = "detectable_content:number_placeholders";
  placeholders.source = ifeval_source("PlaceholderChecker");
  placeholders.build = [](const InstructionInput& in) -> Checker {
    const long long n = kw_int(in, "num_placeholders");
    if (n < 0) throw Error("instruction '" + in.id + "': kwarg 'num_placeholders' is negative (the official code would draw a random value)");
    // len(re.findall(r"\[.*?\]", value)) >= n: '.' stops at a newline, so "[a\nb]" is none.
    static const PyRegex re(R"(\[.*?\])");
    return [n](const std::string& r) { return (long long)re.finditer(r).size() >= n; };
  };

  InstructionType postscript;
  postscript.id = "detectable_content:postscript";
  postscript.source = ifeval_source("PostscriptChecker");
  postscript.build = [](const InstructionInput& in) -> Checker {
    const std::string marker = py_strip(kw_str(in, "postscript_marker"));
    // The two standard markers have their own tolerant patterns; any other marker is lowercased
    // and used as a regular expression as it is (unescaped: "." matches any character).
    std::string pattern;
    if (marker == "P.P.S")
      pattern = R"(\s*p\.\s?p\.\s?s.*$)";
    else if (marker == "P.S.")
      pattern = R"(\s*p\.\s?s\..*$)";
    else
      pattern = R"(\s*)" + py_lower(marker) + R"(.*$)";
    auto re = std::make_shared<PyRegex>(pattern, PyRegex::Multiline);
    // re.findall(pattern, value.lower(), flags=re.MULTILINE) non-empty: one search is enough.
    return [re](const std::string& r) { return re->search(py_lower(r)).has_value(); };
  };
  return {placeholders, postscript};
}

}  // namespace lfmb::eval::instructions
