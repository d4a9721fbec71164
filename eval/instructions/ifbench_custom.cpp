// IFBench "custom:" instructions (one fixed task each), ported from allenai/IFBench
// ifbench/instructions.py at commit db69a6f05689830b0068b8f1529ebcfd2f3b164c (ids mapped to classes
// by ifbench/instructions_registry.py). Their build_description takes **kwargs: any kwargs are
// accepted and ignored.
//
// Where the official check raises (csv.Error from csv.reader, IndexError on an empty CSV field),
// the official run_eval.py stops with a traceback and scores nothing; here that response simply
// does not follow the instruction.
#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "eval/instructions/families.h"
#include "eval/instructions/ifbench_util.h"
#include "eval/instructions/py_csv_reader.h"
#include "eval/instructions/text_util.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

InstructionType custom_type(const char* id, const char* official_class, std::function<bool(const std::string&)> check,
                            std::string approximation = {}) {
  InstructionType t;
  t.id = id;
  t.source = ifbench_source(official_class);
  t.approximation = std::move(approximation);
  t.build = [check = std::move(check)](const InstructionInput&) -> Checker { return check; };
  return t;
}

// unicodedata.normalize('NFKD', text).encode('ASCII', 'ignore').decode('ASCII'): accents split off
// and every non-ASCII character dropped.
std::string ascii_fold(std::string_view text) {
  std::string out;
  for (char c : py_nfkd(text))
    if (static_cast<unsigned char>(c) < 0x80) out.push_back(c);
  return out;
}

// PrintMultiplesChecker: the numbers in the response are exactly 14 21 28 35 42 49, in order.
bool print_multiples(const std::string& value) {
  static const PyRegex number(R"(\d+)");
  const std::string v = py_replace(value, ",", ", ");
  std::vector<std::string> found;
  for (const PyRegex::Match& m : number.finditer(v)) found.push_back(*m.group(0));
  return found == std::vector<std::string>{"14", "21", "28", "35", "42", "49"};
}

// MultipleChoiceQuestionsChecker: the response starts with "Question", splits into 4 questions with
// 5 options each (lines "A." .. "e)"), and the question texts get strictly longer.
bool multiple_choice_questions(const std::string& value) {
  // value[value.find('Question'):] must be value itself; find() = -1 takes the last character.
  const size_t at = value.find("Question");
  if (at == std::string::npos) {
    const std::vector<std::string> chars = py_chars(value);
    if (!(chars.empty() || chars.size() == 1)) return false;
  } else if (at != 0) {
    return false;
  }
  static const PyRegex split_re(R"(\n*(?:Question \d+[\.|\):;]?\s*))");
  static const PyRegex option_re(R"(^[A-Ea-e][\.|\)]\s*\w+)");
  std::vector<std::string> parts = split_re.split(value);
  if (!parts.empty() && parts[0].empty()) parts.erase(parts.begin());
  std::vector<std::string> questions;
  for (const std::string& q : parts)
    if (!py_strip(q).empty()) questions.push_back(py_strip(q));
  if (questions.size() != 4) return false;
  std::vector<size_t> lengths;
  for (const std::string& q : questions) {
    std::string text;
    int options = 0;
    bool done_with_question = false;
    for (const std::string& line : py_split_sep(q, "\n")) {
      const std::string s = py_strip(line);
      if (option_re.match(s)) {
        ++options;
        done_with_question = true;
      } else if (!done_with_question) {
        text += " " + s;
      }
    }
    if (options != 5) return false;
    lengths.push_back(py_len(py_strip(text)));
  }
  for (size_t i = 0; i + 1 < lengths.size(); ++i)
    if (lengths[i] >= lengths[i + 1]) return false;
  return true;
}

// ReverseNewlineChecker: lines stripped of punctuation and spaces, blank ones dropped; from the
// first line containing "Zimbabwe" on, at least 52 lines, in non-increasing order of their
// ASCII-folded text (Python compares str by code point; ASCII text compares as bytes).
bool reverse_newline(const std::string& value) {
  std::vector<std::string> lines;
  for (const std::string& line : py_split_sep(value, "\n")) {
    std::string s = strip_punct_space(line);
    if (!s.empty()) lines.push_back(std::move(s));
  }
  auto start = std::find_if(lines.begin(), lines.end(),
                            [](const std::string& l) { return l.find("Zimbabwe") != std::string::npos; });
  if (start == lines.end()) return false;
  if (lines.end() - start < 52) return false;
  std::vector<std::string> folded;
  for (auto it = start; it != lines.end(); ++it) folded.push_back(ascii_fold(*it));
  // normalized == sorted(normalized, reverse=True)  <=>  no line is smaller than the one after it
  for (size_t i = 0; i + 1 < folded.size(); ++i)
    if (folded[i] < folded[i + 1]) return false;
  return true;
}

