// lfmb bench: a llama-bench-compatible quick CLI. It takes llama-bench's common flags (comma
// lists and repeated flags form the cartesian product) and prints llama-bench's markdown, CSV,
// JSON or JSONL, with its field names, so scripts written for llama-bench work unchanged. It
// writes no file: rows go to stdout as each test finishes (see RowPrinter), which is how it keeps
// finished work when stopped; SIGINT/SIGTERM end it at the next safe point with 130/143.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/cli/command.h"
#include "core/cli/option_table.h"
#include "core/cli/stop_signals.h"
#include "core/error.h"
#include "core/io/utc_time.h"
#include "core/gguf/gguf_reader.h"
#include "bench/device_info.h"
#include "bench/live_table.h"
#include "bench/progress.h"
#include "bench/result_table.h"
#include "bench/run_config.h"
#include "bench/run_validation.h"
#include "bench/throughput_runner.h"
#include "core/model/model.h"
#include "core/model/memory_plan.h"
#include "core/model/model_validation.h"
#include "core/model/model_stats.h"
#include "core/model/sequence_batch.h"
#include "core/synth/synthesize.h"

namespace lfmb {

namespace {

// Every value of a repeatable option, comma lists split: "-p 128,512 -p 64" -> 128, 512, 64.
std::vector<std::string> list_values(const ParsedArgs& args, const std::string& name) {
  std::vector<std::string> out;
  for (const std::string& v : args.all(name)) {
    size_t start = 0;
    while (true) {
      const size_t comma = v.find(',', start);
      const std::string item = v.substr(start, comma - start);
      if (item.empty()) throw UsageError("bench: " + name + " '" + v + "' has an empty item");
      out.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

int to_int(const std::string& name, const std::string& s, int lo, int hi) {
  const long long v = is_number(s) ? std::stoll(s.substr(0, 12)) : -1;
  if (v < lo || v > hi) throw UsageError(fmt::format("bench: {} expects integers from {} to {}, got '{}'", name, lo, hi, s));
  return int(v);
}

std::vector<int> int_list(const ParsedArgs& args, const std::string& name, std::vector<int> dflt, int lo, int hi) {
  const auto items = list_values(args, name);
  if (items.empty()) return dflt;
  std::vector<int> out;
  for (const auto& s : items) out.push_back(to_int(name, s, lo, hi));
  return out;
}

// -m FILE and --preset NAME[:TYPE] in the order given.
std::vector<ModelSpec> model_specs(const ParsedArgs& args) {
  std::vector<ModelSpec> models;
  for (const auto& path : list_values(args, canonical_flag("model"))) {
    ModelSpec m;
    m.path = path;
    models.push_back(m);
  }
  for (const auto& p : list_values(args, canonical_flag("preset"))) {
    ModelSpec m;
    const size_t colon = p.find(':');
    m.preset = p.substr(0, colon);
    if (colon != std::string::npos) m.type = p.substr(colon + 1);
    models.push_back(m);
  }
  if (models.empty()) throw UsageError("bench: give a model with -m FILE.gguf or --preset NAME[:TYPE]");
  return models;
}

std::string model_filename(const ModelSpec& m) {
  if (!m.synthesized()) return m.path;
  const auto type = tensor_type_from_name(m.type);
  const SynthPreset* preset = find_synth_preset(m.preset);
  return preset && type ? ModelSynthesizer(*preset, *type, m.seed).display_name() : m.label();
}

// llama-bench's model_type: "<arch> <size> <weight type>", e.g. "lfm2moe 8.3B Q4_0".
std::string model_type(const ModelSpec& m, const TestResult& r) {
  std::string type = m.type;
  if (!m.synthesized()) {
    const GgufFile f(m.path);
    const ModelConfig c = model_config_from_gguf(f);
    validate_model_tensors(f, c);
    const ModelStats s = model_stats(f, c);
    uint64_t most = 0;
    for (const auto& [name, bytes] : s.bytes_per_type)
      if (bytes > most) most = bytes, type = name;
  }
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return char(std::toupper(c)); });
  const double n = double(r.n_params);
  const std::string size = n >= 1e9 ? fmt::format("{:.1f}B", n / 1e9)
                           : n >= 1e7 ? fmt::format("{:.0f}M", n / 1e6)
                                      : fmt::format("{:.2f}M", n / 1e6);
  return r.architecture + " " + size + " " + type;
}

struct BenchRow {
  ModelSpec model;
  RunParams params;
  TestResult result;
  std::string test_time;
};

nlohmann::ordered_json llama_bench_json(const BenchRow& row, const DeviceInfo& device) {
  const TestResult& r = row.result;
  std::vector<int64_t> samples_ns;
  for (double ns : r.samples_ns) samples_ns.push_back(int64_t(ns));
  const Summary ns = summarize(r.samples_ns);
  return {
      {"build_commit", device.lfmb_commit},
      {"build_number", 0},
      {"cpu_info", device.cpu_model},
      {"gpu_info", ""},
      {"backends", r.backend},
      {"model_filename", model_filename(row.model)},
      {"model_type", model_type(row.model, r)},
      {"model_size", r.model_size_bytes},
      {"model_n_params", r.n_params},
      {"n_batch", row.params.n_batch},
      {"n_ubatch", row.params.n_batch},
      {"n_threads", r.threads},
      {"type_k", "f32"},
      {"type_v", "f32"},
      {"n_gpu_layers", 0},
      {"use_mmap", !row.model.synthesized() && row.params.mmap},
      {"n_prompt", r.n_prompt},
      {"n_gen", r.n_gen},
      {"n_depth", r.depth},
      {"n_seq", r.n_seq},
      {"test_time", row.test_time},
      {"avg_ns", int64_t(ns.mean)},
      {"stddev_ns", int64_t(ns.stddev)},
      {"avg_ts", r.ts.mean},
      {"stddev_ts", r.ts.stddev},
      {"samples_ns", samples_ns},
      {"samples_ts", r.samples_ts},
      // lfmb's additions.
      {"dtype", r.dtype},
      {"ttft_ms", r.ttft_ms},
      {"load_ms", r.load_ms},
      {"peak_rss_bytes", r.peak_rss_bytes},
      {"roofline_pct", r.roofline_pct},
      {"int8_peak_pct", r.peak_pct},
      {"noisy", r.noise.is_object() && r.noise.value("noisy", false)},
  };
}

std::string csv_cell(const nlohmann::ordered_json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_line(const nlohmann::ordered_json& row, bool keys) {
  std::string line;
  for (const auto& [key, value] : row.items()) line += (line.empty() ? "" : ",") + (keys ? key : csv_cell(value));
  return line + "\n";
}

std::string indented(const std::string& text, const std::string& pad) {
  std::string out = pad;
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

// Prints each row as it finishes, flushed, so a bench that is stopped or killed has shown every
// finished measurement: md grows its table row by row (bench/live_table.h), json, jsonl and csv
// stream their rows (the JSON array is closed when the bench ends or is stopped, and reads the
// same as one dump of all rows).
class RowPrinter {
 public:
  RowPrinter(std::string format, const DeviceInfo& device, const LiveTable::Plan& plan, std::function<void()> before_row)
      : format_(std::move(format)), device_(device), table_(stdout, plan, before_row), before_row_(std::move(before_row)) {}

  void add(BenchRow row) {
    if (format_ == "md") {
      table_.add(row.result);
      ++rows_;
      return;
    }
    if (before_row_) before_row_();
    nlohmann::ordered_json o = llama_bench_json(row, device_);
    if (format_ == "json") fmt::print("{}{}", rows_ == 0 ? "[\n" : ",\n", indented(o.dump(2), "  "));
    else if (format_ == "jsonl") fmt::print("{}\n", o.dump());
    else fmt::print("{}{}", rows_ == 0 ? csv_line(o, true) : "", csv_line(o, false));
    ++rows_;
    std::fflush(stdout);
  }

  void finish() {
    if (format_ == "md") table_.finish();
    else if (format_ == "json") fmt::print("{}", rows_ == 0 ? "[]\n" : "\n]\n");
    std::fflush(stdout);
  }

  size_t rows() const { return rows_; }

 private:
  std::string format_;
  const DeviceInfo& device_;
  LiveTable table_;
  std::function<void()> before_row_;
  size_t rows_ = 0;
};

// The table's default of a numeric row: "0 (all logical processors)" -> 0.
int default_int(const std::string& key) { return std::stoi(option_def(key).default_value); }

// Each -b/--backend item (NAME or NAME:DTYPE) with each --dtype: an item's own :DTYPE is kept
// as given; the --dtype list applies to the items without one, and a pair whose backend lacks
// that dtype on this CPU is skipped with a note (so `-b native,onednn --dtype int8` measures
// native and onednn int8) unless nothing would be left.
std::vector<BackendChoice> backend_choices(const ParsedArgs& args) {
  const BatchOrBackend bb = split_batch_or_backend(list_values(args, canonical_flag("n_batch")));
  std::vector<std::string> items = bb.backends;
  for (const auto& b : list_values(args, canonical_flag("backend"))) items.push_back(b);
  if (items.empty()) items = {option_def("backend").default_value};
  std::vector<std::string> dtypes = list_values(args, canonical_flag("dtype"));
  std::vector<BackendChoice> out;
  std::vector<std::string> skipped;
  for (const auto& item : items) {
    const BackendChoice c = parse_backend_choice(item, "bench: --backend");
    if (!c.dtype.empty() || dtypes.empty()) {
      out.push_back(c);
      continue;
    }
    for (const auto& d : dtypes) {
      RunParams probe;
      probe.backend = c.backend;
      probe.dtype = d;
      probe.threads = 1;
      if (const std::string why = unavailable_dtype(probe); !why.empty() && (items.size() > 1 || dtypes.size() > 1))
        skipped.push_back(fmt::format("{} --dtype {}: {}", c.backend, d, why));
      else
        out.push_back({c.backend, d});
    }
  }
  if (out.empty()) throw Error("bench: no backend offers the dtype asked for (" + skipped.front() + ")");
  for (const auto& s : skipped) fmt::print(stderr, "lfmb bench: note: skipping {}\n", s);
  return out;
}

int run_bench(const ParsedArgs& args) {
  const auto flag = [](const char* key) { return canonical_flag(key); };
  const std::string output = args.get_or(flag("output_format"), option_def("output_format").default_value);
  if (output != "md" && output != "json" && output != "jsonl" && output != "csv")
    throw UsageError("bench: -o must be md, json, jsonl or csv, got '" + output + "'");
  const std::vector<ModelSpec> models = model_specs(args);
  const std::vector<int> n_prompt = int_list(args, flag("n_prompt"), {default_int("n_prompt")}, 0, 1 << 20);
  const std::vector<int> n_gen = int_list(args, flag("n_gen"), {default_int("n_gen")}, 0, 1 << 20);
  const std::vector<int> depth = int_list(args, flag("depth"), {default_int("depth")}, 0, 1 << 20);
  const std::vector<int> n_seq = int_list(args, flag("n_seq"), {default_int("n_seq")}, 1, kMaxSequences);
  const std::vector<int> threads = int_list(args, flag("threads"), {default_int("threads")}, 0, 1024);
  const int repetitions = int(args.get_int(flag("repetitions"), default_int("repetitions"), 1, 1000));
  const int warmup = args.has(flag("no_warmup")) ? 0 : int(args.get_int(flag("warmup"), default_int("warmup"), 0, 100));
  // llama-bench's -b is the batch size; lfmb's -b also names backends: numbers are batch sizes.
  std::vector<int> batches;
  for (const auto& b : split_batch_or_backend(list_values(args, flag("n_batch"))).batch_sizes)
    batches.push_back(to_int("-b", b, 1, 1 << 16));
  if (batches.empty()) batches = {default_int("n_batch")};
  const std::vector<int> contexts = int_list(args, flag("n_ctx"), {default_int("n_ctx")}, 0, 1 << 20);
  std::vector<int> mmaps = int_list(args, flag("mmap"), {default_int("mmap")}, 0, 1);
  if (args.has(flag("no_mmap"))) mmaps = {0};
  const std::vector<BackendChoice> backends = backend_choices(args);
  const bool verbose = args.has(flag("verbose"));

  // Like lfmb run's sweep, the product is counted (saturating) before anything is expanded.
  {
    const auto mul = [](uint64_t a, uint64_t b) {
      uint64_t r = 0;
      return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
    };
    const auto nonzero = [](const std::vector<int>& v) { return uint64_t(std::count_if(v.begin(), v.end(), [](int x) { return x > 0; })); };
    const uint64_t per_depth = nonzero(n_prompt) + mul(nonzero(n_gen), n_seq.size()) + args.all(flag("prompt_gen")).size();
    uint64_t n = mul(per_depth, depth.size());
    for (size_t k : {models.size(), backends.size(), threads.size(), batches.size(), contexts.size(), mmaps.size()}) n = mul(n, k);
    const uint64_t limit = uint64_t(args.get_int(flag("max_combinations"), int64_t(kDefaultMaxCombinations), 1, 1ll << 40));
    if (n > limit)
      throw UsageError(fmt::format("bench: the flags combine to {} tests, more than the limit of {}; raise it with "
                                   "--max-combinations N",
                                   n == UINT64_MAX ? std::string("more than 18446744073709551614") : std::to_string(n), limit));
  }

  // The tests of every run: each pp and tg length and each -pg pair, at every depth.
  std::vector<TestSpec> tests;
  for (int np : n_prompt)
    for (int d : depth)
      if (np > 0) tests.push_back({np, 0, d});
  for (int ng : n_gen)
    for (int ns : n_seq)
      for (int d : depth)
        if (ng > 0) tests.push_back({0, ng, d, ns});
  for (const auto& pg : args.all(flag("prompt_gen"))) {
    const size_t comma = pg.find(',');
    if (comma == std::string::npos) throw UsageError("bench: -pg expects PP,TG (e.g. 512,128), got '" + pg + "'");
    const int np = to_int("-pg", pg.substr(0, comma), 1, 1 << 20), ng = to_int("-pg", pg.substr(comma + 1), 1, 1 << 20);
    for (int d : depth) tests.push_back({np, ng, d});
  }
  if (tests.empty()) throw UsageError("bench: nothing to measure (every -p and -n is 0 and no -pg)");

  // One run per (model, backend:dtype, threads, batch, context, mmap), in llama-bench's order.
  std::vector<std::pair<ModelSpec, RunParams>> runs;
  for (const auto& m : models)
    for (const auto& b : backends)
      for (int t : threads)
        for (int nb : batches)
          for (int nc : contexts)
            for (int mm : mmaps) {
              RunParams p;
              p.model = m;
              p.backend = b.backend;
              p.dtype = b.dtype;
              p.threads = t;
              p.n_prompt = n_prompt;
              p.n_gen = *std::max_element(n_gen.begin(), n_gen.end());
              p.depth = depth;
              p.n_seq = n_seq;
              p.repetitions = repetitions;
              p.warmup = warmup;
              p.n_batch = nb;
              p.n_ctx = nc;
              p.mmap = mm != 0;
              validate_run(p, tests, [&](const std::string& key) { return "bench: " + m.label() + ": " + key; });
              runs.emplace_back(m, p);
            }

  const DeviceInfo device = detect_device();
  ThroughputRunner runner;
  std::optional<Progress> progress;
  if (!args.has(flag("no_progress"))) progress.emplace(int(runs.size()));
  LiveTable::Plan plan;
  for (const auto& [m, p] : runs) {
    plan.models.push_back(m.label());
    plan.backends.push_back(p.dtype.empty() ? p.backend : p.backend + " " + p.dtype);
  }
  for (const auto& t : tests) plan.tests.push_back(test_name(t.n_prompt, t.n_gen, t.depth, t.n_seq));
  RowPrinter printer(output, device, plan, [&] {
    if (progress) progress->clear();
  });
  // SIGINT/SIGTERM: stop between repetitions, close the output over the finished rows, exit 130/143.
  const StopSignals stop_signals;
  try {
    for (size_t i = 0; i < runs.size(); ++i) {
      // Named references, not a structured binding: clang 14 (the fuzz build) cannot capture bindings.
      const auto& m = runs[i].first;
      const auto& p = runs[i].second;
      const std::string test_time = utc_time_iso();
      ThroughputRunner::Hooks hooks;
      hooks.progress = [&](const std::string& what) {
        if (progress) progress->step(int(i) + 1, what);
      };
      hooks.checkpoint = throw_if_stopped;
      hooks.on_result = [&](const TestResult& r) { printer.add({m, p, r, test_time}); };
      if (verbose) hooks.on_loaded = [](const Model& model) { fmt::print(stderr, "{}\n", model.memory_plan().describe()); };
      runner.run(p, tests, hooks);
    }
  } catch (const Stopped& stop) {
    if (progress) progress->done();
    printer.finish();
    fmt::print(stderr, "lfmb: stopped by {} after {} finished test(s)\n", signal_name(stop.signal()), printer.rows());
    return stop.exit_code();
  }
  if (progress) progress->done();
  printer.finish();
  return 0;
}

}  // namespace

Command bench_command() {
  return {{"bench",
           "lfmb bench -m FILE.gguf [-m FILE2 ...] [--preset NAME[:TYPE]] [-p 512] [-n 128] [-d 0] [-t N] [-r 5] "
           "[-pg PP,TG] [-b BATCH|BACKEND[:DTYPE]] [--backend NAME[:DTYPE]] [--dtype D] [-o md|json|jsonl|csv]",
           "llama-bench-compatible benchmark: comma lists and repeated flags are combined like llama-bench's.",
           vocabulary_options(kCmdBench),
           0,
           0},
          run_bench};
}

}  // namespace lfmb
