// Answer extractors and scorers for MMLU-Pro CoT, GPQA and MGSM. Expected values were worked out
// from the official rules and checked with CPython 3.11's `re` and `random` on the same inputs.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io/digest.h"
#include "eval/data/py_random.h"
#include "eval/scorers/choice_scorers.h"

using namespace lfmb::eval;
using nlohmann::json;
using Opt = std::optional<std::string>;

namespace {

Opt run_filter(const FilterInfo& f, const std::string& text, const json& doc, const json& args,
               PyRandom* rng = nullptr) {
  FilterContext ctx{doc, args, rng};
  return f.fn(text, ctx);
}

double run_metric(const MetricInfo& m, const Opt& response, const std::string& target) {
  const json doc = json::object(), args = json::object();
  return m.fn(response, target, MetricContext{doc, args});
}

}  // namespace

// ---------------- MMLU-Pro ----------------

TEST_CASE("mmlu_pro extract_answer takes the first answer is X", "[eval-choice]") {
  CHECK(mmlu_pro_extract_answer("Let's think. The answer is (C). But the answer is D.") == Opt("C"));
  CHECK(mmlu_pro_extract_answer("So the answer is B") == Opt("B"));
  CHECK(mmlu_pro_extract_answer("the answer is (J) indeed") == Opt("J"));
  // Case-sensitive: "Answer is" falls through to extract_final's last letter.
  CHECK(mmlu_pro_extract_answer("The Answer is (C)") == Opt("C"));
  // Two spaces break "answer is \(?": extract_final finds the B.
  CHECK(mmlu_pro_extract_answer("answer is  (B)") == Opt("B"));
}

TEST_CASE("mmlu_pro extract_again takes the last answer colon X on the first line with one", "[eval-choice]") {
  CHECK(mmlu_pro_extract_answer("Answer: E\nlater answer: F") == Opt("E"));
  CHECK(mmlu_pro_extract_answer("first line\nI think answer: G and final Answer: H\nAnswer: I") == Opt("H"));
  CHECK(mmlu_pro_extract_answer("answer:\n\n  D") == Opt("D"));  // \s* crosses newlines
  // `.` matches \r (Python's `.` excludes only \n).
  CHECK(mmlu_pro_extract_answer("x answer:\rB") == Opt("B"));
  CHECK(mmlu_pro_extract_answer("foo\r answer: C") == Opt("C"));
  // Unicode whitespace after the colon is \s in Python.
  CHECK(mmlu_pro_extract_answer("Answer:\u00a0B") == Opt("B"));
  CHECK(mmlu_pro_extract_answer("Answer:\u3000B") == Opt("B"));
  CHECK(mmlu_pro_extract_answer("Answer:\x1c" "B") == Opt("B"));  // str.isspace() code points too
  CHECK(mmlu_pro_extract_answer("Answer:\u0085B") == Opt("B"));
  CHECK(mmlu_pro_extract_answer("x\u2028 answer: C") == Opt("C"));  // `.` crosses U+2028
  // "ANSWER:" is not [aA]nswer: extract_final.
  CHECK(mmlu_pro_extract_answer("ANSWER: C") == Opt("C"));
}

TEST_CASE("mmlu_pro extract_final takes the last standalone letter A to J", "[eval-choice]") {
  CHECK(mmlu_pro_extract_answer("Option A is wrong, B too; so C.\nThus") == Opt("C"));
  CHECK(mmlu_pro_extract_answer("Between A and B\nI pick B.\nNot K") == Opt("B"));
  CHECK(mmlu_pro_extract_answer("A.\nB. \n final: \u7b54A") == Opt("B"));  // 答A: no \b between CJK and A
  CHECK(mmlu_pro_extract_answer("A1 B2 C") == Opt("C"));
  // \b is Unicode-aware: É is a word character, a combining accent is not.
  CHECK(mmlu_pro_extract_answer("\u00c9A") == std::nullopt);
  CHECK(mmlu_pro_extract_answer("\u00c9a A\u0301") == Opt("A"));
  CHECK(mmlu_pro_extract_answer("_A_ a") == std::nullopt);
  CHECK(mmlu_pro_extract_answer("nothing here") == std::nullopt);
  CHECK(mmlu_pro_extract_answer("answer is (K) Answer: K") == std::nullopt);
  CHECK(mmlu_pro_extract_answer("") == std::nullopt);
}

