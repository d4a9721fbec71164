#include "eval/regression/token_sequences.h"

#include <fmt/format.h>

#include <charconv>

#include "core/error.h"
#include "eval/data/table_reader.h"

namespace lfmb::eval {

std::vector<std::vector<int32_t>> read_token_sequences(const std::string& path) {
  const std::string text = read_data_file(path);
  std::vector<std::vector<int32_t>> out;
  size_t line_start = 0;
  for (int64_t line_no = 1; line_start < text.size(); ++line_no) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    std::vector<int32_t> ids;
    auto sep = [](char c) { return c == ' ' || c == '\t' || c == ',' || c == '\r'; };
    for (size_t i = line_start; i < line_end;) {
      if (sep(text[i])) { ++i; continue; }
      size_t j = i;
      while (j < line_end && !sep(text[j])) ++j;
      int32_t v = 0;
      const auto [p, ec] = std::from_chars(text.data() + i, text.data() + j, v);
      if (ec != std::errc() || p != text.data() + j || v < 0)
        throw Error(fmt::format("{}: line {}: '{}' is not a token id", path, line_no, text.substr(i, j - i)));
      ids.push_back(v);
      i = j;
    }
    if (!ids.empty()) out.push_back(std::move(ids));
    line_start = line_end + 1;
  }
  if (out.empty()) throw Error(path + ": no token sequences");
  return out;
}

}  // namespace lfmb::eval
