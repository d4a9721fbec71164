// Text helpers of the instruction checkers, ported from EleutherAI/lm-evaluation-harness
// lm_eval/tasks/ifeval/instructions_util.py @4e7e0d47f33b (count_words, split_into_sentences,
// count_sentences; google-research instruction_following_eval/instructions_util.py @3f357bde has
// the same three functions), and NLTK 3.8's Punkt sentence tokenizer (nltk/tokenize/punkt.py,
// PunktSentenceTokenizer.tokenize as Debian's python3-nltk 3.8 ships it) for count_sentences.
// (lm-eval asks for nltk >= 3.9.1; nltk/nltk's punkt.py has no change to this algorithm between
// tag 3.8 and master f2a92bd7e of 2024-01-29, the newest stored snapshot; 3.9 was not readable.)
//
// count_sentences is an APPROXIMATION. The official code loads the trained English Punkt model
// (nltk_data tokenizers/punkt/english.pickle), which Debian does not ship. Punkt's algorithm is
// ported here exactly (candidate contexts, word tokenizer, first and second annotation passes,
// boundary realignment); the trained parameters are replaced by hand-written ones:
//   - abbreviations: kAbbreviations below (common English titles, months, Latin and business
//     abbreviations), where the model has about 150 learned from its training corpus;
//   - orthographic context: a word of kCommonWords is taken as seen capitalised at sentence
//     starts and lowercase inside sentences; every other word as never seen (the model has
//     counts for tens of thousands of words);
//   - collocations and frequent sentence starters: none beyond kCommonWords (the model has a
//     few hundred collocations such as month names after numbers).
// So sentence counts agree with the model on ordinary prose and can differ after abbreviations,
// initials, numbers and ellipses that the model classifies from its statistics.
#include "eval/instructions/text_util.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

// ---------------------------------------------------------------------------------------------
// count_words: nltk.tokenize.RegexpTokenizer(r"\w+").tokenize(text) is re.findall(r"\w+", text).

size_t count_words(std::string_view text) {
  static const PyRegex word(R"(\w+)");
  return word.finditer(text).size();
}

// ---------------------------------------------------------------------------------------------
// split_into_sentences: the official regex splitter, step by step.

namespace {

const char* const kAlphabets = "([A-Za-z])";
const char* const kPrefixes = "(Mr|St|Mrs|Ms|Dr)[.]";
const char* const kSuffixes = "(Inc|Ltd|Jr|Sr|Co)";
const char* const kStarters =
    R"((Mr|Mrs|Ms|Dr|Prof|Capt|Cpt|Lt|He\s|She\s|It\s|They\s|Their\s|Our\s|We\s|But\s|However\s|That\s|This\s|Wherever))";
const char* const kAcronyms = "([A-Z][.][A-Z][.](?:[A-Z][.])?)";
const char* const kWebsites = "[.](com|net|org|io|gov|edu|me)";
const char* const kDigits = "([0-9])";

// re.sub with the pattern compiled once per process (Python's re caches compiled patterns too).
std::string sub(const std::string& text, const std::string& pattern, const char* repl) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const PyRegex>> cache;
  std::shared_ptr<const PyRegex> re;
  {
    std::lock_guard<std::mutex> lock(mu);
    std::shared_ptr<const PyRegex>& slot = cache[pattern];
    if (!slot) slot = std::make_shared<const PyRegex>(pattern);
    re = slot;
  }
  return re->sub(text, repl);
}

}  // namespace

