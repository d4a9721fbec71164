// scripts/plot draws a results file from `lfmb run` to PNG and SVG (needs Debian's
// python3-matplotlib: skipped with a warning when missing, a failure under CI=true).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "test_support.h"

using lfmb::test::read_file;
using lfmb::test::run_lfmb;
using lfmb::test::run_process;
using lfmb::test::temp_dir;
using lfmb::test::write_file;
namespace fs = std::filesystem;

namespace {

bool matplotlib_present() {
  if (run_process({"/usr/bin/python3", "-c", "import matplotlib"}).exit_code == 0) return true;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") FAIL("python3-matplotlib is missing (CI=true: run scripts/setup)");
  WARN("skipped: python3-matplotlib is not installed (scripts/setup installs it)");
  return false;
}

}  // namespace

TEST_CASE("scripts/plot draws tok/s per backend and decode versus depth", "[plot][runner]") {
  if (!matplotlib_present()) return;
  const std::string dir = temp_dir();
  write_file(dir + "/p.yaml", R"(name: plotme
run: {model: {preset: tiny-lfm2, type: q4_0}, threads: 1, n_prompt: 4, n_gen: 2, depth: [0, 4], repetitions: 1, warmup: 0}
)");
  const auto r = run_lfmb({"run", dir + "/p.yaml", "--out", dir + "/results"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string json;
  for (const auto& e : fs::recursive_directory_iterator(dir + "/results"))
    if (e.path().extension() == ".json") json = e.path().string();
  REQUIRE(!json.empty());

  const std::string plot = std::string(LFMB_SOURCE_DIR) + "/scripts/plot";
  const auto png = run_process({plot, json, "-o", dir + "/tps.png"});
  INFO(png.err);
  REQUIRE(png.exit_code == 0);
  CHECK(read_file(dir + "/tps.png").substr(1, 3) == "PNG");
  const auto svg = run_process({plot, json, "--depth", "-o", dir + "/depth.svg"});
  INFO(svg.err);
  REQUIRE(svg.exit_code == 0);
  CHECK_THAT(read_file(dir + "/depth.svg"), Catch::Contains("<svg"));

  write_file(dir + "/not.json", "{\"schema\": \"other\"}");
  const auto bad = run_process({plot, dir + "/not.json", "-o", dir + "/x.png"});
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("not an lfmb results file"));
  CHECK_FALSE(fs::exists(dir + "/x.png"));
}

TEST_CASE("scripts/plot keeps files apart names device and date and skips kernel results", "[plot][report]") {
  if (!matplotlib_present()) return;
  const std::string dir = temp_dir();
  const auto run_file = [](const std::string& created, double pp) {
    const std::string rec = R"J({"model": "m Q4_0 (synth)", "backend": "native", "dtype": "", "threads": 2,
        "test": "pp8", "n_prompt": 8, "n_gen": 0, "depth": 0, "samples_ts": [)J" +
                            std::to_string(pp) + ", " + std::to_string(pp + 2) + R"J(], "avg_ts": )J" +
                            std::to_string(pp + 1) + R"J(, "stddev_ts": 1.4142})J";
    return R"J({"schema": "lfmb.throughput/1", "created": ")J" + created +
           R"J(", "device": {"cpu_model": "Plot CPU"}, "tests": [)J" + rec + "]}";
  };
  write_file(dir + "/day-a.json", run_file("2026-11-28T10:00:00Z", 30));
  write_file(dir + "/day-b.json", run_file("2026-11-29T10:00:00Z", 40));
  write_file(dir + "/kernels-x.json", R"J({"context": {}, "benchmarks": []})J");
  const std::string plot = std::string(LFMB_SOURCE_DIR) + "/scripts/plot";
  const auto r = run_process({plot, dir + "/day-a.json", dir + "/day-b.json", dir + "/kernels-x.json", "-o", dir + "/t.svg"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("plot: note: skipped 1 file(s): " + dir + "/kernels-x.json (kernel benchmark results)"));
  const std::string svg = read_file(dir + "/t.svg");
  // matplotlib's SVG keeps each text as a comment: legend entries, title, tick labels.
  CHECK_THAT(svg, Catch::Contains("<!-- m Q4_0 (synth) pp8 [day-a] -->"));
  CHECK_THAT(svg, Catch::Contains("<!-- m Q4_0 (synth) pp8 [day-b] -->"));
  CHECK_THAT(svg, Catch::Contains("Plot CPU, 2026-11-28 to 2026-11-29"));
  CHECK_THAT(svg, Catch::Contains("<!-- 0 -->"));  // a linear axis from zero
  const auto log = run_process({plot, dir + "/day-a.json", "--log", "-o", dir + "/l.svg"});
  REQUIRE(log.exit_code == 0);
  CHECK_THAT(read_file(dir + "/l.svg"), Catch::Contains("10^{1}"));

  // lfmb bench -o json rows (llama-bench's names) plot like a run file.
  write_file(dir + "/bench.json", R"J([{"model_filename": "m Q4_0 (synth)", "backends": "native", "dtype": "",
      "n_threads": 2, "n_prompt": 8, "n_gen": 0, "n_depth": 0, "avg_ts": 50.0, "stddev_ts": 1.0,
      "samples_ts": [49.0, 51.0], "cpu_info": "Bench CPU", "test_time": "2026-12-01T10:00:00Z"}])J");
  const auto b = run_process({plot, dir + "/bench.json", "-o", dir + "/b.svg"});
  INFO(b.err);
  REQUIRE(b.exit_code == 0);
  const std::string bsvg = read_file(dir + "/b.svg");
  CHECK_THAT(bsvg, Catch::Contains("Bench CPU, 2026-12-01"));
  CHECK_THAT(bsvg, Catch::Contains("<!-- m Q4_0 (synth) pp8 -->"));

  // Only files it cannot plot: an error, no image.
  const auto none = run_process({plot, dir + "/kernels-x.json", "-o", dir + "/n.png"});
  CHECK(none.exit_code != 0);
  CHECK_THAT(none.err, Catch::Contains("no results to plot"));
  CHECK_FALSE(fs::exists(dir + "/n.png"));
}

