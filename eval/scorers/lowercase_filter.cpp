// lm-eval filter "lowercase": EleutherAI/lm-evaluation-harness lm_eval/filters/transformation.py
// LowercaseFilter @4e7e0d47f33b: resp.lower() (Python's full Unicode lowercase).
#include "eval/scorers/lm_eval_filters.h"
#include "eval/scorers/step_args.h"
#include "eval/text/py_str.h"

namespace lfmb::eval {

FilterInfo lowercase_filter() {
  return {"lowercase",
          [](const std::string& text, const FilterContext& ctx) -> std::optional<std::string> {
            StepArgs(ctx.args, "filter lowercase", {}, {"function"});
            return py_lower(text);
          },
          "lm-eval lm_eval/filters/transformation.py LowercaseFilter @4e7e0d47f33b"};
}

}  // namespace lfmb::eval
