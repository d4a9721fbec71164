// scripts/plot draws eval runs (per-task scores with ±1.96·stderr bars, one bar per run) and
// `lfmb eval kld --json` files (histogram + CDF with "kld_values", else the percentile summary).
// Needs Debian's python3-matplotlib: skipped with a warning when missing, a failure under CI=true.
// The SVG backend writes every text as a comment (<!-- text -->), which is what is checked here.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "test_support.h"

using lfmb::test::read_file;
using lfmb::test::run_process;
using lfmb::test::temp_dir;
using lfmb::test::write_file;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool matplotlib_here() {
  if (run_process({"/usr/bin/python3", "-c", "import matplotlib"}).exit_code == 0) return true;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") FAIL("python3-matplotlib is missing (CI=true: run scripts/setup)");
  WARN("skipped: python3-matplotlib is not installed (scripts/setup installs it)");
  return false;
}

// results.json as eval/run/results_writer.cpp lays it out (metric keys sorted, stderr next to them).
void write_eval_run(const std::string& dir, double acc, double em, const std::string& backend) {
  const json r = {{"results",
                   {{"mmlu_abstract_algebra",
                     {{"acc,none", acc}, {"acc_norm,none", 0.11}, {"acc_norm_stderr,none", 0.02},
                      {"acc_stderr,none", 0.05}, {"alias", "mmlu_abstract_algebra"}}},
                    {"gsm8k_cot_llama",
                     {{"exact_match,flexible-extract", em}, {"exact_match,strict-match", 0.0},
                      {"exact_match_stderr,flexible-extract", "N/A"}, {"exact_match_stderr,strict-match", 0.0},
                      {"alias", "gsm8k_cot_llama"}}}}},
                  {"groups", json::object()},
                  {"n-shot", {{"mmlu_abstract_algebra", 5}, {"gsm8k_cot_llama", 0}}},
                  {"config", {{"backend", backend}}}};
  write_file(dir + "/results.json", r.dump(2));
}

}  // namespace

TEST_CASE("scripts/plot draws eval runs side by side with 95 percent intervals", "[plot][eval-compare]") {
  if (!matplotlib_here()) return;
  const std::string dir = temp_dir(), plot = std::string(LFMB_SOURCE_DIR) + "/scripts/plot";
  write_eval_run(dir + "/run-ref", 0.35, 0.125, "reference");
  write_eval_run(dir + "/run-nat", 0.4, 0.25, "native");
  // A folder or its results.json both name a run.
  const auto r = run_process({plot, dir + "/run-ref", dir + "/run-nat/results.json", "-o", dir + "/acc.svg"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string svg = read_file(dir + "/acc.svg");
  CHECK_THAT(svg, Catch::Contains("<!-- mmlu_abstract_algebra -->") && Catch::Contains("<!-- gsm8k_cot_llama -->"));
  CHECK_THAT(svg, Catch::Contains("<!-- run-ref (reference) -->") && Catch::Contains("<!-- run-nat (native) -->"));
  // The primary metric (first key: acc,none and exact_match,flexible-extract) is what is drawn.
  CHECK_THAT(svg, Catch::Contains("<!-- 0.350 -->") && Catch::Contains("<!-- 0.400 -->") &&
                      Catch::Contains("<!-- 0.125 -->") && Catch::Contains("<!-- 0.250 -->"));
  CHECK_THAT(svg, !Catch::Contains("<!-- 0.110 -->"));
  CHECK_THAT(svg, Catch::Contains("±1.96·stderr"));

  const auto norm = run_process({plot, dir + "/run-ref", "--metric", "acc_norm,none", "-o", dir + "/norm.svg"});
  REQUIRE(norm.exit_code == 0);
  CHECK_THAT(read_file(dir + "/norm.svg"), Catch::Contains("<!-- 0.110 -->"));
  const auto png = run_process({plot, dir + "/run-ref", "-o", dir + "/acc.png"});
  REQUIRE(png.exit_code == 0);
  CHECK(read_file(dir + "/acc.png").substr(1, 3) == "PNG");
}

TEST_CASE("scripts/plot draws the KLD distribution from eval kld json files", "[plot][eval-compare]") {
  if (!matplotlib_here()) return;
  const std::string dir = temp_dir(), plot = std::string(LFMB_SOURCE_DIR) + "/scripts/plot";
  json summary = {{"mean_kld", 0.004},      {"mean_kld_stderr", 0.0005}, {"median_kld", 0.002}, {"p90_kld", 0.009},
                  {"p95_kld", 0.013},       {"p99_kld", 0.031},          {"max_kld", 0.077},    {"same_top_p", 0.98},
                  {"n_tokens", 92}};
  write_file(dir + "/native-q8.json", summary.dump());
  auto r = run_process({plot, dir + "/native-q8.json", "-o", dir + "/pct.svg"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string svg = read_file(dir + "/pct.svg");
  CHECK_THAT(svg, Catch::Contains("KL divergence percentiles") && Catch::Contains("<!-- p99 -->") &&
                      Catch::Contains("<!-- 0.031 -->") && Catch::Contains("<!-- native-q8 (n=92) -->"));

  json values = summary;
  values["kld_values"] = json::array();
  for (int i = 0; i < 92; ++i) values["kld_values"].push_back(1e-4 * (1 + i % 17) * (1 + i / 30));
  values["kld_values"].push_back(-2e-6);  // small negatives occur (16-bit base logits) and must not break a log axis
  write_file(dir + "/with-values.json", values.dump());
  r = run_process({plot, dir + "/with-values.json", dir + "/native-q8.json", "-o", dir + "/hist.svg"});
  REQUIRE(r.exit_code == 0);
  svg = read_file(dir + "/hist.svg");
  CHECK_THAT(svg, Catch::Contains("histogram and CDF") && Catch::Contains("<!-- cumulative share (lines) -->"));
  CHECK_THAT(r.err, Catch::Contains("left out of the histogram"));

  write_file(dir + "/bad.json", "{\"results\": 3}");
  const auto bad = run_process({plot, dir + "/bad.json", "-o", dir + "/bad.png"});
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("not an lfmb results file"));
  CHECK_FALSE(fs::exists(dir + "/bad.png"));
}