std::vector<std::string> split_into_sentences(std::string_view input) {
  std::string text = " " + std::string(input) + "  ";
  text = py_replace(text, "\n", " ");
  text = sub(text, kPrefixes, "\\1<prd>");
  text = sub(text, kWebsites, "<prd>\\1");
  text = sub(text, std::string(kDigits) + "[.]" + kDigits, "\\1<prd>\\2");
  {
    // re.sub(r"\.{2,}", lambda m: "<prd>" * len(m.group(0)) + "<stop>", text)
    static const PyRegex dots(R"(\.{2,})");
    std::string out;
    size_t pos = 0;
    for (const PyRegex::Match& m : dots.finditer(text)) {
      out.append(text, pos, m.start - pos);
      for (size_t i = m.start; i < m.end; ++i) out += "<prd>";
      out += "<stop>";
      pos = m.end;
    }
    out.append(text, pos, std::string::npos);
    text = std::move(out);
  }
  if (text.find("Ph.D") != std::string::npos) text = py_replace(text, "Ph.D.", "Ph<prd>D<prd>");
  text = sub(text, std::string(R"(\s)") + kAlphabets + "[.] ", " \\1<prd> ");
  text = sub(text, std::string(kAcronyms) + " " + kStarters, "\\1<stop> \\2");
  text = sub(text, std::string(kAlphabets) + "[.]" + kAlphabets + "[.]" + kAlphabets + "[.]",
             "\\1<prd>\\2<prd>\\3<prd>");
  text = sub(text, std::string(kAlphabets) + "[.]" + kAlphabets + "[.]", "\\1<prd>\\2<prd>");
  text = sub(text, std::string(" ") + kSuffixes + "[.] " + kStarters, " \\1<stop> \\2");
  text = sub(text, std::string(" ") + kSuffixes + "[.]", " \\1<prd>");
  text = sub(text, std::string(" ") + kAlphabets + "[.]", " \\1<prd>");
  if (text.find("\u201d") != std::string::npos) text = py_replace(text, ".\u201d", "\u201d.");
  if (text.find('"') != std::string::npos) text = py_replace(text, ".\"", "\".");
  if (text.find('!') != std::string::npos) text = py_replace(text, "!\"", "\"!");
  if (text.find('?') != std::string::npos) text = py_replace(text, "?\"", "\"?");
  text = py_replace(text, ".", ".<stop>");
  text = py_replace(text, "?", "?<stop>");
  text = py_replace(text, "!", "!<stop>");
  text = py_replace(text, "<prd>", ".");
  std::vector<std::string> sentences;
  for (const std::string& s : py_split_sep(text, "<stop>")) sentences.push_back(py_strip(s));
  if (!sentences.empty() && sentences.back().empty()) sentences.pop_back();
  return sentences;
}

// ---------------------------------------------------------------------------------------------
// count_sentences: Punkt (NLTK 3.8) with hand-written English parameters.

namespace {

// Period-final types (lowercase, final period removed) that are abbreviations.
const std::set<std::string>& abbreviations() {
  static const std::set<std::string> s = {
      // titles and names
      "mr", "mrs", "ms", "dr", "prof", "rev", "hon", "st", "jr", "sr", "messrs", "gen", "gov", "sen", "rep", "col",
      "lt", "capt", "sgt", "cpl", "maj", "cmdr", "adm", "supt", "insp", "fr", "pres",
      // business and addresses
      "inc", "co", "corp", "ltd", "bros", "dept", "univ", "assn", "ave", "blvd", "rd", "mt", "ft", "no", "nos",
      "vol", "vols", "pp", "ch", "fig", "figs", "est", "approx", "tel", "ext",
      // months and days
      "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues",
      "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
      // Latin and common short forms
      "e.g", "i.e", "etc", "vs", "cf", "al", "viz", "ca", "a.m", "p.m", "u.s", "u.k", "u.n", "d.c", "n.y", "u.s.a",
      "ph.d", "b.a", "m.a", "b.sc", "m.sc", "a.d", "b.c",
      // US states as abbreviated in news text
      "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "ky", "la", "md",
      "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore", "pa", "tenn", "tex", "va", "vt",
      "wash", "wis", "wyo"};
  return s;
}

// Words taken as seen capitalised only at sentence starts and lowercase inside sentences (so a
// capitalised one after an abbreviation or ellipsis starts a sentence).
const std::set<std::string>& common_words() {
  static const std::set<std::string> s = {
      "a", "about", "above", "after", "again", "against", "all", "also", "although", "am", "an", "and", "any",
      "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
      "can", "could", "did", "do", "does", "doing", "down", "during", "each", "even", "every", "few", "finally",
      "first", "for", "from", "further", "furthermore", "had", "has", "have", "having", "he", "her", "here",
      "hers", "herself", "him", "himself", "his", "how", "however", "i", "if", "in", "into", "is", "it", "its",
      "itself", "just", "let", "many", "may", "me", "meanwhile", "might", "more", "moreover", "most", "much",
      "must", "my", "myself", "next", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or",
      "other", "our", "ours", "ourselves", "out", "over", "own", "perhaps", "same", "second", "she", "should",
      "since", "so", "some", "still", "such", "than", "that", "the", "their", "theirs", "them", "themselves",
      "then", "there", "therefore", "these", "they", "this", "those", "though", "through", "thus", "to", "today",
      "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "whether", "which",
      "while", "who", "whom", "why", "will", "with", "would", "yet", "you", "your", "yours", "yourself",
      "yourselves"};
  return s;
}

constexpr int kBegUc = 1 << 1, kMidUc = 1 << 2, kUnkUc = 1 << 3, kBegLc = 1 << 4, kMidLc = 1 << 5, kUnkLc = 1 << 6;
constexpr int kUc = kBegUc | kMidUc | kUnkUc, kLc = kBegLc | kMidLc | kUnkLc;

int ortho_context(const std::string& type) { return common_words().count(type) ? (kBegUc | kMidLc) : 0; }

// PunktLanguageVars' regexes (verbose patterns written compactly; same meaning).
const char* const kNonWord = R"((?:[)\";}\]\*:@\'\({\[\?!]))";
const char* const kMultiChar = R"((?:\-{2,}|\.{2,}|(?:\.\s){2,}\.))";
const char* const kWordStart = R"([^\(\"\`{\[:;&\#\*@\)}\]\-,])";

const PyRegex& word_tokenizer_re() {
  // (MultiChar | (?=WordStart)\S+?(?=\s|$|NonWord|MultiChar|,(?=$|\s|NonWord|MultiChar)) | \S)
  const std::string nw = kNonWord, mc = kMultiChar;
  static const PyRegex re("(" + mc + "|(?=" + kWordStart + ")\\S+?(?=\\s|$|" + nw + "|" + mc + "|,(?=$|\\s|" + nw +
                          "|" + mc + "))|\\S)");
  return re;
}
const PyRegex& period_context_re() {
  static const PyRegex re(std::string(R"([\.\?!](?=(?P<after_tok>)") + kNonWord + R"(|\s+(?P<next_tok>\S+))))");
  return re;
}

struct Token {
  std::string tok, type;
  bool period_final = false, parastart = false, linestart = false;
  bool sentbreak = false, abbr = false, ellipsis = false;

