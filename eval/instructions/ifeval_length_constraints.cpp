// IFEval family "length_constraints:" (number_sentences, number_paragraphs, number_words,
// nth_paragraph_first_word), ported from EleutherAI/lm-evaluation-harness
// lm_eval/tasks/ifeval/instructions.py @4e7e0d47f33b (NumberOfSentences, ParagraphChecker,
// NumberOfWords, ParagraphFirstWordCheck) and instructions_util.py (count_words,
// count_sentences); google-research instruction_following_eval/instructions.py @3f357bde is
// identical for these classes.
#include <memory>

#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifeval_common.h"
#include "eval/instructions/kwargs.h"
#include "eval/instructions/text_util.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

std::vector<InstructionType> ifeval_length_constraints() {
  InstructionType sentences;
  sentences.id = "length_constraints:number_sentences";
  sentences.source = ifeval_source("NumberOfSentences");
  sentences.approximation =
      "sentences are counted with a rule-based port of NLTK's Punkt English tokenizer and a "
      "hand-written abbreviation list (Debian ships no punkt model); counts can differ on "
      "abbreviations, initials and ellipses the trained model knows differently";
  sentences.build = [](const InstructionInput& in) -> Checker {
    const long long n = kw_count(in, "num_sentences");
    const Relation rel = kw_relation(in, "relation");
    return [n, rel](const std::string& r) { return compare(rel, (long long)count_sentences(r), n); };
  };

  InstructionType paragraphs;
  paragraphs.id = "length_constraints:number_paragraphs";
  paragraphs.source = ifeval_source("ParagraphChecker");
  paragraphs.build = [](const InstructionInput& in) -> Checker {
    const long long n = kw_count(in, "num_paragraphs");
    static const PyRegex divider(R"(\s?\*\*\*\s?)");
    return [n](const std::string& r) {
      // re.split(r"\s?\*\*\*\s?", value): a blank first or last piece is not a paragraph; a blank
      // piece anywhere else fails the instruction. Exactly n paragraphs.
      const std::vector<std::string> parts = divider.split(r);
      long long count = (long long)parts.size();
      for (size_t i = 0; i < parts.size(); ++i) {
        if (!py_strip(parts[i]).empty()) continue;
        if (i == 0 || i == parts.size() - 1)
          --count;
        else
          return false;
      }
      return count == n;
    };
  };

  InstructionType words;
  words.id = "length_constraints:number_words";
  words.source = ifeval_source("NumberOfWords");
  words.build = [](const InstructionInput& in) -> Checker {
    const long long n = kw_count(in, "num_words");
    const Relation rel = kw_relation(in, "relation");
    return [n, rel](const std::string& r) { return compare(rel, (long long)count_words(r), n); };
  };

  InstructionType first_word;
  first_word.id = "length_constraints:nth_paragraph_first_word";
  first_word.source = ifeval_source("ParagraphFirstWordCheck");
  first_word.build = [](const InstructionInput& in) -> Checker {
    const long long num = kw_count(in, "num_paragraphs");
    const long long nth = kw_int(in, "nth_paragraph");
    if (nth <= 0 || nth > num) kw_refuse(in, "nth_paragraph", "must be in 1..num_paragraphs");
    const std::string want = py_lower(kw_str(in, "first_word"));
    return [num, nth, want](const std::string& r) {
      // Paragraphs are re.split(r"\n\n", value); blank ones are not counted, but the nth is
      // taken from the uncounted list (paragraphs[nth - 1]) and must not be blank.
      const std::vector<std::string> parts = py_split_sep(r, "\n\n");
      long long count = (long long)parts.size();
      for (const std::string& p : parts)
        if (py_strip(p).empty()) --count;
      if (nth > count) return false;
      const std::string paragraph = py_strip(parts[size_t(nth - 1)]);
      if (paragraph.empty()) return false;
      // First whitespace-separated word, leading ' then " stripped, cut at the first of . , ? ! ' "
      // and lowercased one character at a time.
      std::string word = py_strip(py_split(paragraph)[0]);
      word = py_lstrip_chars(py_lstrip_chars(word, "'"), "\"");
      std::string got;
      for (const std::string& ch : py_chars(word)) {
        if (ch == "." || ch == "," || ch == "?" || ch == "!" || ch == "'" || ch == "\"") break;
        got += py_lower(ch);
      }
      return count == num && got == want;
    };
  };
  return {sentences, paragraphs, words, first_word};
}

}  // namespace lfmb::eval::instructions
