// scripts/plot draws a results file from `lfmb run` to PNG and SVG (needs Debian's
// python3-matplotlib: skipped with a warning when missing, a failure under CI=true).
#include <catch2/catch.hpp>

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
