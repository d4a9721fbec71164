// The HumanEval+ problems as the sandbox driver needs them: each dataset line's exact text, keyed
// by task_id. The line travels into the sandbox unparsed, because json.loads there (evalplus's
// stream_jsonl) keeps what a C++ JSON value cannot: 2,361 of the inputs are integers beyond 64 bits.
#pragma once
#include <cstddef>
#include <map>
#include <string>

namespace lfmb::eval {

struct EvalplusProblem {
  std::string task_id, entry_point;
  std::string line;              // the dataset line, byte for byte
  size_t n_base = 0, n_plus = 0; // inputs per set
};

// Reads a HumanEval+ JSONL file (HumanEvalPlus.jsonl v0.1.10 layout: task_id, prompt,
// entry_point, canonical_solution, base_input, plus_input, atol). Throws lfmb::Error naming
// FILE:LINE for a line that is not such a problem, or a task_id seen twice.
std::map<std::string, EvalplusProblem> load_evalplus_problems(const std::string& path);

}  // namespace lfmb::eval
