// lfmb run CONFIG.yaml [--set key=value]... [--out DIR] [--resume] [--dry-run]: runs a throughput
// config (every combination of its sweep), writes results/<device>/<date>-<name>.json and .csv, and
// prints the llama-bench-style table. Every run is validated, and the outputs checked (free space,
// no earlier file of the same name unless --resume), before the first one starts. The pair is
// rewritten after each finished record (bench/result_files.h), so an error, SIGINT or SIGTERM
// (exit 130/143) or SIGKILL keeps what was measured, marked "complete": false, and --resume
// measures only what is missing.
#include <fmt/format.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/cli/command.h"
#include "core/cli/option_table.h"
#include "core/cli/stop_signals.h"
#include "core/error.h"
#include "bench/device_info.h"
#include "bench/live_table.h"
#include "bench/progress.h"
#include "bench/result_files.h"
#include "bench/result_names.h"
#include "bench/result_table.h"
#include "bench/run_config.h"
#include "bench/run_validation.h"
#include "bench/throughput_runner.h"
#include "core/model/model.h"

namespace lfmb {

namespace {

std::string utc_now(const char* format) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string tests_text(const RunParams& p) {
  std::string s;
  for (const TestSpec& t : planned_tests(p)) s += (s.empty() ? "" : ", ") + test_name(t.n_prompt, t.n_gen, t.depth, t.n_seq);
  return s;
}

// The run keys given as flags (`-t 2`, `-p 64,128`, `-b onednn:int8`, `--no-warmup`), as the
// --set strings they stand for, then the --set strings themselves: flags and YAML keys are one
// vocabulary (core/cli/option_table.h).
std::vector<std::string> overrides_of(const ParsedArgs& args) {
  std::vector<std::string> out;
  const BatchOrBackend bb = split_batch_or_backend(args.all(canonical_flag("n_batch")));
  for (const auto& o : option_table()) {
    if (!o.yaml || !(o.commands & kCmdRun) || o.flags.empty()) continue;
    std::vector<std::string> values = args.all(canonical_flag(o.key));
    if (o.key == "n_batch") values = bb.batch_sizes;
    if (o.key == "backend") values.insert(values.begin(), bb.backends.begin(), bb.backends.end());
    if (values.empty()) continue;
    std::string joined;
    for (const auto& v : values) joined += (joined.empty() ? "" : ",") + v;
    out.push_back(o.key + "=" + joined);
  }
  if (args.has(canonical_flag("no_warmup"))) out.push_back("warmup=0");
  if (args.has(canonical_flag("no_mmap"))) out.push_back("mmap=false");
  for (const auto& o : args.all("--set")) out.push_back(o);
  return out;
}

std::string command_line(const ParsedArgs& args, const std::vector<std::string>& overrides) {
  std::string s = "lfmb run " + args.positional()[0];
  for (const auto& o : overrides) s += " --set " + o;
  if (args.has("--out")) s += " -o " + *args.get("--out");
  if (args.has("--save")) s += " --save";
  return s;
}

int run_run(const ParsedArgs& args) {
  if (args.has("--help-config")) {
    fmt::print("{}", config_reference_markdown());
    return 0;
  }
  if (args.positional().size() != 1) throw UsageError("usage: " + run_command().spec.usage);
  const uint64_t max_combinations =
      uint64_t(args.get_int(canonical_flag("max_combinations"), int64_t(kDefaultMaxCombinations), 1, 1ll << 40));
  const std::vector<std::string> overrides = overrides_of(args);
  RunConfig cfg = load_run_config(args.positional()[0], overrides, max_combinations);
  const std::vector<std::string> skipped = drop_unavailable_runs(cfg);
  for (const auto& s : skipped) fmt::print(stderr, "lfmb: skipping {} (skip_unavailable)\n", s);
  for (size_t i = 0; i < cfg.runs.size(); ++i)
    validate_run(cfg.runs[i], [&](const std::string& key) { return cfg.where(i, key); });

  if (args.has("--dry-run")) {
    fmt::print("{}: {} run(s)\n", cfg.path, cfg.runs.size());
    for (size_t i = 0; i < cfg.runs.size(); ++i) {
      const RunParams& p = cfg.runs[i];
      fmt::print("{:3}. {} | {}{} | threads {} | {} | {} rep(s) after {} warm-up\n", i + 1, p.model.label(), p.backend,
                 p.dtype.empty() ? "" : " " + p.dtype, resolved_threads(p.threads), tests_text(p), p.repetitions,
                 p.warmup);
    }
    return 0;
  }

  const DeviceInfo device = detect_device();
  const bool resume = args.has("--resume");
  // results/ (tracked) only when asked (--save); -o DIR elsewhere; otherwise runs/ (untracked).
  if (args.has("--out") && args.has(canonical_flag("save")))
    throw UsageError("run: give --save (results/<device>/) or -o DIR, not both");
  const std::string root = args.has("--out") ? *args.get("--out") : args.has(canonical_flag("save")) ? "results" : "runs";
  const std::string dir = root + "/" + device.slug();
  // A run changed by --set (or by run keys given as flags) says so in its name and description.
  std::string name = cfg.name, description = cfg.description;
  if (!cfg.overrides.empty()) {
    std::vector<std::string> keys;
    for (const auto& o : cfg.overrides) {
      const std::string k = o.substr(0, o.find('='));
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
    name += "-set";
    for (const auto& k : keys) name += "-" + k;
    std::string changed;
    for (const auto& o : cfg.overrides) changed += (changed.empty() ? "" : ", ") + o;
    description += (description.empty() ? "" : " ") + std::string("(changed by --set ") + changed + ")";
  }
  // Never over an earlier run's files: a new name (-2, -3, ...) instead; --resume continues the
  // newest unfinished pair of this name.
  const std::string today = utc_now("%Y-%m-%d");
  const std::string base = resume ? resume_result_base(dir, name, today) : fresh_result_base(dir, today + "-" + name);

  // The plan: every record the run makes, in order, by identity (run parameters + test name).
  std::vector<std::string> planned;
  std::vector<std::vector<TestSpec>> tests_of(cfg.runs.size());
  int max_repetitions = 1;
  for (size_t i = 0; i < cfg.runs.size(); ++i) {
    const nlohmann::json params = cfg.runs[i].to_json();
    tests_of[i] = planned_tests(cfg.runs[i]);
    for (const TestSpec& t : tests_of[i]) planned.push_back(record_identity(params, test_name(t.n_prompt, t.n_gen, t.depth, t.n_seq)));
    max_repetitions = std::max(max_repetitions, cfg.runs[i].repetitions);
  }
  ResultFiles files(base, planned);
  files.open(resume, name, max_repetitions);
  if (files.finished() > 0)
    fmt::print(stderr, "lfmb: resuming {}: {} of {} record(s) already there\n", files.json_path(), files.finished(),
               files.planned());

  const nlohmann::json& prev = files.previous();
  if (prev.is_object() && prev.contains("device") && prev["device"].value("lfmb_commit", std::string()) != device.lfmb_commit)
    fmt::print(stderr, "lfmb: note: {} was started by lfmb {}, this is {}; the file keeps the first device record\n",
               files.json_path(), prev["device"].value("lfmb_commit", std::string("?")), device.lfmb_commit);
  nlohmann::json resumed = prev.is_object() ? prev.value("resumed", nlohmann::json::array()) : nlohmann::json::array();
  if (prev.is_object()) resumed.push_back(utc_now("%Y-%m-%dT%H:%M:%SZ"));
  ThroughputRunner runner;
  // The file's fields besides the records; the bandwidth entry of a thread count comes from the
  // process that first measured it (an earlier one when resuming).
  const auto header = [&] {
    const nlohmann::json prev_bw = prev.is_object() ? prev.value("read_bandwidth", nlohmann::json::object()) : nlohmann::json::object();
    nlohmann::json bandwidth = nlohmann::json::object();
    for (const auto& r : files.results()) {
      const std::string key = std::to_string(r.threads);
      if (bandwidth.contains(key)) continue;
      if (prev_bw.is_object() && prev_bw.contains(key)) bandwidth[key] = prev_bw[key];
      else if (const BandwidthResult* b = runner.measured_bandwidth(r.threads))
        bandwidth[key] = {{"median_gbps", b->median_gbps}, {"samples_gbps", b->samples_gbps}, {"buffer_bytes", b->buffer_bytes}};
    }
    nlohmann::json h = {
        {"schema", kResultSchema},
        {"created", prev.is_object() ? prev.value("created", utc_now("%Y-%m-%dT%H:%M:%SZ")) : utc_now("%Y-%m-%dT%H:%M:%SZ")},
        {"command", prev.is_object() ? prev.value("command", command_line(args, overrides)) : command_line(args, overrides)},
        {"config", {{"name", name}, {"path", cfg.path}, {"description", description}, {"swept_keys", cfg.swept_keys},
                    {"overrides", cfg.overrides}}},
        {"device", prev.is_object() && prev.contains("device") ? prev["device"] : device.to_json()},
        {"read_bandwidth", bandwidth},
        {"skipped_runs", skipped},
    };
    if (!resumed.empty()) h["resumed"] = resumed;
    return h;
  };

  // SIGINT/SIGTERM stop at the next safe point (between repetitions); every finished record is
  // on disk by then.
  const StopSignals stop_signals;
  Progress progress(int(cfg.runs.size()), !args.has(canonical_flag("no_progress")));
  // The table grows on stdout as each test finishes (records a resumed file already holds first).
  LiveTable::Plan plan;
  for (size_t i = 0; i < cfg.runs.size(); ++i) {
    const RunParams& p = cfg.runs[i];
    plan.models.push_back(p.model.label());
    plan.backends.push_back(p.dtype.empty() ? p.backend : p.backend + " " + p.dtype);
    for (const TestSpec& t : tests_of[i]) plan.tests.push_back(test_name(t.n_prompt, t.n_gen, t.depth, t.n_seq));
  }
  LiveTable table(stdout, plan, [&] { progress.clear(); });
  for (const TestResult& r : files.results()) table.add(r);
  const bool verbose = args.has(canonical_flag("verbose"));
  size_t first_slot = 0;
  try {
    for (size_t i = 0; i < cfg.runs.size(); ++i) {
      const size_t runs_first_slot = first_slot;
      first_slot += tests_of[i].size();
      std::vector<TestSpec> todo;
      std::vector<size_t> todo_slots;
      for (size_t k = 0; k < tests_of[i].size(); ++k)
        if (!files.has(runs_first_slot + k)) {
          todo.push_back(tests_of[i][k]);
          todo_slots.push_back(runs_first_slot + k);
        }
      if (todo.empty()) continue;
      size_t done = 0;
      ThroughputRunner::Hooks hooks;
      hooks.progress = [&](const std::string& what) { progress.step(int(i) + 1, what); };
      hooks.checkpoint = throw_if_stopped;
      hooks.on_result = [&](const TestResult& r) {
        files.set(todo_slots[done++], r);
        files.write(header(), false, 0);
        table.add(r);
      };
      if (verbose) hooks.on_loaded = [](const Model& model) { fmt::print(stderr, "{}\n", model.memory_plan().describe()); };
      const std::vector<TestResult> rs = runner.run(cfg.runs[i], todo, hooks);
      // The run's records with its final peak RSS; written with the next record or at the end.
      for (size_t k = 0; k < rs.size(); ++k) files.set(todo_slots[k], rs[k]);
    }
  } catch (const Stopped& stop) {
    progress.done();
    files.write(header(), false, stop.signal());
    table.finish();
    fmt::print(stderr, "lfmb: stopped by {}: kept {} of {} record(s) in {}.json and .csv (\"complete\": false); "
               "rerun with --resume to finish\n", signal_name(stop.signal()), files.finished(), files.planned(), base);
    return stop.exit_code();
  } catch (...) {
    // Every finished record is already in the files ("complete": false).
    progress.done();
    throw;
  }
  progress.done();
  files.write(header(), true, 0);

  table.finish();
  const std::vector<TestResult> results = files.results();
  const std::string ratio = ratio_markdown(results);
  if (!ratio.empty()) fmt::print("\n{}", ratio);
  fmt::print(stderr, "wrote {}.json and {}.csv\n", base, base);
  return 0;
}

}  // namespace

Command run_command() {
  std::vector<OptionSpec> opts = {
      {"--set", "KEY=VALUE", "override a run key (YAML value; a,b,c or [a, b, c] is a list: replaces a swept key's list)",
       true}};
  for (OptionSpec& o : vocabulary_options(kCmdRun)) opts.push_back(std::move(o));
  opts.push_back({"--resume", "", "continue the same-name result file of an interrupted run: measure only its missing tests"});
  opts.push_back({"--dry-run", "", "validate and list the expanded runs without running them"});
  opts.push_back({"--help-config", "", "print every YAML key of run configs (docs/config.md) and exit"});
  return {{"run",
           "lfmb run CONFIG.yaml [--set key=value[,value...]]... [-t N -p N ... (run keys as flags)] [--save | -o DIR] "
           "[--resume] [--dry-run] [--max-combinations N]",
           "Run a throughput config or sweep, printing the table as each test finishes; write <date>-<name>.json + .csv "
           "after each finished test under runs/<device>/ (untracked), results/<device>/ with --save, or DIR/<device>/ "
           "with -o DIR, never over an earlier file (-2, -3, ... instead). Every run key is also a flag "
           "(lfmb run --help-config lists them).",
           opts,
           0,
           1},
          run_run};
}

}  // namespace lfmb
