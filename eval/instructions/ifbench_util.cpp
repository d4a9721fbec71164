// allenai/IFBench ifbench/instructions_util.py (count_stopwords) and the helpers of
// ifbench/instructions.py @db69a6f05689830b0068b8f1529ebcfd2f3b164c; syllapy/__init__.py of
// mholtzscher/syllapy v0.7.2 (the version IFBench's uv.lock pins).
#include "eval/instructions/ifbench_util.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <string>

#include "core/error.h"
#include "eval/instructions/kwargs.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

bool is_py_punct(char c) { return c != '\0' && kPyPunctuation.find(c) != std::string_view::npos; }

const std::string& punct_space() {
  static const std::string s = std::string(kPyPunctuation) + " ";
  return s;
}

// NLTK's English stopwords (nltk_data corpora/stopwords/english). The list also holds contractions
// ("you're", "don't", and since 2025 "i'm", "he's", ...): count_stopwords matches \w+ tokens, which
// never contain an apostrophe, so those entries can never match and are left out here.
const std::set<std::string, std::less<>>& english_stopwords() {
  static const std::set<std::string, std::less<>> words = {
      "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
      "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
      "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that",
      "these", "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had",
      "having", "do", "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as",
      "until", "while", "of", "at", "by", "for", "with", "about", "against", "between", "into", "through",
      "during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off",
      "over", "under", "again", "further", "then", "once", "here", "there", "when", "where", "why", "how",
      "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not",
      "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should",
      "now", "d", "ll", "m", "o", "re", "ve", "y", "ain", "aren", "couldn", "didn", "doesn", "hadn",
      "hasn", "haven", "isn", "ma", "mightn", "mustn", "needn", "shan", "shouldn", "wasn", "weren", "won",
      "wouldn"};
  return words;
}

struct KnownWord {
  const char* word;
  int syllables;
};
constexpr KnownWord kSyllapyWords[] = {
#include "eval/instructions/syllapy_words.inc"
};

// syllapy._syllables: vowel groups ("aeiouy"), minus a final "e", plus a final consonant + "le";
// at least 1. Works on code points, as the Python does.
int vowel_group_syllables(const std::u32string& w) {
  auto vowel = [](char32_t c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; };
  int n = vowel(w[0]) ? 1 : 0;
  for (size_t i = 1; i < w.size(); ++i)
    if (vowel(w[i]) && !vowel(w[i - 1])) ++n;
  const size_t L = w.size();
  if (w[L - 1] == 'e') --n;
  if (L > 2 && w[L - 2] == 'l' && w[L - 1] == 'e' && !vowel(w[L - 3])) ++n;
  return n == 0 ? 1 : n;
}

}  // namespace

std::string remove_punctuation(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (!is_py_punct(c)) out += c;  // ASCII bytes never occur inside a UTF-8 multi-byte character
  return out;
}

std::string strip_punct_space(std::string_view s) { return py_strip_chars(s, punct_space()); }
std::string lstrip_punct_space(std::string_view s) { return py_lstrip_chars(s, punct_space()); }
std::string rstrip_punct_space(std::string_view s) { return py_rstrip_chars(s, punct_space()); }

std::string first_char(std::string_view s) {
  if (s.empty()) return "";
  std::vector<std::string> chars = py_chars(s);
  return chars.front();
}

size_t count_stopwords(std::string_view text) {
  static const PyRegex word(R"(\w+)");
  size_t n = 0;
  for (const PyRegex::Match& m : word.finditer(text))
    if (english_stopwords().count(py_lower(*m.group(0)))) ++n;
  return n;
}

