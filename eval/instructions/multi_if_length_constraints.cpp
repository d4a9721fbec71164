// Multi-IF's own length_constraints:number_sentences and length_constraints:number_words: IFEval's
// checkers made language-aware. Ported from facebookresearch Multi-IF ifeval.py (NumberOfSentences,
// NumberOfWords, split_chinese_japanese, count_words_chinese_japanese, count_hindi_num_sentences),
// read in zeppombal/Multi-IF ifeval.py @c6252a1f. The response's language is langdetect's
// (detect_language; undetectable: "en", as the official `except: lang = "en"`):
//   number_sentences: th -> pythainlp sent_tokenize per line; hi -> split after । ! ?;
//                     zh/zh-cn/zh-tw/ja -> split_chinese_japanese; else IFEval's count_sentences
//   number_words:     th -> pythainlp word_tokenize; zh/zh-cn/zh-tw/ja -> count_words_chinese_japanese;
//                     else IFEval's count_words
// Thai needs pythainlp's dictionary models (not on Debian) and the CJK count uses the emoji
// package's emoji list: those branches are approximations (see `approximation`).
#include <string>

#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/kwargs.h"
#include "eval/instructions/language_id.h"
#include "eval/instructions/text_util.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

constexpr const char* kSource = "facebookresearch Multi-IF ifeval.py (zeppombal/Multi-IF @c6252a1f)";

// relation: "less than" or "at least" (the official _COMPARISON_RELATION; anything else raises).
bool less_than(const InstructionInput& in, const char* key) {
  const std::string r = kw_str(in, key);
  if (r != "less than" && r != "at least")
    throw Error("instruction '" + in.id + "': kwarg '" + key + "' must be 'less than' or 'at least', not '" + r + "'");
  return r == "less than";
}

long long threshold(const InstructionInput& in, const char* key) {
  const long long n = kw_int(in, key);
  // The official code draws a random threshold for a negative one; lfmb refuses it.
  if (n < 0) throw Error("instruction '" + in.id + "': kwarg '" + key + "' is negative (the official code would draw a random value)");
  return n;
}

std::string language_of(const std::string& text) {
  const std::optional<std::string> l = detect_language(text);
  return l ? *l : "en";
}

bool chinese_or_japanese(const std::string& lang) {
  return lang == "zh" || lang == "zh-cn" || lang == "zh-tw" || lang == "ja";
}

// Python's str.splitlines() boundaries: \n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028 \u2029.
std::vector<std::string> py_splitlines(const std::string& s) {
  static const PyRegex eol("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\xc2\x85\xe2\x80\xa8\xe2\x80\xa9]");
  std::vector<std::string> out;
  size_t start = 0;
  for (const PyRegex::Match& m : eol.finditer(s)) {
    out.push_back(s.substr(start, m.start - start));
    start = m.end;
  }
  if (start < s.size()) out.push_back(s.substr(start));
  return out;
}

// split_chinese_japanese: per line (stripped), the runs up to a sentence mark.
size_t count_chinese_japanese_sentences(const std::string& text) {
  static const PyRegex sent("[^!?。\\.\\!\\?\\！\\？\\．\\n]+[!?。\\.\\!\\?\\！\\？\\．\\n]?");
  size_t n = 0;
  for (const std::string& line : py_splitlines(text)) n += sent.finditer(py_strip(line)).size();
  return n;
}

// count_hindi_num_sentences: re.split(r"(?<=[।!?])\s*", text), non-blank pieces.
size_t count_hindi_sentences(const std::string& text) {
  static const PyRegex split("(?<=[।!?])\\s*");
  size_t n = 0;
  for (const std::string& s : split.split(text))
    if (!py_strip(s).empty()) ++n;
  return n;
}

// Thai (approximation of pythainlp's crfcut sentences): per line, the whitespace-separated runs
// (Thai writes a space between sentences and none between words).
size_t count_thai_sentences(const std::string& text) {
  size_t n = 0;
  for (const std::string& line : py_splitlines(text)) n += py_split(line).size();
  return n;
}