TEST_CASE("scripts/bench-kernels --help explains itself without building", "[scripts]") {
  const std::string dir = temp_dir();
  const std::string script = std::string(LFMB_SOURCE_DIR) + "/scripts/bench-kernels";
  // A build directory that does not exist: --help must not configure, build or install anything.
  const auto r = run_process({"env", "BUILD_DIR=" + dir + "/nobuild", script, "--help"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("<backend>/<weight type>[/<compute type>]/<model>/<layer>/rows:<N>"));
  CHECK_THAT(r.out, Catch::Contains("--filter REGEX"));
  CHECK_THAT(r.out, Catch::Contains("--out FILE"));
  CHECK_THAT(r.out, Catch::Contains("Run times"));
  CHECK(r.err.empty());
  CHECK_FALSE(fs::exists(dir + "/nobuild"));
  size_t widest = 0;
  for (size_t at = 0, next; at < r.out.size(); at = next + 1) {
    next = r.out.find('\n', at);
    if (next == std::string::npos) next = r.out.size();
    widest = std::max(widest, next - at);
  }
  CHECK(widest <= 100);
  const auto bad = run_process({"env", "BUILD_DIR=" + dir + "/nobuild", script, "--fliter=x"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("unknown argument '--fliter=x'"));
  CHECK_FALSE(fs::exists(dir + "/nobuild"));
  const auto out = run_process({"env", "BUILD_DIR=" + dir + "/nobuild", script, "--out", dir + "/k.md"});
  CHECK(out.exit_code == 1);
  CHECK_THAT(out.err, Catch::Contains("--out FILE must end in .json"));
}