int syllapy_count(std::string_view word_in) {
  const std::string word = py_strip_chars(py_lower(py_strip(word_in)), kPyPunctuation);
  if (word.empty()) return 0;
  static const PyRegex digit(R"(\d)");
  if (digit.search(word)) return 0;
  const auto* end = std::end(kSyllapyWords);
  const auto* hit = std::lower_bound(std::begin(kSyllapyWords), end, word,
                                     [](const KnownWord& k, const std::string& w) { return std::strcmp(k.word, w.c_str()) < 0; });
  if (hit != end && word == hit->word) return hit->syllables;
  // compound words: re.match("([^-]+)-(.+)", word)
  static const PyRegex compound(R"(([^-]+)-(.+))");
  if (auto m = compound.match(word)) {
    const int a = syllapy_count(*m->group(1)), b = syllapy_count(*m->group(2));
    return a == 0 || b == 0 ? 0 : a + b;
  }
  std::u32string cps = py_ords(word);
  return vowel_group_syllables(cps);
}

bool first_token_is_verb(const std::vector<std::string>& tokens) {
  // Forms the Penn Treebank tags VB, VBD, VBG, VBN, VBP or VBZ: be/have/do in all forms, and the
  // base form of common verbs (an instruction-following response that "starts with a verb" is
  // nearly always an imperative or a form of be/have/do).
  static const std::set<std::string, std::less<>> verbs = {
      "be", "am", "is", "are", "was", "were", "been", "being", "have", "has", "had", "having", "do", "does",
      "did", "doing", "done", "accept", "add", "admire", "adopt", "aim", "allow", "analyze", "answer",
      "apply", "arrange", "ask", "assume", "avoid", "become", "begin", "believe", "bring", "build",
      "buy", "calculate", "call", "carry", "catch", "celebrate", "change", "check", "choose", "clean",
      "close", "collect", "combine", "come", "compare", "consider", "continue", "cook", "count",
      "create", "cut", "decide", "define", "describe", "design", "develop", "discover", "discuss",
      "dive", "draw", "dream", "drink", "drive", "eat", "embrace", "enjoy", "ensure", "enter",
      "envision", "evaluate", "examine", "expect", "experience", "explain", "explore", "face", "feel",
      "fill", "find", "finish", "fix", "focus", "follow", "forget", "gather", "get", "give", "go",
      "grab", "grow", "guess", "handle", "hear", "help", "hold", "identify", "ignore", "imagine",
      "implement", "improve", "include", "increase", "introduce", "invest", "join", "jump", "keep",
      "know", "learn", "leave", "let", "listen", "live", "look", "love", "make", "meet", "mix", "move",
      "navigate", "note", "observe", "open", "organize", "pay", "pick", "picture", "place", "plan",
      "play", "please", "practice", "prepare", "protect", "provide", "pull", "push", "put", "reach",
      "read", "recall", "recognize", "reduce", "reflect", "remember", "remove", "repeat", "replace",
      "research", "rest", "review", "run", "save", "say", "see", "seek", "select", "sell", "send",
      "set", "share", "show", "sing", "sit", "sleep", "solve", "speak", "spend", "stand", "start",
      "stay", "step", "stop", "study", "submit", "suppose", "take", "talk", "taste", "teach", "tell",
      "think", "transform", "travel", "try", "turn", "understand", "unlock", "use", "verify", "visit",
      "wait", "wake", "walk", "want", "watch", "welcome", "win", "wonder", "work", "write"};
  return !tokens.empty() && verbs.count(py_lower(tokens.front())) > 0;
}

void ifb_only_keys(const InstructionInput& in, std::initializer_list<const char*> keys) {
  if (!in.kwargs.is_object()) return;
  for (const auto& [key, value] : in.kwargs.items()) {
    if (value.is_null()) continue;
    if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; }))
      throw Error("instruction '" + in.id + "': unexpected kwarg '" + key + "' (the official build_description takes no such argument)");
  }
}

double ifb_count_arg(const InstructionInput& in, const char* key) {
  const double v = kw_number(in, key);
  if (v < 0) throw Error("instruction '" + in.id + "': kwarg '" + std::string(key) + "' is negative (the official code would draw a random value)");
  return v;
}

}  // namespace lfmb::eval::instructions
