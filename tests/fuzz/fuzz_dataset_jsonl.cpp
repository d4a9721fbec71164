// Fuzz target: a JSON Lines dataset file (eval/data: read_jsonl), as the eval tasks' data files
// and `lfmb eval score` response files are read.
#include <string>
#include <string_view>

#include "eval/data/table_reader.h"
#include "tests/fuzz/support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path =
      lfmb::fuzz::write_input_file("data.jsonl", std::string_view(reinterpret_cast<const char*>(data), size));
  lfmb::fuzz::expect_only_lfmb_errors([&] {
    for (const nlohmann::json& doc : lfmb::eval::read_jsonl(path, 1u << 20)) (void)doc.dump();
  });
  return 0;
}
