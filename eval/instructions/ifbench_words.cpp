// IFBench's "words:" instructions, ported from allenai/IFBench ifbench/instructions.py (classes
// named per type below; ids mapped to classes by ifbench/instructions_registry.py) at commit
// db69a6f05689830b0068b8f1529ebcfd2f3b164c, arguments as evaluation_lib.py passes them.
#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifbench_util.h"
#include "eval/instructions/kwargs.h"
#include "eval/instructions/text_util.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

bool is_ascii_consonant(char c) { return c != '\0' && std::string_view("bcdfghjklmnpqrstvwxyz").find(c) != std::string_view::npos; }

// AlphabetLoopChecker: without ASCII punctuation, the whitespace words start with consecutive
// letters a, b, c, ... (after z comes a); the first word's first character, lowercased, must be an
// ASCII letter (digits fail); no word: False.
InstructionType alphabet() {
  return {"words:alphabet",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              const std::vector<std::string> words = py_split(strip_punct_space(remove_punctuation(value)));
              if (words.empty()) return false;
              const std::string first = py_lower(first_char(words[0]));
              if (first.size() != 1 || first[0] < 'a' || first[0] > 'z') return false;
              char expected = first[0];
              for (size_t i = 1; i < words.size(); ++i) {
                const std::string w = py_lower(strip_punct_space(words[i]));
                if (w.empty()) continue;
                expected = expected == 'z' ? 'a' : char(expected + 1);
                if (first_char(w) != std::string(1, expected)) return false;
              }
              return true;
            };
          },
          ifbench_source("AlphabetLoopChecker"), ""};
}

// SingleVowelParagraphChecker: one paragraph (no '\n' after .strip()) using at most three of the
// ASCII vowels a e i o u (lowercased).
InstructionType vowel() {
  return {"words:vowel",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              const std::vector<std::string> paragraphs = py_split_sep(py_strip(value), "\n");
              if (paragraphs.size() != 1) return false;
              const std::string p = py_lower(paragraphs[0]);
              int used = 0;
              for (char v : std::string_view("aeiou")) used += p.find(v) != std::string::npos;
              return used <= 3;
            };
          },
          ifbench_source("SingleVowelParagraphChecker"), ""};
}

// ConsonantClusterChecker: every lowercase whitespace word has two neighbouring characters that
// are both ASCII consonants (y counts as one); punctuation breaks a cluster.
InstructionType consonants() {
  return {"words:consonants",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              for (const std::string& w : py_split(py_lower(value))) {
                bool cluster = false;
                // Two neighbouring ASCII bytes are two neighbouring characters in UTF-8.
                for (size_t i = 0; i + 1 < w.size() && !cluster; ++i)
                  cluster = is_ascii_consonant(w[i]) && is_ascii_consonant(w[i + 1]);
                if (!cluster) return false;
              }
              return true;
            };
          },
          ifbench_source("ConsonantClusterChecker"), ""};
}

// PalindromeChecker: at least 10 words (repeats count) of the lowercase text without ASCII
// punctuation that read the same reversed and have at least 5 characters.
InstructionType palindrome() {
  return {"words:palindrome",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              size_t found = 0;
              for (const std::string& w : py_split(py_lower(remove_punctuation(value)))) {
                std::u32string cps = py_ords(w);
                if (cps.size() >= 5 && std::equal(cps.begin(), cps.end(), cps.rbegin())) ++found;
              }
              return found >= 10;
            };
          },
          ifbench_source("PalindromeChecker"), ""};
}

// PrimeLengthsChecker: without ASCII punctuation, every whitespace word's length in characters is
// a prime below 100 (no word at all passes).
InstructionType prime_lengths() {
  return {"words:prime_lengths",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              auto prime = [](size_t n) {
                if (n < 2 || n > 97) return false;  // the official list stops at 97
                for (size_t d = 2; d * d <= n; ++d)
                  if (n % d == 0) return false;
                return true;
              };
              for (const std::string& w : py_split(remove_punctuation(value)))
                if (!prime(py_len(w))) return false;
              return true;
            };
          },
          ifbench_source("PrimeLengthsChecker"), ""};
}

