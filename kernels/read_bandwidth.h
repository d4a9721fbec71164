// Measures the machine's memory read bandwidth the way a decode step uses memory: every thread
// streams through its share of a buffer much larger than the last-level cache. The throughput
// roofline divides the bytes one token must read by this figure, measured in the same run.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lfmb {

struct BandwidthResult {
  double median_gbps = 0;          // 1e9 bytes per second
  std::vector<double> samples_gbps;
  int threads = 1;
  size_t buffer_bytes = 0;
};

// Reads n bytes (64-byte aligned) once with the widest loads this CPU has; returns a checksum so
// the loads cannot be optimised away.
uint64_t stream_read(const uint8_t* p, size_t n);

// `repetitions` timed passes over a `buffer_bytes` buffer (after one untimed pass that also
// faults the pages in), split across `threads` threads.
BandwidthResult measure_read_bandwidth(int threads, size_t buffer_bytes = size_t(512) << 20, int repetitions = 7);

}  // namespace lfmb