  explicit Token(std::string t) : tok(std::move(t)) {
    static const PyRegex numeric(R"(^-?[\.,]?\d[\d,\.-]*\.?$)");
    type = numeric.sub(py_lower(tok), "##number##");
    period_final = !tok.empty() && tok.back() == '.';
  }
  std::string type_no_period() const {
    return py_len(type) > 1 && type.back() == '.' ? type.substr(0, type.size() - 1) : type;
  }
  std::string type_no_sentperiod() const { return sentbreak ? type_no_period() : type; }
  char32_t first() const { return py_ords(tok).front(); }
  bool first_upper() const { return py_isupper(py_chr(first())); }
  bool first_lower() const { return py_islower(py_chr(first())); }
  bool is_ellipsis() const {
    static const PyRegex re(R"(\.\.+$)");
    return re.match(tok).has_value();
  }
  bool is_initial() const {
    static const PyRegex re(R"([^\W\d]\.$)");
    return re.match(tok).has_value();
  }
};

std::vector<Token> tokenize_words(std::string_view text) {
  std::vector<Token> out;
  bool parastart = false;
  for (const std::string& line : py_split_sep(text, "\n")) {
    if (py_strip(line).empty()) {
      parastart = true;
      continue;
    }
    bool first = true;
    for (const PyRegex::Match& m : word_tokenizer_re().finditer(line)) {
      Token t(*m.group(1));
      if (first) {
        t.parastart = parastart;
        t.linestart = true;
        parastart = false;
        first = false;
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

void first_pass(Token& t) {
  if (t.tok == "." || t.tok == "?" || t.tok == "!") {
    t.sentbreak = true;
  } else if (t.is_ellipsis()) {
    t.ellipsis = true;
  } else if (t.period_final && !(t.tok.size() >= 2 && t.tok.compare(t.tok.size() - 2, 2, "..") == 0)) {
    const std::string base = py_lower(t.tok.substr(0, t.tok.size() - 1));
    const std::vector<std::string> parts = py_split_sep(base, "-");
    if (abbreviations().count(base) || abbreviations().count(parts.back()))
      t.abbr = true;
    else
      t.sentbreak = true;
  }
}

// _ortho_heuristic: 1 = sentence starter, 0 = not, -1 = unknown.
int ortho_heuristic(const Token& t) {
  static const std::set<std::string> punctuation = {";", ":", ",", ".", "!", "?"};
  if (punctuation.count(t.tok)) return 0;
  const int ctx = ortho_context(t.type_no_sentperiod());
  if (t.first_upper() && (ctx & kLc) && !(ctx & kMidUc)) return 1;
  if (t.first_lower() && ((ctx & kUc) || !(ctx & kBegLc))) return 0;
  return -1;
}

void second_pass(Token& t1, const Token& t2) {
  if (!t1.period_final) return;
  const std::string typ = t1.type_no_period();
  const std::string next_typ = t2.type_no_sentperiod();
  const bool initial = t1.is_initial();
  // (no collocations)
  if ((t1.abbr || t1.ellipsis) && !initial) {
    const int starter = ortho_heuristic(t2);
    if (starter == 1) {
      t1.sentbreak = true;
      return;
    }
    // frequent sentence starters: the common words, already covered by the orthographic test
    if (t2.first_upper() && common_words().count(next_typ)) {
      t1.sentbreak = true;
      return;
    }
  }
  if (initial || typ == "##number##") {
    const int starter = ortho_heuristic(t2);
    if (starter == 0) {
      t1.sentbreak = false;
      t1.abbr = true;
      return;
    }
    if (starter == -1 && initial && t2.first_upper() && !(ortho_context(next_typ) & kLc)) {
      t1.sentbreak = false;
      t1.abbr = true;
    }
  }
}

// text_contains_sentbreak: a sentence break on a token that is not the last one.
bool contains_sentbreak(std::string_view text) {
  std::vector<Token> toks = tokenize_words(text);
  for (Token& t : toks) first_pass(t);
  for (size_t i = 0; i + 1 < toks.size(); ++i) {
    second_pass(toks[i], toks[i + 1]);
    if (toks[i].sentbreak) return true;
  }
  return false;
}

// Index of the last ASCII whitespace (string.whitespace) in s, 0 when none (also when it is at 0).
size_t last_whitespace_index(std::string_view s) {
  for (size_t i = s.size(); i-- > 0;)
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\x0b' || s[i] == '\x0c') return i;
  return 0;
}

struct Slice {
  size_t start, stop;
};

std::vector<Slice> slices_from_text(std::string_view text) {
  // _match_potential_end_contexts: each candidate with the word before it and the token after.
  struct Candidate {
    PyRegex::Match m;
    std::string context;
  };
  std::vector<Candidate> candidates;
  Slice prev{0, 0};
  std::optional<PyRegex::Match> prev_match;
  auto context_of = [&](const Slice& s, const PyRegex::Match& m) {
    return std::string(text.substr(s.start, s.stop > s.start ? s.stop - s.start : 0)) + *m.group(0) +
           m.group(1).value_or("");
  };
  for (const PyRegex::Match& m : period_context_re().finditer(text)) {
    const std::string_view before = text.substr(prev.stop, m.start > prev.stop ? m.start - prev.stop : 0);
    size_t after_space = last_whitespace_index(before);
    after_space = after_space ? after_space + prev.stop + 1 : prev.start;
    const Slice word{after_space, m.start};
    if (prev_match && prev.stop <= word.start) candidates.push_back({*prev_match, context_of(prev, *prev_match)});
    prev_match = m;
    prev = word;
  }
  if (prev_match) candidates.push_back({*prev_match, context_of(prev, *prev_match)});

  std::vector<Slice> out;
  size_t last_break = 0;
  for (const Candidate& c : candidates) {
    if (!contains_sentbreak(c.context)) continue;
    out.push_back({last_break, c.m.end});
    // next_tok is group 2; its start is the end of the whitespace run after the match.
    if (c.m.group(2)) {
      size_t p = c.m.end;
      const std::string& after = *c.m.group(1);
      p += after.size() - c.m.group(2)->size();
      last_break = p;
    } else {
      last_break = c.m.end;
    }
  }
  out.push_back({last_break, py_rstrip(text).size()});
  return out;
}

}  // namespace

namespace {

// span_tokenize: _realign_boundaries over the slices; a realigned sentence is always kept, any
// other only when non-empty.
std::vector<Slice> sentence_spans(std::string_view text) {
  static const PyRegex realignment(R"x(["\')\]}]+?(?:\s+|(?=--)|$))x", PyRegex::Multiline);
  const std::vector<Slice> slices = slices_from_text(text);
  std::vector<Slice> out;
  size_t realign = 0;
  for (size_t i = 0; i < slices.size(); ++i) {
    const Slice s1{slices[i].start + realign, slices[i].stop};
    const bool nonempty = s1.start < s1.stop;
    if (i + 1 == slices.size()) {
      if (nonempty) out.push_back(s1);
      continue;
    }
    const Slice& s2 = slices[i + 1];
    const std::string_view t2 = text.substr(s2.start, s2.stop > s2.start ? s2.stop - s2.start : 0);
    if (std::optional<PyRegex::Match> m = realignment.match(t2)) {
      out.push_back({s1.start, s2.start + py_rstrip(*m->group(0)).size()});
      realign = m->end;
    } else {
      realign = 0;
      if (nonempty) out.push_back(s1);
    }
  }
  return out;
}

}  // namespace

size_t count_sentences(std::string_view text) { return sentence_spans(text).size(); }

std::vector<std::string> sent_tokenize(std::string_view text) {
  std::vector<std::string> out;
  for (const Slice& s : sentence_spans(text))
    out.emplace_back(s.stop > s.start ? text.substr(s.start, s.stop - s.start) : std::string_view());
  return out;
}

}  // namespace lfmb::eval::instructions
