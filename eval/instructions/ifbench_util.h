// Text tools the IFBench checkers share, ported from allenai/IFBench ifbench/instructions_util.py
// and the Python idioms its instructions.py repeats (string.punctuation stripping, translate),
// at commit db69a6f05689830b0068b8f1529ebcfd2f3b164c; syllable counting from syllapy 0.7.2.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <initializer_list>
#include <vector>

#include "eval/instructions/instruction.h"

namespace lfmb::eval::instructions {

// The commit every IFBench port here follows, and the approximation notes the types share.
inline constexpr const char* kIfbenchSource = "allenai/IFBench ifbench/instructions.py";
inline constexpr const char* kIfbenchCommit = "@db69a6f05689830b0068b8f1529ebcfd2f3b164c";
// "allenai/IFBench ifbench/instructions.py <Class> @<commit>" (InstructionType::source).
inline std::string ifbench_source(const char* official_class) {
  return std::string(kIfbenchSource) + " " + official_class + " " + kIfbenchCommit;
}
// Types that split sentences with nltk.sent_tokenize (punkt english model).
inline constexpr const char* kSentTokenizeApprox =
    "sentences from lfmb's sent_tokenize: punkt's algorithm with hand-written parameters instead of NLTK's trained "
    "english model (no punkt data on Debian); splits can differ after abbreviations, initials, numbers and ellipses";
// Types that call nltk.word_tokenize (punkt sentences, then the exact NLTKWordTokenizer rules).
inline constexpr const char* kWordTokenizeApprox =
    "nltk.word_tokenize's punkt sentence step from lfmb's sent_tokenize (no punkt data on Debian); only the "
    "sentence-final period of each sentence is split off, so a different sentence split changes tokens like 'it.'";

// Python's string.punctuation: the 32 ASCII punctuation characters.
inline constexpr std::string_view kPyPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

// s.translate(str.maketrans('', '', string.punctuation)): every ASCII punctuation mark removed.
std::string remove_punctuation(std::string_view s);
// s.strip / lstrip / rstrip(string.punctuation + ' '): ASCII punctuation and the space (only the
// space: tabs and newlines stay).
std::string strip_punct_space(std::string_view s);
std::string lstrip_punct_space(std::string_view s);
std::string rstrip_punct_space(std::string_view s);

// The first character (code point) of s as UTF-8, "" for an empty s (Python s[0] raises there).
std::string first_char(std::string_view s);

// instructions_util.count_stopwords: the \w+ tokens whose .lower() is in NLTK's English stopword
// list (nltk_data corpora/stopwords/english).
size_t count_stopwords(std::string_view text);

// syllapy.count(word) (syllapy 0.7.2): 0 for an empty word or one with a digit; a known word's
// count from syllapy's table; "a-b" as count(a) + count(b) (0 if either is 0); else vowel groups.
int syllapy_count(std::string_view word);

// nltk.pos_tag(tokens)[0][1] contains "VB" (words:start_verb). Approximate: NLTK's averaged
// perceptron tagger needs model data Debian does not ship; this decides from a list of common
// English verb forms (the token lowercased).
bool first_token_is_verb(const std::vector<std::string>& tokens);

// Argument handling of IFBench's build_description(**kwargs) after evaluation_lib.py dropped the
// null kwargs: a key the method does not take makes Python raise TypeError (here lfmb::Error).
void ifb_only_keys(const InstructionInput& in, std::initializer_list<const char*> keys);
// A count the official code replaces by a random one when it is None or negative ("x is None or
// x < 0"): lfmb refuses those (a random argument makes the score irreproducible). Floats stay
// floats (IFBench data has 3.0), as Python compares them.
double ifb_count_arg(const InstructionInput& in, const char* key);

}  // namespace lfmb::eval::instructions
