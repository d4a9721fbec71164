// IFBench's "sentence:" instructions, ported from allenai/IFBench ifbench/instructions.py (classes
// named per type below; ids mapped to classes by ifbench/instructions_registry.py) at commit
// db69a6f05689830b0068b8f1529ebcfd2f3b164c, arguments as evaluation_lib.py passes them.
// Sentences are instructions_util.split_into_sentences = nltk.sent_tokenize (punkt english).
#include <cmath>
#include <memory>

#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifbench_util.h"
#include "eval/instructions/kwargs.h"
#include "eval/instructions/text_util.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

// IncrementingAlliterationChecker: per sentence, its lowercase whitespace words left-stripped of
// ASCII punctuation and spaces (empty ones dropped); each run of k >= 2 neighbours sharing their
// first character scores k; every sentence must score more than the one before (the first more
// than -1, so 0 is fine).
InstructionType alliteration_increment() {
  return {"sentence:alliteration_increment",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              long prev = -1;
              for (const std::string& sentence : sent_tokenize(value)) {
                std::vector<std::string> firsts;
                for (const std::string& w : py_split(py_lower(sentence))) {
                  const std::string clean = lstrip_punct_space(w);
                  if (!clean.empty()) firsts.push_back(first_char(clean));
                }
                long score = 0;
                bool in_run = false;
                for (size_t i = 0; i + 1 < firsts.size(); ++i) {
                  if (firsts[i] == firsts[i + 1]) {
                    score += in_run ? 1 : 2;
                    in_run = true;
                  } else {
                    in_run = false;
                  }
                }
                if (score <= prev) return false;
                prev = score;
              }
              return true;
            };
          },
          ifbench_source("IncrementingAlliterationChecker"), kSentTokenizeApprox};
}

// Words of a sentence for IncrementingWordCountChecker: ASCII punctuation removed, then split.
size_t sentence_word_count(const std::string& sentence) { return py_split(remove_punctuation(sentence)).size(); }

// IncrementingWordCountChecker: each sentence has exactly small_n more words than the previous.
InstructionType increment() {
  return {"sentence:increment",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"small_n"});
            const double step = ifb_count_arg(in, "small_n");
            return [step](const std::string& value) {
              const std::vector<std::string> sentences = sent_tokenize(value);
              // sentences[0] raises IndexError upstream; unreachable from evaluation_lib, which
              // only checks responses that are non-empty after .strip().
              if (sentences.empty()) throw Error("sentence:increment: no sentence in the response (the official check raises IndexError)");
              double prev = double(sentence_word_count(sentences[0]));
              for (size_t i = 1; i < sentences.size(); ++i) {
                const double n = double(sentence_word_count(sentences[i]));
                if (n != prev + step) return false;
                prev = n;
              }
              return true;
            };
          },
          ifbench_source("IncrementingWordCountChecker"), kSentTokenizeApprox};
}

// IncludeKeywordChecker: at least N sentences, and sentence N (sentences[int(N - 1)], so N = 0
// is the last one, as Python's negative index) contains \bword\b case-insensitively.
InstructionType keyword() {
  return {"sentence:keyword",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"word", "N"});
            const std::string word = kw_str_opt(in, "word").value_or("");
            if (word.empty()) throw Error("instruction '" + in.id + "': kwarg 'word' is missing or empty (the official code would draw a random keyword)");
            const double n = ifb_count_arg(in, "N");
            auto re = std::make_shared<PyRegex>(std::string(R"(\b)") + py_re_escape(word) + R"(\b)", PyRegex::IgnoreCase);
            return [n, re](const std::string& value) {
              const std::vector<std::string> sentences = sent_tokenize(value);
              if (double(sentences.size()) < n) return false;
              long idx = long(std::trunc(n - 1));
              if (idx < 0) idx += long(sentences.size());
              if (idx < 0) throw Error("sentence:keyword: no sentence in the response (the official check raises IndexError)");
              return re->search(sentences[size_t(idx)]).has_value();
            };
          },
          ifbench_source("IncludeKeywordChecker"),
          std::string(kSentTokenizeApprox) +
              "; re.IGNORECASE also equates i/I with dotless ı and dotted İ in Python, not in PCRE2"};
}

}  // namespace

std::vector<InstructionType> ifbench_sentence() {
  std::vector<InstructionType> out;
  out.push_back(alliteration_increment());
  out.push_back(increment());
  out.push_back(keyword());
  return out;
}

}  // namespace lfmb::eval::instructions
