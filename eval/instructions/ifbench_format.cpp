// IFBench "format:" instructions, ported from allenai/IFBench ifbench/instructions.py at commit
// db69a6f05689830b0068b8f1529ebcfd2f3b164c (ids mapped to classes by ifbench/instructions_registry.py;
// kwargs handled as evaluation_lib.py does). Python semantics kept: str.split()/strip() whitespace,
// string.punctuation (ASCII only), str.isalpha/islower/isupper, list.remove while iterating.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "eval/instructions/emoji_char.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifbench_util.h"
#include "eval/instructions/kwargs.h"
#include "eval/instructions/text_util.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

// The official checks whose build_description takes no argument.
InstructionType no_args_type(const char* id, const char* official_class, std::function<bool(const std::string&)> check,
                             std::string approximation = {}) {
  InstructionType t;
  t.id = id;
  t.source = ifbench_source(official_class);
  t.approximation = std::move(approximation);
  t.build = [check = std::move(check)](const InstructionInput& in) -> Checker {
    ifb_only_keys(in, {});
    return check;
  };
  return t;
}

// NestedParenthesesChecker: true as soon as a matching closer ends a run of brackets that reached
// depth 5; a mismatched closer resets the stack and the depth.
bool nested_parentheses(const std::string& value) {
  std::vector<char> levels;
  size_t max_depth = 0;
  for (char c : value) {
    if (c == '(' || c == '[' || c == '{') {
      levels.push_back(c);
      max_depth = std::max(max_depth, levels.size());
    } else if (c == ')' || c == ']' || c == '}') {
      const bool matches = !levels.empty() && ((levels.back() == '(' && c == ')') || (levels.back() == '[' && c == ']') ||
                                               (levels.back() == '{' && c == '}'));
      if (matches) {
        levels.pop_back();
        if (max_depth >= 5 && levels.size() < max_depth) return true;
      } else {
        levels.clear();
        max_depth = 0;
      }
    }
  }
  return false;
}

// NestedQuotesChecker: a quote equal to the innermost open one closes it; any other ' or " opens a
// level; true once a close leaves 3 or more levels below the deepest point reached.
bool nested_quotes(const std::string& value) {
  std::vector<char> levels;
  long reached = 0, current = 0;
  for (char c : value) {
    if (!levels.empty() && c == levels.back()) {
      levels.pop_back();
      --current;
      if (reached - current >= 3) return true;
    } else if (c == '"' || c == '\'') {
      levels.push_back(c);
      ++current;
      reached = std::max(reached, current);
    }
  }
  return false;
}

// OptionsResponseChecker.
struct Options {
  bool strict = false;  // letter options (a), b), c)...): the response must equal one exactly
  std::vector<std::string> options;
};

Options parse_options(const std::string& text) {
  Options o;
  static const PyRegex letters(R"(\W*[aA]\W*[bB]\W*[cC]\W*)");
  o.strict = letters.match(text).has_value();
  // The separator is the first of "/", "or" (as a substring, "or" inside a word counts) and ","
  // that the text contains.
  const char* sep = text.find('/') != std::string::npos ? "/" : text.find("or") != std::string::npos ? "or" : ",";
  for (const std::string& part : py_split_sep(text, sep)) o.options.push_back(py_strip(part));
  return o;
}

bool options_response(const Options& o, const std::string& value) {
  if (o.strict) return std::find(o.options.begin(), o.options.end(), value) != o.options.end();
  const std::string v = py_lower(strip_punct_space(value));
  for (const std::string& option : o.options)
    if (py_lower(strip_punct_space(option)) == v) return true;
  return false;
}

// NewLineWordsChecker: after removing punctuation, the non-empty lines are as many as the words.
bool newline_words(const std::string& value) {
  const std::string v = py_strip(remove_punctuation(value));
  size_t lines = 0;
  for (const std::string& line : py_split_sep(v, "\n")) lines += !line.empty();
  return lines == py_split(v).size();
}

