// Issue 20, one vocabulary: the option table (core/cli/option_table.h) drives the flags of bench,
// run, logits, generate and eval, the YAML keys of run configs and docs/config.md; llama-bench's
// GPU flags are accepted and ignored with a note; backend:dtype works in lists; --version.
#include <catch2/catch.hpp>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "bench/device_info.h"
#include "bench/run_config.h"
#include "bench/run_params.h"
#include "core/cli/command.h"
#include "core/cli/model_args.h"
#include "core/cli/option_table.h"
#include "core/error.h"
#include "test_support.h"

using lfmb::test::read_file;
using lfmb::test::run_lfmb;
using lfmb::test::temp_dir;
using lfmb::test::write_file;

namespace {

const lfmb::CommandSpec& spec_of(const std::string& name) {
  for (const auto& c : lfmb::all_commands())
    if (c.spec.name == name) return c.spec;
  FAIL("no command " << name);
  throw;
}

// The five commands that share the vocabulary, with their bit in the table.
const std::vector<std::pair<std::string, lfmb::VocabCommand>> kCommands = {
    {"bench", lfmb::kCmdBench}, {"run", lfmb::kCmdRun}, {"logits", lfmb::kCmdLogits},
    {"generate", lfmb::kCmdGenerate}, {"eval", lfmb::kCmdEval}};

std::vector<std::string> split_names(const std::string& flags) {
  std::vector<std::string> out;
  std::stringstream ss(flags);
  for (std::string n; std::getline(ss, n, ',');) out.push_back(n);
  return out;
}

std::vector<nlohmann::json> vocab_jsonl(const std::string& out) {
  std::vector<nlohmann::json> rows;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

}  // namespace

TEST_CASE("every command that shares the vocabulary takes each of its table rows under the same names", "[vocab]") {
  for (const auto& [name, bit] : kCommands) {
    INFO(name);
    const auto& spec = spec_of(name);
    for (const auto& row : lfmb::option_table()) {
      if (!(row.commands & bit) || row.flags.empty()) continue;
      INFO(row.key);
      const auto it = std::find_if(spec.options.begin(), spec.options.end(), [&](const lfmb::OptionSpec& o) { return o.name == row.flags; });
      REQUIRE(it != spec.options.end());
      CHECK(it->value_name == row.value_name);
    }
    // No flag is defined twice in one command.
    std::vector<std::string> names;
    for (const auto& o : spec.options)
      for (const auto& n : split_names(o.name)) names.push_back(n);
    std::sort(names.begin(), names.end());
    CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
  }
}

TEST_CASE("the same option parses the same in bench run logits generate and eval", "[vocab]") {
  for (const auto& [name, bit] : kCommands) {
    INFO(name);
    const auto& spec = spec_of(name);
    const std::string positional = name == "run" || name == "eval" ? "x.yaml" : "";
    const auto parse = [&](std::vector<std::string> args) {
      if (!positional.empty()) args.push_back(positional);
      return lfmb::parse_args(spec, args);
    };
    // llama-bench's short names and lfmb's older long names land on the same canonical flag.
    const auto a = parse({"-t", "3", "-c", "64", "--mmap", "0"});
    CHECK(a.all("--threads") == std::vector<std::string>{"3"});
    CHECK(a.get("--ctx-size") == "64");
    CHECK(a.get("--mmap") == "0");
    // (eval's --batch-size is lm-eval's and has no --batch alias)
    const auto b = parse({"--threads", "3", "--ctx", "64", name == "eval" ? "--batch-size" : "--batch", "32"});
    CHECK(b.get("--threads") == "3");
    CHECK(b.get("--ctx-size") == "64");
    CHECK(b.get("--batch-size") == "32");
    const auto c = parse({"-b", "32", "--backend", "onednn:int8", "-v"});
    CHECK(c.get("--batch-size") == "32");
    CHECK(c.get("--backend") == "onednn:int8");
    CHECK(c.has("--verbose"));
  }
  // The commands that load one model turn the flags into the same ModelOptions.
  for (const auto& [name, cmd] : {std::pair{"logits", lfmb::kCmdLogits}, {"generate", lfmb::kCmdGenerate}}) {
    INFO(name);
    const auto args = lfmb::parse_args(spec_of(name), {"-t", "3", "-c", "64", "-b", "32", "--backend", "onednn:int8", "--mmap", "0"});
    const lfmb::ModelOptions o = lfmb::model_options_from_args(args, cmd);
    CHECK(o.backend == "onednn");
    CHECK(o.dtype == "int8");
    CHECK(o.threads == 3);
    CHECK(o.n_ctx == 64);
    CHECK(o.n_batch == 32);
    CHECK_FALSE(o.mmap);
    // -b NAME is a backend (lfmb's older -b), --no-mmap is --mmap 0.
    const auto older = lfmb::model_options_from_args(lfmb::parse_args(spec_of(name), {"-b", "reference", "--no-mmap"}), cmd);
    CHECK(older.backend == "reference");
    CHECK(older.dtype.empty());
    CHECK_FALSE(older.mmap);
  }
  // eval's --batch-size is lm-eval's (requests decoded together): the prefill chunk stays.
  const auto e = lfmb::model_options_from_args(lfmb::parse_args(spec_of("eval"), {"-t", "3", "-b", "32"}), lfmb::kCmdEval);
  CHECK(e.threads == 3);
  CHECK(e.n_batch == 512);
}

TEST_CASE("the defaults are one set: native on every logical processor in every command", "[vocab]") {
  const lfmb::ModelOptions o = lfmb::model_options_from_args(lfmb::parse_args(spec_of("logits"), {}), lfmb::kCmdLogits);
  CHECK(o.backend == "native");
  CHECK(o.threads == int(std::max(1u, std::thread::hardware_concurrency())));
  CHECK(o.n_batch == 512);
  CHECK(o.n_ctx == 0);
  CHECK(o.mmap);
  // A run config's defaults are the table's defaults.
  const lfmb::RunParams p;
  CHECK(p.backend == lfmb::option_def("backend").default_value);
  CHECK(p.threads == std::stoi(lfmb::option_def("threads").default_value));
  CHECK(p.n_prompt == std::vector<int>{std::stoi(lfmb::option_def("n_prompt").default_value)});
  CHECK(p.n_gen == std::stoi(lfmb::option_def("n_gen").default_value));
  CHECK(p.depth == std::vector<int>{std::stoi(lfmb::option_def("depth").default_value)});
  CHECK(p.repetitions == std::stoi(lfmb::option_def("repetitions").default_value));
  CHECK(p.warmup == std::stoi(lfmb::option_def("warmup").default_value));
  CHECK(p.n_batch == std::stoi(lfmb::option_def("n_batch").default_value));
  CHECK(p.n_ctx == std::stoi(lfmb::option_def("n_ctx").default_value));
  CHECK(p.mmap == (std::stoi(lfmb::option_def("mmap").default_value) == 1));
  // The YAML keys are exactly the table's YAML rows, with the table's help.
  std::vector<std::string> yaml_rows, fields;
  for (const auto& r : lfmb::option_table())
    if (r.yaml) yaml_rows.push_back(r.key);
  for (const auto& f : lfmb::run_fields()) {
    fields.push_back(f.key);
    CHECK(f.help == lfmb::option_def(f.key).help);
  }
  CHECK(yaml_rows == fields);
}

TEST_CASE("an unknown option is a usage error naming the command", "[vocab]") {
  for (const auto& [name, bit] : kCommands) {
    INFO(name);
    const auto r = run_lfmb({name, "--no-such-flag", "1"});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "lfmb: lfmb " + name + ": unknown option '--no-such-flag' (see lfmb " + name + " --help)\n");
  }
}

