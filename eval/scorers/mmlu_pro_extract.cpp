// MMLU-Pro answer extraction: TIGER-AI-Lab/MMLU-Pro evaluate_from_local.py at
// f418b116db00b065c2aea046518d8fcf74d39872: extract_answer ("answer is (X)"), then extract_again
// (the last "answer: X" on the first line that has one), then extract_final (the last standalone
// letter A-J anywhere); when all fail, save_res draws random.randint(0, len(options) - 1) from the
// module's generator (seeded once with random.seed(12345)) and scores that option.
//
// Filter args: random_fallback (bool, default false). The draw uses ctx.rng; the caller owns its
// seeding and the order of draws (the official script walks subjects in sorted order and calls
// save_res twice per subject, reporting the second pass).
#include <string>

#include "core/error.h"
#include "eval/data/py_random.h"
#include "eval/scorers/choice_scorers.h"
#include "eval/text/py_regex.h"

namespace lfmb::eval {

std::optional<std::string> mmlu_pro_extract_answer(std::string_view text) {
  static const PyRegex answer_is(R"(answer is \(?([A-J])\)?)");           // extract_answer
  static const PyRegex answer_colon(R"(.*[aA]nswer:\s*([A-J]))");        // extract_again (no DOTALL)
  static const PyRegex last_letter(R"(\b[A-J]\b(?!.*\b[A-J]\b))", PyRegex::DotAll);  // extract_final
  if (auto m = answer_is.search(text)) return m->group(1);
  if (auto m = answer_colon.search(text)) return m->group(1);
  if (auto m = last_letter.search(text)) return m->group(0);
  return std::nullopt;
}

std::string mmlu_pro_random_letter(const nlohmann::json& doc, PyRandom& rng) {
  const auto it = doc.find("options");
  if (it == doc.end() || !it->is_array()) throw Error("filter mmlu_pro_extract: document has no 'options' list");
  int64_t n = 0;
  for (const auto& opt : *it)
    if (!(opt.is_string() && opt.get<std::string>() == "N/A")) ++n;
  // randint(0, -1) raises in Python; past 26 options there is no letter to name.
  if (n < 1 || n > 26)
    throw Error("filter mmlu_pro_extract: document has " + std::to_string(n) + " options (need 1 to 26)");
  return std::string(1, static_cast<char>('A' + rng.randint(0, n - 1)));
}

FilterInfo mmlu_pro_extract_filter() {
  FilterFn fn = [](const std::string& text, const FilterContext& ctx) -> std::optional<std::string> {
    if (auto letter = mmlu_pro_extract_answer(text)) return letter;
    bool fallback = false;
    if (const auto it = ctx.args.find("random_fallback"); it != ctx.args.end()) {
      if (!it->is_boolean()) throw Error("filter mmlu_pro_extract: argument 'random_fallback' must be true or false");
      fallback = it->get<bool>();
    }
    if (!fallback || ctx.rng == nullptr) return std::nullopt;
    return mmlu_pro_random_letter(ctx.doc, *ctx.rng);
  };
  return {"mmlu_pro_extract", fn, "TIGER-AI-Lab/MMLU-Pro evaluate_from_local.py extract_answer/again/final + save_res random fallback @f418b116"};
}

}  // namespace lfmb::eval
