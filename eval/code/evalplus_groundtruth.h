// HumanEval+'s expected outputs: evalplus get_groundtruth runs each problem's canonical solution
// (prompt + canonical_solution) on every base and plus input and records the outputs and the time
// each input took (t_gt, which sets the candidates' time limits). lfmb does that in the sandbox,
// once per problem, and caches the result on disk.
//
// Cache: DIR/<key>.json, DIR = $XDG_CACHE_HOME/lfmb/evalplus (else ~/.cache/lfmb/evalplus), key =
// SHA-256 of (driver source hash, sandbox Python's sys.version, the problem's dataset line). The
// line is the problem's exact bytes, so this is the dataset hash evalplus keys its pickle by, per
// problem (a --limit run computes only what it scores). Files are written atomically.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "eval/code/evalplus_problems.h"

namespace lfmb::eval {

struct EvalplusGroundTruth {
  std::string base, plus;                    // the outputs: base64 zlib pickles, read only by the sandbox driver
  std::vector<double> base_time, plus_time;  // seconds per input (trusted_exec's time.time() deltas)
  double seconds = 0;                        // the sandbox run that computed them
  bool from_cache = false;
};

// The default cache folder ("" when neither XDG_CACHE_HOME nor HOME is set: no caching).
std::string evalplus_cache_dir();

// Ground truth of the problems (by task_id), computed at most `parallel` sandboxes at a time, with
// a progress line on stderr when `progress` is set. cache_dir "" disables the cache. A canonical
// solution that fails is an lfmb::Error naming the problem.
std::map<std::string, EvalplusGroundTruth> evalplus_ground_truth(const std::vector<const EvalplusProblem*>& problems,
                                                                 const std::string& cache_dir, size_t parallel,
                                                                 bool progress);

// Runs fn(i) for i in [0, n) on at most `parallel` threads; the first exception is rethrown after
// all threads stopped. `done(k)` is called (serialized) after each item.
void evalplus_parallel_for(size_t n, size_t parallel, const std::function<void(size_t)>& fn,
                           const std::function<void(size_t)>& done);

}  // namespace lfmb::eval
