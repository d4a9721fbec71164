// read_table: CSV/TSV rows as csv.DictReader gives them (CPython v3.11.2 Lib/csv.py): a dict per
// non-blank row keyed by the header (or by given names), a later duplicate name winning. Stricter
// than DictReader where it would silently pad (restval) or collect extra fields (restkey): a row
// with the wrong number of fields is an error here.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "eval/data/csv_parser.h"
#include "eval/data/table_reader.h"
#include "eval/data/utf8_text.h"

namespace lfmb::eval {

std::vector<nlohmann::json> read_table(const std::string& path, const TableOptions& opts) {
  if (!opts.header && opts.column_names.empty())
    throw Error(fmt::format("{}: a table without a header row needs column names", path));
  const std::string bytes = read_data_file(path, opts.max_bytes);
  const std::string_view text = strip_utf8_bom(bytes);
  require_utf8(text, path);

  std::vector<std::string> names = opts.header ? std::vector<std::string>{} : opts.column_names;
  bool have_names = !opts.header, any_record = false;
  std::vector<nlohmann::json> rows;
  parse_csv(text, CsvDialect{opts.delimiter, opts.quoting}, path, [&](std::vector<std::string>& fields, size_t line) {
    any_record = true;
    if (!have_names) {
      if (!opts.column_names.empty() && fields != opts.column_names)
        throw Error(fmt::format("{}:{}: header is {}, expected {}", path, line, fmt::join(fields, ","),
                                fmt::join(opts.column_names, ",")));
      names = std::move(fields);
      have_names = true;
      return;
    }
    if (fields.size() != names.size())
      throw Error(fmt::format("{}:{}: {} fields, expected {}", path, line, fields.size(), names.size()));
    nlohmann::json row = nlohmann::json::object();
    for (size_t i = 0; i < names.size(); ++i) row[names[i]] = std::move(fields[i]);
    rows.push_back(std::move(row));
  });
  if (!any_record) throw Error(fmt::format("{}: empty file", path));
  return rows;
}

}  // namespace lfmb::eval
