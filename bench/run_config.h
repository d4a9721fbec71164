// A YAML run/sweep config: base values, swept keys (cartesian product), excluded combinations.
//
//   name: backends                 # optional; default: the file's base name
//   description: ...
//   run:                           # values for every run (any key of run_fields())
//     model: {preset: lfm2-8b-a1b, type: q4_0, seed: 1}
//     n_prompt: 512
//   sweep:                         # each key lists values; every combination is run
//     backend: [native, onednn, openblas]
//     threads: [1, 2]
//   exclude:                       # combinations to skip (all listed keys must match)
//     - {backend: openblas, threads: 1}
//   skip_unavailable: true         # skip (with a note) runs whose backend lacks the dtype on
//                                  # this CPU, e.g. onednn bf16 without avx512_bf16; default false
//
// Every problem is an lfmb::Error "FILE:LINE: key 'k': what is wrong".
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bench/run_params.h"

namespace lfmb {

struct RunConfig {
  std::string path;
  std::string name;
  std::string description;
  std::vector<RunParams> runs;  // expanded, exclusions removed, in sweep order
  std::vector<std::string> swept_keys;
  bool skip_unavailable = false;
  std::vector<std::string> overrides;  // the --set key=value strings applied, in order
  // Per run: key -> where its value came from ("FILE:LINE" or "--set k=v"); absent = default.
  std::vector<std::map<std::string, std::string>> origins;

  // "FILE:LINE: key 'k'" for messages about run `run`'s value of `key` (checks made after
  // loading, such as an unknown backend or a model that does not fit in memory).
  std::string where(size_t run, const std::string& key) const;
};

// Largest sweep `lfmb run` expands unless --max-combinations raises it: the product of the swept
// lists' lengths, and the total number of tests (pp/tg x depth) over all runs, are each checked
// against it before anything is expanded.
inline constexpr uint64_t kDefaultMaxCombinations = 10000;

// `overrides` are "key=value" strings (value parsed as YAML) applied over the file: a single
// value ends a key's sweep; a list ("a,b" or "[a, b]") replaces a swept key's list, sweeps a
// single-valued key, or is the value of a list key (n_prompt, depth). The file is read with a size limit (kMaxConfigBytes).
RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides = {},
                          uint64_t max_combinations = kDefaultMaxCombinations);
// Same, from YAML text (path used in messages only).
RunConfig parse_run_config(const std::string& yaml_text, const std::string& path,
                           const std::vector<std::string>& overrides = {},
                           uint64_t max_combinations = kDefaultMaxCombinations);

}  // namespace lfmb
