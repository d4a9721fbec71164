// Accuracy of an extracted option letter: 1 when it equals the target letter exactly, as
// simple-evals gpqa_eval.py (`extracted_answer == correct_answer`, ee3b0318d8d1) and MMLU-Pro's
// save_res (`pred == answer`, evaluate_from_local.py f418b116) compare them; no answer scores 0.
// No case folding: simple-evals scores a lowercase "b" from its (?i) regex as wrong.
#include "eval/scorers/choice_scorers.h"

namespace lfmb::eval {

MetricInfo acc_letter_metric() {
  MetricFn fn = [](const std::optional<std::string>& response, const std::string& target, const MetricContext&) {
    return response && *response == target ? 1.0 : 0.0;
  };
  return {"acc_letter", fn, "exact letter match (simple-evals gpqa_eval.py @ee3b0318d8d1, MMLU-Pro save_res @f418b116)"};
}

}  // namespace lfmb::eval
