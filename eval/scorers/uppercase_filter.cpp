// lm-eval filter "uppercase": EleutherAI/lm-evaluation-harness lm_eval/filters/transformation.py
// UppercaseFilter @4e7e0d47f33b: resp.upper() (Python's full Unicode uppercase, e.g. ß -> SS).
#include "eval/scorers/lm_eval_filters.h"
#include "eval/scorers/step_args.h"
#include "eval/text/py_str.h"

namespace lfmb::eval {

FilterInfo uppercase_filter() {
  return {"uppercase",
          [](const std::string& text, const FilterContext& ctx) -> std::optional<std::string> {
            StepArgs(ctx.args, "filter uppercase", {}, {"function"});
            return py_upper(text);
          },
          "lm-eval lm_eval/filters/transformation.py UppercaseFilter @4e7e0d47f33b"};
}

}  // namespace lfmb::eval
