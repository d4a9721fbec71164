// IFBench count/ratio/sentence/words checkers, word_tokenize and the IFBench text tools: cases
// written from allenai/IFBench ifbench/instructions.py @db69a6f0 (each rule and its edges), NLTK
// 3.8's NLTKWordTokenizer (expected tokens computed with Debian's python3-nltk, the data-free
// class) and syllapy 0.7.2's rules and word table.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "eval/instructions/follow.h"
#include "eval/instructions/ifbench_util.h"
#include "eval/instructions/instruction.h"
#include "eval/instructions/text_util.h"
#include "eval/text/py_str.h"
#include "test_support.h"

using namespace lfmb::eval::instructions;
using lfmb::eval::py_count;
using lfmb::eval::py_isalnum;
using lfmb::eval::py_isalpha;
using nlohmann::json;

namespace {

// The built checker of an IFBench instruction, applied to the response as given (strict).
bool follows(const std::string& id, const json& kwargs, const std::string& response) {
  const InstructionType* t = find_instruction("ifbench", id);
  REQUIRE(t != nullptr);
  const std::string prompt;
  return t->build(InstructionInput{id, kwargs, prompt})(response);
}

Checker build(const std::string& id, const json& kwargs) {
  const InstructionType* t = find_instruction("ifbench", id);
  REQUIRE(t != nullptr);
  const std::string prompt;
  return t->build(InstructionInput{id, kwargs, prompt});
}

using Tokens = std::vector<std::string>;

}  // namespace

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

TEST_CASE("word_tokenize applies the NLTK word tokenizer rules", "[ifbench]") {
  CHECK(word_tokenize("They'll save and invest more, can't they?") ==
        Tokens{"They", "'ll", "save", "and", "invest", "more", ",", "ca", "n't", "they", "?"});
  CHECK(word_tokenize("\"Hello,\" she said -- \"I'm gonna win!\"") ==
        Tokens{"``", "Hello", ",", "''", "she", "said", "--", "``", "I", "'m", "gon", "na", "win", "!", "''"});
  CHECK(word_tokenize("I cannot believe it's 5:30... wow!!") ==
        Tokens{"I", "can", "not", "believe", "it", "'s", "5:30", "...", "wow", "!", "!"});
  CHECK(word_tokenize("«Bonjour» “quoted” ‘single’ end.") ==
        Tokens{"«", "Bonjour", "»", "“", "quoted", "”", "‘", "single", "’", "end", "."});
  CHECK(word_tokenize("He said 'tis fine; email me @ home #1 & 50% off*") ==
        Tokens{"He", "said", "'t", "is", "fine", ";", "email", "me", "@", "home", "#", "1", "&", "50", "%", "off", "*"});
  CHECK(word_tokenize("[a] {b} <c> (d)") == Tokens{"[", "a", "]", "{", "b", "}", "<", "c", ">", "(", "d", ")"});
  CHECK(word_tokenize("whaddya gimme lemme gotta") == Tokens{"whaddya", "gim", "me", "lem", "me", "got", "ta"});
  CHECK(word_tokenize("x's y'all O'Neil rock'n'roll") == Tokens{"x", "'s", "y'all", "O'Neil", "rock'n'roll"});
  CHECK(word_tokenize("Costs $3.88 (roughly 3,36 euros) in New York.") ==
        Tokens{"Costs", "$", "3.88", "(", "roughly", "3,36", "euros", ")", "in", "New", "York", "."});
  CHECK(word_tokenize("").empty());
  CHECK(word_tokenize("   \n ").empty());
}

