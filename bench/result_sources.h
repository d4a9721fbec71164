// Throughput rows read back from files for `lfmb report`, each with the file it came from: the
// file's date, lfmb commit, device and config, so rows measured twice (two files, two days) are
// shown apart rather than merged. Reads `lfmb run` result files (schema lfmb.throughput/1) and
// `lfmb bench -o json|jsonl` output (llama-bench's field names; llama-bench's own JSON reads the
// same way); recognises the JSON files it cannot tabulate (Google Benchmark kernel results,
// anything else) so the caller can skip them with a note.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/test_result.h"

namespace lfmb {

enum class ResultFileKind {
  Throughput,   // lfmb run: {"schema": "lfmb.throughput/1", ..., "tests": [...]}
  BenchRows,    // lfmb bench -o json / jsonl, llama-bench -o json: [{"avg_ts": ..., "n_prompt": ...}, ...]
  Eval,         // lfmb eval results.json (lm-eval layout)
  KernelBench,  // Google Benchmark JSON (scripts/bench-kernels): {"context": ..., "benchmarks": [...]}
  Unknown,
};

ResultFileKind classify_result_json(const nlohmann::json& j);

// Where a row came from.
struct ResultSource {
  std::string label;   // "#1", "#2", ... in the order the files were given
  std::string file;    // the path as given
  std::string format;  // "lfmb run" or "lfmb bench"
  std::string date;    // run files: "created"; bench rows: the first row's test_time
  std::string commit;  // lfmb commit(s) of the records, "a, b" when a resumed file mixes them
  std::string device;  // "AMD EPYC (amd-epyc-2c-avx2)" or the bench row's cpu_info
  std::string config;  // run files: the config's name; empty for bench rows
  bool complete = true;

  // One line: "#1 results/x.json: lfmb run of config backends, 2026-11-28T22:46:56Z, lfmb 80431ba, AMD EPYC (...)".
  std::string describe() const;
  nlohmann::json to_json() const;
};

struct SourcedResult {
  TestResult result;
  size_t source = 0;  // index into LoadedResults::sources
};

struct LoadedResults {
  std::vector<ResultSource> sources;
  std::vector<SourcedResult> rows;
};

// Reads a result file's text as JSON, or as JSON Lines (one object per line, `bench -o jsonl`)
// when the whole is not one JSON value. Throws lfmb::Error naming `path` when it is neither.
nlohmann::json parse_result_text(const std::string& path, const std::string& text);

// Appends the rows of a Throughput or BenchRows document and its source. Throws lfmb::Error
// naming the file and the record when a record lacks a field the table needs.
void add_result_file(LoadedResults& into, const std::string& path, const nlohmann::json& doc);

// One llama-bench-style row (`lfmb bench -o json`) as a test record; errors start with `where`.
TestResult result_from_bench_row(const nlohmann::json& row, const std::string& where);

}  // namespace lfmb