TEST_CASE("mmlu_pro_extract filter and its random fallback", "[eval-choice]") {
  const FilterInfo f = mmlu_pro_extract_filter();
  CHECK(f.name == "mmlu_pro_extract");
  const json ten = {{"options", {"o0", "o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9"}}};
  const json four_na = {{"options", {"o0", "N/A", "o1", "o2", "N/A", "o3"}}};  // 4 after preprocess
  const json fallback = {{"random_fallback", true}};
  PyRandom rng(12345);  // the official random.seed(12345)

  // A parsed answer uses no draw.
  CHECK(run_filter(f, "the answer is (E)", ten, fallback, &rng) == Opt("E"));
  // random.Random(12345): randint(0,9) = 6, randint(0,3) = 0, randint(0,9) = 4, randint(0,6) = 6.
  CHECK(run_filter(f, "no idea", ten, fallback, &rng) == Opt("G"));
  CHECK(run_filter(f, "no idea", four_na, fallback, &rng) == Opt("A"));
  CHECK(run_filter(f, "no idea", ten, fallback, &rng) == Opt("E"));
  CHECK(mmlu_pro_random_letter(json{{"options", {"1", "2", "3", "4", "5", "6", "7"}}}, rng) == "G");

  // No fallback without the argument, with it false, or without a generator.
  CHECK(run_filter(f, "no idea", ten, json::object(), &rng) == std::nullopt);
  CHECK(run_filter(f, "no idea", ten, json{{"random_fallback", false}}, &rng) == std::nullopt);
  CHECK(run_filter(f, "no idea", ten, fallback, nullptr) == std::nullopt);
  // Bad input.
  CHECK_THROWS_AS(run_filter(f, "no idea", ten, json{{"random_fallback", "yes"}}, &rng), lfmb::Error);
  CHECK_THROWS_AS(run_filter(f, "no idea", json::object(), fallback, &rng), lfmb::Error);
  CHECK_THROWS_AS(run_filter(f, "no idea", json{{"options", {"N/A"}}}, fallback, &rng), lfmb::Error);
}

// ---------------- GPQA ----------------

TEST_CASE("gpqa_answer searches ANSWER_PATTERN_MULTICHOICE on the raw response", "[eval-choice]") {
  const FilterInfo f = gpqa_answer_filter();
  CHECK(f.name == "gpqa_answer");
  const json doc = json::object(), args = json::object();
  auto g = [&](const std::string& t) { return run_filter(f, t, doc, args); };
  CHECK(g("Answer: B") == Opt("B"));
  CHECK(g("ANSWER :\tA") == Opt("A"));
  CHECK(g("The answer: $D$ ok") == Opt("D"));
  CHECK(g("Answer: $C$") == Opt("C"));
  CHECK(g("first Answer: A then Answer: B") == Opt("A"));  // re.search: the first match
  CHECK(g("Answer: Bob") == Opt("B"));                     // no word boundary after the letter
  CHECK(g("answer:c") == Opt("c"));                        // (?i): lowercase kept as written
  CHECK(g("An\u017fwer: D") == Opt("D"));                  // (?i): long s folds to s, as in Python
  // No match: letter outside A-D, newline after the colon, markdown, parentheses, fullwidth forms.
  CHECK(g("Answer: E") == std::nullopt);
  CHECK(g("Answer:\nB") == std::nullopt);
  CHECK(g("**Answer:** B") == std::nullopt);
  CHECK(g("Answer: (B)") == std::nullopt);
  CHECK(g("Answer\uff1aB") == std::nullopt);
  CHECK(g("Answer: \uff22") == std::nullopt);
}

TEST_CASE("acc_letter is exact letter equality", "[eval-choice]") {
  const MetricInfo m = acc_letter_metric();
  CHECK(m.name == "acc_letter");
  CHECK(run_metric(m, Opt("B"), "B") == 1.0);
  CHECK(run_metric(m, Opt("b"), "B") == 0.0);
  CHECK(run_metric(m, Opt("C"), "B") == 0.0);
  CHECK(run_metric(m, std::nullopt, "B") == 0.0);
  CHECK(run_metric(m, Opt(""), "") == 1.0);  // plain equality, nothing special-cased
}

// ---------------- MGSM ----------------