// WordReverseOrderChecker: lowercase, strip, drop punctuation, reverse the word order; it must
// contain "bald eagle" and be one of nltk.sent_tokenize's sentences of itself. That text has no
// '.', '?' or '!' left (punkt's only sentence ends) and no outer whitespace, so punkt returns it
// whole: the second test always holds once the first does (no sentence splitter needed).
bool word_reverse(const std::string& value) {
  const std::vector<std::string> words = py_split(remove_punctuation(py_strip(py_lower(value))));
  std::string reversed;
  for (auto it = words.rbegin(); it != words.rend(); ++it) {
    if (it != words.rbegin()) reversed += ' ';
    reversed += *it;
  }
  return reversed.find("bald eagle") != std::string::npos;
}

// SentenceAlphabetChecker: 26 sentences whose first words start with a, b, ..., z (lowercased).
bool sentence_alphabet(const std::string& value) {
  const std::vector<std::string> sentences = sent_tokenize(value);
  if (sentences.size() != 26) return false;
  for (size_t i = 0; i < sentences.size(); ++i) {
    const std::vector<std::string> words = py_split(py_lstrip(sentences[i]));
    if (words.empty()) return false;
    const std::u32string first = py_ords(py_lower(words[0]));
    if (first.empty() || first[0] != char32_t('a' + i)) return false;
  }
  return true;
}

// EuropeanCapitalsSortChecker: the ASCII-folded response, split at commas (blank items dropped),
// is exactly these 27 capitals in this order.
bool european_capitals(const std::string& value) {
  static const char* const kOrder[] = {
      "Reykjavik", "Helsinki", "Oslo",      "Tallinn", "Stockholm", "Riga",   "Moscow",     "Copenhagen", "Vilnius",
      "Minsk",     "Dublin",   "Berlin",    "Amsterdam", "Warsaw",  "London", "Brussels",   "Prague",     "Luxembourg",
      "Paris",     "Vienna",   "Bratislava", "Budapest", "Vaduz",   "Chisinau", "Bern",     "Ljubljana",  "Zagreb"};
  std::vector<std::string> capitals;
  for (const std::string& item : py_split_sep(ascii_fold(value), ","))
    if (!py_strip(item).empty()) capitals.push_back(item);
  if (capitals.size() != std::size(kOrder)) return false;
  for (size_t i = 0; i < capitals.size(); ++i)
    if (py_strip(capitals[i]) != kOrder[i]) return false;
  return true;
}

// CityCSVChecker: csv.reader rows (blank lines are rows []): a header and 7 rows of 5 fields.
bool csv_city(const std::string& value) {
  const PyCsvRead csv = py_csv_reader(value);
  if (csv.error) return false;
  if (csv.rows.size() != 8) return false;
  if (csv.rows[0] != std::vector<std::string>{"ID", "Country", "City", "Year", "Count"}) return false;
  for (size_t i = 1; i < csv.rows.size(); ++i)
    if (csv.rows[i].size() != 5) return false;
  return true;
}

std::string first_line_stripped(const std::string& value) { return py_strip(value.substr(0, value.find('\n'))); }

// SpecialCharacterCSVChecker. Quotes are tripled before parsing so quoted fields keep their quotes;
// the first data row holding a field like "...<special>..." decides True before later rows are
// looked at (rows after it may have any length).
bool csv_special_character(const std::string& value) {
  static const PyRegex header_re(
      R"(^(ProductID|"ProductID"),[ \t]*(Category|"Category"),[ \t]*(Brand|"Brand"),[ \t]*(Price|"Price"),[ \t]*(Stock|"Stock")$)");
  static const PyRegex special_re(R"(".*[^\d\w\s].*")");
  if (!header_re.match(first_line_stripped(value))) return false;
  const PyCsvRead csv = py_csv_reader(py_replace(value, "\"", "\"\"\""));
  if (csv.error) return false;
  if (csv.rows.size() != 15) return false;
  for (size_t i = 1; i < csv.rows.size(); ++i) {
    if (csv.rows[i].size() != 5) return false;
    for (const std::string& field : csv.rows[i])
      if (special_re.match(field)) return true;
  }
  return false;
}