// Emoji as the emoji package finds them, approximately: a pictographic code point (U+1F000 to
// U+1FAFF, U+2600 to U+27BF, U+2300 to U+23FF, U+2B00 to U+2BFF) with the joiners, variation
// selectors and skin tones that continue it counted as one.
size_t count_and_remove_emoji(std::string& text) {
  static const PyRegex emoji(
      "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2300-\u23FF\u2B00-\u2BFF][\uFE0F\U0001F3FB-\U0001F3FF]*"
      "(?:\u200D[\U0001F000-\U0001FAFF\u2600-\u27BF\u2300-\u23FF\u2B00-\u2BFF][\uFE0F\U0001F3FB-\U0001F3FF]*)*");
  const size_t n = emoji.finditer(text).size();
  text = emoji.sub(text, "");
  return n;
}

// count_words_chinese_japanese: punctuation removed, emoji counted and removed, each CJK / kana /
// Hangul character one word, the rest split on whitespace.
size_t count_words_chinese_japanese(std::string text) {
  static const PyRegex non_alnum(
      "[\\\\.\\!\\?\\．\\/_,\\{\\}<>:;$%^&*(+\\\"\\'+——！，。？、`~@#￥……（）：；《）《》“”()\\[\\]»〔〕\\-「」]+");
  static const PyRegex asian("[\u4E00-\u9FFF\u3400-\u4DBF]|[\u3040-\u309f\u30a0-\u30ff]|[\uAC00-\uD7AF]");
  text = non_alnum.sub(text, "");
  const size_t emoji = count_and_remove_emoji(text);
  const size_t asian_chars = asian.finditer(text).size();
  return py_split(asian.sub(text, " ")).size() + asian_chars + emoji;
}

// Thai words (approximation of pythainlp's newmm word_tokenize with its whitespace tokens): \w+
// runs plus the whitespace runs between them.
size_t count_thai_words(const std::string& text) {
  static const PyRegex tokens(R"(\w+|\s+)");
  return tokens.finditer(text).size();
}

InstructionType number_sentences() {
  InstructionType t;
  t.id = "length_constraints:number_sentences";
  t.source = std::string(kSource) + " NumberOfSentences";
  t.approximation =
      "the response language comes from CLD2 instead of langdetect; other languages than th/hi/zh/ja count "
      "sentences with IFEval's count_sentences (Punkt port); Thai replaces pythainlp's sent_tokenize by "
      "whitespace runs per line";
  t.build = [](const InstructionInput& in) -> Checker {
    const long long n = threshold(in, "num_sentences");
    const bool lt = less_than(in, "relation");
    return [n, lt](const std::string& value) {
      const std::string lang = language_of(value);
      size_t count = 0;
      if (lang == "th") count = count_thai_sentences(value);
      else if (lang == "hi") count = count_hindi_sentences(value);
      else if (chinese_or_japanese(lang)) count = count_chinese_japanese_sentences(value);
      else count = count_sentences(value);
      return lt ? (long long)count < n : (long long)count >= n;
    };
  };
  return t;
}

InstructionType number_words() {
  InstructionType t;
  t.id = "length_constraints:number_words";
  t.source = std::string(kSource) + " NumberOfWords";
  t.approximation =
      "the response language comes from CLD2 instead of langdetect; Chinese/Japanese responses count emoji by "
      "code-point ranges instead of the emoji package's list; Thai replaces pythainlp's word_tokenize by word "
      "and whitespace runs";
  t.build = [](const InstructionInput& in) -> Checker {
    const long long n = threshold(in, "num_words");
    const bool lt = less_than(in, "relation");
    return [n, lt](const std::string& value) {
      const std::string lang = language_of(value);
      size_t count = 0;
      if (lang == "th") count = count_thai_words(value);
      else if (chinese_or_japanese(lang)) count = count_words_chinese_japanese(value);
      else count = count_words(value);
      return lt ? (long long)count < n : (long long)count >= n;
    };
  };
  return t;
}

}  // namespace

std::vector<InstructionType> multi_if_length_constraints() { return {number_sentences(), number_words()}; }

// For tests: the language-specific counters.
size_t multi_if_count_words_cjk(const std::string& text) { return count_words_chinese_japanese(text); }
size_t multi_if_count_sentences_cjk(const std::string& text) { return count_chinese_japanese_sentences(text); }
size_t multi_if_count_sentences_hindi(const std::string& text) { return count_hindi_sentences(text); }

}  // namespace lfmb::eval::instructions
