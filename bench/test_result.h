// One measured test (llama-bench style: "pp512", "tg128", "tg128 @ d4096") and its record in the
// versioned results JSON. Raw per-repetition samples are kept, not only summaries.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/stats.h"

namespace lfmb {

inline constexpr const char* kResultSchema = "lfmb.throughput/1";

struct TestResult {
  // What was measured.
  std::string model;            // label: file name or "lfm2-8b-a1b Q4_0 (synth)"
  std::string architecture;
  uint64_t model_size_bytes = 0;
  int64_t n_params = 0, n_params_active = 0;
  std::string backend, dtype, kernel;
  int threads = 0;
  std::string test;             // "pp512", "tg128", "tg128 @ d4096", "pp512+tg128" (prefill then decode)
  int n_prompt = 0, n_gen = 0, depth = 0;
  int n_seq = 1;                // sequences decoding together (tg tests); t/s is their aggregate
  // Measurements (after warm-up).
  std::vector<double> samples_ns;   // wall time per repetition
  std::vector<double> samples_ts;   // tokens per second per repetition
  Summary ts;
  double ttft_ms = 0;               // pp tests: prompt -> first generated token
  double load_ms = 0;               // model load (map/synthesize + backend prepare)
  uint64_t peak_rss_bytes = 0;
  // Decode roofline (tg tests): active bytes per token / measured read bandwidth, where the
  // bandwidth is probed before each measured repetition and after the last; repetition i is
  // compared with the mean of probes i and i+1.
  uint64_t decode_bytes_per_token = 0;
  std::vector<double> bandwidth_samples_gbps;  // the probes, in order
  double bandwidth_gbps = 0;                   // their mean
  double roofline_ts = 0;                      // tokens/s if decode ran at memory bandwidth (mean)
  std::vector<double> samples_roofline_pct;    // achieved share per repetition
  double roofline_pct = 0;                     // their mean
  // Prefill against the int8 compute wall (pp tests): 2 · the weight multiply-adds of one prompt
  // token (every matrix a token passes through, its routed experts only; not the LM head, which a
  // prompt runs once, nor attention scores) per second, over the measured peak of the CPU's int8
  // dot instruction (kernels/int8_peak.h) on the same threads, measured before the model loaded.
  uint64_t prefill_macs_per_token = 0;
  double int8_peak_gops = 0;
  double peak_pct = 0;
  nlohmann::json routing;           // MoE: tokens per expert per layer (tg tests), else null
  nlohmann::json params;            // the run's full parameters
  // Provenance of this record (llama-bench's names): when the test finished (UTC, ISO 8601) and
  // the lfmb commit that measured it. A resumed file can hold records of several commits and days.
  std::string test_time, build_commit;
  nlohmann::json noise;             // bench/noise.h: spread and bandwidth drift, "noisy" flag (null if not checked)

  nlohmann::json to_json() const;
  static TestResult from_json(const nlohmann::json& j);
};

// Test name as llama-bench writes it, plus " xN" for N sequences decoding together.
std::string test_name(int n_prompt, int n_gen, int depth, int n_seq = 1);

// The backend column of reports: "onednn", or "onednn int8" when a dtype is set.
std::string backend_text(const TestResult& r);
// The params column: "8.34 B", "596.05 M"; "" when unknown (0).
std::string params_text(int64_t n_params);

}  // namespace lfmb
