// Fuzz target: LiveCodeBench's private-test decoding (eval/code/lcb_tests, lcb_pickle_str): the
// input as a private_test_cases field (JSON text, or base64 -> zlib -> pickle str -> JSON) with
// small caps, and each stage on its own (pickle reader, inflate, base64), and inside a dataset row.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "eval/code/lcb_pickle_str.h"
#include "eval/code/lcb_tests.h"
#include "tests/fuzz/support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  lfmb::eval::LcbDecodeLimits limits;
  limits.max_encoded_bytes = 1u << 20;
  limits.max_inflated_bytes = 1u << 20;
  lfmb::fuzz::expect_only_lfmb_errors([&] { (void)lfmb::eval::decode_private_tests(bytes, limits); });
  lfmb::fuzz::expect_only_lfmb_errors([&] { (void)lfmb::eval::unpickle_str(bytes); });
  lfmb::fuzz::expect_only_lfmb_errors([&] { (void)lfmb::eval::zlib_inflate(bytes, 1u << 20); });
  lfmb::fuzz::expect_only_lfmb_errors([&] { (void)lfmb::eval::py_b64decode(bytes); });
  // The same bytes as a whole row's private tests (valid public tests and metadata around them).
  nlohmann::json row = {{"question_id", "q"}, {"public_test_cases", "[]"}, {"metadata", "{}"},
                        {"private_test_cases", std::string(bytes)}};
  lfmb::fuzz::expect_only_lfmb_errors([&] { (void)lfmb::eval::lcb_grader_sample(row, limits); });
  return 0;
}
