#include "kernels/int8_peak.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "kernels/simd_helpers.h"

#define LFMB_TARGET_AVX_VNNI __attribute__((target("avx2,fma,f16c,avxvnni")))

namespace lfmb {

namespace {

// Each loop keeps 12 independent accumulators (more than latency × issue width needs) and returns
// their sum, so nothing is optimised away. Returns int8 multiply-adds done.
constexpr int kChains = 12;

LFMB_TARGET_AVX512 int64_t run_avx512(int64_t iters, int32_t* sink) {
  __m512i acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_epi32(i);
  const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
  for (int64_t it = 0; it < iters; ++it)
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
  __m512i s = acc[0];
  for (int i = 1; i < kChains; ++i) s = _mm512_add_epi32(s, acc[i]);
  *sink = _mm512_reduce_add_epi32(s);
  return iters * kChains * 64;
}

LFMB_TARGET_AVX_VNNI int64_t run_avxvnni(int64_t iters, int32_t* sink) {
  __m256i acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_epi32(i);
  const __m256i a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(-2);
  for (int64_t it = 0; it < iters; ++it)
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_dpbusd_avx_epi32(acc[i], a, b);
  __m256i s = acc[0];
  for (int i = 1; i < kChains; ++i) s = _mm256_add_epi32(s, acc[i]);
  *sink = _mm256_extract_epi32(s, 0) + _mm256_extract_epi32(s, 7);
  return iters * kChains * 32;
}

// vpmaddubsw: 32 multiply-adds into 16 int16 pair sums (the packed GEMM then widens with vpmaddwd).
LFMB_TARGET_AVX2 int64_t run_avx2(int64_t iters, int32_t* sink) {
  __m256i acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_epi16(int16_t(i));
  const __m256i a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(-2);
  for (int64_t it = 0; it < iters; ++it)
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_add_epi16(acc[i], _mm256_maddubs_epi16(a, b));
  __m256i s = acc[0];
  for (int i = 1; i < kChains; ++i) s = _mm256_add_epi16(s, acc[i]);
  *sink = _mm256_extract_epi16(s, 0);
  return iters * kChains * 32;
}

int64_t run(Int8GemmPath path, int64_t iters, int32_t* sink) {
  switch (path) {
    case Int8GemmPath::Avx512Vnni: return run_avx512(iters, sink);
    case Int8GemmPath::AvxVnni: return run_avxvnni(iters, sink);
    case Int8GemmPath::Avx2: return run_avx2(iters, sink);
    case Int8GemmPath::Scalar: return 0;
  }
  return 0;
}

// One timed run on `threads` threads, each doing `iters` iterations: GOPS.
double timed_run(Int8GemmPath path, int threads, int64_t iters) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<int32_t> sinks(static_cast<size_t>(threads) * 16);
  std::vector<int64_t> macs(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      macs[size_t(t)] = run(path, iters, &sinks[size_t(t) * 16]);
    });
  while (ready.load() < threads) std::this_thread::yield();
  const auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  for (auto& th : pool) th.join();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int64_t total = 0;
  for (int64_t m : macs) total += m;
  return 2.0 * double(total) / s / 1e9;
}

}  // namespace

Int8PeakResult measure_int8_peak(Int8GemmPath path, int threads, int repetitions) {
  Int8PeakResult r;
  r.threads = std::max(1, threads);
  if (path == Int8GemmPath::Scalar) return r;
  r.instruction = std::string(path == Int8GemmPath::Avx512Vnni ? "vpdpbusd zmm"
                              : path == Int8GemmPath::AvxVnni  ? "vpdpbusd ymm"
                                                               : "vpmaddubsw ymm") +
                  " (" + std::string(int8_gemm_path_name(path)) + ")";
  // Size the runs to about 20 ms from a short probe (at a few GHz, 1 to 2 instructions a cycle).
  const double probe = timed_run(path, 1, 20000);
  const double macs_per_s = probe * 1e9 / 2;
  const int64_t per_iter = int64_t(kChains) * (path == Int8GemmPath::Avx512Vnni ? 64 : 32);
  const int64_t iters = std::max<int64_t>(1000, int64_t(macs_per_s * 0.02 / double(per_iter)));
  timed_run(path, r.threads, iters);  // warm-up
  for (int i = 0; i < std::max(1, repetitions); ++i) r.samples_gops.push_back(timed_run(path, r.threads, iters));
  std::vector<double> s = r.samples_gops;
  std::sort(s.begin(), s.end());
  r.median_gops = s[s.size() / 2];
  return r;
}

}  // namespace lfmb
