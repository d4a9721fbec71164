// The test cases of a LiveCodeBench problem, decoded as LiveCodeBench/LiveCodeBench 28fef95ea8c9
// lcb_runner/benchmarks/code_generation.py does: `public_test_cases` is JSON text; `private_test_cases`
// is JSON text or, when json.loads fails, base64 -> zlib -> pickle (one str) -> JSON. Each test is
// {input, output, testtype: stdin|functional}. The grader gets public + private tests in that order
// (get_evaluation_sample). Every size is bounded before memory is reserved.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb::eval {

struct LcbTest {
  std::string input, output;
  bool functional = false;   // testtype "functional" (LeetCode, call-based) or "stdin"
};

// Caps on one problem's private tests (the largest rows of code_generation_lite are tens of MB
// encoded; these leave ample room and keep a corrupt or hostile row from exhausting memory).
struct LcbDecodeLimits {
  uint64_t max_encoded_bytes = 1ull << 30;   // the field's text (base64 or JSON)
  uint64_t max_inflated_bytes = 1ull << 30;  // the zlib output (the pickle)
};

// Python's base64.b64decode(s) (validate=False): characters outside the alphabet are skipped, the
// first padding that completes a quantum ends the data, a final quantum of one character or an
// unpadded one of two or three is an error ("Incorrect padding").
std::string py_b64decode(std::string_view text);

// Python's zlib.decompress(data) (zlib header, checksum checked, bytes after the stream ignored),
// an error when the output would exceed max_bytes or the stream ends early.
std::string zlib_inflate(std::string_view data, uint64_t max_bytes);

// A JSON list of test objects -> tests. `what` names the field in errors.
std::vector<LcbTest> parse_lcb_tests(std::string_view json_text, const std::string& what);

// private_test_cases as LiveCodeBench decodes it (JSON first, then base64/zlib/pickle/JSON).
std::vector<LcbTest> decode_private_tests(std::string_view field, const LcbDecodeLimits& limits = {});

// The grader's sample: {"inputs": [...], "outputs": [...], "fn_name": metadata.func_name or null}
// from a dataset row (public then private tests). Errors name the row's question_id.
nlohmann::json lcb_grader_sample(const nlohmann::json& row, const LcbDecodeLimits& limits = {});

}  // namespace lfmb::eval