// EmojiSentenceChecker: each sentence (punctuation removed, stripped) ends with an emoji in its last
// or second-to-last character, or the next sentence starts with one; an empty sentence fails.
bool emoji_sentences(const std::string& value) {
  const std::vector<std::string> sentences = sent_tokenize(value);
  for (size_t i = 0; i < sentences.size(); ++i) {
    std::u32string stripped = py_ords(py_strip(remove_punctuation(sentences[i])));
    if (stripped.empty()) return false;
    const char32_t last = stripped.back();
    const char32_t second_last = stripped.size() > 1 ? stripped[stripped.size() - 2] : last;
    if (!is_emoji_char(last) && !is_emoji_char(second_last)) {
      if (i + 1 >= sentences.size()) return false;
      std::u32string next = py_ords(py_strip(remove_punctuation(sentences[i + 1])));
      if (next.empty()) return false;
      if (!is_emoji_char(next.front())) return false;
    }
  }
  return true;
}

size_t leading_spaces(const std::string& line) { return line.size() - py_lstrip_chars(line, " ").size(); }

// IndentStairsChecker. The official loop removes blank lines from the list it iterates over
// (`for line in lines: if not line.strip(): lines.remove(line)`), so the line after each removed
// one is never looked at, and remove() takes the first equal line: both kept as Python does them.
bool indent_stairs(const std::string& value) {
  std::vector<std::string> lines = py_split_sep(value, "\n");
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!py_strip(lines[i]).empty()) continue;
    const std::string line = lines[i];
    lines.erase(std::find(lines.begin(), lines.end(), line));
  }
  for (size_t i = 0; i + 1 < lines.size(); ++i)
    if (leading_spaces(lines[i + 1]) <= leading_spaces(lines[i])) return false;
  return true;
}

// QuoteExplanationChecker. (Its first line replaces '"' by '"' twice: a no-op, kept out.)
bool quote_explanation(const std::string& value) {
  std::string v = py_replace(value, "'\"'", "");  // mentions of the character '"'
  std::string joined;
  for (const std::string& w : py_split(v)) joined += w;  // ''.join(value.split()): no whitespace
  if (joined.find("\"\"") != std::string::npos) return false;
  std::string strip_set = "0123456789";
  for (char c : kPyPunctuation)
    if (c != '"') strip_set.push_back(c);
  const std::string stripped = py_strip_chars(joined, strip_set);
  return stripped.empty() || stripped.back() != '"';
}

// ItalicsThesisChecker, with the official offsets: the thesis is value[3:end] from the first
// "<i>" (or "<em>", whose '>' then belongs to the thesis), the rest starts 4 characters after the
// closing "</i>" or "</em>" (leaving the '>' of "</em>" in it). All markers are ASCII, so byte
// offsets equal the official character offsets.
bool italics_thesis(const std::string& value) {
  size_t index = value.find("<i>");
  if (index == std::string::npos) index = value.find("<em>");
  if (index == std::string::npos) return false;
  const std::string v = value.substr(index);
  size_t end = v.find("</i>");
  if (end == std::string::npos) end = v.find("</em>");
  if (end == std::string::npos) return false;
  const std::string thesis = end > 3 ? v.substr(3, end - 3) : std::string();
  if (py_strip(thesis).empty()) return false;
  const std::string text = end + 4 < v.size() ? v.substr(end + 4) : std::string();
  return !py_strip(text).empty();
}

// SubBulletPointsChecker: every piece after a '*' contains a '-' (no '*' at all passes).
bool sub_bullets(const std::string& value) {
  const std::vector<std::string> pieces = py_split_sep(value, "*");
  for (size_t i = 1; i < pieces.size(); ++i)
    if (pieces[i].find('-') == std::string::npos) return false;
  return true;
}

// SomeBulletPointsChecker. The official `sentences` flag is reassigned to the sentence list of each
// line before the first bullet, so a line with no sentence (a blank line) ends the sentence part:
// any later line that is not a bullet fails, as does any non-bullet line after the bullets.
bool some_bullets(const std::string& value) {
  bool in_sentences = true;
  size_t n_sentences = 0, n_bullets = 0;
  for (const std::string& line : py_split_sep(value, "\n")) {
    const std::string s = py_strip(line);
    if (!s.empty() && s[0] == '*') {
      in_sentences = false;
      if (n_sentences < 2) return false;
      ++n_bullets;
    } else if (in_sentences) {
      const size_t n = count_sentences(s);
      n_sentences += n;
      in_sentences = n > 0;
    } else {
      return false;
    }
  }
  return n_bullets >= 2;
}