TEST_CASE("mgsm parse_answer takes the last number after the last prefix", "[eval-choice]") {
  CHECK(mgsm_parse_answer("Answer: 42", "Answer") == "42");
  CHECK(mgsm_parse_answer("The Answer is 5. Answer: 1,234", "Answer") == "1234");
  CHECK(mgsm_parse_answer("Answer: 3 apples and 4 pears", "Answer") == "4");
  CHECK(mgsm_parse_answer("Answer: 12.50", "Answer") == "12.50");
  CHECK(mgsm_parse_answer("Answer: 18.", "Answer") == "18");
  CHECK(mgsm_parse_answer("Answer: 7..", "Answer") == "7");
  CHECK(mgsm_parse_answer("Answer: .5", "Answer") == "5");
  CHECK(mgsm_parse_answer("Answer: 1.2.3", "Answer") == "3");
  CHECK(mgsm_parse_answer("Answer: -5", "Answer") == "5");
  CHECK(mgsm_parse_answer("Answer: 1e5", "Answer") == "5");
  CHECK(mgsm_parse_answer("Respuesta: 3,5", "Respuesta") == "35");
  CHECK(mgsm_parse_answer("AnswerAnswer 4", "Answer") == "4");
  // Case-sensitive prefix, missing number, nothing after the last prefix.
  CHECK(mgsm_parse_answer("answer: 7", "Answer") == "");
  CHECK(mgsm_parse_answer("Answer: none", "Answer") == "");
  CHECK(mgsm_parse_answer("Answer:5 Answer", "Answer") == "");
  CHECK(mgsm_parse_answer("Antwort: 8\nAntwort: 9 Euro", "Antwort") == "9");
}

TEST_CASE("mgsm parse_answer digits are Unicode decimal digits", "[eval-choice]") {
  // Python's \d matches any Unicode decimal digit (Nd): Bengali, Thai and fullwidth digits are
  // returned as written (and then fail score_mgsm against an ASCII target, as officially).
  CHECK(mgsm_parse_answer("\u0989\u09a4\u09cd\u09a4\u09b0: \u09e7\u09e8", "\u0989\u09a4\u09cd\u09a4\u09b0") ==
        "\u09e7\u09e8");                                                                 // উত্তর: ১২
  CHECK(mgsm_parse_answer("\u0e04\u0e33\u0e15\u0e2d\u0e1a: \u0e54\u0e52", "\u0e04\u0e33\u0e15\u0e2d\u0e1a") ==
        "\u0e54\u0e52");                                                                 // คำตอบ: ๔๒
  CHECK(mgsm_parse_answer("\u7b54\u6848\uff1a\uff12\uff15", "\u7b54\u6848") == "\uff12\uff15");  // 答案：２５
  CHECK(mgsm_parse_answer("\u7b54\u3048: 3.5.6", "\u7b54\u3048") == "6");
  CHECK(mgsm_parse_answer("Answer: \u00b23", "Answer") == "3");  // superscript two is not Nd
  CHECK(mgsm_parse_answer("\u041e\u0442\u0432\u0435\u0442: 1 000", "\u041e\u0442\u0432\u0435\u0442") == "000");
  CHECK_FALSE(mgsm_score("12", "\u09e7\u09e8"));
}

TEST_CASE("mgsm_parse_answer filter takes the prefix from its language", "[eval-choice]") {
  const FilterInfo f = mgsm_parse_answer_filter();
  CHECK(f.name == "mgsm_parse_answer");
  const json doc = json::object();
  CHECK(run_filter(f, "Antwort: 12 Euro", doc, json{{"language", "de"}}) == Opt("12"));
  CHECK(run_filter(f, "Antwort: 12 Euro", doc, json{{"language", "en"}}) == std::nullopt);
  CHECK(run_filter(f, "Answer: 13, Antwort: 12", doc, json{{"language", "en"}}) == Opt("12"));  // last number
  CHECK(run_filter(f, "R\u00e9ponse : 1,000", doc, json{{"language", "fr"}}) == Opt("1000"));
  CHECK(run_filter(f, "\u7b54\u6848: 7", doc, json{{"language", "zh"}}) == Opt("7"));
  CHECK(run_filter(f, "\u7b54\u6848: 7", doc, json{{"language", "ja"}}) == std::nullopt);  // ja is 答え
  CHECK(run_filter(f, "Answer: none", doc, json{{"language", "en"}}) == std::nullopt);
  CHECK_THROWS_AS(run_filter(f, "Answer: 1", doc, json::object()), lfmb::Error);
  CHECK_THROWS_AS(run_filter(f, "Answer: 1", doc, json{{"language", "xx"}}), lfmb::Error);
}

