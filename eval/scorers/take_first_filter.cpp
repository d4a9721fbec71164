// lm-eval filter "take_first": EleutherAI/lm-evaluation-harness lm_eval/filters/selection.py
// TakeFirstFilter @4e7e0d47f33b keeps the first of a document's responses (r[0]). lfmb runs filter
// steps on one response at a time (repeats: 1 in every task it runs), so the step is the identity.
#include "eval/scorers/lm_eval_filters.h"
#include "eval/scorers/step_args.h"

namespace lfmb::eval {

FilterInfo take_first_filter() {
  return {"take_first",
          [](const std::string& text, const FilterContext& ctx) -> std::optional<std::string> {
            StepArgs(ctx.args, "filter take_first", {}, {"function"});
            return text;
          },
          "lm-eval lm_eval/filters/selection.py TakeFirstFilter @4e7e0d47f33b"};
}

}  // namespace lfmb::eval