TEST_CASE("NLTK word tokenizer pads only the final period of a sentence", "[ifbench]") {
  CHECK(nltk_tokenize_sentence("The U.S. is big. Mr. Smith went.") ==
        Tokens{"The", "U.S.", "is", "big.", "Mr.", "Smith", "went", "."});
  CHECK(nltk_tokenize_sentence("Don't you wanna go?' 'Yes.'") ==
        Tokens{"Do", "n't", "you", "wan", "na", "go", "?", "'", "'Yes", ".", "'"});
  CHECK(nltk_tokenize_sentence("Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.  Please buy me\ntwo of them.\nThanks.") ==
        Tokens{"Good", "muffins", "cost", "$", "3.88", "(", "roughly", "3,36", "euros", ")", "in", "New", "York.", "Please",
               "buy", "me", "two", "of", "them.", "Thanks", "."});
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

TEST_CASE("IFBench count word_count_range counts w+ tokens inclusively", "[ifbench]") {
  const json kw = {{"min_words", 3.0}, {"max_words", 5.0}};
  CHECK(follows("count:word_count_range", kw, "one two three"));
  CHECK(follows("count:word_count_range", kw, "don't stop"));  // don, t, stop
  CHECK(follows("count:word_count_range", kw, "a b c d e"));
  CHECK_FALSE(follows("count:word_count_range", kw, "one, two-three four five six"));
  CHECK_FALSE(follows("count:word_count_range", kw, "a b"));
  CHECK_THROWS_AS(build("count:word_count_range", {{"min_words", 3}}), lfmb::Error);
  CHECK_THROWS_AS(build("count:word_count_range", {{"min_words", -1}, {"max_words", 5}}), lfmb::Error);
  CHECK_THROWS_AS(build("count:word_count_range", {{"min_words", 1}, {"max_words", 5}, {"N", 3}}), lfmb::Error);
}

TEST_CASE("IFBench count unique_word_count strips punctuation after lowercasing", "[ifbench]") {
  const json kw = {{"N", 3.0}};
  CHECK_FALSE(follows("count:unique_word_count", kw, "Apple apple APPLE. banana"));
  CHECK(follows("count:unique_word_count", kw, "Apple pear. banana"));
  CHECK(follows("count:unique_word_count", kw, "a b ..."));  // "..." becomes "", a word of its own
  CHECK_FALSE(follows("count:unique_word_count", kw, "café Café CAFÉ! x"));
}

TEST_CASE("IFBench count conjunctions counts distinct words as written", "[ifbench]") {
  CHECK(follows("count:conjunctions", {{"small_n", 2.0}}, "and And"));
  CHECK(follows("count:conjunctions", {{"small_n", 3.0}}, "and and, and."));
  CHECK_FALSE(follows("count:conjunctions", {{"small_n", 2.0}}, "and and and"));
  CHECK(follows("count:conjunctions", {{"small_n", 2.0}}, "I sat, and then (or) not"));
  CHECK_FALSE(follows("count:conjunctions", {{"small_n", 1.0}}, "andor butter yetis"));
  CHECK(follows("count:conjunctions", {{"small_n", 1.0}}, "NOR"));
}

TEST_CASE("IFBench count person_names matches listed names on word boundaries", "[ifbench]") {
  const json kw = {{"N", 2}};
  CHECK(follows("count:person_names", kw, "Emma met Liam."));
  CHECK(follows("count:person_names", kw, "Emma's friend, Noah."));
  CHECK_FALSE(follows("count:person_names", kw, "Emmanuel and Liamx"));
  CHECK_FALSE(follows("count:person_names", kw, "emma and liam"));  // case-sensitive
  CHECK_FALSE(follows("count:person_names", kw, "Emma and Emma"));  // one name
  CHECK_FALSE(follows("count:person_names", kw, "Emma and Noah_x"));
}

TEST_CASE("IFBench count numbers counts digit runs after removing punctuation", "[ifbench]") {
  const json kw = {{"N", 2.0}};
  CHECK(follows("count:numbers", kw, "I have 3.5 apples and 1,000 pears"));
  CHECK_FALSE(follows("count:numbers", kw, "3 4 5"));
  CHECK(follows("count:numbers", kw, "\u0663 and 4"));  // Arabic-Indic three is \d
  CHECK(follows("count:numbers", kw, "a1b2"));
  CHECK_FALSE(follows("count:numbers", kw, "none at all"));
  CHECK(follows("count:numbers", {{"N", 0}}, "none at all"));
}

TEST_CASE("IFBench count punctuation needs an interrobang and the six marks", "[ifbench]") {
  CHECK(follows("count:punctuation", json::object(), "Really?! Is it? Yes. No, ok; see: wow!"));
  // the removed "?!" was the only '?'
  CHECK_FALSE(follows("count:punctuation", json::object(), "Wait?! Yes. No, maybe; see: wow!"));
  CHECK(follows("count:punctuation", json::object(), "Hi\u203d Is it? Yes. No, ok; see: wow!"));
  CHECK_FALSE(follows("count:punctuation", json::object(), "Is it? Yes. No, ok; see: wow!"));
  CHECK(follows("count:punctuation", json::object(), "Huh!? Is it? Yes. No, ok; see: wow!"));
  CHECK_FALSE(follows("count:punctuation", json::object(), "Huh!? Yes. No, ok; see: wow!"));
}

TEST_CASE("IFBench count words_japanese checks every N-th word", "[ifbench]") {
  const json kw = {{"N", 2.0}};
  CHECK(follows("count:words_japanese", kw, "This 日本 is 語 ok"));
  CHECK_FALSE(follows("count:words_japanese", kw, "This is Japanese"));
  CHECK(follows("count:words_japanese", kw, "Hi 123 there"));      // digits are skipped
  CHECK(follows("count:words_japanese", kw, "Hi ... there"));      // nothing left: skipped
  CHECK(follows("count:words_japanese", kw, "Hi カタカナ, yes"));
  CHECK(follows("count:words_japanese", kw, "Hi ひらがなabc"));     // contains, not consists of
  CHECK_FALSE(follows("count:words_japanese", kw, "Hi 한국어"));     // Hangul is not in the ranges
  CHECK_THROWS_AS(build("count:words_japanese", {{"N", 0}}), lfmb::Error);
}

TEST_CASE("IFBench count pronouns uses word_tokenize on the lowercased text", "[ifbench]") {
  CHECK(follows("count:pronouns", {{"N", 3.0}}, "She/her/hers"));
  CHECK_FALSE(follows("count:pronouns", {{"N", 3.0}}, "It's mine."));
  CHECK(follows("count:pronouns", {{"N", 2.0}}, "It's mine."));
  CHECK(follows("count:pronouns", {{"N", 2.0}}, "EVERYONE saw Themselves"));
  CHECK_FALSE(follows("count:pronouns", {{"N", 1.0}}, "The cat sat on a mat"));
}

TEST_CASE("IFBench count keywords_multiple counts case-insensitive substrings exactly", "[ifbench]") {
  const json kw = {{"keyword1", " cat "}, {"keyword2", "dog"}, {"keyword3", "owl"}, {"keyword4", "bee"}, {"keyword5", "ant"}};
  const std::string ok = "Cat dog DOG owl owl owl bee bee bee bee bee ant ant ant ant ant ant ant";
  CHECK(follows("count:keywords_multiple", kw, ok));
  CHECK_FALSE(follows("count:keywords_multiple", kw, ok + " concatenate"));  // a second "cat"
  CHECK_FALSE(follows("count:keywords_multiple", kw, "cat dog owl bee ant"));
  CHECK_THROWS_AS(build("count:keywords_multiple", {{"keyword1", "cat"}}), lfmb::Error);
}

TEST_CASE("IFBench ratio overlap compares character trigram sets", "[ifbench]") {
  // response trigrams abc bcx cxy xyz, one shared: 25%
  CHECK(follows("ratio:overlap", {{"reference_text", "abcdef"}, {"percentage", 25}}, "abcxyz"));
  CHECK(follows("ratio:overlap", {{"reference_text", "abcdef"}, {"percentage", 23.0}}, "abcxyz"));
  CHECK(follows("ratio:overlap", {{"reference_text", "abcdef"}, {"percentage", 27}}, "abcxyz"));
  CHECK_FALSE(follows("ratio:overlap", {{"reference_text", "abcdef"}, {"percentage", 22}}, "abcxyz"));
  CHECK_FALSE(follows("ratio:overlap", {{"reference_text", "abcdef"}, {"percentage", 50}}, "abcxyz"));
  CHECK_FALSE(follows("ratio:overlap", {{"reference_text", "ab"}, {"percentage", 0}}, "ab"));  // no trigram
  // repeated trigrams count once: "aaaa" has one distinct trigram, shared
  CHECK(follows("ratio:overlap", {{"reference_text", "xaaa"}, {"percentage", 100}}, "aaaa"));
  CHECK_THROWS_AS(build("ratio:overlap", {{"percentage", 25}}), lfmb::Error);
}

TEST_CASE("IFBench ratio sentence_balance and sentence_type count sentence endings", "[ifbench]") {
  const json none = json::object();
  CHECK(follows("ratio:sentence_balance", none, "Yes. Why? Wow!"));
  CHECK_FALSE(follows("ratio:sentence_balance", none, "Yes. No. Why? Wow!"));
  CHECK(follows("ratio:sentence_balance", none, "Hmm"));  // 0, 0 and 0
  CHECK(follows("ratio:sentence_type", none, "A cat sat. A dog ran. Why?"));
  CHECK_FALSE(follows("ratio:sentence_type", none, "A cat sat. Why?"));
  CHECK(follows("ratio:sentence_type", none, "Hello there"));
}

TEST_CASE("IFBench ratio sentence_words wants three sentences of equal length", "[ifbench]") {
  const json none = json::object();
  CHECK(follows("ratio:sentence_words", none, "Abc de. Fgh ij. Klm no."));
  CHECK_FALSE(follows("ratio:sentence_words", none, "Abc de. Fgh ij. Kl mno pq."));
  CHECK_FALSE(follows("ratio:sentence_words", none, "Abc de. Fgh ij."));
  CHECK(follows("ratio:sentence_words", none, "Été ok. Fgh ij. Klm no."));  // characters, not bytes
}

TEST_CASE("IFBench ratio stop_words bounds the stopword share", "[ifbench]") {
  const json kw = {{"percentage", 50.0}};
  CHECK_FALSE(follows("ratio:stop_words", kw, "The cat and the dog"));  // 60%
  CHECK(follows("ratio:stop_words", kw, "The big cat"));
  CHECK(follows("ratio:stop_words", kw, "The cat"));                    // 50% is allowed
  CHECK_FALSE(follows("ratio:stop_words", kw, "Don't"));                // don + t: 100%
  CHECK_FALSE(follows("ratio:stop_words", kw, "!!!"));                  // no word: False
}

TEST_CASE("IFBench sentence alliteration_increment needs growing alliteration runs", "[ifbench]") {
  const json none = json::object();
  CHECK(follows("sentence:alliteration_increment", none, "Big dog. \"Silly snakes slither.\""));
  CHECK_FALSE(follows("sentence:alliteration_increment", none, "Silly snakes slither. Big dog."));
  CHECK_FALSE(follows("sentence:alliteration_increment", none, "Big bad dog. Silly snakes eat."));  // 2 then 2
  CHECK(follows("sentence:alliteration_increment", none, "No run here."));
}

TEST_CASE("IFBench sentence increment compares word counts of neighbours", "[ifbench]") {
  CHECK(follows("sentence:increment", {{"small_n", 2.0}}, "One two. One two three four."));
  CHECK_FALSE(follows("sentence:increment", {{"small_n", 2.0}}, "One two. One two three."));
  CHECK(follows("sentence:increment", {{"small_n", 3}}, "Don't stop. Don't stop me now, please."));
  CHECK_FALSE(follows("sentence:increment", {{"small_n", 2}}, "Don't stop. Don't stop me now, please."));
  CHECK(follows("sentence:increment", {{"small_n", 5}}, "Just one sentence here."));
}

TEST_CASE("IFBench sentence keyword looks in the N-th sentence", "[ifbench]") {
  CHECK(follows("sentence:keyword", {{"word", "cat"}, {"N", 2.0}}, "I sleep. The Cat sits."));
  CHECK_FALSE(follows("sentence:keyword", {{"word", "cat"}, {"N", 2.0}}, "I sleep. The cats sit."));
  CHECK_FALSE(follows("sentence:keyword", {{"word", "cat"}, {"N", 2.0}}, "The cat sleeps."));
  CHECK_FALSE(follows("sentence:keyword", {{"word", "cat"}, {"N", 1}}, "I sleep. The cat sits."));
  CHECK(follows("sentence:keyword", {{"word", "cat"}, {"N", 0}}, "I sleep. The cat sits."));  // [-1]: the last
  CHECK_THROWS_AS(build("sentence:keyword", {{"word", ""}, {"N", 1}}), lfmb::Error);
}

TEST_CASE("IFBench words alphabet loops through the alphabet", "[ifbench]") {
  const json none = json::object();
  CHECK(follows("words:alphabet", none, "Apples bloom, cats dance."));
  CHECK_FALSE(follows("words:alphabet", none, "Apples cats"));
  CHECK(follows("words:alphabet", none, "Xylophones yodel zealously, apples bounce"));
  CHECK_FALSE(follows("words:alphabet", none, "1 apple"));
  CHECK_FALSE(follows("words:alphabet", none, "!!!"));
  CHECK(follows("words:alphabet", none, "'Apples' b-ball"));  // punctuation removed first
}

TEST_CASE("IFBench words vowel allows three vowels in one paragraph", "[ifbench]") {
  const json none = json::object();
  CHECK(follows("words:vowel", none, "I am a cat"));
  CHECK_FALSE(follows("words:vowel", none, "education is fun"));
  CHECK_FALSE(follows("words:vowel", none, "one line\nsecond"));
  CHECK(follows("words:vowel", none, "  hi \n"));
  CHECK(follows("words:vowel", none, "ÀÉÎÖ aei"));  // only ASCII vowels count
  CHECK_FALSE(follows("words:vowel", none, "ÀÉÎÖ aeio"));
}

TEST_CASE("IFBench words consonants needs a cluster in every word", "[ifbench]") {
  const json none = json::object();
  CHECK(follows("words:consonants", none, "strong black trees"));
  CHECK_FALSE(follows("words:consonants", none, "strong cat"));
  CHECK(follows("words:consonants", none, "ASK Rhythm stop."));
  CHECK_FALSE(follows("words:consonants", none, "it's"));  // t and ' are not both consonants
  CHECK_FALSE(follows("words:consonants", none, "x"));
}

TEST_CASE("IFBench words palindrome needs ten long palindromes", "[ifbench]") {
  const json none = json::object();
  std::string ten, nine;
  for (int i = 0; i < 9; ++i) nine += "level ";
  ten = nine + "Kayak!";
  CHECK(follows("words:palindrome", none, ten));
  CHECK_FALSE(follows("words:palindrome", none, nine));
  CHECK_FALSE(follows("words:palindrome", none, "abba abba abba abba abba abba abba abba abba abba"));
  CHECK(follows("words:palindrome", none, nine + "r-a-c-e-c-a-r"));  // hyphens removed: racecar
}

TEST_CASE("IFBench words prime_lengths checks character lengths", "[ifbench]") {
  const json none = json::object();
  CHECK_FALSE(follows("words:prime_lengths", none, "an ant eats"));
  CHECK(follows("words:prime_lengths", none, "to be, or not."));
  CHECK(follows("words:prime_lengths", none, "!!!"));        // no word left
  CHECK(follows("words:prime_lengths", none, "is cafés"));   // 5 characters (6 bytes)
  CHECK_FALSE(follows("words:prime_lengths", none, "a"));
}

TEST_CASE("IFBench words start_verb looks at the first token", "[ifbench]") {
  const json none = json::object();
  CHECK(follows("words:start_verb", none, "Write a poem."));
  CHECK(follows("words:start_verb", none, "Is it raining?"));
  CHECK_FALSE(follows("words:start_verb", none, "The poem."));
  CHECK_FALSE(follows("words:start_verb", none, "\"Hello\" she said"));  // first token is ``
  CHECK(find_instruction("ifbench", "words:start_verb")->approximation.size() > 0);
}

TEST_CASE("IFBench words repeats bounds every word count", "[ifbench]") {
  CHECK(follows("words:repeats", {{"small_n", 2.0}}, "the cat the dog"));
  CHECK_FALSE(follows("words:repeats", {{"small_n", 2.0}}, "The cat, the dog, THE end"));
  CHECK(follows("words:repeats", {{"small_n", 3}}, "The cat, the dog, THE end"));
}

TEST_CASE("IFBench words odd_even_syllables alternates syllable parity", "[ifbench]") {
  const json none = json::object();
  CHECK(follows("words:odd_even_syllables", none, "cat apple dog"));
  CHECK_FALSE(follows("words:odd_even_syllables", none, "cat dog"));
  CHECK(follows("words:odd_even_syllables", none, "cat actually"));  // 1, 4 from the table
  CHECK_FALSE(follows("words:odd_even_syllables", none, "cat added"));  // 1, 1 from the table
  CHECK(follows("words:odd_even_syllables", none, "cat 42 dog"));      // a number has 0
  CHECK(follows("words:odd_even_syllables", none, "word"));
}

TEST_CASE("IFBench words last_first chains sentences", "[ifbench]") {
  const json none = json::object();
  CHECK(follows("words:last_first", none, "I like cats. Cats like me."));
  CHECK_FALSE(follows("words:last_first", none, "I like cats. Dogs like me."));
  CHECK(follows("words:last_first", none, "Only one sentence."));
  CHECK(follows("words:last_first", none, "I like cats! Cats you see like ME? Me too."));
  CHECK_FALSE(follows("words:last_first", none, "I like cats. Cats, yes."));  // "cats," keeps its comma
}

TEST_CASE("IFBench words paragraph_last_first matches first and last words per line", "[ifbench]") {
  const json none = json::object();
  CHECK(follows("words:paragraph_last_first", none, "Hello world, hello\n\nBye now bye."));
  CHECK_FALSE(follows("words:paragraph_last_first", none, "one, two one"));  // "one," vs "one"
  CHECK_FALSE(follows("words:paragraph_last_first", none, "Hello world hello\nBye now"));
  CHECK(follows("words:paragraph_last_first", none, "Same\n...\n"));
}

TEST_CASE("IFBench words no_consecutive compares first letters of neighbours", "[ifbench]") {
  const json none = json::object();
  CHECK(follows("words:no_consecutive", none, "A big cat dances"));
  CHECK_FALSE(follows("words:no_consecutive", none, "Big bad wolf"));
  CHECK_FALSE(follows("words:no_consecutive", none, "Big, 'bad"));
  CHECK(follows("words:no_consecutive", none, "Élan eats"));  // é and e differ
}

TEST_CASE("IFBench words keywords_specific_position finds the m-th word of sentence n", "[ifbench]") {
  const json kw = {{"keyword", "cat"}, {"n", 2}, {"m", 3}};
  CHECK(follows("words:keywords_specific_position", kw, "Hello there. I saw cat today."));
  CHECK(follows("words:keywords_specific_position", kw, "Hello. I, saw CAT"));  // ',' is not a word
  CHECK_FALSE(follows("words:keywords_specific_position", kw, "Hello. I saw a cat."));
  CHECK_FALSE(follows("words:keywords_specific_position", kw, "I saw cat today."));
  CHECK_FALSE(follows("words:keywords_specific_position", kw, "Hello. I saw"));
  CHECK_THROWS_AS(build("words:keywords_specific_position", {{"keyword", "cat"}, {"n", 0}, {"m", 3}}), lfmb::Error);
  // n = 2.0 indexes a list with a float: TypeError upstream, once there are two sentences
  Checker float_n = build("words:keywords_specific_position", {{"keyword", "cat"}, {"n", 2.0}, {"m", 1}});
  CHECK_FALSE(float_n("One sentence only."));
  CHECK_THROWS_AS(float_n("Hello. Cat here."), lfmb::Error);
}

TEST_CASE("IFBench words words_position checks the second and second-to-last tokens", "[ifbench]") {
  const json kw = {{"keyword", "cat"}};
  // with a final punctuation token upstream compares words[-3], the third token from the end
  CHECK_FALSE(follows("words:words_position", kw, "The cat sat on the cat."));
  CHECK(follows("words:words_position", kw, "The cat sat cat dog."));
  CHECK_FALSE(follows("words:words_position", kw, "The cat sat on the cat"));
  CHECK(follows("words:words_position", kw, "The cat sat with cat dog"));
  CHECK(follows("words:words_position", kw, "A Cat Cat!"));   // [-1] is '!': [1] and [-3] are both "Cat"
  CHECK_FALSE(follows("words:words_position", kw, "A Cat!"));  // [-3] is "A"
  CHECK_FALSE(follows("words:words_position", kw, "Cat."));   // two tokens ending in punctuation
  CHECK_FALSE(follows("words:words_position", kw, "cat"));
}

TEST_CASE("Every IFBench count ratio sentence words id in the data builds from its kwargs", "[ifbench]") {
  LFMB_REQUIRE_DATASET_FILE(path, "ifbench/IFBench_test.jsonl");
  std::ifstream in(path);
  REQUIRE(in.good());
  const std::set<std::string> families = {"count", "ratio", "sentence", "words"};
  std::set<std::string> seen;
  size_t built = 0, lines = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    ++lines;
    const json doc = json::parse(line);
    const auto& ids = doc.at("instruction_id_list");
    for (size_t i = 0; i < ids.size(); ++i) {
      const std::string id = ids[i].get<std::string>();
      if (!families.count(id.substr(0, id.find(':')))) continue;
      // evaluation_lib.py drops the null kwargs before build_description(**kwargs)
      json kwargs = json::object();
      for (const auto& [k, v] : doc.at("kwargs")[i].items())
        if (!v.is_null()) kwargs[k] = v;
      INFO(id << " " << kwargs.dump());
      const InstructionType* t = find_instruction("ifbench", id);
      REQUIRE(t != nullptr);
      const std::string prompt = doc.at("prompt").get<std::string>();
      Checker c;
      REQUIRE_NOTHROW(c = t->build(InstructionInput{id, kwargs, prompt}));
      REQUIRE_NOTHROW(c("A short response. It has two sentences."));
      seen.insert(id);
      ++built;
    }
  }
  CHECK(lines == 300);
  CHECK(seen.size() == 30);
  CHECK(built == 226);
}

