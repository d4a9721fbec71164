// The parameters of one throughput run, and the setters of its YAML keys (`run:`, `sweep:`,
// `--set key=value`). The keys, their help, types and defaults are rows of the option table
// (core/cli/option_table.h), which also drives the CLI flags and docs/config.md.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace YAML {
class Node;
}

namespace lfmb {

// A model to measure: a GGUF path, or a preset synthesized in memory.
struct ModelSpec {
  std::string path;          // set for a file
  std::string preset;        // set for a synthesized model
  std::string type = "q4_0"; // synthesized weight type
  uint64_t seed = 1;

  bool synthesized() const { return path.empty(); }
  std::string label() const;  // "lfm2-8b-a1b Q4_0 (synth)" or the file's base name
  nlohmann::json to_json() const;
};

struct RunParams {
  ModelSpec model;
  std::string backend = "native";
  std::string dtype;                 // backend compute type; "" = backend default
  int threads = 0;                   // 0 = all cores
  std::vector<int> n_prompt = {512}; // prefill tests (pp), 0 entries = none
  int n_gen = 128;                   // decode test (tg) length, 0 = none
  std::vector<int> depth = {0};      // KV/context depth filled before measuring
  std::vector<int> n_seq = {1};      // decode tests: sequences decoding together
  int repetitions = 5;
  int warmup = 1;
  int n_batch = 512;                 // prefill chunk
  int n_ctx = 0;                     // 0 = just enough for the largest test
  bool mmap = true;                  // GGUF files: map (true) or read into huge-page memory

  nlohmann::json to_json() const;    // every field, for the result record
};

// One settable key. `set` parses a YAML value (a --set value is parsed as YAML too) and throws
// lfmb::Error with a message that says what was expected; the caller adds file, line and key.
struct RunField {
  std::string key;
  std::string help;  // from the option table (core/cli/option_table.cpp), like the key's type and default
  std::function<void(RunParams&, const YAML::Node&)> set;
  bool list_value = false;  // the value itself may be a list (n_prompt, depth)
};

const std::vector<RunField>& run_fields();
const RunField* find_run_field(const std::string& key);
std::string run_field_names();  // "model, backend, ..." for error messages

}  // namespace lfmb
