// The int8 compute wall: int8 multiply-adds per second this CPU's dot-product instruction sustains
// on `threads` threads, from register-only loops (no memory traffic) of the instruction the packed
// GEMM's path uses (vpdpbusd zmm / ymm, or vpmaddubsw without VNNI). The throughput reports give
// prefill as a share of it, as they give decode as a share of the measured read bandwidth.
#pragma once
#include <string>
#include <vector>

#include "kernels/gemm_packed_int8.h"

namespace lfmb {

struct Int8PeakResult {
  double median_gops = 0;         // 1e9 int8 operations per second (a multiply-add counts 2)
  std::vector<double> samples_gops;
  int threads = 1;
  std::string instruction;        // e.g. "vpdpbusd zmm (avx512-vnni)"; empty for the scalar path
};

// `repetitions` timed runs of about 20 ms each after one untimed warm-up run (which also lets the
// cores reach their AVX clock). A scalar path measures nothing (median 0).
Int8PeakResult measure_int8_peak(Int8GemmPath path, int threads, int repetitions = 5);

}  // namespace lfmb