// QuotesCSVChecker: tab-delimited, header and 3 rows of 5 fields, every field (header included)
// quoted. An all-blank field makes the official `field.strip()[0]` raise IndexError: not followed.
bool csv_quotes(const std::string& value) {
  static const PyRegex header_re(
      R"(^(StudentID|"StudentID")\t *(Subject|"Subject")\t *(Grade|"Grade")\t *(Semester|"Semester")\t *(Score|"Score")$)");
  if (!header_re.match(first_line_stripped(value))) return false;
  const PyCsvRead csv = py_csv_reader(py_replace(value, "\"", "\"\"\""), '\t');
  if (csv.error) return false;
  if (csv.rows.size() != 4) return false;
  for (const std::vector<std::string>& row : csv.rows) {
    if (row.size() != 5) return false;
    for (const std::string& field : row) {
      const std::string s = py_strip(field);
      if (s.empty() || s.front() != '"' || s.back() != '"') return false;
    }
  }
  return true;
}

// DateFormatListChecker: comma-separated YYYY-MM-DD dates (\d is any script's digit, as int()
// reads them), years 1769..1821, months at most 12 (0 passes), days within the month's length
// (February up to 29; day 0 passes).
bool date_format_list(const std::string& value) {
  static const PyRegex date_re(R"(^\d{4}-\d{2}-\d{2}$)");
  for (const std::string& item : py_split_sep(py_strip(value), ",")) {
    const std::string date = py_strip(item);
    if (!date_re.match(date)) return false;
    const std::vector<std::string> parts = py_split_sep(date, "-");
    long long year = 0, month = 0, day = 0;
    try {
      year = py_int_decimal(parts[0]);
      month = py_int_decimal(parts[1]);
      day = py_int_decimal(parts[2]);
    } catch (const Error&) {
      return false;  // a digit PCRE2's \d knows but this Unicode version's int() would not (none known)
    }
    if (year < 1769 || year > 1821) return false;
    if (month > 12) return false;
    const bool long_month = month == 1 || month == 3 || month == 5 || month == 7 || month == 8 || month == 10 || month == 12;
    const bool short_month = month == 4 || month == 6 || month == 9 || month == 11;
    if (long_month && day > 31) return false;
    if (short_month && day > 30) return false;
    if (month == 2 && day > 29) return false;
  }
  return true;
}

}  // namespace

std::vector<InstructionType> ifbench_custom() {
  std::vector<InstructionType> out;
  out.push_back(custom_type("custom:multiples", "PrintMultiplesChecker", print_multiples));
  out.push_back(custom_type("custom:mcq_count_length", "MultipleChoiceQuestionsChecker", multiple_choice_questions));
  out.push_back(custom_type("custom:reverse_newline", "ReverseNewlineChecker", reverse_newline));
  out.push_back(custom_type("custom:word_reverse", "WordReverseOrderChecker", word_reverse));
  out.push_back(custom_type("custom:character_reverse", "CharacterReverseOrderChecker",
                            [](const std::string& r) { return py_lower(r).find("elgae dlab") != std::string::npos; }));
  out.push_back(custom_type("custom:sentence_alphabet", "SentenceAlphabetChecker", sentence_alphabet,
                            kSentTokenizeApprox));
  out.push_back(custom_type("custom:european_capitals_sort", "EuropeanCapitalsSortChecker", european_capitals));
  out.push_back(custom_type("custom:csv_city", "CityCSVChecker", csv_city));
  out.push_back(custom_type("custom:csv_special_character", "SpecialCharacterCSVChecker", csv_special_character));
  out.push_back(custom_type("custom:csv_quotes", "QuotesCSVChecker", csv_quotes));
  out.push_back(custom_type("custom:date_format_list", "DateFormatListChecker", date_format_list));
  return out;
}

}  // namespace lfmb::eval::instructions
