// The result files of one `lfmb run`: <base>.json (everything) and <base>.csv (scalar fields),
// kept valid and complete-so-far on disk while the run goes on, so an interrupted run keeps every
// finished measurement and `--resume` finishes it.
//
// After each finished record the whole pair is rewritten as a set (core/io/output_file.h's
// write_outputs): both temp files are written and synced, then the .csv is renamed into place and
// the .json last. A failed write leaves both files as they were. A crash between the two renames
// leaves a .csv one record ahead of the .json (or a .csv without a .json after the first record):
// the .json is the record of what is finished, and --resume reads only it and rewrites the .csv.
//
// Records are matched by identity: the run's full parameters (model, backend, dtype, threads,
// lengths, repetitions, ...) and the test name. The files list records in the order of the plan,
// whichever process measured them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/test_result.h"

namespace lfmb {

// A record's identity: its run's parameters (RunParams::to_json()) and its test name.
std::string record_identity(const nlohmann::json& params, const std::string& test);

// Bytes the pair may take at its largest, generously (raw samples, MoE routing tables, and room
// for the temp files that sit beside the old pair while it is rewritten).
uint64_t estimated_result_bytes(size_t n_records, int max_repetitions);

class ResultFiles {
 public:
  // `base` is the path without extension; `planned` the identity of every record of the run, in
  // the order they are made.
  ResultFiles(std::string base, std::vector<std::string> planned);

  std::string json_path() const { return base_ + ".json"; }
  std::string csv_path() const { return base_ + ".csv"; }

  // Checks the outputs before the run starts. Without `resume`, an existing .json or .csv (an
  // earlier run of the same config, same day) is refused with one line suggesting --resume or
  // --out. With `resume`, the .json's records are taken over when it holds this run (same schema
  // and config name, every record one this run plans); a .csv without a .json is a pair whose
  // first write was cut between its renames and is replaced. Temp files left by a killed earlier
  // writer are removed. Also checks that the file system has room for the files.
  void open(bool resume, const std::string& config_name, int max_repetitions);

  // The previous file's top-level fields when resuming one, else null.
  const nlohmann::json& previous() const { return previous_; }

  size_t planned() const { return planned_.size(); }
  size_t finished() const;
  bool has(size_t slot) const { return slots_[slot].has_value(); }
  // Slot of a planned identity; throws lfmb::Error when the run does not plan it.
  size_t slot_of(const std::string& identity) const;
  void set(size_t slot, const TestResult& r);

  // The finished records in plan order.
  std::vector<TestResult> results() const;

  // Rewrites the pair: `header`'s fields, then "complete", "stopped_by" (the signal's name, when
  // `stop_signal` is not 0) and "tests".
  void write(const nlohmann::json& header, bool complete, int stop_signal) const;

 private:
  struct Record {
    nlohmann::json json;  // as written (kept verbatim when taken over from an earlier file)
    TestResult result;
  };
  void remove_stale_temps() const;

  std::string base_;
  std::vector<std::string> planned_;
  std::vector<std::optional<Record>> slots_;
  nlohmann::json previous_;
};

}  // namespace lfmb
