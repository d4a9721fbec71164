#include "kernels/read_bandwidth.h"

#include "core/io/anonymous_mapping.h"

#include <immintrin.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>

#include "bench/stats.h"

namespace lfmb {

namespace {

// XORs the loaded bytes so the loads cannot be optimised away. AVX2 when the CPU has it, since
// wide loads are what the matmul kernels use, and in the pattern of the int8 decode kernels: four
// streams over the quarters of the range, each prefetched 2 KiB ahead. A single sequential
// stream is not the best read the machine does — the Q8_0 decode kernel read up to 13 % faster
// than it (bench_kernels vs_read 0.87) and decode rooflines came out above 100 % — and the
// roofline's ceiling must be that best read.
__attribute__((target("avx2"))) uint64_t read_avx2(const uint8_t* p, size_t n) {
  constexpr int kStreams = 4;
  constexpr size_t kAhead = 2048;
  const size_t quarter = n / kStreams / 64 * 64;
  __m256i acc[kStreams];
  for (int s = 0; s < kStreams; ++s) acc[s] = _mm256_setzero_si256();
  for (size_t i = 0; i < quarter; i += 64)
    for (int s = 0; s < kStreams; ++s) {
      const uint8_t* b = p + size_t(s) * quarter + i;
      _mm_prefetch(reinterpret_cast<const char*>(b) + kAhead, _MM_HINT_T0);
      acc[s] = _mm256_xor_si256(acc[s], _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b)),
                                                          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 32))));
    }
  for (size_t i = kStreams * quarter; i + 32 <= n; i += 32)  // the last < 4·64 bytes
    acc[0] = _mm256_xor_si256(acc[0], _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i)));
  const __m256i all = _mm256_xor_si256(_mm256_xor_si256(acc[0], acc[1]), _mm256_xor_si256(acc[2], acc[3]));
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), all);
  return lanes[0] ^ lanes[1] ^ lanes[2] ^ lanes[3];
}

uint64_t read_scalar(const uint8_t* p, size_t n) {
  uint64_t acc = 0;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, p + i, 8);
    acc ^= v;
  }
  return acc;
}

}  // namespace

uint64_t stream_read(const uint8_t* p, size_t n) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2 ? read_avx2(p, n) : read_scalar(p, n);
}

BandwidthResult measure_read_bandwidth(int threads, size_t buffer_bytes, int repetitions) {
  threads = std::max(1, threads);
  buffer_bytes = std::max<size_t>(buffer_bytes / (128 * size_t(threads)), 1) * 128 * size_t(threads);
  // Huge pages where the kernel gives them, like a model built in memory: the figure is the best
  // streaming read this machine does, the ceiling weight kernels are measured against.
  AnonymousMapping buf(buffer_bytes);
  uint8_t* raw = buf.data();
  std::memset(raw, 1, buffer_bytes);  // fault every page in before timing
  const size_t share = buffer_bytes / size_t(threads);

  BandwidthResult r;
  r.threads = threads;
  r.buffer_bytes = buffer_bytes;
  std::vector<uint64_t> sink(static_cast<size_t>(threads));
  // Threads start each pass together at a barrier; the pass time is the slowest thread's.
  std::barrier sync(threads);
  std::vector<double> seconds;
  auto pass = [&](int t) {
    const uint8_t* p = raw + size_t(t) * share;
    sink[size_t(t)] ^= stream_read(p, share);
  };
  for (int rep = -1; rep < repetitions; ++rep) {
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back([&, t] {
      sync.arrive_and_wait();
      pass(t);
    });
    sync.arrive_and_wait();
    const auto t0 = std::chrono::steady_clock::now();
    pass(0);
    for (auto& th : pool) th.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (rep >= 0) r.samples_gbps.push_back(double(buffer_bytes) / s / 1e9);
  }
  volatile uint64_t keep = 0;
  for (uint64_t v : sink) keep = keep ^ v;
  (void)keep;
  r.median_gbps = summarize(r.samples_gbps).median;
  return r;
}

}  // namespace lfmb
