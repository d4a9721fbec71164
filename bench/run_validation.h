// Refuses impossible runs before anything is loaded or synthesized, so a long sweep does not die
// half-way: unknown backend or preset, a dtype the backend lacks, tests longer than the model's
// context, a model that does not fit in memory.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "bench/run_config.h"
#include "bench/run_params.h"
#include "bench/throughput_runner.h"

namespace lfmb {

// `where(key)` is the message prefix naming where the key's value came from, e.g.
// "configs/x.yaml:12: key 'backend'"; errors read "<where>: <problem>".
using WhereFn = std::function<std::string(const std::string& key)>;

// Throws lfmb::Error on the first problem found. `tests` default to planned_tests(p).
void validate_run(const RunParams& p, const std::vector<TestSpec>& tests, const WhereFn& where);
void validate_run(const RunParams& p, const WhereFn& where);

// Why the run's backend cannot compute in its dtype on this CPU ("backend 'onednn' has no dtype
// 'bf16' (available: f32, int8)"), or "" when it can (or the backend is unknown: validate_run says so).
std::string unavailable_dtype(const RunParams& p);

// A config with skip_unavailable: removes the runs unavailable_dtype() refuses and returns one
// "<run>: <reason>" line for each; throws lfmb::Error if none would be left. Otherwise a no-op.
std::vector<std::string> drop_unavailable_runs(RunConfig& cfg);

}  // namespace lfmb
