// IFBench's "count:" instructions, ported from allenai/IFBench ifbench/instructions.py (classes
// named per type below; ids mapped to classes by ifbench/instructions_registry.py) at commit
// db69a6f05689830b0068b8f1529ebcfd2f3b164c, arguments as evaluation_lib.py passes them.
#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifbench_util.h"
#include "eval/instructions/kwargs.h"
#include "eval/instructions/text_util.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

// WordCountRangeChecker: min_words <= count_words(value) <= max_words (\w+ tokens).
InstructionType word_count_range() {
  return {"count:word_count_range",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"min_words", "max_words"});
            const double lo = ifb_count_arg(in, "min_words"), hi = ifb_count_arg(in, "max_words");
            return [lo, hi](const std::string& value) {
              const double n = double(count_words(value));
              return lo <= n && n <= hi;
            };
          },
          ifbench_source("WordCountRangeChecker"), ""};
}

// UniqueWordCountChecker: the set of value.lower().split() words, each stripped of ASCII
// punctuation and spaces (so all-punctuation words add "" to the set), has >= N members.
InstructionType unique_word_count() {
  return {"count:unique_word_count",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"N"});
            const double n = ifb_count_arg(in, "N");
            return [n](const std::string& value) {
              std::set<std::string> unique;
              for (const std::string& w : py_split(py_lower(value))) unique.insert(strip_punct_space(w));
              return double(unique.size()) >= n;
            };
          },
          ifbench_source("UniqueWordCountChecker"), ""};
}

// ConjunctionCountChecker: the distinct whitespace words (as written: "and", "And" and "and,"
// are three) whose punctuation-stripped lowercase form is a coordinating conjunction.
InstructionType conjunctions() {
  return {"count:conjunctions",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"small_n"});
            const double n = ifb_count_arg(in, "small_n");
            return [n](const std::string& value) {
              static const std::set<std::string> fanboys = {"and", "but", "for", "nor", "or", "so", "yet"};
              std::set<std::string> found;
              for (const std::string& w : py_split(value))
                if (fanboys.count(py_lower(strip_punct_space(w)))) found.insert(w);
              return double(found.size()) >= n;
            };
          },
          ifbench_source("ConjunctionCountChecker"), ""};
}

// PersonNameCountChecker: names of the fixed list found with re.search(r'\bName\b', value)
// (case-sensitive, Unicode word boundaries).
InstructionType person_names() {
  return {"count:person_names",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"N"});
            const double n = ifb_count_arg(in, "N");
            return [n](const std::string& value) {
              static const std::vector<PyRegex> names = [] {
                const char* list[] = {"Emma", "Liam", "Sophia", "Jackson", "Olivia", "Noah", "Ava", "Lucas", "Isabella",
                                      "Mason", "Mia", "Ethan", "Charlotte", "Alexander", "Amelia", "Benjamin", "Harper",
                                      "Leo", "Zoe", "Daniel", "Chloe", "Samuel", "Lily", "Matthew", "Grace", "Owen",
                                      "Abigail", "Gabriel", "Ella", "Jacob", "Scarlett", "Nathan", "Victoria", "Elijah",
                                      "Layla", "Nicholas", "Audrey", "David", "Hannah", "Christopher", "Penelope",
                                      "Thomas", "Nora", "Andrew", "Aria", "Joseph", "Claire", "Ryan", "Stella",
                                      "Jonathan"};
                std::vector<PyRegex> out;
                for (const char* name : list) out.emplace_back(std::string(R"(\b)") + py_re_escape(name) + R"(\b)");
                return out;
              }();
              size_t found = 0;
              for (const PyRegex& re : names)
                if (re.search(value)) ++found;
              return double(found) >= n;
            };
          },
          ifbench_source("PersonNameCountChecker"), ""};
}

// NumbersCountChecker: after removing ASCII punctuation (so "3.5" and "1,000" are one number),
// the runs of Unicode decimal digits (\d+) number exactly N.
InstructionType numbers() {
  return {"count:numbers",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"N"});
            const double n = ifb_count_arg(in, "N");
            return [n](const std::string& value) {
              static const PyRegex digits(R"(\d+)");
              return double(digits.finditer(remove_punctuation(value)).size()) == n;
            };
          },
          ifbench_source("NumbersCountChecker"), ""};
}

