// Reads the dataset file formats of the accuracy tasks into JSON documents (one object per
// record): JSON Lines, CSV with or without a header (RFC 4180 quoting), TSV with quoting off
// (MGSM: csv.QUOTE_NONE), each optionally gzip-compressed (by the .gz suffix). Every error is one
// line naming the file (and line) and the problem; sizes are bounded before memory is reserved.
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
  std::vector<std::string> column_names;   // names for headerless files (required then)
  uint64_t max_bytes = 512ull << 20;       // a larger (decompressed) file is an error
};

// Whole file contents, gunzipped when the name ends in .gz; errors name the file.
std::string read_data_file(const std::string& path, uint64_t max_bytes = 512ull << 20);

// One JSON value per non-empty line; each must be an object.
std::vector<nlohmann::json> read_jsonl(const std::string& path, uint64_t max_bytes = 512ull << 20);
// Rows as objects {column: string}; every row must have as many fields as the header/names.
std::vector<nlohmann::json> read_table(const std::string& path, const TableOptions& opts);

}  // namespace lfmb::eval
