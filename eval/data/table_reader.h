// Reads the dataset file formats of the accuracy tasks into JSON documents (one object per
// record): JSON Lines, CSV with or without a header (RFC 4180 quoting), TSV with quoting off
// (MGSM: csv.QUOTE_NONE), each optionally gzip-compressed (by the .gz suffix). Every error is one
// line naming the file (and line) and the problem; sizes are bounded before memory is reserved.
//
// Python semantics followed (CPython 3.11) and where this is stricter:
// - Text must be UTF-8 (Python's strict codec); a leading BOM is dropped as "utf-8-sig" does.
// - JSONL: each non-blank line is json.loads'ed, so NaN, Infinity and -Infinity are accepted as
//   floats, and so are float literals beyond the double range (as infinities). Lines end at \n
//   (a \r before it is dropped). Not as Python: a lone surrogate escape (\ud800) is an error,
//   integers beyond 64 bits become doubles (an error beyond 1.8e308), and a file without a single
//   JSON line is an error.
// - Tables: csv.reader's excel dialect (or QUOTE_NONE) and csv.DictReader's dict per row; blank
//   lines are skipped. Not as Python: a row with the wrong number of fields, a quoted field left
//   open at the end of the file and a file without records are errors; csv.field_size_limit
//   (131072 characters per field) is not applied.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb::eval {

struct TableOptions {
  char delimiter = ',';
  bool quoting = true;                     // false: csv.QUOTE_NONE (quotes are ordinary characters)
  bool header = true;                      // first row names the columns
  std::vector<std::string> column_names;   // names for headerless files (required then); with a
                                           // header, the header must equal them when given
  uint64_t max_bytes = 512ull << 20;       // a larger (decompressed) file is an error
};

// Whole file contents, gunzipped when the name ends in .gz; errors name the file. Both the file
// and its decompressed contents must fit in max_bytes.
std::string read_data_file(const std::string& path, uint64_t max_bytes = 512ull << 20);

// One JSON value per non-empty line; each must be an object.
std::vector<nlohmann::json> read_jsonl(const std::string& path, uint64_t max_bytes = 512ull << 20);
// Rows as objects {column: string}; every row must have as many fields as the header/names.
std::vector<nlohmann::json> read_table(const std::string& path, const TableOptions& opts);

}  // namespace lfmb::eval
