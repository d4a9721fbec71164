// IFBench count/ratio/sentence/words checkers, word_tokenize and the IFBench text tools: cases
// written from allenai/IFBench ifbench/instructions.py @db69a6f0 (each rule and its edges), NLTK
// 3.8's NLTKWordTokenizer (expected tokens computed with Debian's python3-nltk, the data-free
// class) and syllapy 0.7.2's rules and word table.
#include <catch2/catch.hpp>


#include "eval/instructions/ifbench_util.h"
#include "eval/text/py_str.h"

using namespace lfmb::eval::instructions;
using lfmb::eval::py_count;
using lfmb::eval::py_isalnum;
using lfmb::eval::py_isalpha;


TEST_CASE("py_isalpha and py_isalnum follow CPython 3.11 for one code point", "[ifbench]") {
  CHECK(py_isalpha(U'a'));
  CHECK(py_isalpha(U'é'));
  CHECK(py_isalpha(U'日'));
  CHECK_FALSE(py_isalpha(U'3'));
  CHECK_FALSE(py_isalpha(U'_'));
  CHECK(py_isalnum(U'3'));
  CHECK(py_isalnum(U'²'));   // No: isdigit, so isalnum
  CHECK(py_isalnum(U'Ⅻ'));   // Nl: isnumeric
  CHECK(py_isalnum(U'½'));   // No: isnumeric
  CHECK_FALSE(py_isalnum(U'.'));
  CHECK_FALSE(py_isalnum(U'\''));
  CHECK_FALSE(py_isalnum(U' '));
  // Unicode 15.0 letters that CPython 3.11 (Unicode 14.0) does not know.
  CHECK_FALSE(py_isalpha(char32_t(0x31350)));
  CHECK_FALSE(py_isalnum(char32_t(0x11F50)));
  CHECK(py_isalpha(char32_t(0x3134A)));  // the last CJK Extension G ideograph, Unicode 13
}

TEST_CASE("py_count counts non-overlapping occurrences as str.count", "[ifbench]") {
  CHECK(py_count("aaaa", "aa") == 2);
  CHECK(py_count("banana", "ana") == 1);
  CHECK(py_count("abc", "") == 4);
  CHECK(py_count("日本", "") == 3);  // len + 1 in characters
  CHECK(py_count("", "a") == 0);
}

TEST_CASE("IFBench text tools strip and count as the Python idioms do", "[ifbench]") {
  CHECK(remove_punctuation("a.b,c-d 'e' «f»!") == "abcd e «f»");
  CHECK(strip_punct_space(" ...hi!? ") == "hi");
  CHECK(strip_punct_space("\thi.\n") == "\thi.\n");  // only ASCII punctuation and the space
  CHECK(lstrip_punct_space("\"(x)\"") == "x)\"");
  CHECK(rstrip_punct_space("\"(x)\"") == "\"(x");
  CHECK(first_char("éa") == "é");
  CHECK(first_char("").empty());
  // \w+ tokens, lowercased, against NLTK's English list; "don't" gives "don" and "t".
  CHECK(count_stopwords("The cat and THE dog") == 3);
  CHECK(count_stopwords("Don't stop") == 2);
  CHECK(count_stopwords("Elephants trumpet") == 0);
  CHECK(count_stopwords("") == 0);
}

TEST_CASE("syllapy_count uses the word table then the vowel-group rule", "[ifbench]") {
  CHECK(syllapy_count("cat") == 1);
  CHECK(syllapy_count("apple") == 2);       // final consonant + "le"
  CHECK(syllapy_count("actually") == 4);    // table (the rule says 3)
  CHECK(syllapy_count("added") == 1);       // table (the rule says 2)
  CHECK(syllapy_count("well-known") == 1);  // table entry for the whole compound
  CHECK(syllapy_count("ice-cream") == 2);   // compound: ice + cream
  CHECK(syllapy_count("rhythm") == 1);
  CHECK(syllapy_count("Hello!") == 2);      // stripped and lowercased first
  CHECK(syllapy_count("xyzzy-") == 2);      // the trailing '-' is stripped: no compound
  CHECK(syllapy_count("x2") == 0);          // digits: 0
  CHECK(syllapy_count("...") == 0);         // nothing left: 0
  CHECK(syllapy_count("queue") == 1);
  CHECK(syllapy_count("the") == 1);         // a word of no vowel group after the final e: at least 1
}
