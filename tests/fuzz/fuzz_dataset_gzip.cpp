// Fuzz target: gzip-compressed dataset files (eval/data: read_data_file's gunzip by the .gz
// suffix, with the decompressed size bounded), then the decompressed text read as JSON Lines and
// as CSV, as a task's `data.jsonl.gz` / `data.csv.gz` would be.
#include <string>
#include <string_view>

#include "eval/data/table_reader.h"
#include "tests/fuzz/support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string jsonl = lfmb::fuzz::write_input_file("data.jsonl.gz", bytes);
  lfmb::fuzz::expect_only_lfmb_errors([&] { (void)lfmb::eval::read_data_file(jsonl, 1u << 20); });
  lfmb::fuzz::expect_only_lfmb_errors([&] { (void)lfmb::eval::read_jsonl(jsonl, 1u << 20); });
  const std::string csv = lfmb::fuzz::write_input_file("data.csv.gz", bytes);
  lfmb::eval::TableOptions o;
  o.max_bytes = 1u << 20;
  lfmb::fuzz::expect_only_lfmb_errors([&] { (void)lfmb::eval::read_table(csv, o); });
  return 0;
}
