// Reads LiveCodeBench's Hugging Face files (livecodebench/code_generation_lite test.jsonl ..
// test6.jsonl) for the task system (`dataset_kwargs.loader: livecodebench`). Rows keep their
// fields as the files have them (private_test_cases still encoded: it is decoded per problem
// when scored, so memory holds the file's text once, not its inflated tests); each row's tests are
// decoded once here to check them, so a corrupt row fails before any generation.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb::eval {

// The largest file read (code_generation_lite's biggest file is about 1.3 GB; this leaves room).
inline constexpr uint64_t kLcbMaxFileBytes = 4ull << 30;

// Rows of one file. Errors (one line): a row without the fields the grader needs, or with tests
// that do not decode. A prompts-only file such as ../shared/datasets/livecodebench_v5/
// livecodebench_v5.jsonl (QwQ's copy, no tests) is refused with a line saying it cannot be scored.
std::vector<nlohmann::json> read_lcb_jsonl(const std::string& path, uint64_t max_bytes = kLcbMaxFileBytes);

}  // namespace lfmb::eval
