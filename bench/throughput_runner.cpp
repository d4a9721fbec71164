#include "bench/throughput_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include "core/error.h"
#include "core/io/utc_time.h"
#include "bench/decode_roofline.h"
#include "bench/device_info.h"
#include "bench/memory_usage.h"
#include "bench/noise.h"
#include "core/model/model.h"
#include "core/model/model_stats.h"
#include "core/model/sequence_batch.h"
#include "core/synth/synthesize.h"

namespace lfmb {

namespace {

using Clock = std::chrono::steady_clock;

double ns_since(Clock::time_point t0) { return double(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count()); }

std::unique_ptr<Model> load_model(const RunParams& p, int threads, int n_ctx) {
  ModelOptions o;
  o.backend = p.backend;
  o.threads = threads;
  o.dtype = p.dtype;
  o.n_ctx = n_ctx;
  o.n_batch = p.n_batch;
  o.mmap = p.mmap;
  if (!p.model.synthesized()) return std::make_unique<Model>(p.model.path, o);
  const auto type = tensor_type_from_name(p.model.type);
  if (!type) throw Error("model: unknown weight type '" + p.model.type + "'");
  std::unique_ptr<GgufFile> image = synthesize_in_memory(p.model.preset, *type, p.model.seed, threads);
  return std::make_unique<Model>(std::move(*image), o);
}

// Random token ids: speed does not depend on them, and llama-bench measures the same way.
class RandomTokens {
 public:
  explicit RandomTokens(int64_t n_vocab) : rng_(1234), dist_(0, int32_t(n_vocab - 1)) {}
  std::vector<int32_t> next(int n) {
    std::vector<int32_t> t(static_cast<size_t>(n));
    for (auto& x : t) x = dist_(rng_);
    return t;
  }