TEST_CASE("mgsm score_mgsm normalises the prediction then compares strings", "[eval-choice]") {
  CHECK(mgsm_score("18", "18.0"));
  CHECK(mgsm_score("18", "18.00"));
  CHECK_FALSE(mgsm_score("1800", "18.00"));
  CHECK(mgsm_score("0", "0.0"));
  CHECK(mgsm_score("100", "100"));  // no point: trailing zeros stay
  CHECK(mgsm_score("100", "1,00"));
  CHECK(mgsm_score("1,000", "1000"));
  CHECK(mgsm_score("10", "10."));
  CHECK_FALSE(mgsm_score("5", "5.5"));
  CHECK_FALSE(mgsm_score("0", "."));
  CHECK_FALSE(mgsm_score("3", "3.0.0"));
  const MetricInfo m = mgsm_score_metric();
  CHECK(m.name == "mgsm_score");
  CHECK(run_metric(m, Opt("25.0"), "25") == 1.0);
  CHECK(run_metric(m, Opt("24"), "25") == 0.0);
  CHECK(run_metric(m, std::nullopt, "25") == 0.0);
}

TEST_CASE("mgsm instructions and prefixes are the official texts", "[eval-choice]") {
  CHECK(mgsm_languages() == std::vector<std::string>{"bn", "de", "en", "es", "fr", "ja", "ru", "sw", "te", "th", "zh"});
  CHECK(mgsm_instruction("en") ==
        "Solve this math problem. Give the reasoning steps before giving the final answer on the last line by itself "
        "in the format of \"Answer:\". Do not add anything other than the integer answer after \"Answer:\".\n\n{input}");
  // SHA-256 of each LANG_TO_INSTRUCTIONS value (UTF-8), computed with hashlib from the official file.
  const std::pair<const char*, const char*> hashes[] = {
      {"bn", "b4f359d8ca97e11f7c65b0a5d7863ee13c58c8d187bc9f8ce3439d7be17d9c61"},
      {"de", "6d18189a512edae1593d67bae3994854e3a0b885c65e45e1ac9608b1d48c66a5"},
      {"en", "7d80c5affb9a3f23cb8a61aa32b0e4d06d24f2f7abbea82ddabd3effda8f9fcb"},
      {"es", "3dd6945dc1534283218dd2923ce087a35162c8b737555d07edcbd6d534fcd092"},
      {"fr", "2feeb475ee101dcb496bd69ed5ad9dbf44d29a0c74611c2694d58e6798d23cb4"},
      {"ja", "fa5dd274bdc2959367f5ffded2cdb4b5835ebf0db1d6677a212f3068577cf1a6"},
      {"ru", "0aa2334f7ac7017f58b0c58ca8719c0d00b6f7cfa8065ebcd93cf6d629c3b0e9"},
      {"sw", "85cee65edc44ac4e93b07711a911334bfd718d6c945b070cb5690700f75df971"},
      {"te", "f1d4f0b0dcf26a58750a1c56389d50b4135389b334baa7c38e6005e55eaa6bd5"},
      {"th", "51c4c886da19a0d390cd3b9b023aee404d0a3e5e973b7c6ead95e046f95887fc"},
      {"zh", "848ccb58316240bcbd443a6d87e47a941577654378af55fd1b0685b9dd48654c"},
  };
  for (const auto& [lang, sha] : hashes) {
    CAPTURE(lang);
    CHECK(lfmb::sha256_hex(mgsm_instruction(lang)) == sha);
  }
  CHECK(mgsm_answer_prefix("de") == "Antwort");
  CHECK(mgsm_answer_prefix("fr") == "R\u00e9ponse");
  CHECK(mgsm_answer_prefix("te") == "\u0c38\u0c2e\u0c3e\u0c27\u0c3e\u0c28\u0c02");  // సమాధానం
  CHECK_THROWS_AS(mgsm_instruction("ar"), lfmb::Error);
}
