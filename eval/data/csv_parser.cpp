// The record state machine of CPython v3.11.2 Modules/_csv.c (parse_process_char) with the excel
// dialect's settings: doublequote on, no escapechar, skipinitialspace off, strict off. Python
// feeds it lines split at \n, \r\n or \r (newline=""); here the whole text is walked and a line
// end outside quotes ends the record, which is the same thing.
#include "eval/data/csv_parser.h"

#include <fmt/format.h>

#include "core/error.h"

namespace lfmb::eval {

namespace {
enum class State { StartRecord, StartField, InField, InQuotedField, QuoteInQuotedField };
}

void parse_csv(std::string_view text, const CsvDialect& dialect, const std::string& name,
               const std::function<void(std::vector<std::string>&, size_t)>& on_record) {
  const char delim = dialect.delimiter;
  if (delim == '\n' || delim == '\r' || (dialect.quoting && delim == '"'))
    throw Error(fmt::format("{}: unusable CSV delimiter (byte 0x{:02x})", name, static_cast<unsigned char>(delim)));
  const size_t n = text.size();
  State st = State::StartRecord;
  std::vector<std::string> fields;
  std::string field;
  size_t line = 1, record_line = 1, quote_line = 1;
  auto save_field = [&] {
    fields.push_back(std::move(field));
    field.clear();
  };
  auto end_record = [&] {
    save_field();
    on_record(fields, record_line);
    fields.clear();
    st = State::StartRecord;
  };
  // Length of the line end at i: 2 for \r\n, else 1.
  auto line_end = [&](size_t i) -> size_t { return text[i] == '\r' && i + 1 < n && text[i + 1] == '\n' ? 2 : 1; };

  for (size_t i = 0; i < n;) {
    const char c = text[i];
    const bool newline = c == '\n' || c == '\r';
    switch (st) {
      case State::StartRecord:
        if (newline) {  // a blank line
          i += line_end(i);
          ++line;
          continue;
        }
        record_line = line;
        st = State::StartField;
        continue;  // the same character starts the first field
      case State::StartField:
        if (newline) {
          end_record();
          i += line_end(i);
          ++line;
        } else if (dialect.quoting && c == '"') {
          st = State::InQuotedField;
          quote_line = line;
          ++i;
        } else if (c == delim) {
          save_field();  // an empty field; the next one starts here
          ++i;
        } else {
          field += c;
          st = State::InField;
          ++i;
        }
        continue;
      case State::InField:
        if (newline) {
          end_record();
          i += line_end(i);
          ++line;
        } else if (c == delim) {
          save_field();
          st = State::StartField;
          ++i;
        } else {
          field += c;  // includes '"': a quote inside an unquoted field is literal
          ++i;
        }
        continue;
      case State::InQuotedField:
        if (c == '"') {
          st = State::QuoteInQuotedField;
          ++i;
        } else if (newline) {  // kept as written, \r\n included
          const size_t len = line_end(i);
          field.append(text.substr(i, len));
          i += len;
          ++line;
        } else {
          field += c;
          ++i;
        }
        continue;
      case State::QuoteInQuotedField:
        if (c == '"') {  // "" stands for one quote
          field += '"';
          st = State::InQuotedField;
          ++i;
        } else if (c == delim) {
          save_field();
          st = State::StartField;
          ++i;
        } else if (newline) {
          end_record();
          i += line_end(i);
          ++line;
        } else {
          field += c;  // not strict: text after the closing quote joins the field ("ab"c -> abc)
          st = State::InField;
          ++i;
        }
        continue;
    }
  }
  if (st == State::InQuotedField)
    throw Error(fmt::format("{}:{}: quoted field opened on this line is not closed before the end of the file", name,
                            quote_line));
  if (st != State::StartRecord) end_record();  // a last line without a line end
}

}  // namespace lfmb::eval
