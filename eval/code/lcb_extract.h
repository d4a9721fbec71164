// The program in a model's answer, as LiveCodeBench/LiveCodeBench 28fef95ea8c9
// lcb_runner/utils/extraction_utils.py extract_code does for chat models (LMStyle.OpenAIChat and
// every style but CodeLLaMaInstruct/GenericBase): split the response on "\n", find the lines that
// contain "```" anywhere, and return the lines strictly between the LAST two of them joined by
// "\n"; fewer than two such lines give "" (which then fails every test).
#pragma once
#include <string>
#include <string_view>

namespace lfmb::eval {

std::string lcb_extract_code(std::string_view response);

}  // namespace lfmb::eval
