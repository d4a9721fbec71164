// `lfmb run`: a tiny sweep end to end (result files, schema, table), dry runs, --set, and that a
// config with a bad run fails before anything runs and writes nothing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "backends/registry.h"
#include "bench/run_config.h"
#include "bench/run_validation.h"
#include "bench/test_result.h"
#include "test_support.h"

using lfmb::test::read_file;
using lfmb::test::run_lfmb;
using lfmb::test::temp_dir;
using lfmb::test::write_file;
namespace fs = std::filesystem;

namespace {

const char* kTinySweep = R"(name: tiny-sweep
run:
  backend: native
  threads: 1
  n_prompt: 8
  n_gen: 4
  repetitions: 2
  warmup: 1
sweep:
  model:
    - {preset: tiny-lfm2moe, type: q4_0}
    - {preset: tiny-qwen3, type: q8_0}
)";

std::vector<fs::path> files_under(const std::string& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("lfmb run writes <device>/<date>-<name>.json and .csv and prints the table", "[cli][runner]") {
  const std::string dir = temp_dir();
  write_file(dir + "/tiny.yaml", kTinySweep);
  const auto r = run_lfmb({"run", dir + "/tiny.yaml", "--out", dir + "/results"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("| model") && Catch::Contains(" t/s |") && Catch::Contains("roofline"));
  // Ratio table: each model over the last one, ± the standard error.
  CHECK_THAT(r.out, Catch::Contains("Ratios to the baseline model=tiny-qwen3 Q8_0 (synth)"));
  CHECK_THAT(r.out, Catch::Contains("| tiny-lfm2moe Q4_0 (synth) |") && Catch::Contains("| tiny-qwen3 Q8_0 (synth) |"));
  CHECK_THAT(r.err, Catch::Contains("[2/2"));                                                // progress

  const auto files = files_under(dir + "/results");
  REQUIRE(files.size() == 2);
  CHECK(files[0].extension() == ".csv");
  CHECK(files[1].extension() == ".json");
  CHECK_THAT(files[1].filename().string(), Catch::Matches(R"(\d{4}-\d{2}-\d{2}-tiny-sweep\.json)"));

  const auto j = nlohmann::json::parse(read_file(files[1].string()));
  CHECK(j["schema"] == lfmb::kResultSchema);
  CHECK(j["config"]["name"] == "tiny-sweep");
  CHECK(j["config"]["swept_keys"] == nlohmann::json({"model"}));
  CHECK(files[1].parent_path().filename() == j["device"]["slug"].get<std::string>());
  for (const char* key : {"cpu_model", "cpu_features", "cores", "mem_total_bytes", "os", "kernel", "compiler",
                          "compile_flags", "libraries", "lfmb_commit"})
    CHECK(j["device"].contains(key));
  CHECK(j["read_bandwidth"]["1"]["median_gbps"].get<double>() > 0);
  REQUIRE(j["tests"].size() == 4);  // 2 models × (pp8, tg4)
  for (const auto& t : j["tests"]) {
    INFO(t.dump());
    CHECK(t["samples_ns"].size() == 2);
    CHECK(t["samples_ts"].size() == 2);
    CHECK(t["avg_ts"].get<double>() > 0);
    CHECK(t["peak_rss_bytes"].get<uint64_t>() > 0);
    CHECK(t["params"]["repetitions"] == 2);
    const auto back = lfmb::TestResult::from_json(t);
    CHECK(back.ts.mean == Approx(t["avg_ts"].get<double>()));
  }
  CHECK(j["tests"][1]["test"] == "tg4");
  CHECK(j["tests"][1]["roofline"]["achieved_pct"].get<double>() > 0);
  CHECK(j["tests"][1].contains("routing"));
  CHECK_FALSE(j["tests"][3].contains("routing"));  // dense Qwen3

  const std::string csv = read_file(files[0].string());
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 5);  // header + 4 tests

  // The same files merge back through lfmb report.
  const auto rep = run_lfmb({"report", files[1].string(), "--csv"});
  REQUIRE(rep.exit_code == 0);
  CHECK(std::count(rep.out.begin(), rep.out.end(), '\n') == 5);
}

TEST_CASE("lfmb run that cannot write its results fails with one line and leaves no file", "[cli][runner]") {
  const std::string dir = temp_dir();
  write_file(dir + "/one.yaml", "run: {model: {preset: tiny-lfm2}, threads: 1, n_prompt: 4, n_gen: 0, repetitions: 1}\n");
  write_file(dir + "/blocker", "a file where the results directory should go");
  const auto r = run_lfmb({"run", dir + "/one.yaml", "--out", dir + "/blocker"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("lfmb: error: " + dir + "/blocker/"));
  CHECK(r.out.empty());
  CHECK(files_under(dir) == std::vector<fs::path>{dir + "/blocker", dir + "/one.yaml"});
}

TEST_CASE("lfmb run --dry-run lists the expanded runs, --set overrides a key", "[cli][runner]") {
  const std::string dir = temp_dir();
  write_file(dir + "/tiny.yaml", kTinySweep);
  const auto r = run_lfmb({"run", dir + "/tiny.yaml", "--dry-run", "--set", "n_prompt=[8, 16]", "--out", dir + "/res"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("2 run(s)"));
  CHECK_THAT(r.out, Catch::Contains("tiny-qwen3 Q8_0 (synth) | native | threads 1 | pp8, pp16, tg4"));
  CHECK(files_under(dir + "/res").empty());
}

TEST_CASE("skip_unavailable drops runs whose backend lacks the dtype here with a note, else they are refused",
          "[cli][runner]") {
  // native takes no dtype on any CPU, so native int8 is unavailable everywhere.
  const std::string sweep = R"(run:
  model: {preset: tiny-lfm2, type: q4_0}
  threads: 1
  n_prompt: 8
  n_gen: 2
sweep:
  backend: [native, onednn]
  dtype: [int8]
)";
  const std::string dir = temp_dir();
  write_file(dir + "/strict.yaml", sweep);
  const auto strict = run_lfmb({"run", dir + "/strict.yaml", "--dry-run"});
  CHECK(strict.exit_code == 1);
  CHECK_THAT(strict.err, Catch::Contains(dir + "/strict.yaml:8: key 'dtype': backend 'native' computes on the stored type"));

  write_file(dir + "/skip.yaml", sweep + "skip_unavailable: true\n");
  const auto skip = run_lfmb({"run", dir + "/skip.yaml", "--dry-run"});
  INFO(skip.err);
  REQUIRE(skip.exit_code == 0);
  CHECK_THAT(skip.err, Catch::Contains("skipping tiny-lfm2 Q4_0 (synth) | native int8: backend 'native' computes on the "
                                       "stored type and takes no dtype (skip_unavailable)"));
  CHECK_THAT(skip.out, Catch::Contains("1 run(s)"));
  CHECK_THAT(skip.out, Catch::Contains("| onednn int8 |"));

  write_file(dir + "/none.yaml", "run:\n  model: {preset: tiny-lfm2, type: q4_0}\n  backend: native\n  dtype: int8\n"
                                 "skip_unavailable: true\n");
  const auto none = run_lfmb({"run", dir + "/none.yaml", "--dry-run"});
  CHECK(none.exit_code == 1);
  CHECK_THAT(none.err, Catch::Contains(dir + "/none.yaml: no run is available on this CPU"));

  write_file(dir + "/bad.yaml", sweep + "skip_unavailable: sometimes\n");
  const auto bad = run_lfmb({"run", dir + "/bad.yaml", "--dry-run"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains(dir + "/bad.yaml:9: key 'skip_unavailable': expected true or false"));
}

TEST_CASE("lfmb run refuses a bad run before running any, naming file:line:key, and writes nothing", "[cli][runner]") {
  const std::string dir = temp_dir();
  write_file(dir + "/bad.yaml", R"(run:
  model: {preset: tiny-lfm2, type: q4_0}
  threads: 1
  n_prompt: 8
  n_gen: 2
sweep:
  backend:
    - native
    - nosuch
)");
  const auto r = run_lfmb({"run", dir + "/bad.yaml", "--out", dir + "/results"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains(dir + "/bad.yaml:9: key 'backend': unknown backend 'nosuch'"));
  CHECK(r.out.empty());
  CHECK(files_under(dir + "/results").empty());

  write_file(dir + "/ctx.yaml", "run:\n  model: {preset: tiny-lfm2, type: q4_0}\n  n_gen: 2\n  depth: [0, 600]\n");
  const auto c = run_lfmb({"run", dir + "/ctx.yaml", "--out", dir + "/results"});
  CHECK(c.exit_code == 1);
  CHECK_THAT(c.err, Catch::Contains(dir + "/ctx.yaml:4: key 'depth': the tests need"));
  CHECK(files_under(dir + "/results").empty());
}

TEST_CASE("the shipped configs load and are valid on this CPU", "[cli][runner]") {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(std::string(LFMB_SOURCE_DIR) + "/configs")) {
    if (e.path().extension() != ".yaml") continue;
    if (e.path().parent_path().filename() == "eval") continue;  // eval configs: tests/test_eval_run.cpp
    INFO(e.path());
    const auto cfg = lfmb::load_run_config(e.path().string());
    CHECK(!cfg.runs.empty());
    ++n;
  }
  CHECK(n >= 5);
  // The backend sweep keeps what fits: native and oneDNN int8 on both models, the float and bf16
  // variants on Qwen3-1.7B only, bf16 only where oneDNN offers it on this CPU; every run it keeps
  // is valid with this build's backends.
  auto sweep = lfmb::load_run_config(std::string(LFMB_SOURCE_DIR) + "/configs/sweeps/backends.yaml");
  const auto skipped = lfmb::drop_unavailable_runs(sweep);
  std::vector<std::string> kept;
  for (const auto& r : sweep.runs) kept.push_back(r.model.preset + " " + r.backend + " " + r.dtype);
  std::vector<std::string> expected = {"lfm2-8b-a1b native ",     "lfm2-8b-a1b onednn int8", "qwen3-1.7b native ",
                                       "qwen3-1.7b onednn int8",  "qwen3-1.7b onednn bf16",  "qwen3-1.7b onednn f32",
                                       "qwen3-1.7b openblas f32", "qwen3-1.7b xnnpack f32"};
  const auto onednn = lfmb::create_backend("onednn", {1, ""})->dtypes();
  if (std::find(onednn.begin(), onednn.end(), "bf16") == onednn.end()) {
    std::erase(expected, "qwen3-1.7b onednn bf16");
    REQUIRE(skipped.size() == 1);
    CHECK_THAT(skipped[0], Catch::Contains("onednn bf16: backend 'onednn' has no dtype 'bf16'"));
  } else {
    CHECK(skipped.empty());
  }
  CHECK(kept == expected);
  for (size_t i = 0; i < sweep.runs.size(); ++i)
    lfmb::validate_run(sweep.runs[i], [&](const std::string& key) { return sweep.where(i, key); });
  const auto cfg = lfmb::load_run_config(std::string(LFMB_SOURCE_DIR) + "/configs/quickstart.yaml");
  REQUIRE(cfg.runs.size() == 2);
  for (size_t i = 0; i < cfg.runs.size(); ++i)
    lfmb::validate_run(cfg.runs[i], [&](const std::string& key) { return cfg.where(i, key); });
  CHECK(cfg.where(1, "model") == std::string(LFMB_SOURCE_DIR) + "/configs/quickstart.yaml:17: key 'model'");
  CHECK_THAT(cfg.where(0, "n_ctx"), Catch::EndsWith("quickstart.yaml (default): key 'n_ctx'"));
}