// TitleCaseChecker over nltk.word_tokenize tokens that start with a letter: a one-letter token must
// not be lowercase; a longer one fails when its first letter is lowercase and the rest is all
// upper- or all lowercase ("iPhone" passes: its rest is neither).
bool title_case(const std::string& value) {
  for (const std::string& word : word_tokenize(value)) {
    const std::vector<std::string> chars = py_chars(word);
    if (chars.empty() || !py_isalpha(py_ords(chars[0])[0])) continue;
    if (chars.size() == 1) {
      if (py_islower(chars[0])) return false;
      continue;
    }
    const std::string rest = word.substr(chars[0].size());
    if (py_isupper(chars[0]) && py_islower(rest)) continue;
    if (py_islower(chars[0]) && (py_isupper(rest) || py_islower(rest))) return false;
  }
  return true;
}

bool has_whitespace(const std::string& value) {
  for (char32_t c : py_ords(value))
    if (py_isspace(c)) return true;
  return false;
}

}  // namespace

std::vector<InstructionType> ifbench_format() {
  std::vector<InstructionType> out;
  out.push_back(no_args_type("format:parentheses", "NestedParenthesesChecker", nested_parentheses));
  out.push_back(no_args_type("format:quotes", "NestedQuotesChecker", nested_quotes));
  {
    InstructionType t;
    t.id = "format:options";
    t.source = ifbench_source("OptionsResponseChecker");
    t.build = [](const InstructionInput& in) -> Checker {
      ifb_only_keys(in, {"options"});
      Options o = parse_options(kw_str(in, "options"));
      return [o = std::move(o)](const std::string& r) { return options_response(o, r); };
    };
    out.push_back(std::move(t));
  }
  out.push_back(no_args_type("format:newline", "NewLineWordsChecker", newline_words));
  out.push_back(no_args_type(
      "format:emoji", "EmojiSentenceChecker", emoji_sentences,
      std::string(kSentTokenizeApprox) +
          "; emoji.is_emoji of one character as emoji 2.14.1 (Emoji 16.0) decides it: a later emoji release can add"
          " characters"));
  out.push_back(no_args_type("format:line_indent", "IndentStairsChecker", indent_stairs));
  out.push_back(no_args_type("format:quote_unquote", "QuoteExplanationChecker", quote_explanation));
  {
    InstructionType t;
    t.id = "format:list";
    t.source = ifbench_source("SpecialBulletPointsChecker");
    t.build = [](const InstructionInput& in) -> Checker {
      ifb_only_keys(in, {"sep"});
      auto marker = std::make_shared<PyRegex>(py_re_escape(kw_str(in, "sep")));
      // len(re.findall(re.escape(sep), value)) >= 2
      return [marker](const std::string& r) { return marker->finditer(r).size() >= 2; };
    };
    out.push_back(std::move(t));
  }
  out.push_back(no_args_type("format:thesis", "ItalicsThesisChecker", italics_thesis));
  out.push_back(no_args_type("format:sub-bullets", "SubBulletPointsChecker", sub_bullets));
  out.push_back(no_args_type("format:no_bullets_bullets", "SomeBulletPointsChecker", some_bullets,
                             std::string(kSentTokenizeApprox) + " (only the count per line matters)"));
  out.push_back(no_args_type("format:title_case", "TitleCaseChecker", title_case,
                             kWordTokenizeApprox));
  out.push_back(no_args_type("format:output_template", "OutputTemplateChecker", [](const std::string& r) {
    return r.find("My Answer:") != std::string::npos && r.find("My Conclusion:") != std::string::npos &&
           r.find("Future Outlook:") != std::string::npos;
  }));
  out.push_back(no_args_type("format:no_whitespace", "NoWhitespaceChecker",
                             [](const std::string& r) { return !has_whitespace(r); }));
  return out;
}

}  // namespace lfmb::eval::instructions