// StartWithVerbChecker: nltk.pos_tag(nltk.word_tokenize(value))[0] has a VB* tag.
InstructionType start_verb() {
  return {"words:start_verb",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) { return first_token_is_verb(word_tokenize(value)); };
          },
          ifbench_source("StartWithVerbChecker"),
          "nltk.pos_tag (averaged perceptron model, not on Debian) replaced by a list of common English verb forms "
          "checked against the first token; the first token comes from lfmb's word_tokenize"};
}

// LimitedWordRepeatChecker: no word of the lowercase text without ASCII punctuation occurs more
// than small_n times.
InstructionType repeats() {
  return {"words:repeats",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"small_n"});
            const double limit = ifb_count_arg(in, "small_n");
            return [limit](const std::string& value) {
              std::map<std::string, size_t> counts;
              for (const std::string& w : py_split(remove_punctuation(py_lower(value)))) ++counts[w];
              return std::all_of(counts.begin(), counts.end(), [&](const auto& wc) { return double(wc.second) <= limit; });
            };
          },
          ifbench_source("LimitedWordRepeatChecker"), ""};
}

// AlternateParitySyllablesChecker: the syllapy syllable counts of the words (ASCII punctuation
// removed, lowercased) alternate between odd and even.
InstructionType odd_even_syllables() {
  return {"words:odd_even_syllables",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              const std::vector<std::string> words = py_split(py_lower(remove_punctuation(value)));
              for (size_t i = 0; i + 1 < words.size(); ++i)
                if (syllapy_count(words[i]) % 2 == syllapy_count(words[i + 1]) % 2) return false;
              return true;
            };
          },
          ifbench_source("AlternateParitySyllablesChecker"), ""};
}

// LastWordFirstNextChecker: for each pair of neighbouring sentences, the last whitespace word of
// the first (right-stripped of ASCII punctuation and spaces) equals, case-insensitively, the first
// word of the next (left-stripped); an empty side fails.
InstructionType last_first() {
  return {"words:last_first",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              const std::vector<std::string> sentences = sent_tokenize(value);
              for (size_t i = 0; i + 1 < sentences.size(); ++i) {
                const std::vector<std::string> last = py_split(rstrip_punct_space(sentences[i]));
                const std::vector<std::string> first = py_split(lstrip_punct_space(sentences[i + 1]));
                if (last.empty() || first.empty()) return false;
                if (py_lower(last.back()) != py_lower(first.front())) return false;
              }
              return true;
            };
          },
          ifbench_source("LastWordFirstNextChecker"), kSentTokenizeApprox};
}

// ParagraphLastFirstWordMatchChecker: in every non-empty '\n'-separated line (stripped,
// lowercased, then stripped of ASCII punctuation and spaces), the first and last whitespace words
// are equal (inner punctuation kept: "one, two one" fails).
InstructionType paragraph_last_first() {
  return {"words:paragraph_last_first",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              for (const std::string& line : py_split_sep(value, "\n")) {
                const std::string p = py_lower(py_strip(line));
                if (p.empty()) continue;
                const std::vector<std::string> words = py_split(strip_punct_space(p));
                if (words.empty()) continue;
                if (words.front() != words.back()) return false;
              }
              return true;
            };
          },
          ifbench_source("ParagraphLastFirstWordMatchChecker"), ""};
}

// NoConsecutiveFirstLetterChecker: no two neighbouring words of the lowercase text without ASCII
// punctuation start with the same character.
InstructionType no_consecutive() {
  return {"words:no_consecutive",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {});
            return [](const std::string& value) {
              const std::vector<std::string> words = py_split(remove_punctuation(py_lower(value)));
              for (size_t i = 0; i + 1 < words.size(); ++i)
                if (first_char(words[i]) == first_char(words[i + 1])) return false;
              return true;
            };
          },
          ifbench_source("NoConsecutiveFirstLetterChecker"), ""};
}

// A position argument used as a Python list index (seq[pos - 1]): a float raises TypeError and an
// index beyond either end raises IndexError in the official check; both propagate there, so they
// are errors here too (the position is read as given, negative ones count from the end).
struct Position {
  double value = 0;
  bool is_float = false;
};

