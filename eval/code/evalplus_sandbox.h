// Runs lfmb's HumanEval+ driver (evalplus_driver.py, embedded in the binary) in the code sandbox:
// one mode, its input files under /input, one JSON line back. Everything evalplus executes --
// canonical solutions for the ground truth as well as model-written candidates -- goes through
// here, so nothing of it runs outside run_sandboxed.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/sandbox/sandbox.h"

namespace lfmb::eval {

// SHA-256 of the driver and the guard module it imports (part of the ground-truth cache key).
const std::string& evalplus_driver_sha256();

// evalplus's memory limit: min(4 GiB, physical RAM) (query_maximum_memory_bytes).
uint64_t evalplus_memory_bytes();

// Runs `python3 driver.py MODE /input` with the files and limits; returns the JSON line the driver
// printed, or nullopt with `why` (the sandbox status and the end of its stderr) when it printed
// none. `r` receives the sandbox result. run_sandboxed's own error (no sandbox here) propagates.
std::optional<nlohmann::json> try_run_evalplus_driver(const std::string& mode, std::vector<SandboxFile> files,
                                                      const SandboxLimits& limits, SandboxResult& r, std::string& why);

// As above, but no result is an lfmb::Error "evalplus driver (MODE, WHAT): WHY".
nlohmann::json run_evalplus_driver(const std::string& mode, std::vector<SandboxFile> files, const SandboxLimits& limits,
                                   const std::string& what);

// sys.version of the sandbox's Python (asked once per process).
const std::string& evalplus_python_version();

}  // namespace lfmb::eval
