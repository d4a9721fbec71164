// Row fields as LiveCodeBench/LiveCodeBench 28fef95ea8c9 lcb_runner/benchmarks/code_generation.py
// (CodeGenerationProblem) reads them from livecodebench/code_generation_lite.
#include "eval/code/lcb_dataset.h"

#include <fmt/format.h>

#include "core/error.h"
#include "eval/code/lcb_tests.h"
#include "eval/data/table_reader.h"

namespace lfmb::eval {

using nlohmann::json;

std::vector<json> read_lcb_jsonl(const std::string& path, uint64_t max_bytes) {
  std::vector<json> rows = read_jsonl(path, max_bytes);
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& r = rows[i];
    const std::string where = fmt::format("{}: row {}", path, i + 1);
    if (!r.contains("private_test_cases"))
      throw Error(where + ": no private_test_cases: a prompts-only file (such as QwQ's livecodebench_v5.jsonl) "
                          "cannot be scored; use the official livecodebench/code_generation_lite files");
    for (const char* k : {"question_id", "question_content", "starter_code", "difficulty", "platform",
                          "contest_date", "public_test_cases", "private_test_cases", "metadata"})
      if (!r.contains(k) || !r[k].is_string()) throw Error(where + ": '" + k + "' must be a string");
    const std::string& d = r["difficulty"].get_ref<const std::string&>();
    if (d != "easy" && d != "medium" && d != "hard") throw Error(where + ": difficulty '" + d + "' (easy, medium, hard)");
    try {
      (void)lcb_grader_sample(r);
    } catch (const Error& e) {
      throw Error(where + ": " + e.what());
    }
  }
  return rows;
}

}  // namespace lfmb::eval