// PunctuationCoverChecker: an interrobang ("?!", "!?" or "‽") is required; one "?!" (or, when
// there is none, one "!?") is removed, and what is left must still contain each of . , ! ? ; :
InstructionType punctuation() {
  return {"count:punctuation",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              if (value.find("!?") == std::string::npos && value.find("?!") == std::string::npos &&
                  value.find("‽") == std::string::npos)
                return false;
              std::string rest = py_replace(value, "?!", "", 1);
              if (rest.size() == value.size()) rest = py_replace(value, "!?", "", 1);
              return std::all_of(std::begin(".,!?;:"), std::end(".,!?;:") - 1,
                                 [&](char c) { return rest.find(c) != std::string::npos; });
            };
          },
          ifbench_source("PunctuationCoverChecker"), ""};
}

// NthWordJapaneseChecker: every N-th whitespace word (1-based), stripped of ASCII punctuation and
// spaces, that is non-empty and not str.isdigit() must contain a Hiragana, Katakana or CJK
// ideograph ([\u3040-\u30ff\u4e00-\u9fff]).
InstructionType words_japanese() {
  return {"count:words_japanese",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"N"});
            const double n = ifb_count_arg(in, "N");
            // (i + 1) % 0 raises ZeroDivisionError on the first word of any response.
            if (n == 0) throw Error("instruction '" + in.id + "': kwarg 'N' is 0 (the official check divides by it)");
            return [n](const std::string& value) {
              static const PyRegex japanese(R"([\u3040-\u30ff\u4e00-\u9fff])");
              const std::vector<std::string> words = py_split(value);
              for (size_t i = 0; i < words.size(); ++i) {
                const std::string w = strip_punct_space(words[i]);
                if (std::fmod(double(i + 1), n) == 0 && !w.empty() && !py_isdigit(w) && !japanese.search(w)) return false;
              }
              return true;
            };
          },
          ifbench_source("NthWordJapaneseChecker"), ""};
}

// PronounCountChecker: "/" becomes a space, then nltk.word_tokenize(value.lower()) tokens that
// are in the pronoun list number at least N.
InstructionType pronouns() {
  return {"count:pronouns",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"N"});
            const double n = ifb_count_arg(in, "N");
            return [n](const std::string& value) {
              static const std::set<std::string, std::less<>> list = {
                  "i", "me", "we", "us", "you", "he", "him", "she", "her", "it", "they", "them", "my", "mine", "our",
                  "ours", "your", "yours", "his", "hers", "its", "their", "theirs", "myself", "ourselves",
                  "yourself", "yourselves", "himself", "herself", "itself", "themselves", "this", "that", "these",
                  "those", "who", "whom", "whose", "which", "what", "whoever", "whomever", "whatever", "whichever",
                  "anybody", "anyone", "anything", "everybody", "everyone", "everything", "nobody", "nothing",
                  "somebody", "someone", "something", "each", "either", "neither", "both", "all", "some", "any",
                  "none"};
              size_t count = 0;
              for (const std::string& t : word_tokenize(py_lower(py_replace(value, "/", " "))))
                if (list.count(t)) ++count;
              return double(count) >= n;
            };
          },
          ifbench_source("PronounCountChecker"), kWordTokenizeApprox};
}

// KeywordsMultipleChecker: keyword1..keyword5 (each .strip()ped) occur, as case-insensitive
// substrings counted by str.count, exactly 1, 2, 3, 5 and 7 times.
InstructionType keywords_multiple() {
  return {"count:keywords_multiple",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"keyword1", "keyword2", "keyword3", "keyword4", "keyword5"});
            std::vector<std::pair<std::string, size_t>> wanted;
            const char* keys[] = {"keyword1", "keyword2", "keyword3", "keyword4", "keyword5"};
            const size_t counts[] = {1, 2, 3, 5, 7};
            for (int i = 0; i < 5; ++i) wanted.emplace_back(py_lower(py_strip(kw_str(in, keys[i]))), counts[i]);
            return [wanted](const std::string& value) {
              const std::string lower = py_lower(value);
              return std::all_of(wanted.begin(), wanted.end(),
                                 [&](const auto& kc) { return py_count(lower, kc.first) == kc.second; });
            };
          },
          ifbench_source("KeywordsMultipleChecker"), ""};
}

}  // namespace

std::vector<InstructionType> ifbench_count() {
  std::vector<InstructionType> out;
  out.push_back(word_count_range());
  out.push_back(unique_word_count());
  out.push_back(conjunctions());
  out.push_back(person_names());
  out.push_back(numbers());
  out.push_back(punctuation());
  out.push_back(words_japanese());
  out.push_back(pronouns());
  out.push_back(keywords_multiple());
  return out;
}

}  // namespace lfmb::eval::instructions
