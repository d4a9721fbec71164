// Fuzz target: CSV and TSV dataset files (eval/data: read_table), with every option the task
// loader can set. Input: one options byte, then the file.
// Options: bit 0 tab (else comma) delimiter, bit 1 quoting off (csv.QUOTE_NONE), bit 2 no header
// row, bit 3 column names given (required without a header; checked against it otherwise),
// bit 4 three columns named instead of two.
#include <string>
#include <string_view>

#include "eval/data/table_reader.h"
#include "tests/fuzz/support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t opt = data[0];
  lfmb::eval::TableOptions o;
  o.delimiter = (opt & 1) ? '\t' : ',';
  o.quoting = !(opt & 2);
  o.header = !(opt & 4);
  if (opt & 8) o.column_names = (opt & 16) ? std::vector<std::string>{"question", "answer", "label"}
                                           : std::vector<std::string>{"question", "answer"};
  o.max_bytes = 1u << 20;
  const std::string path = lfmb::fuzz::write_input_file(
      (opt & 1) ? "data.tsv" : "data.csv", std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  lfmb::fuzz::expect_only_lfmb_errors([&] {
    for (const nlohmann::json& row : lfmb::eval::read_table(path, o)) (void)row.dump();
  });
  return 0;
}
