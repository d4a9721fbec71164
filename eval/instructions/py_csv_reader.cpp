// The state machine of CPython 3.11 Modules/_csv.c (parse_process_char, Reader_iternext), read for
// the facts; behaviour checked against /usr/bin/python3 3.11 on small inputs.
#include "eval/instructions/py_csv_reader.h"

#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

enum class State { StartRecord, StartField, InField, InQuotedField, QuoteInQuotedField, EatCrnl };

constexpr size_t kFieldLimit = 131072;  // csv.field_size_limit() default, in characters
constexpr char32_t kEol = 0xFFFFFFFE;    // end of one line of input (_csv.c's EOL)

struct Parser {
  explicit Parser(char32_t d) : delim(d) {}
  char32_t delim;
  State state = State::StartRecord;
  std::vector<std::string> fields;
  std::u32string field;
  std::optional<std::string> error;

  void save_field() {
    std::string s;
    for (char32_t c : field) s += py_chr_lenient(c);
    fields.push_back(std::move(s));
    field.clear();
  }
  static std::string py_chr_lenient(char32_t c) {
    // Stray bytes decode to U+DC80..U+DCFF (py_ords); give the byte back.
    if (c >= 0xDC80 && c <= 0xDCFF) return std::string(1, char(c - 0xDC00));
    return py_chr(c);
  }
  bool add_char(char32_t c) {
    if (field.size() >= kFieldLimit) {
      error = "field larger than field limit (131072)";
      return false;
    }
    field.push_back(c);
    return true;
  }
  bool is_nl(char32_t c) const { return c == '\n' || c == '\r'; }

  bool process(char32_t c) {
    switch (state) {
      case State::StartRecord:
        if (c == kEol) return true;  // an empty line: the record is []
        if (is_nl(c)) {
          state = State::EatCrnl;
          return true;
        }
        state = State::StartField;
        [[fallthrough]];
      case State::StartField:
        if (is_nl(c) || c == kEol) {
          save_field();
          state = c == kEol ? State::StartRecord : State::EatCrnl;
        } else if (c == '"') {
          state = State::InQuotedField;
        } else if (c == delim) {
          save_field();
        } else {
          if (!add_char(c)) return false;
          state = State::InField;
        }
        return true;
      case State::InField:
        if (is_nl(c) || c == kEol) {
          save_field();
          state = c == kEol ? State::StartRecord : State::EatCrnl;
        } else if (c == delim) {
          save_field();
          state = State::StartField;
        } else if (!add_char(c)) {
          return false;
        }
        return true;
      case State::InQuotedField:
        if (c == kEol) return true;
        if (c == '"') {
          state = State::QuoteInQuotedField;
          return true;
        }
        return add_char(c);
      case State::QuoteInQuotedField:
        if (c == '"') {
          state = State::InQuotedField;
          return add_char(c);
        }
        if (c == delim) {
          save_field();
          state = State::StartField;
        } else if (is_nl(c) || c == kEol) {
          save_field();
          state = c == kEol ? State::StartRecord : State::EatCrnl;
        } else {
          // strict=False: the character is kept and the field goes on unquoted
          state = State::InField;
          return add_char(c);
        }
        return true;
      case State::EatCrnl:
        if (is_nl(c)) return true;
        if (c == kEol) {
          state = State::StartRecord;
          return true;
        }
        error = "new-line character seen in unquoted field - do you need to open the file in universal-newline mode?";
        return false;
    }
    return true;
  }
};

}  // namespace

PyCsvRead py_csv_reader(std::string_view text, char delimiter) {
  PyCsvRead out;
  // io.StringIO(text) with its default newline="\n": lines end after each '\n' and nowhere else.
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  Parser p(char32_t(static_cast<unsigned char>(delimiter)));
  size_t next = 0;
  for (;;) {
    // Reader_iternext: one record, reading as many lines as it needs.
    p.fields.clear();
    p.field.clear();
    p.state = State::StartRecord;
    bool got_record = false;
    do {
      if (next == lines.size()) {
        // End of input inside a record: the open field is kept (strict=False).
        if (!p.field.empty() || p.state == State::InQuotedField) {
          p.save_field();
          got_record = true;
        }
        break;
      }
      for (char32_t c : py_ords(lines[next]))
        if (!p.process(c)) {
          out.error = p.error;
          return out;
        }
      ++next;
      if (!p.process(kEol)) {
        out.error = p.error;
        return out;
      }
      got_record = p.state == State::StartRecord;
    } while (p.state != State::StartRecord);
    if (!got_record) break;
    out.rows.push_back(std::move(p.fields));
    p.fields = {};
  }
  return out;
}

}  // namespace lfmb::eval::instructions
