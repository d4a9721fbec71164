#include "bench/noise.h"

#include <fmt/format.h>

#include "bench/stats.h"

namespace lfmb {

NoiseCheck check_noise(const TestResult& r) {
  NoiseCheck n;
  const Summary ts = summarize(r.samples_ts);
  if (ts.n >= 2 && ts.mean > 0) n.rel_stddev = ts.stddev / ts.mean;
  const Summary bw = summarize(r.bandwidth_samples_gbps);
  if (bw.n >= 2 && bw.median > 0) n.bandwidth_drift = (bw.max - bw.min) / bw.median;
  n.noisy_spread = n.rel_stddev > kNoisyRelativeStddev;
  n.noisy_bandwidth = n.bandwidth_drift > kNoisyBandwidthDrift;
  return n;
}

std::string NoiseCheck::cell() const {
  if (!noisy()) return "";
  std::string s = "!";
  if (noisy_spread) s += fmt::format(" sd {:.1f} %", 100 * rel_stddev);
  if (noisy_bandwidth) s += fmt::format(" bw {:.0f} %", 100 * bandwidth_drift);
  return s;
}

nlohmann::json NoiseCheck::to_json() const {
  return {{"noisy", noisy()},
          {"rel_stddev", rel_stddev},
          {"bandwidth_drift", bandwidth_drift},
          {"thresholds", {{"rel_stddev", kNoisyRelativeStddev}, {"bandwidth_drift", kNoisyBandwidthDrift}}}};
}

std::string noise_legend() {
  return fmt::format("! noisy: t/s stddev above {:.0f} % of the mean (sd), or the memory bandwidth probed during the test "
                     "moved by more than {:.0f} % (bw); rerun, or read with care\n",
                     100 * kNoisyRelativeStddev, 100 * kNoisyBandwidthDrift);
}

}  // namespace lfmb
