// Measures one run (a model on a backend with given threads) the way llama-bench does: pp =
// prefill n_prompt random tokens; tg = decode n_gen random tokens one at a time; both after
// filling `depth` positions untimed; warm-up repetitions are not recorded. Adds what llama-bench
// lacks: time to first token, load time, peak RSS, the decode roofline and MoE routing counts.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bench/run_params.h"
#include "bench/test_result.h"
#include "kernels/int8_peak.h"
#include "kernels/read_bandwidth.h"

namespace lfmb {

class Model;

// One test of a run: prefill (pp) when n_gen == 0, decode (tg) when n_prompt == 0, both in one
// timed span (llama-bench's -pg, t/s over n_prompt + n_gen tokens) otherwise.
struct TestSpec {
  int n_prompt = 0;
  int n_gen = 0;
  int depth = 0;
  int n_seq = 1;  // decode tests: sequences decoding together (Session::decode_batch)
};

// The run's tests in llama-bench order: every pp (n_prompt × depth), then every tg (n_seq × depth).
std::vector<TestSpec> planned_tests(const RunParams& p);
// Context positions the tests need: depth + n_prompt + 1 (the first generated token, for time to
// first token) for pp, depth + n_gen for tg.
int context_needed(const std::vector<TestSpec>& tests);
// threads = 0 means every logical processor.
int resolved_threads(int threads);

class ThroughputRunner {
 public:
  using ProgressFn = std::function<void(const std::string& what)>;

  // What the caller hears during a run, so finished work can be kept as it is made.
  struct Hooks {
    ProgressFn progress;  // each test and repetition
    // Each test as it finishes, before the next starts. Its peak_rss_bytes is the high-water mark
    // so far; the records run() returns carry the run's final one.
    std::function<void(const TestResult&)> on_result;
    // Called at safe points (before loading, before each test and each repetition): it may throw
    // to abandon the run, dropping the unfinished test.
    std::function<void()> checkpoint;
    // After the model is loaded, before the first test (e.g. to print its memory plan: -v).
    std::function<void(const Model&)> on_loaded;
  };

  // `bandwidth_buffer_bytes` sizes the read-bandwidth probe; it must exceed the last-level cache
  // for a meaningful roofline (tests pass a small one to stay fast).
  explicit ThroughputRunner(size_t bandwidth_buffer_bytes = size_t(512) << 20);

  // Loads the model (synthesizing it in memory when asked), runs `tests`, unloads it. The run
  // must have passed validate_run(). `progress` hears about each test and repetition.
  std::vector<TestResult> run(const RunParams& p, const std::vector<TestSpec>& tests, const Hooks& hooks);
  std::vector<TestResult> run(const RunParams& p, const std::vector<TestSpec>& tests, const ProgressFn& progress = nullptr) {
    return run(p, tests, Hooks{progress, nullptr, nullptr, nullptr});
  }
  std::vector<TestResult> run(const RunParams& p, const ProgressFn& progress = nullptr) {
    return run(p, planned_tests(p), progress);
  }

  // Memory read bandwidth with `threads` threads, measured once per process and thread count
  // before the first model loads (the results file's record). Each decode test's roofline uses
  // its own measurement, taken just before the test.
  const BandwidthResult& bandwidth(int threads);
  // The same when already measured in this process, else nullptr (never starts a measurement).
  const BandwidthResult* measured_bandwidth(int threads) const;
  // The int8 compute peak on `threads` threads for the native kernels' path, measured once per
  // process and thread count before the first model loads.
  const Int8PeakResult& int8_peak(int threads);

 private:
  size_t bandwidth_buffer_bytes_;
  std::map<int, BandwidthResult> bandwidth_;
  std::map<int, Int8PeakResult> int8_peak_;
};

}  // namespace lfmb