 private:
  std::mt19937 rng_;
  std::uniform_int_distribution<int32_t> dist_;
};

// Passes of the read-bandwidth probe around each decode repetition (plus one untimed pass).
constexpr int kProbePasses = 3;

struct Repetition {
  double ns = 0;       // the timed span
  double ttft_ns = 0;  // pp: prefill + first decode step
};

// One repetition of a decode test of several sequences: n_gen steps, each one token of every
// sequence in one Session::decode_batch call.
Repetition run_batched_repetition(std::vector<Session>& seqs, const TestSpec& spec, RandomTokens& tokens) {
  std::vector<Session*> batch;
  for (Session& s : seqs) batch.push_back(&s);
  std::vector<std::vector<int32_t>> steps;
  for (int i = 0; i < spec.n_gen; ++i) steps.push_back(tokens.next(spec.n_seq));
  Repetition r;
  const Clock::time_point t0 = Clock::now();
  for (const std::vector<int32_t>& step : steps) Session::decode_batch(batch, step);
  r.ns = ns_since(t0);
  return r;
}

// One repetition of `spec` on `s`, a fresh or depth-filled session.
Repetition run_repetition(Session& s, const TestSpec& spec, RandomTokens& tokens) {
  const std::vector<int32_t> prompt = tokens.next(spec.n_prompt), gen = tokens.next(std::max(spec.n_gen, 1));
  Repetition r;
  const Clock::time_point t0 = Clock::now();
  if (spec.n_prompt > 0) s.prefill_last(prompt);
  if (spec.n_gen == 0) {
    r.ns = ns_since(t0);
    s.decode(gen[0]);
    r.ttft_ns = ns_since(t0);
    return r;
  }
  for (int32_t t : gen) s.decode(t);
  r.ns = ns_since(t0);
  return r;
}

void add_counts(std::vector<std::vector<uint64_t>>& sum, const std::vector<std::vector<uint64_t>>& counts) {
  if (sum.empty()) sum.resize(counts.size());
  for (size_t il = 0; il < counts.size(); ++il) {
    sum[il].resize(counts[il].size());
    for (size_t e = 0; e < counts[il].size(); ++e) sum[il][e] += counts[il][e];
  }
}

// Tokens per expert per MoE layer, summed over the measured decode repetitions.
nlohmann::json routing_json(const ModelConfig& c, const std::vector<std::vector<uint64_t>>& counts) {
  nlohmann::json layers = nlohmann::json::array(), per_expert = nlohmann::json::array();
  for (size_t il = 0; il < counts.size(); ++il) {
    if (counts[il].empty()) continue;
    layers.push_back(il);
    per_expert.push_back(counts[il]);
  }
  return {{"n_expert", c.n_expert}, {"n_expert_used", c.n_expert_used}, {"layers", layers}, {"tokens_per_expert", per_expert}};
}

}  // namespace

std::vector<TestSpec> planned_tests(const RunParams& p) {
  std::vector<TestSpec> tests;
  for (int np : p.n_prompt)
    for (int d : p.depth)
      if (np > 0) tests.push_back({np, 0, d});
  if (p.n_gen > 0)
    for (int ns : p.n_seq)
      for (int d : p.depth) tests.push_back({0, p.n_gen, d, ns});
  return tests;
}

int context_needed(const std::vector<TestSpec>& tests) {
  int n = 0;
  for (const auto& t : tests) n = std::max(n, t.depth + std::max(t.n_prompt + 1, t.n_prompt + t.n_gen));
  return n;
}

int resolved_threads(int threads) {
  return threads > 0 ? threads : std::max(1, int(std::thread::hardware_concurrency()));
}

ThroughputRunner::ThroughputRunner(size_t bandwidth_buffer_bytes) : bandwidth_buffer_bytes_(bandwidth_buffer_bytes) {}

const BandwidthResult& ThroughputRunner::bandwidth(int threads) {
  auto it = bandwidth_.find(threads);
  if (it == bandwidth_.end()) it = bandwidth_.emplace(threads, measure_read_bandwidth(threads, bandwidth_buffer_bytes_)).first;
  return it->second;
}

const Int8PeakResult& ThroughputRunner::int8_peak(int threads) {
  auto it = int8_peak_.find(threads);
  if (it == int8_peak_.end())
    it = int8_peak_.emplace(threads, measure_int8_peak(int8_gemm_path(default_isa()), threads)).first;
  return it->second;
}

const BandwidthResult* ThroughputRunner::measured_bandwidth(int threads) const {
  const auto it = bandwidth_.find(threads);
  return it == bandwidth_.end() ? nullptr : &it->second;
}

std::vector<TestResult> ThroughputRunner::run(const RunParams& p, const std::vector<TestSpec>& tests, const Hooks& hooks) {
  const ProgressFn& progress = hooks.progress;
  const auto checkpoint = [&] {
    if (hooks.checkpoint) hooks.checkpoint();
  };
  const int threads = resolved_threads(p.threads);
  const auto say = [&](const std::string& what) {
    if (progress) progress(fmt::format("{} {}{} t{}: {}", p.model.label(), p.backend, p.dtype.empty() ? "" : " " + p.dtype,
                                       threads, what));
  };
  const int n_ctx = p.n_ctx > 0 ? p.n_ctx : context_needed(tests);

  // Bandwidth first, while no model occupies memory or cache (the file's per-thread-count record).
  checkpoint();
  bandwidth(threads);
  const bool any_prefill = std::any_of(tests.begin(), tests.end(), [](const TestSpec& t) { return t.n_gen == 0 && t.n_prompt > 0; });
  const double peak_gops = any_prefill ? int8_peak(threads).median_gops : 0.0;

  // Each configuration reports its own high-water mark: the previous model is gone by now.
  reset_peak_rss();
  say("loading");
  const Clock::time_point load_start = Clock::now();
  const std::unique_ptr<Model> model = load_model(p, threads, n_ctx);
  const double load_ms = ns_since(load_start) / 1e6;
  if (hooks.on_loaded) hooks.on_loaded(*model);

  const ModelConfig& c = model->config();
  const ModelStats stats = model_stats(model->file(), c);
  const uint64_t weight_bytes = decode_weight_bytes(*model);
  const uint64_t prefill_macs = prefill_macs_per_token(*model);
  const bool moe = c.n_expert > 0;

  TestResult proto;
  proto.model = p.model.label();
  proto.architecture = arch_name(c.arch);
  proto.model_size_bytes = stats.weight_bytes;
  proto.n_params = stats.n_params;
  proto.n_params_active = stats.n_params_active;
  proto.backend = p.backend;
  proto.dtype = model->backend().dtype();
  proto.kernel = model->backend().describe();
  proto.threads = threads;
  proto.load_ms = load_ms;
  proto.params = p.to_json();
  proto.build_commit = build_git_commit();

  RandomTokens tokens(c.n_vocab);

  std::vector<TestResult> results;
  for (const TestSpec& spec : tests) {
    checkpoint();
    TestResult r = proto;
    r.test = test_name(spec.n_prompt, spec.n_gen, spec.depth, spec.n_seq);
    r.n_prompt = spec.n_prompt;
    r.n_gen = spec.n_gen;
    r.depth = spec.depth;
    r.n_seq = spec.n_seq;
    if (spec.n_seq > 1) check_sequences_fit(*model, spec.n_seq);

    // The context is filled once; every repetition starts from a copy of it.
    std::optional<Session> filled;
    if (spec.depth > 0) {
      say(r.test + ": filling depth");
      filled.emplace(*model);
      filled->prefill_last(tokens.next(spec.depth));
    }
    // A decode test's roofline uses bandwidth probed right before every measured repetition and
    // once after the last: on a shared host the available bandwidth drifts by tens of percent
    // within seconds, so each repetition is compared with the probes on either side of it.
    // The roofline is per sequence; a batched step reads each weight once for several tokens.
    const bool decode = spec.n_prompt == 0 && spec.n_seq == 1;
    std::vector<double> probes_gbps;
    const auto probe = [&] {
      probes_gbps.push_back(measure_read_bandwidth(threads, bandwidth_buffer_bytes_, kProbePasses).median_gbps);
    };
    std::vector<std::vector<uint64_t>> routing;
    double ttft_ns = 0;
    const int total = p.warmup + p.repetitions;
    for (int rep = 0; rep < total; ++rep) {
      checkpoint();
      const bool measured = rep >= p.warmup;
      say(fmt::format("{} {} {}/{}", r.test, measured ? "rep" : "warm-up", measured ? rep - p.warmup + 1 : rep + 1,
                      measured ? p.repetitions : p.warmup));
      if (measured && decode) probe();
      // Every sequence starts from its own copy of the filled context (or empty).
      std::vector<Session> seqs(size_t(spec.n_seq), filled ? *filled : Session(*model));
      const bool count = measured && moe && spec.n_prompt == 0;
      for (Session& s : seqs) s.count_expert_routing(count);
      const Repetition m = spec.n_seq > 1 ? run_batched_repetition(seqs, spec, tokens) : run_repetition(seqs[0], spec, tokens);
      if (!measured) continue;
      if (count)
        for (const Session& s : seqs) add_counts(routing, s.expert_routing_counts());
      ttft_ns += m.ttft_ns;
      r.samples_ns.push_back(m.ns);
      r.samples_ts.push_back(double(spec.n_prompt + spec.n_gen) * spec.n_seq * 1e9 / m.ns);
    }
    if (decode && !probes_gbps.empty()) probe();
    r.ts = summarize(r.samples_ts);
    if (spec.n_gen == 0) {
      r.ttft_ms = ttft_ns / p.repetitions / 1e6;
      if (peak_gops > 0 && spec.n_prompt > 0) {
        r.prefill_macs_per_token = prefill_macs;
        r.int8_peak_gops = peak_gops;
        r.peak_pct = 100.0 * r.ts.mean * 2.0 * double(r.prefill_macs_per_token) / (peak_gops * 1e9);
      }
    } else if (decode) {
      // KV bytes at the mean position of the measured tokens.
      r.decode_bytes_per_token = weight_bytes + kv_bytes_read(c, spec.depth + spec.n_gen / 2);
      r.bandwidth_samples_gbps = probes_gbps;
      std::vector<double> rooflines_ts;
      for (size_t i = 0; i + 1 < probes_gbps.size(); ++i) {
        const double bw = (probes_gbps[i] + probes_gbps[i + 1]) / 2;
        rooflines_ts.push_back(bw * 1e9 / double(r.decode_bytes_per_token));
        r.samples_roofline_pct.push_back(100.0 * r.samples_ts[i] / rooflines_ts.back());
      }
      r.bandwidth_gbps = summarize(probes_gbps).mean;
      r.roofline_ts = summarize(rooflines_ts).mean;
      r.roofline_pct = summarize(r.samples_roofline_pct).mean;
    }
    if (moe && spec.n_prompt == 0) r.routing = routing_json(c, routing);
    r.test_time = utc_time_iso();
    r.noise = check_noise(r).to_json();
    if (hooks.on_result) {
      r.peak_rss_bytes = peak_rss_bytes();
      hooks.on_result(r);
    }
    results.push_back(std::move(r));
  }
  const uint64_t peak = peak_rss_bytes();
  for (auto& r : results) r.peak_rss_bytes = peak;
  return results;
}

}  // namespace lfmb
