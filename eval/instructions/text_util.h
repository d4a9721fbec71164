// Text helpers the instruction checkers share, ported from the official instructions_util.py
// (google-research instruction_following_eval; lm-eval tasks/ifeval at 4e7e0d47; IFBench). Where
// the official code calls NLTK with data Debian does not ship (punkt), the C++ is the nearest
// faithful equivalent and says so (see the README's list of approximations).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace lfmb::eval::instructions {

// count_words: len(nltk.tokenize.RegexpTokenizer(r"\w+").tokenize(text)), \w Unicode-aware.
size_t count_words(std::string_view text);
// split_into_sentences: the official regex-based splitter (prefixes, suffixes, acronyms, ...).
std::vector<std::string> split_into_sentences(std::string_view text);
// count_sentences: len(nltk punkt english sent_tokenize(text)); approximate (no punkt data).
size_t count_sentences(std::string_view text);
// nltk.sent_tokenize(text) (Punkt English, the same approximation): the sentences themselves.
std::vector<std::string> sent_tokenize(std::string_view text);
// nltk.word_tokenize(text) (Treebank word tokenizer after punkt sentences); approximate.
std::vector<std::string> word_tokenize(std::string_view text);
// NLTKWordTokenizer().tokenize(sentence): word_tokenize's step for one sentence (exact).
std::vector<std::string> nltk_tokenize_sentence(std::string_view sentence);

}  // namespace lfmb::eval::instructions
