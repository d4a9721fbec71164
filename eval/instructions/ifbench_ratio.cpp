// IFBench's "ratio:" instructions, ported from allenai/IFBench ifbench/instructions.py (classes
// named per type below; ids mapped to classes by ifbench/instructions_registry.py) at commit
// db69a6f05689830b0068b8f1529ebcfd2f3b164c, arguments as evaluation_lib.py passes them.
#include <set>

#include "eval/instructions/families.h"
#include "eval/instructions/ifbench_util.h"
#include "eval/instructions/kwargs.h"
#include "eval/instructions/text_util.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

bool ends_with(const std::string& s, char c) { return !s.empty() && s.back() == c; }

// set(nltk.ngrams(text, 3)) of a string: its character (code point) trigrams.
std::set<std::u32string> char_trigrams(std::string_view text) {
  const std::u32string cps = py_ords(text);
  std::set<std::u32string> out;
  for (size_t i = 0; i + 3 <= cps.size(); ++i) out.insert(cps.substr(i, 3));
  return out;
}

// NGramOverlapChecker: the share of the response's distinct character trigrams that also occur
// in reference_text, times 100, lies in [percentage - 2, percentage + 2]; no trigram: False.
InstructionType overlap() {
  return {"ratio:overlap",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"reference_text", "percentage"});
            // A missing reference_text makes the official check raise (nltk.ngrams(None, 3)).
            const std::set<std::u32string> ref = char_trigrams(kw_str(in, "reference_text"));
            const double pct = ifb_count_arg(in, "percentage");
            return [ref, pct](const std::string& value) {
              const std::set<std::u32string> grams = char_trigrams(value);
              if (grams.empty()) return false;
              size_t shared = 0;
              for (const std::u32string& g : grams) shared += ref.count(g);
              const double share = double(shared) / double(grams.size());
              return pct - 2 <= share * 100 && share * 100 <= pct + 2;
            };
          },
          ifbench_source("NGramOverlapChecker"), ""};
}

// SentBalanceChecker: as many sentences (nltk.sent_tokenize) end with '.' as with '?' and '!'.
InstructionType sentence_balance() {
  return {"ratio:sentence_balance",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              size_t dot = 0, question = 0, bang = 0;
              for (const std::string& s : sent_tokenize(value)) {
                dot += ends_with(s, '.');
                question += ends_with(s, '?');
                bang += ends_with(s, '!');
              }
              return dot == question && question == bang;
            };
          },
          ifbench_source("SentBalanceChecker"), kSentTokenizeApprox};
}

// SentTypeRatioChecker: sentences ending with '.' are exactly twice those ending with '?'
// (0 and 0 passes).
InstructionType sentence_type() {
  return {"ratio:sentence_type",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              size_t dot = 0, question = 0;
              for (const std::string& s : sent_tokenize(value)) {
                dot += ends_with(s, '.');
                question += ends_with(s, '?');
              }
              return dot == 2 * question;
            };
          },
          ifbench_source("SentTypeRatioChecker"), kSentTokenizeApprox};
}

// CharacterCountUniqueWordsChecker: exactly 3 sentences, all of the same length in characters
// after .strip() (the "different words" part of the description is not checked upstream).
InstructionType sentence_words() {
  return {"ratio:sentence_words",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              const std::vector<std::string> sentences = sent_tokenize(value);
              if (sentences.size() != 3) return false;
              const size_t len = py_len(py_strip(sentences[0]));
              for (const std::string& s : sentences)
                if (py_len(py_strip(s)) != len) return false;
              return true;
            };
          },
          ifbench_source("CharacterCountUniqueWordsChecker"), kSentTokenizeApprox};
}

// StopWordPercentageChecker: 100 * count_stopwords / count_words <= percentage (both over \w+
// tokens); no word at all: False.
InstructionType stop_words() {
  return {"ratio:stop_words",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"percentage"});
            const double pct = ifb_count_arg(in, "percentage");
            return [pct](const std::string& value) {
              const size_t words = count_words(value);
              if (words == 0) return false;
              return double(count_stopwords(value)) / double(words) * 100 <= pct;
            };
          },
          ifbench_source("StopWordPercentageChecker"), ""};
}

}  // namespace

std::vector<InstructionType> ifbench_ratio() {
  std::vector<InstructionType> out;
  out.push_back(overlap());
  out.push_back(sentence_balance());
  out.push_back(sentence_type());
  out.push_back(sentence_words());
  out.push_back(stop_words());
  return out;
}

}  // namespace lfmb::eval::instructions