TEST_CASE("llama-bench's GPU flags are accepted and ignored with a one-line note", "[vocab]") {
  // In-process: every command keeps a note per ignored flag and stores no value.
  for (const auto& [name, bit] : kCommands) {
    INFO(name);
    const auto a = lfmb::parse_args(spec_of(name), {"-ngl", "99", "-fa", "1", "-sm", "none", "-nkvo", "0", "-ub", "256"});
    REQUIRE(a.notes().size() == 5);
    CHECK(a.notes()[0] == "-ngl 99 ignored (lfmb runs on the CPU)");
    CHECK(a.notes()[1] == "-fa 1 ignored (lfmb has one attention implementation)");
    CHECK(a.notes()[4] == "-ub 256 ignored (lfmb prefills in chunks of --batch-size and has no separate physical batch)");
    CHECK_FALSE(a.has("--n-gpu-layers"));
  }
  // Through the binary: a llama-bench command line runs, one note line per ignored flag.
  const auto r = run_lfmb({"bench", "--preset", "tiny-lfm2", "-p", "4", "-n", "0", "-r", "1", "-t", "1", "-ngl", "99",
                           "-fa", "1", "-o", "jsonl", "--no-progress"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err == "lfmb bench: note: -ngl 99 ignored (lfmb runs on the CPU)\n"
                 "lfmb bench: note: -fa 1 ignored (lfmb has one attention implementation)\n");
  CHECK(vocab_jsonl(r.out).size() == 1);
}

TEST_CASE("backend:dtype works in bench lists and the --dtype list skips the backends that lack it", "[vocab]") {
  const auto r = run_lfmb({"bench", "--preset", "tiny-lfm2", "-p", "4", "-n", "0", "-r", "1", "-t", "1", "-b",
                           "native,onednn:int8", "-o", "jsonl", "--no-progress"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto rows = vocab_jsonl(r.out);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["backends"] == "native");
  CHECK(rows[1]["backends"] == "onednn");
  CHECK(rows[1]["dtype"] == "int8");

  // The issue's command: native has no int8, so native runs on its stored type and onednn in int8.
  const auto d = run_lfmb({"bench", "--preset", "tiny-lfm2", "-p", "4", "-n", "0", "-r", "1", "-t", "1", "--backend",
                           "native,onednn", "--dtype", "int8", "-o", "jsonl", "--no-progress"});
  INFO(d.err);
  REQUIRE(d.exit_code == 0);
  rows = vocab_jsonl(d.out);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["backends"] == "onednn");
  CHECK(rows[0]["dtype"] == "int8");
  CHECK_THAT(d.err, Catch::Contains("lfmb bench: note: skipping native --dtype int8: backend 'native' computes on the stored type"));

  // A single explicit choice the backend lacks is an error, not a skip.
  const auto bad = run_lfmb({"bench", "--preset", "tiny-lfm2", "-b", "native:int8", "-r", "1", "--no-progress"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("backend 'native' computes on the stored type"));
  CHECK(run_lfmb({"bench", "--preset", "tiny-lfm2", "-b", "onednn:", "-r", "1"}).exit_code == 2);

  // The same spelling in a run config, and in --set lists.
  const auto cfg = lfmb::parse_run_config("run: {model: m.gguf}\nsweep: {backend: [native, 'onednn:int8']}\n", "c.yaml");
  REQUIRE(cfg.runs.size() == 2);
  CHECK(cfg.runs[0].backend == "native");
  CHECK(cfg.runs[0].dtype.empty());
  CHECK(cfg.runs[1].backend == "onednn");
  CHECK(cfg.runs[1].dtype == "int8");
  CHECK_THROWS_WITH(lfmb::parse_run_config("run: {model: m.gguf, backend: 'onednn:'}\n", "c.yaml"),
                    Catch::Contains("c.yaml:1: key 'backend': expected NAME or NAME:DTYPE"));
  CHECK_THROWS_AS(lfmb::parse_backend_choice(":int8", "--backend"), lfmb::UsageError);
  CHECK(lfmb::parse_backend_choice("onednn:bf16", "--backend").dtype == "bf16");
}

TEST_CASE("lfmb --version prints the version and the commit results record", "[vocab]") {
  const auto r = run_lfmb({"--version"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::EndsWith(" (commit " + std::string(lfmb::build_git_commit()) + ")\n"));
  CHECK(std::regex_match(r.out, std::regex(R"(lfmb \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)\n)")));
  CHECK(r.out == lfmb::version_text() + "\n");
}

TEST_CASE("docs/config.md is what the option table generates", "[vocab]") {
  const std::string generated = lfmb::config_reference_markdown();
  const std::string file = read_file(std::string(LFMB_SOURCE_DIR) + "/docs/config.md");
  // Regenerate with: build/lfmb run --help-config > docs/config.md
  CHECK(file == generated);
  const auto r = run_lfmb({"run", "--help-config"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == generated);
  // Every YAML key and every flag is in it, with its default.
  for (const auto& row : lfmb::option_table()) {
    INFO(row.key);
    if (row.yaml) CHECK_THAT(generated, Catch::Contains("| `" + row.key + "` |"));
    if (!row.flags.empty()) CHECK_THAT(generated, Catch::Contains("| `" + split_names(row.flags)[0] + "` |"));
  }
  CHECK_THAT(generated, Catch::Contains("| `threads` | `--threads` | integer | 0 (all logical processors) | threads |"));
  CHECK_THAT(generated, Catch::Contains("| `skip_unavailable` |"));
}

TEST_CASE("lfmb run takes the run keys as flags the same as --set", "[vocab]") {
  const std::string dir = temp_dir();
  write_file(dir + "/c.yaml", "run: {model: {preset: tiny-lfm2, type: q4_0}, n_gen: 2}\n");
  const auto r = run_lfmb({"run", dir + "/c.yaml", "--dry-run", "-t", "1", "-p", "8,16", "-r", "2", "--no-warmup",
                           "-b", "onednn:int8", "-ngl", "99"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("tiny-lfm2 Q4_0 (synth) | onednn int8 | threads 1 | pp8, pp16, tg2 | 2 rep(s) after 0 warm-up"));
  CHECK(r.err == "lfmb run: note: -ngl 99 ignored (lfmb runs on the CPU)\n");
  // A list for a single-valued key sweeps it.
  const auto s = run_lfmb({"run", dir + "/c.yaml", "--dry-run", "-t", "1,2", "-p", "8"});
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  CHECK_THAT(s.out, Catch::Contains("2 run(s)") && Catch::Contains("| threads 1 |") && Catch::Contains("| threads 2 |"));
}

TEST_CASE("lfmb run --set takes lists: a swept key gets a new list and a single-valued key is swept and a list key takes the list", "[vocab]") {
  const std::string yaml = "run: {model: m.gguf}\nsweep: {threads: [1, 2]}\n";
  const auto swept = lfmb::parse_run_config(yaml, "c.yaml", {"threads=1,2,4"});
  REQUIRE(swept.runs.size() == 3);
  CHECK(swept.runs[2].threads == 4);
  CHECK(swept.swept_keys == std::vector<std::string>{"threads"});
  CHECK(swept.where(2, "threads") == "--set threads=1,2,4: key 'threads'");
  CHECK(swept.overrides == std::vector<std::string>{"threads=1,2,4"});
  // YAML's flow list is the same list.
  CHECK(lfmb::parse_run_config(yaml, "c.yaml", {"threads=[2, 4]"}).runs.size() == 2);
  // A single-valued key not swept in the file becomes swept; a list key takes the list as its value.
  const auto added = lfmb::parse_run_config(yaml, "c.yaml", {"backend=native,onednn:int8", "n_prompt=8,16"});
  REQUIRE(added.runs.size() == 4);  // threads 1, 2 x 2 backends
  CHECK(added.swept_keys == std::vector<std::string>{"threads", "backend"});
  CHECK(added.runs[1].backend == "onednn");
  CHECK(added.runs[1].dtype == "int8");
  for (const auto& r : added.runs) CHECK(r.n_prompt == std::vector<int>{8, 16});
  // One value ends the sweep; a bad item names the --set.
  CHECK(lfmb::parse_run_config(yaml, "c.yaml", {"threads=2"}).runs.size() == 1);
  CHECK_THROWS_WITH(lfmb::parse_run_config(yaml, "c.yaml", {"threads=1,x"}),
                    Catch::Contains("--set threads=1,x: expected an integer from 0 to 1024, got 'x'"));
}

namespace {

// lfmb run from `dir` as the working directory (no shell quoting issues: the paths are ours).
lfmb::test::RunResult run_in(const std::string& dir, const std::string& args) {
  return lfmb::test::run_process({"sh", "-c", "cd '" + dir + "' && exec '" LFMB_BINARY "' run " + args});
}

std::vector<std::string> jsons_under(const std::string& dir) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.path().extension() == ".json") out.push_back(e.path().string().substr(dir.size() + 1));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("lfmb run writes to results only with --save and never over a file and names a run changed by --set", "[vocab]") {
  const std::string dir = temp_dir();
  write_file(dir + "/c.yaml", "name: c\ndescription: one pp4\nrun: {model: {preset: tiny-lfm2, type: q4_0}, threads: 1, "
                              "n_prompt: 4, n_gen: 0, repetitions: 2, warmup: 0}\n");
  const std::string slug = lfmb::detect_device().slug();
  const std::string day = [] {
    char buf[16];
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return std::string(buf);
  }();
  // Default: the untracked runs/<device>/, and it says where it wrote.
  const auto a = run_in(dir, "c.yaml --no-progress");
  INFO(a.err);
  REQUIRE(a.exit_code == 0);
  CHECK_THAT(a.err, Catch::Contains("wrote runs/" + slug + "/" + day + "-c.json and runs/" + slug + "/" + day + "-c.csv"));
  CHECK(jsons_under(dir) == std::vector<std::string>{"runs/" + slug + "/" + day + "-c.json"});
  // Again: a new name; --save writes under results/.
  REQUIRE(run_in(dir, "c.yaml --no-progress").exit_code == 0);
  REQUIRE(run_in(dir, "c.yaml --no-progress --save").exit_code == 0);
  CHECK(jsons_under(dir) == std::vector<std::string>{"results/" + slug + "/" + day + "-c.json",
                                                     "runs/" + slug + "/" + day + "-c-2.json",
                                                     "runs/" + slug + "/" + day + "-c.json"});
  CHECK(run_in(dir, "c.yaml --save -o elsewhere").exit_code == 2);
  // Changed by --set (or a run key given as a flag): the name, the description and the record say so.
  const auto s = run_in(dir, "c.yaml --no-progress -o out --set repetitions=1 -t 1,2");
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  const std::string base = dir + "/out/" + slug + "/" + day + "-c-set-threads-repetitions";
  const auto j = nlohmann::json::parse(read_file(base + ".json"));
  CHECK(j["config"]["name"] == "c-set-threads-repetitions");
  CHECK(j["config"]["description"] == "one pp4 (changed by --set threads=1,2, repetitions=1)");
  CHECK(j["config"]["overrides"] == nlohmann::json({"threads=1,2", "repetitions=1"}));
  CHECK(j["config"]["swept_keys"] == nlohmann::json({"threads"}));
  REQUIRE(j["tests"].size() == 2);
  CHECK(j["tests"][1]["threads"] == 2);
  CHECK(j["tests"][0]["samples_ts"].size() == 1);
  CHECK_THAT(j["command"].get<std::string>(), Catch::Contains("--set threads=1,2 --set repetitions=1 -o out"));
}