TEST_CASE("The 30 IFBench count ratio sentence words types are registered with their sources", "[ifbench]") {
  size_t n = 0;
  for (const std::string& id : instruction_ids("ifbench")) {
    const std::string family = id.substr(0, id.find(':'));
    if (family != "count" && family != "ratio" && family != "sentence" && family != "words") continue;
    ++n;
    const InstructionType* t = find_instruction("ifbench", id);
    INFO(id);
    CHECK(t->source.find("allenai/IFBench ifbench/instructions.py") == 0);
    CHECK(t->source.find("@db69a6f05689830b0068b8f1529ebcfd2f3b164c") != std::string::npos);
  }
  CHECK(n == 30);
}

TEST_CASE("IFBench types that rely on punkt or the POS tagger say they are approximate", "[ifbench]") {
  const std::set<std::string> approximate = {
      "count:pronouns", "ratio:sentence_balance", "ratio:sentence_type", "ratio:sentence_words",
      "sentence:alliteration_increment", "sentence:increment", "sentence:keyword", "words:start_verb",
      "words:last_first", "words:keywords_specific_position", "words:words_position"};
  for (const std::string& id : instruction_ids("ifbench")) {
    const std::string family = id.substr(0, id.find(':'));
    if (family != "count" && family != "ratio" && family != "sentence" && family != "words") continue;
    INFO(id);
    CHECK(find_instruction("ifbench", id)->approximation.empty() == !approximate.count(id));
  }
}

