// YAML run/sweep configs: expansion, exclusions, overrides, and errors with file, line and key.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "bench/run_config.h"

using namespace lfmb;

namespace {
std::string config_error(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  try {
    parse_run_config(yaml, "cfg.yaml", overrides);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("a sweep runs the cartesian product minus exclusions, first key outermost", "[harness]") {
  const auto cfg = parse_run_config(R"(
name: demo
run:
  model: {preset: lfm2-8b-a1b, type: q4_0, seed: 3}
  n_prompt: [128, 512]
  n_gen: 32
sweep:
  backend: [native, onednn, openblas]
  threads: [1, 2]
exclude:
  - {backend: openblas, threads: 1}
)", "x/demo.yaml");
  CHECK(cfg.name == "demo");
  REQUIRE(cfg.runs.size() == 5);
  CHECK(cfg.swept_keys == std::vector<std::string>{"backend", "threads"});
  CHECK(cfg.runs[0].backend == "native");
  CHECK(cfg.runs[0].threads == 1);
  CHECK(cfg.runs[1].threads == 2);
  CHECK(cfg.runs[4].backend == "openblas");
  CHECK(cfg.runs[4].threads == 2);
  for (const auto& r : cfg.runs) {
    CHECK(r.model.preset == "lfm2-8b-a1b");
    CHECK(r.model.seed == 3);
    CHECK(r.n_prompt == std::vector<int>{128, 512});
    CHECK(r.n_gen == 32);
  }
}

TEST_CASE("an exclude rule matches a run by the values as the run holds them", "[harness]") {
  // The rule's values are normalised as the run's are: "2" is the integer 2, a scalar n_prompt
  // is a one-item list, and backend NAME:DTYPE compares its NAME (the rule key is backend).
  const auto cfg = parse_run_config(R"(
run: {model: m.gguf}
sweep:
  backend: [native, "onednn:int8"]
  threads: [1, 2]
  n_prompt: [[64], [64, 128]]
exclude:
  - {threads: "2", n_prompt: 64}
  - {backend: onednn}
)", "e.yaml");
  REQUIRE(cfg.runs.size() == 3);
  for (const auto& r : cfg.runs) CHECK(r.backend == "native");
  CHECK((cfg.runs[0].threads == 1 && cfg.runs[0].n_prompt == std::vector<int>{64}));
  CHECK((cfg.runs[1].threads == 1 && cfg.runs[1].n_prompt == std::vector<int>{64, 128}));
  CHECK((cfg.runs[2].threads == 2 && cfg.runs[2].n_prompt == std::vector<int>{64, 128}));
  // A bad value in a rule is an error with its line, whether or not a run would reach it.
  CHECK_THAT(config_error("run: {model: m.gguf}\nsweep: {threads: [1]}\nexclude: [{threads: 3, n_gen: x}]\n"),
             Catch::Contains("cfg.yaml:3: key 'n_gen'"));
}

TEST_CASE("overrides (--set) replace base values and collapse a swept key", "[harness]") {
  const std::string yaml = "run: {model: m.gguf}\nsweep: {threads: [1, 2]}\n";
  const auto cfg = parse_run_config(yaml, "c.yaml", {"threads=2", "n_gen=7", "depth=[0, 4096]"});
  REQUIRE(cfg.runs.size() == 1);
  CHECK(cfg.name == "c");
  CHECK(cfg.runs[0].threads == 2);
  CHECK(cfg.runs[0].n_gen == 7);
  CHECK(cfg.runs[0].depth == std::vector<int>{0, 4096});
  CHECK(cfg.runs[0].model.path == "m.gguf");
  CHECK_THAT(config_error(yaml, {"thread=2"}), Catch::Contains("--set thread=2: unknown key 'thread'"));
  CHECK_THAT(config_error(yaml, {"threads=two"}), Catch::Contains("--set threads=two: expected an integer"));
  CHECK_THAT(config_error(yaml, {"threads"}), Catch::Contains("expected key=value"));
}

TEST_CASE("config errors name the file, the line and the key", "[harness]") {
  CHECK(config_error("run:\n  model: m.gguf\n  thread: 2\n") ==
        "cfg.yaml:3: unknown key 'thread' (known: model, backend, dtype, threads, n_prompt, n_gen, depth, n_seq, repetitions, "
        "warmup, n_batch, n_ctx, mmap)");
  CHECK(config_error("run:\n  model: m.gguf\n  mmap: maybe\n") == "cfg.yaml:3: key 'mmap': expected true or false, got 'maybe'");
  CHECK(config_error("run:\n  model: m.gguf\n  threads: many\n") ==
        "cfg.yaml:3: key 'threads': expected an integer from 0 to 1024, got 'many'");
  CHECK_THAT(config_error("run:\n  model: m.gguf\n  n_prompt: [128, x]\n"), Catch::StartsWith("cfg.yaml:3: key 'n_prompt'"));
  CHECK_THAT(config_error("run: {model: m.gguf}\nsweep:\n  backend: native\n"),
             Catch::StartsWith("cfg.yaml:3: key 'sweep.backend': expected a non-empty list"));
  CHECK_THAT(config_error("run:\n  model: {preset: x, colour: red}\n"), Catch::Contains("unknown model key 'colour'"));
  CHECK_THAT(config_error("run:\n  model: {type: q4_0}\n"), Catch::Contains("exactly one of 'path' or 'preset'"));
  CHECK_THAT(config_error("runs: {}\n"), Catch::StartsWith("cfg.yaml:1: unknown section 'runs'"));
  CHECK_THAT(config_error("run: [1, 2\n"), Catch::StartsWith("cfg.yaml:") && Catch::Contains("invalid YAML"));
  CHECK_THAT(config_error("run: {n_gen: 4}\n"), Catch::Contains("no model given"));
  CHECK_THAT(config_error("run: {model: m.gguf}\nsweep: {threads: [1]}\nexclude: [{threads: 1}]\n"),
             Catch::Contains("every combination is excluded"));
  CHECK_THAT(config_error("name: 'a b'\nrun: {model: m.gguf}\n"), Catch::Contains("key 'name'"));
  CHECK_THROWS_WITH(load_run_config("/nonexistent.yaml"), "/nonexistent.yaml: cannot open config file");
}

#include <filesystem>

TEST_CASE("every shipped config under configs/ loads and expands", "[harness]") {
  int n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(LFMB_SOURCE_DIR) + "/configs")) {
    if (e.path().extension() != ".yaml") continue;
    if (e.path().parent_path().filename() == "eval") continue;  // eval configs: tests/test_eval_run.cpp
    INFO(e.path());
    const RunConfig cfg = load_run_config(e.path().string());
    CHECK_FALSE(cfg.runs.empty());
    CHECK(cfg.name == e.path().stem().string());  // result files are named after it
    ++n;
  }
  CHECK(n >= 4);
}
