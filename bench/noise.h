// Is a measured row noisy? On a shared 2-core VM the same test can swing by tens of percent, and
// a mean with a large spread, or one measured while the memory bandwidth moved, should not be
// read like a steady one. A row is flagged when either threshold is passed:
//   - relative spread: sample stddev / mean of the per-repetition t/s above 5 %;
//   - bandwidth drift (decode tests): the read-bandwidth probes taken around the repetitions
//     differ by more than 10 % ((max - min) / median).
// The flag goes into the live table (the `noise` column) and the record ("noise": {...}).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "bench/test_result.h"

namespace lfmb {

inline constexpr double kNoisyRelativeStddev = 0.05;
inline constexpr double kNoisyBandwidthDrift = 0.10;

struct NoiseCheck {
  double rel_stddev = 0;       // stddev / mean of samples_ts (0 with fewer than 2 samples)
  double bandwidth_drift = 0;  // (max - min) / median of the bandwidth probes (0 without probes)
  bool noisy_spread = false, noisy_bandwidth = false;

  bool noisy() const { return noisy_spread || noisy_bandwidth; }
  // "", "! sd 7.2 %", "! bw 26 %", "! sd 7.2 % bw 26 %": the table's cell.
  std::string cell() const;
  // {"noisy": bool, "rel_stddev": x, "bandwidth_drift": y, "thresholds": {...}}
  nlohmann::json to_json() const;
};

NoiseCheck check_noise(const TestResult& r);

// The line printed under a table with a noisy row.
std::string noise_legend();

}  // namespace lfmb
