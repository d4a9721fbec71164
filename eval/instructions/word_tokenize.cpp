// nltk.word_tokenize(text) as NLTK 3.8 defines it (nltk/tokenize/__init__.py word_tokenize and
// nltk/tokenize/destructive.py NLTKWordTokenizer.tokenize, read from Debian's python3-nltk 3.8):
// Punkt sentences (text_util.cpp's sent_tokenize, an approximation of the English model), then
// the NLTK (improved Treebank) word tokenizer on each sentence, regex by regex in NLTK's order.
// The sentence split only decides where a sentence-final period is split from its word.
#include <utility>

#include "eval/instructions/text_util.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

using Rule = std::pair<PyRegex, const char*>;

std::vector<Rule> rules(std::initializer_list<std::pair<const char*, const char*>> list) {
  std::vector<Rule> out;
  for (const auto& [pattern, repl] : list) out.emplace_back(PyRegex(pattern), repl);
  return out;
}

std::string apply(const std::vector<Rule>& rs, std::string text) {
  for (const Rule& r : rs) text = r.first.sub(text, r.second);
  return text;
}

std::vector<std::string> treebank_tokenize(const std::string& sentence) {
  static const std::vector<Rule> starting_quotes = rules({
      {"([\u00ab\u201c\u2018\u201e]|[`]+)", " \\1 "},
      {R"(^\")", "``"},
      {"(``)", " \\1 "},
      {R"(([ \(\[{<])(\"|\'{2}))", "\\1 `` "},
      {R"((?i)(\')(?!re|ve|ll|m|t|s|d|n)(\w)\b)", "\\1 \\2"},
  });
  static const std::vector<Rule> punctuation = rules({
      {"([^\\.])(\\.)([\\]\\)}>\"\\'\u00bb\u201d\u2019 ]*)\\s*$", "\\1 \\2 \\3 "},
      {R"(([:,])([^\d]))", " \\1 \\2"},
      {R"(([:,])$)", " \\1 "},
      {R"(\.{2,})", " \\g<0> "},
      {R"([;@#$%&])", " \\g<0> "},
      {R"(([^\.])(\.)([\]\)}>"\']*)\s*$)", "\\1 \\2\\3 "},
      {R"([?!])", " \\g<0> "},
      {R"(([^'])' )", "\\1 ' "},
      {R"([*])", " \\g<0> "},
  });
  static const std::vector<Rule> brackets_and_dashes = rules({
      {R"([\]\[\(\)\{\}\<\>])", " \\g<0> "},
      {"--", " -- "},
  });
  static const std::vector<Rule> ending_quotes = rules({
      {"([\u00bb\u201d\u2019])", " \\1 "},
      {"''", " '' "},
      {"\"", " '' "},
      {R"(([^' ])('[sS]|'[mM]|'[dD]|') )", "\\1 \\2 "},
      {R"(([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) )", "\\1 \\2 "},
  });
  static const std::vector<Rule> contractions = rules({
      {R"((?i)\b(can)(?#X)(not)\b)", " \\1 \\2 "},
      {R"((?i)\b(d)(?#X)('ye)\b)", " \\1 \\2 "},
      {R"((?i)\b(gim)(?#X)(me)\b)", " \\1 \\2 "},
      {R"((?i)\b(gon)(?#X)(na)\b)", " \\1 \\2 "},
      {R"((?i)\b(got)(?#X)(ta)\b)", " \\1 \\2 "},
      {R"((?i)\b(lem)(?#X)(me)\b)", " \\1 \\2 "},
      {R"((?i)\b(more)(?#X)('n)\b)", " \\1 \\2 "},
      {R"((?i)\b(wan)(?#X)(na)(?=\s))", " \\1 \\2 "},
      {R"((?i) ('t)(?#X)(is)\b)", " \\1 \\2 "},
      {R"((?i) ('t)(?#X)(was)\b)", " \\1 \\2 "},
  });
  std::string text = apply(starting_quotes, sentence);
  text = apply(punctuation, std::move(text));
  text = apply(brackets_and_dashes, std::move(text));
  text = " " + text + " ";
  text = apply(ending_quotes, std::move(text));
  text = apply(contractions, std::move(text));
  return py_split(text);
}

}  // namespace

std::vector<std::string> nltk_tokenize_sentence(std::string_view sentence) { return treebank_tokenize(std::string(sentence)); }

std::vector<std::string> word_tokenize(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string& sentence : sent_tokenize(text))
    for (std::string& t : treebank_tokenize(sentence)) out.push_back(std::move(t));
  return out;
}

}  // namespace lfmb::eval::instructions
