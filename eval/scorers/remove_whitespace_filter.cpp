// lm-eval filter "remove_whitespace": EleutherAI/lm-evaluation-harness lm_eval/filters/extraction.py
// WhitespaceFilter @4e7e0d47f33b: resp.strip(), i.e. Python's Unicode whitespace removed at both
// ends (older lm-eval versions only lstripped; this commit strips both sides).
#include "eval/scorers/lm_eval_filters.h"
#include "eval/scorers/step_args.h"
#include "eval/text/py_str.h"

namespace lfmb::eval {

FilterInfo remove_whitespace_filter() {
  return {"remove_whitespace",
          [](const std::string& text, const FilterContext& ctx) -> std::optional<std::string> {
            StepArgs(ctx.args, "filter remove_whitespace", {}, {"function"});
            return py_strip(text);
          },
          "lm-eval lm_eval/filters/extraction.py WhitespaceFilter @4e7e0d47f33b"};
}

}  // namespace lfmb::eval