Position position_arg(const InstructionInput& in, const char* key, const char* what) {
  // "if not n: n = random": a missing, null or 0 position is drawn at random upstream.
  if (!kw_has(in, key) || kw_number(in, key) == 0)
    throw Error("instruction '" + in.id + "': kwarg '" + key + "' is missing or 0 (the official code would draw a random " + what + ")");
  return {kw_number(in, key), in.kwargs[key].is_number_float()};
}

size_t py_index(const Position& pos, size_t size, const std::string& id, const char* key) {
  if (pos.is_float) throw Error("instruction '" + id + "': kwarg '" + key + "' is a float, and the official check indexes a list with it (TypeError)");
  long i = long(pos.value) - 1;
  if (i < 0) i += long(size);
  if (i < 0 || size_t(i) >= size) throw Error("instruction '" + id + "': kwarg '" + key + "' indexes beyond the list (the official check raises IndexError)");
  return size_t(i);
}

// KeywordSpecificPositionChecker: sentence n (1-based) has at least m word tokens, counting only
// nltk.word_tokenize tokens with an alphanumeric character, and token m equals keyword
// (case-insensitively, keyword .strip()ped).
InstructionType keywords_specific_position() {
  return {"words:keywords_specific_position",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"keyword", "n", "m"});
            const std::string keyword = py_lower(py_strip(kw_str_opt(in, "keyword").value_or("")));
            if (!kw_has(in, "keyword") || kw_str(in, "keyword").empty())
              throw Error("instruction '" + in.id + "': kwarg 'keyword' is missing or empty (the official code would draw a random keyword)");
            const Position n = position_arg(in, "n", "sentence number"), m = position_arg(in, "m", "word number");
            const std::string id = in.id;
            return [keyword, n, m, id](const std::string& value) {
              const std::vector<std::string> sentences = sent_tokenize(value);
              if (double(sentences.size()) < n.value) return false;
              const std::string& sentence = sentences[py_index(n, sentences.size(), id, "n")];
              std::vector<std::string> words;
              for (std::string& t : word_tokenize(sentence)) {
                const std::u32string cps = py_ords(t);
                if (std::any_of(cps.begin(), cps.end(), [](char32_t c) { return py_isalnum(c); })) words.push_back(std::move(t));
              }
              if (double(words.size()) < m.value) return false;
              return py_lower(words[py_index(m, words.size(), id, "m")]) == keyword;
            };
          },
          ifbench_source("KeywordSpecificPositionChecker"),
          std::string(kSentTokenizeApprox) + " (to find sentence n, and again inside nltk.word_tokenize of it)"};
}

// WordsPositionChecker: nltk.word_tokenize tokens; when the last token is a substring of
// string.punctuation it is skipped (then at least 3 tokens are needed); the second token and the
// second-to-last remaining token both equal keyword (.strip()ped), case-insensitively.
InstructionType words_position() {
  return {"words:words_position",
          [](const InstructionInput& in) -> Checker {
            ifb_only_keys(in, {"keyword"});
            const std::string keyword = py_lower(py_strip(kw_str(in, "keyword")));
            return [keyword](const std::string& value) {
              const std::vector<std::string> words = word_tokenize(value);
              if (words.size() < 2) return false;
              size_t back = 2;
              if (kPyPunctuation.find(words.back()) != std::string_view::npos) {
                if (words.size() < 3) return false;
                back = 3;
              }
              return py_lower(words[1]) == keyword && py_lower(words[words.size() - back]) == keyword;
            };
          },
          ifbench_source("WordsPositionChecker"), kWordTokenizeApprox};
}

}  // namespace

std::vector<InstructionType> ifbench_words() {
  std::vector<InstructionType> out;
  out.push_back(alphabet());
  out.push_back(vowel());
  out.push_back(consonants());
  out.push_back(palindrome());
  out.push_back(prime_lengths());
  out.push_back(start_verb());
  out.push_back(repeats());
  out.push_back(odd_even_syllables());
  out.push_back(last_first());
  out.push_back(paragraph_last_first());
  out.push_back(no_consecutive());
  out.push_back(keywords_specific_position());
  out.push_back(words_position());
  return out;
}

}  // namespace lfmb::eval::instructions
