// Weight-matmul microbenchmarks on the real layer shapes of LFM2-8B-A1B and Qwen3-1.7B, for every
// registered backend × every weight type it supports, at 1/16/128/512 rows, plus the machine's
// memory read bandwidth measured in the same run (so GB/s figures have their ceiling beside them).
//
// Weight buffers rotate: enough copies of each matrix (> 96 MB in all, 3× the 32 MB L3) are
// cycled through that a decode-shaped call reads its weights from memory, not from cache. One-row
// benchmarks also report vs_read: their time over a streaming read of as many bytes after each call.
//
//   ./build/bench_kernels --benchmark_min_time=0.05
//   ./build/bench_kernels --benchmark_filter='native/Q4_0/.*expert.*/rows:1/|mem_read'
//       --benchmark_repetitions=5 --benchmark_report_aggregates_only=true  (one command line)
// Threads per backend: $LFMB_BENCH_THREADS (default: all logical CPUs). Backends with compute types
// (dtypes()) run each: onednn/Q4_0/int8/lfm2-8b-a1b/in_proj/rows:1.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "backends/registry.h"
#include "core/io/anonymous_mapping.h"
#include "bench/device_info.h"
#include "backends/thread_environment.h"
#include "core/gguf/half.h"
#include "core/gguf/tensor_type.h"
#include "kernels/cpu_features.h"
#include "kernels/read_bandwidth.h"

using namespace lfmb;

