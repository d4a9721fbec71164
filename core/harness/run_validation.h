// Refuses impossible runs before anything is loaded or synthesized, so a long sweep does not die
// half-way: unknown backend or preset, a dtype the backend lacks, tests longer than the model's
// context, a model that does not fit in memory.
#pragma once
#include <functional>
#include <string>

#include "core/harness/run_params.h"
#include "core/harness/throughput_runner.h"

namespace lfmb {

// `where(key)` is the message prefix naming where the key's value came from, e.g.
// "configs/x.yaml:12: key 'backend'"; errors read "<where>: <problem>".
using WhereFn = std::function<std::string(const std::string& key)>;

// Throws lfmb::Error on the first problem found. `tests` default to planned_tests(p).
void validate_run(const RunParams& p, const std::vector<TestSpec>& tests, const WhereFn& where);
void validate_run(const RunParams& p, const WhereFn& where);

}  // namespace lfmb
