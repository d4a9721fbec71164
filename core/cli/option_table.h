// lfmb's one vocabulary of model and measurement options. One row per setting: its flags (the
// first is the canonical one, the rest aliases, llama-bench's names where it has one and lfmb's
// older names so scripts keep working), its type, default, unit, meaning, the commands that take
// it and its YAML key in run configs. The rows drive the option lists of `bench`, `run`, `logits`,
// `generate` and `eval` (args.h parses them), the YAML keys of run configs (bench/run_params.cpp
// takes its help from here) and docs/config.md (config_reference_markdown(), checked by a test),
// so a setting cannot have two names, two defaults or two units.
#pragma once
#include <string>
#include <vector>

#include "core/cli/args.h"

namespace lfmb {

// The commands that share the vocabulary (a bit each, so a row can list several).
enum VocabCommand : unsigned {
  kCmdBench = 1u << 0,
  kCmdRun = 1u << 1,
  kCmdLogits = 1u << 2,
  kCmdGenerate = 1u << 3,
  kCmdEval = 1u << 4,
};
inline constexpr unsigned kCmdModel = kCmdLogits | kCmdGenerate | kCmdEval;  // run one model
inline constexpr unsigned kCmdAll = kCmdBench | kCmdRun | kCmdModel;

struct OptionDef {
  std::string key;         // unique id; the YAML key of a run config when `yaml` is true
  std::string flags;       // "--threads,-t": canonical flag first, then aliases ("" = YAML only)
  std::string value_name;  // "N", "0|1", ...; "" for a flag without a value
  std::string type;        // for the docs: "integer", "list of integers", "true|false", ...
  std::string default_value;
  std::string unit;        // "tokens", "threads", "" when none
  std::string help;
  unsigned commands = 0;   // VocabCommand bits of the commands whose CLI takes the flags
  bool yaml = false;       // a key of run configs (run:, sweep:, --set)
  bool list = false;       // bench: comma lists and repeated flags combine (llama-bench's rule)
  std::string ignored{};   // non-empty: accepted and ignored; the reason is printed on stderr
};

const std::vector<OptionDef>& option_table();
// The row with this key; throws std::logic_error when there is none (a programming error).
const OptionDef& option_def(const std::string& key);
// The canonical flag of a row ("--threads"): the name ParsedArgs files its values under.
std::string canonical_flag(const std::string& key);

// The option list of one command's CLI: every row it takes, in table order.
std::vector<OptionSpec> vocabulary_options(VocabCommand command);

// "native" / "onednn:int8" -> backend and dtype ("" when not given). A usage error when either
// side is empty.
struct BackendChoice {
  std::string backend, dtype;
};
BackendChoice parse_backend_choice(const std::string& text, const std::string& flag);

// llama-bench's -b is the batch size and lfmb's -b named a backend; both are kept: a number is a
// batch size, anything else a backend (optionally backend:dtype). Splits --batch-size's items.
struct BatchOrBackend {
  std::vector<std::string> batch_sizes, backends;
};
BatchOrBackend split_batch_or_backend(const std::vector<std::string>& items);

// The YAML reference of run configs (docs/config.md, `lfmb run --help-config`) and the command
// line vocabulary table, generated from option_table().
std::string config_reference_markdown();

// "lfmb 0.1.0 (commit 0123456789ab)"
std::string version_text();

// s is one or more ASCII digits ("12"; not "", "-1" or "1.5"): a batch size among backend names.
bool is_number(const std::string& s);

}  // namespace lfmb
