// Printers for test results: a markdown table with llama-bench's familiar columns (plus roofline
// share), CSV with every scalar field, and a model-vs-model speed ratio table.
#pragma once
#include <string>
#include <vector>

#include "bench/test_result.h"

namespace lfmb {

std::string results_markdown(const std::vector<TestResult>& results);
std::string results_csv(const std::vector<TestResult>& results);
// For every (backend, dtype, threads, test) measured with more than one model: the first model's
// t/s divided by each other model's (e.g. LFM2-8B-A1B ÷ Qwen3-1.7B decode speed per backend).
// Empty when fewer than two models were measured.
std::string ratio_markdown(const std::vector<TestResult>& results);

}  // namespace lfmb