TEST_CASE("IFBench nlp checkers through test_following strict and loose", "[ifbench]") {
  // The data carries every argument of every type, unused ones null: they are dropped.
  const json kw = {{"N", nullptr}, {"small_n", nullptr}, {"keyword", nullptr}, {"percentage", 50.0}};
  const std::string prompt = "p";
  // A preamble line breaks the alphabet loop and the stopword share in strict mode only: loose
  // also tries the response without its first line.
  const std::string response = "Sure, here it is:\nApples bloom, cats dance.";
  FollowResult r = test_following("ifbench", {"words:alphabet", "ratio:stop_words"}, {json::object(), kw}, prompt, response);
  CHECK(r.strict == std::vector<bool>{false, true});
  CHECK(r.loose == std::vector<bool>{true, true});
  // Markdown '*' stays in the words (no punctuation stripping here); a cluster inside still counts,
  // and a word whose only letters are split by '*' has none in strict mode, one once loose drops '*'.
  r = test_following("ifbench", {"words:consonants"}, {json::object()}, prompt, "**strong** black");
  CHECK(r.strict == std::vector<bool>{true});
  r = test_following("ifbench", {"words:consonants"}, {json::object()}, prompt, "s*t black");
  CHECK(r.strict == std::vector<bool>{false});
  CHECK(r.loose == std::vector<bool>{true});
  r = test_following("ifbench", {"words:vowel"}, {json::object()}, prompt, "   ");
  CHECK(r.strict == std::vector<bool>{false});  // empty after strip: follows nothing
  CHECK(r.loose == std::vector<bool>{false});
}
