// Answer extraction and scoring for the generative multiple-choice tasks (MMLU-Pro CoT, GPQA
// diamond CoT) and MGSM, ported from the official code (each .cpp names its file and commit).
// registry.cpp lists the factories; the plain functions are the rules themselves, for tests.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eval/scorers/scorer.h"

namespace lfmb::eval {

// ---- registry factories ----
FilterInfo mmlu_pro_extract_filter();   // filter "mmlu_pro_extract"   (mmlu_pro_extract.cpp)
FilterInfo gpqa_answer_filter();        // filter "gpqa_answer"        (gpqa_answer.cpp)
FilterInfo mgsm_parse_answer_filter();  // filter "mgsm_parse_answer"  (mgsm_parse_answer.cpp)
MetricInfo mgsm_score_metric();         // metric "mgsm_score"         (mgsm_score.cpp)
MetricInfo acc_letter_metric();         // metric "acc_letter"         (acc_letter.cpp)

// ---- MMLU-Pro (TIGER-AI-Lab evaluate_from_local.py) ----
// extract_answer -> extract_again -> extract_final; nullopt where the official code returns None.
std::optional<std::string> mmlu_pro_extract_answer(std::string_view text);
// The official random fallback for an unparsed answer: random.randint(0, n_options - 1) as a
// letter; n_options counts doc["options"] without "N/A" entries (the official preprocess drops them).
std::string mmlu_pro_random_letter(const nlohmann::json& doc, PyRandom& rng);

// ---- GPQA (simple-evals gpqa_eval.py) ----
// re.search(ANSWER_PATTERN_MULTICHOICE, response).group(1), on the raw response.
std::optional<std::string> gpqa_extract_answer(std::string_view text);

// ---- MGSM (simple-evals mgsm_eval.py) ----
const std::vector<std::string>& mgsm_languages();               // ALL_LANGUAGES, in its order
std::string mgsm_answer_prefix(const std::string& lang);        // LANG_TO_ANSWER_PREFIX
std::string mgsm_instruction(const std::string& lang);          // LANG_TO_INSTRUCTIONS: template with {input}
std::string mgsm_parse_answer(std::string_view answer, std::string_view answer_prefix);  // parse_answer ("" = none)
bool mgsm_score(std::string_view target, std::string_view prediction);                  // score_mgsm

}  // namespace lfmb::eval
