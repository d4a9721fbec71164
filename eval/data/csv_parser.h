// Splits CSV/TSV text into records the way Python's csv.reader does with the default "excel"
// dialect (or csv.QUOTE_NONE), reading a file opened with newline="".
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace lfmb::eval {

struct CsvDialect {
  char delimiter = ',';
  bool quoting = true;  // false: csv.QUOTE_NONE, '"' is an ordinary character
};

// Calls on_record(fields, line) for each record, `line` being the 1-based line it starts on
// (\n, \r\n and a lone \r each end a line). Blank lines give no record (csv.DictReader skips
// the [] that csv.reader yields for them). The visitor may move the fields out. A quoted field
// still open at the end of the text is an error "<name>:<line>: ..." (Python accepts it).
void parse_csv(std::string_view text, const CsvDialect& dialect, const std::string& name,
               const std::function<void(std::vector<std::string>& fields, size_t line)>& on_record);

}  // namespace lfmb::eval
