// Printers for test results: a markdown table with llama-bench's familiar columns (plus roofline
// share), CSV with every scalar field (empty where a field does not apply to the test or is not
// known), and the speed ratio table of `lfmb run` (bench/result_ratio.h). The `report_*` variants
// add where each row came from (bench/result_sources.h).
#pragma once
#include <string>
#include <vector>

#include "bench/result_sources.h"
#include "bench/test_result.h"

namespace lfmb {

// The "roofline" cell: a decode test's share of its bandwidth roofline ("61.2 %"), a prefill
// test's share of the int8 compute peak ("48.0 % int8"); empty when not measured.
std::string roofline_text(const TestResult& r);

std::string results_markdown(const std::vector<TestResult>& results);
std::string results_csv(const std::vector<TestResult>& results);
// The default comparison of a run's rows: with more than one model, each model's t/s divided by
// the last model's per backend, dtype, threads and test (LFM2-8B-A1B ÷ Qwen3-1.7B in the quick
// start), ± the standard error (bench/result_ratio.h). Empty when fewer than two models.
std::string ratio_markdown(const std::vector<TestResult>& results);

// `lfmb report`: the markdown table with a `source` column when the rows come from more than one
// file (and n_batch / mmap columns when they vary), then one line per file saying what it is.
std::string report_markdown(const LoadedResults& in);
// The CSV of results_csv plus source, source_file, source_date, build_commit, device.
std::string report_csv(const LoadedResults& in);
// Settings measured more than once (same model, backend, dtype, threads, n_batch, mmap, test):
// one line naming them and their sources, or "" when every row is distinct.
std::string duplicates_note(const LoadedResults& in);

// Renders rows as a markdown table; `right` right-aligns a column (numbers).
std::string markdown_table(const std::vector<std::string>& head, const std::vector<bool>& right,
                           const std::vector<std::vector<std::string>>& rows);

}  // namespace lfmb