namespace {

// Bytes of weight copies to rotate through; $LFMB_BENCH_ROTATE_MB=0 measures cache-warm speed.
uint64_t rotate_bytes() {
  if (const char* s = std::getenv("LFMB_BENCH_ROTATE_MB")) return uint64_t(std::atoll(s)) << 20;
  return 96ull << 20;
}

struct Shape {
  const char* model;
  const char* name;
  int64_t n_in, n_out;
  bool moe;  // n_out = expert FFN width; 4 of 32 experts per token through Backend::moe
};

const Shape kShapes[] = {
    {"lfm2-8b-a1b", "in_proj", 2048, 6144, false},   {"lfm2-8b-a1b", "out_proj", 2048, 2048, false},
    {"lfm2-8b-a1b", "attn_q", 2048, 2048, false},    {"lfm2-8b-a1b", "attn_kv", 2048, 512, false},
    {"lfm2-8b-a1b", "attn_o", 2048, 2048, false},    {"lfm2-8b-a1b", "ffn_gate_up", 2048, 7168, false},
    {"lfm2-8b-a1b", "ffn_down", 7168, 2048, false},  {"lfm2-8b-a1b", "router", 2048, 32, false},
    {"lfm2-8b-a1b", "expert_gate_up", 2048, 1792, false}, {"lfm2-8b-a1b", "expert_down", 1792, 2048, false},
    {"lfm2-8b-a1b", "moe_layer", 2048, 1792, true},  {"lfm2-8b-a1b", "lm_head", 2048, 65536, false},
    {"qwen3-1.7b", "attn_q", 2048, 2048, false},     {"qwen3-1.7b", "attn_kv", 2048, 1024, false},
    {"qwen3-1.7b", "attn_o", 2048, 2048, false},     {"qwen3-1.7b", "ffn_gate_up", 2048, 6144, false},
    {"qwen3-1.7b", "ffn_down", 6144, 2048, false},   {"qwen3-1.7b", "lm_head", 2048, 151936, false},
};
constexpr int kExperts = 32, kExpertsUsed = 4;

int bench_threads() {
  if (const char* s = std::getenv("LFMB_BENCH_THREADS")) return std::max(1, std::atoi(s));
  return std::max(1u, std::thread::hardware_concurrency());
}

// Plausible stored bytes without quantising hundreds of MB: random quants/mantissas, small scales.
void fill_weights(TensorType t, uint8_t* p, size_t n_rows, int64_t n_in, uint32_t seed) {
  std::mt19937 rng(seed);
  const size_t rb = row_bytes(t, n_in);
  for (size_t i = 0; i + 4 <= n_rows * rb; i += 4) {
    const uint32_t r = rng();
    std::memcpy(p + i, &r, 4);
  }
  const uint16_t scale = f32_to_f16(0.01f);
  for (size_t r = 0; r < n_rows; ++r) {
    uint8_t* row = p + r * rb;
    if (t == TensorType::Q4_0 || t == TensorType::Q8_0) {
      for (size_t b = 0; b < size_t(n_in / 32); ++b) std::memcpy(row + b * block_bytes(t), &scale, 2);
    } else if (t == TensorType::F32) {
      auto* f = reinterpret_cast<float*>(row);
      for (int64_t i = 0; i < n_in; ++i) f[i] = float(int(row[i * 4] % 200) - 100) * 1e-3f;
    } else {
      auto* h = reinterpret_cast<uint16_t*>(row);
      for (int64_t i = 0; i < n_in; ++i) {
        const float v = float(int(h[i] % 200) - 100) * 1e-3f;
        h[i] = t == TensorType::F16 ? f32_to_f16(v) : f32_to_bf16(v);
      }
    }
  }
}

// The last weight set built, reused by consecutive benchmarks of the same shape and type.
struct WeightSet {
  TensorType type;
  const Shape* shape = nullptr;
  int64_t n_mats = 1;
  // linear: rotating copies; moe: gate, up, down. All in one anonymous mapping, so they sit on
  // huge pages like a model synthesized in memory (fewer TLB misses than heap memory).
  AnonymousMapping arena;
  std::vector<uint8_t*> copies;
};

// Carves `sizes` out of one fresh mapping, 64-byte aligned.
void allocate_copies(WeightSet& ws, const std::vector<size_t>& sizes) {
  size_t total = 0;
  for (size_t n : sizes) total += (n + 63) / 64 * 64;
  ws.copies.clear();
  ws.arena = AnonymousMapping();  // release the previous set first
  ws.arena = AnonymousMapping(total);
  size_t at = 0;
  for (size_t n : sizes) {
    ws.copies.push_back(ws.arena.data() + at);
    at += (n + 63) / 64 * 64;
  }
}

WeightSet& weights_for(TensorType t, const Shape& s) {
  static WeightSet cache;
  if (cache.shape == &s && cache.type == t) return cache;
  cache.type = t;
  cache.shape = &s;
  if (s.moe) {
    // Fewer experts for wide float types keeps memory in bounds; still > L3 across rotations.
    const uint64_t per_expert = 3 * row_bytes(t, s.n_in) * uint64_t(s.n_out);
    cache.n_mats = per_expert * kExperts <= (512ull << 20) ? kExperts : 8;
    std::vector<size_t> sizes;
    for (int m = 0; m < 3; ++m) {
      const int64_t n_in = m < 2 ? s.n_in : s.n_out, n_out = m < 2 ? s.n_out : s.n_in;
      sizes.push_back(row_bytes(t, n_in) * size_t(n_out * cache.n_mats));
    }
    allocate_copies(cache, sizes);
    for (int m = 0; m < 3; ++m) {
      const int64_t n_in = m < 2 ? s.n_in : s.n_out, n_out = m < 2 ? s.n_out : s.n_in;
      fill_weights(t, cache.copies[size_t(m)], size_t(n_out * cache.n_mats), n_in, uint32_t(m + 1));
    }
  } else {
    cache.n_mats = 1;
    const uint64_t bytes = row_bytes(t, s.n_in) * uint64_t(s.n_out);
    const uint64_t n_copies = std::max<uint64_t>(1, (rotate_bytes() + bytes - 1) / bytes);
    allocate_copies(cache, std::vector<size_t>(n_copies, bytes));
    for (uint64_t c = 0; c < n_copies; ++c) fill_weights(t, cache.copies[c], size_t(s.n_out), s.n_in, uint32_t(c + 7));
  }
  return cache;
}

// The part of a backend's describe() for one weight type ("... Q4_0 q4_0×q8 avx512-vnni; ..."),
// or the whole line if it does not list types.
std::string kernel_label(const Backend& b, TensorType t) {
  const std::string d = b.describe(), key = std::string(tensor_type_name(t)) + " ";
  size_t at = d.find(key);
  while (at != std::string::npos && at > 0 && d[at - 1] != ' ') at = d.find(key, at + 1);  // F16 ≠ BF16
  if (at == std::string::npos) return d;
  const size_t end = d.find(';', at);
  return std::string(b.name()) + " " + d.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

constexpr size_t kProbeBytes = 512ull << 20;

// 512 MiB of huge-page memory (like the weight copies) that only streaming reads touch.
const AnonymousMapping& read_probe_buffer() {
  static const AnonymousMapping buf = [] {
    AnonymousMapping b(kProbeBytes);
    std::memset(b.data(), 1, kProbeBytes);
    return b;
  }();
  return buf;
}

// Seconds to stream `bytes` (a multiple of 64) from the probe buffer at `offset`, split over the
// backend's own threads: what reading that many weight bytes once from memory costs right now.
double timed_read(Backend& backend, size_t offset, size_t bytes) {
  if (bytes > kProbeBytes / 2)  // more than the probe holds (a float32 LM head): read it in parts
    return timed_read(backend, offset, kProbeBytes / 2) + timed_read(backend, offset, bytes - kProbeBytes / 2);
  const uint8_t* p = read_probe_buffer().data() + offset % (kProbeBytes - bytes) / 64 * 64;
  const int64_t parts = backend.threads();
  const size_t part = (bytes / size_t(parts) + 63) / 64 * 64;
  std::vector<uint64_t> sink(static_cast<size_t>(parts));
  const auto t0 = std::chrono::steady_clock::now();
  backend.parallel_for(parts, [&](int64_t i) {
    const size_t begin = size_t(i) * part;
    if (begin < bytes) sink[size_t(i)] = stream_read(p + begin, std::min(part, bytes - begin));
  });
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  benchmark::DoNotOptimize(sink.data());
  return s;
}

// One-row benchmarks (decode, where the weights stream from memory) follow each call with a
// streaming read of as many bytes, from memory no kernel touches, on the same threads. The
// call's time over that read's time (`vs_read`) compares the two under the same memory
// conditions, however the host's bandwidth drifts; only the call's time is the benchmark's time
// (manual timing). Cache-warm runs ($LFMB_BENCH_ROTATE_MB=0) skip the read, which would evict
// the weights, and report no vs_read.
class ReadComparison {
 public:
  ReadComparison(Backend& backend, size_t bytes) : backend_(backend), bytes_(bytes / 64 * 64) {}
  void add(benchmark::State& st, std::chrono::steady_clock::time_point call_start) {
    const double call_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - call_start).count();
    st.SetIterationTime(call_s);
    if (!enabled_) return;
    call_s_ += call_s;
    read_s_ += timed_read(backend_, offset_, bytes_);
    offset_ += bytes_;
  }
  void set_counter(benchmark::State& st) const {
    if (enabled_) st.counters["vs_read"] = call_s_ / read_s_;
  }

 private:
  Backend& backend_;
  const bool enabled_ = rotate_bytes() > 0;
  size_t bytes_, offset_ = 0;
  double call_s_ = 0, read_s_ = 0;
};

void set_counters(benchmark::State& st, double bytes_per_iter, double flops_per_iter) {
  st.counters["weight_GB"] =
      benchmark::Counter(bytes_per_iter * double(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
  st.counters["GFLOP"] =
      benchmark::Counter(flops_per_iter * double(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

void bench_linear(benchmark::State& st, const BackendEntry& entry, const std::string& dtype, TensorType t,
                  const Shape& s, int64_t rows) {
  auto backend = entry.create({bench_threads(), dtype});
  WeightSet& ws = weights_for(t, s);
  std::vector<std::unique_ptr<PreparedWeight>> prepared;
  // A backend that shrinks the weights (int8 from F32) gets more converted copies, so that it too
  // reads them from memory rather than from cache.
  uint64_t owned = 0;
  for (size_t i = 0; i < ws.copies.size() || (owned > 0 && owned < rotate_bytes()); ++i) {
    prepared.push_back(backend->prepare({s.name, t, s.n_in, s.n_out, 1, ws.copies[i % ws.copies.size()]}));
    owned += prepared.back()->owned_bytes;
  }
  std::vector<float> x(size_t(rows * s.n_in)), y(size_t(rows * s.n_out));
  std::mt19937 rng(1);
  std::normal_distribution<float> dist;
  for (auto& v : x) v = dist(rng);
  // Bytes the kernel reads: the backend's converted copy when it makes one, else the stored ones.
  const double bytes = prepared[0]->owned_bytes ? double(prepared[0]->owned_bytes)
                                                : double(row_bytes(t, s.n_in)) * double(s.n_out);
  const bool compare_read = rows == 1;
  ReadComparison read(*backend, size_t(bytes));
  size_t next = 0;
  for (auto _ : st) {
    const auto t0 = std::chrono::steady_clock::now();
    backend->linear(*prepared[next], 0, x.data(), rows, y.data());
    benchmark::DoNotOptimize(y.data());
    next = (next + 1) % prepared.size();
    if (compare_read) read.add(st, t0);
  }
  if (compare_read) read.set_counter(st);
  st.SetLabel(kernel_label(*backend, t) + " (" + std::to_string(backend->threads()) + "t, " +
              std::to_string(prepared.size()) + " rotating copies)");
  set_counters(st, bytes, 2.0 * double(rows * s.n_in * s.n_out));
}

void bench_moe(benchmark::State& st, const BackendEntry& entry, const std::string& dtype, TensorType t,
               const Shape& s, int64_t tokens) {
  auto backend = entry.create({bench_threads(), dtype});
  WeightSet& ws = weights_for(t, s);
  const int64_t n_exp = ws.n_mats;
  const auto gate = backend->prepare({"ffn_gate_exps", t, s.n_in, s.n_out, n_exp, ws.copies[0]});
  const auto up = backend->prepare({"ffn_up_exps", t, s.n_in, s.n_out, n_exp, ws.copies[1]});
  const auto down = backend->prepare({"ffn_down_exps", t, s.n_out, s.n_in, n_exp, ws.copies[2]});
  std::vector<float> x(size_t(tokens * s.n_in)), y(x.size()), wts(size_t(tokens * kExpertsUsed), 0.25f);
  std::mt19937 rng(1);
  std::normal_distribution<float> dist;
  for (auto& v : x) v = dist(rng);
  // Routing sets, each of distinct experts per token; successive calls walk through all experts so
  // a 1-token call reads four experts that are not in cache.
  const int n_sets = 16;
  std::vector<std::vector<int32_t>> routes(n_sets);
  double distinct_total = 0;
  for (int r = 0; r < n_sets; ++r) {
    std::vector<bool> used(size_t(n_exp), false);
    for (int64_t tk = 0; tk < tokens; ++tk)
      for (int j = 0; j < kExpertsUsed; ++j) {
        const int32_t e = tokens == 1 ? int32_t((r * kExpertsUsed + j) % n_exp)
                                      : int32_t((tk * 7 + j * (n_exp / kExpertsUsed) + r + rng() % 3) % n_exp);
        routes[size_t(r)].push_back(e);
        used[size_t(e)] = true;
      }
    distinct_total += double(std::count(used.begin(), used.end(), true));
  }
  const uint64_t owned = gate->owned_bytes + up->owned_bytes + down->owned_bytes;
  const double expert_bytes =
      owned ? double(owned) / double(n_exp) : 3.0 * double(row_bytes(t, s.n_in)) * double(s.n_out);
  // One token (kernels-report's decode target): compared with reading its four experts' bytes (ReadComparison).
  const bool compare_read = tokens == 1;
  ReadComparison read(*backend, size_t(expert_bytes * kExpertsUsed));
  int next = 0;
  for (auto _ : st) {
    const auto t0 = std::chrono::steady_clock::now();
    backend->moe(*gate, *up, *down, x.data(), tokens, kExpertsUsed, routes[size_t(next)].data(), wts.data(), y.data());
    benchmark::DoNotOptimize(y.data());
    next = (next + 1) % n_sets;
    if (compare_read) read.add(st, t0);
  }
  if (compare_read) read.set_counter(st);
  st.SetLabel(kernel_label(*backend, t) + " (" + std::to_string(backend->threads()) + "t, " +
              std::to_string(n_exp) + " experts rotating)");
  set_counters(st, expert_bytes * distinct_total / n_sets,
               2.0 * 3.0 * double(tokens * kExpertsUsed * s.n_in * s.n_out));
}

// Streaming read of a buffer larger than any cache (kernels/read_bandwidth, as the harness uses).
void bench_mem_read(benchmark::State& st) {
  const int threads = int(st.range(0));
  const AnonymousMapping& buf = read_probe_buffer();
  const bool avx2 = cpu_features().avx2;
  const size_t part = kProbeBytes / size_t(threads);
  for (auto _ : st) {
    std::vector<uint64_t> sink(static_cast<size_t>(threads));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
      pool.emplace_back([&, t] {
        sink[size_t(t)] = stream_read(buf.data() + t * part, part);
      });
    sink[0] = stream_read(buf.data(), part);
    for (auto& th : pool) th.join();
    benchmark::DoNotOptimize(sink.data());
  }
  st.counters["read_GB"] = benchmark::Counter(double(kProbeBytes) * double(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
  st.SetLabel(std::string(avx2 ? "avx2 loads, " : "scalar loads, ") + "512 MiB");
}

void register_all() {
  benchmark::RegisterBenchmark("mem_read", bench_mem_read)->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  for (const BackendEntry& entry : backend_registry()) {
    const auto probe = entry.create({1, ""});
    // The oracle is slow by design: its figures are for scale only, decode shape only.
    const bool slow = entry.name == "reference";
    // Backends with compute types run each one: <backend>/<stored type>/<dtype>/<model>/...
    std::vector<std::string> dtypes = probe->dtypes();
    if (dtypes.empty()) dtypes.push_back("");
    for (const std::string& dtype : dtypes)
      for (TensorType t : {TensorType::Q4_0, TensorType::Q8_0, TensorType::BF16, TensorType::F16, TensorType::F32}) {
        if (!probe->supports(t)) continue;
        for (const Shape& s : kShapes)
          for (int64_t rows : {1, 16, 128, 512}) {
            if (slow && rows > 1) continue;
            const std::string name = entry.name + "/" + std::string(tensor_type_name(t)) +
                                     (dtype.empty() ? "" : "/" + dtype) + "/" + s.model + "/" + s.name +
                                     "/rows:" + std::to_string(rows);
            auto* b = s.moe ? benchmark::RegisterBenchmark(name.c_str(), bench_moe, entry, dtype, t, s, rows)
                            : benchmark::RegisterBenchmark(name.c_str(), bench_linear, entry, dtype, t, s, rows);
            // One-row benchmarks time themselves (they also time a memory read per call: ReadComparison).
            if (rows == 1)
              b->UseManualTime();
            else
              b->UseRealTime();
            b->Unit(benchmark::kMicrosecond);
          }
      }
  }
}

}  // namespace

int main(int argc, char** argv) {
  lfmb::settle_thread_environment(argv);
  // The device fingerprint goes into the JSON "context", so a results file says where it came from.
  const lfmb::DeviceInfo device = lfmb::detect_device();
  benchmark::AddCustomContext("lfmb_device", device.to_json().dump());
  benchmark::AddCustomContext("lfmb_device_slug", device.slug());
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
