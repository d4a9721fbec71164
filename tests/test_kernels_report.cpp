// scripts/kernels-report: the markdown summary of a bench_kernels JSON file and its speed-bar verdicts.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test_support.h"

using namespace lfmb;

namespace {

nlohmann::json run(const std::string& name, double gb, double gflop) {
  return {{"name", name + "/real_time"}, {"run_name", name + "/real_time"}, {"run_type", "iteration"},
          {"real_time", 1.0}, {"time_unit", "us"}, {"weight_GB", gb}, {"GFLOP", gflop}, {"label", "x"}};
}

}  // namespace

TEST_CASE("kernels-report tabulates benchmarks with vs_read and judges the decode targets", "[scripts]") {
  nlohmann::json j;
  j["context"] = {{"date", "2026-11-25"}, {"lfmb_device", nlohmann::json{{"cpu_model", "Test CPU"}}.dump()}};
  j["benchmarks"] = {
      {{"name", "mem_read/threads:2/real_time"}, {"run_name", "mem_read/threads:2/real_time"},
       {"run_type", "iteration"}, {"read_GB", 50.0}},
      run("native/Q4_0/lfm2-8b-a1b/expert_gate_up/rows:1", 41.0, 145.0),  // 82 %: met
      run("native/Q4_0/lfm2-8b-a1b/expert_down/rows:1", 30.0, 100.0),     // 60 %: not met
      run("native/Q4_0/lfm2-8b-a1b/expert_down/rows:512", 3.0, 600.0),
      run("native/Q4_0/lfm2-8b-a1b/moe_layer/rows:1", 40.0, 140.0),       // 1.25x: not met
  };
  const std::string dir = test::temp_dir();
  test::write_file(dir + "/k.json", j.dump());
  const auto r = test::run_process({"python3", std::string(LFMB_SOURCE_DIR) + "/scripts/kernels-report",
                                    "--command", "bench it", dir + "/k.json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("# Kernel microbenchmarks: Test CPU") != std::string::npos);
  CHECK(r.out.find("```sh\n  bench it\n  ```") != std::string::npos);
  CHECK(r.out.find("50.0 GB/s on 2 threads") != std::string::npos);
  // Without a read after each call, vs_read is the share of mem_read (marked *): 30 / 50 GB/s.
  CHECK(r.out.find("| native/Q4_0 | lfm2-8b-a1b | expert_down | 30.0 | 60 %* |  |  | 600 |") != std::string::npos);
  CHECK(r.out.find("| native/Q4_0 | lfm2-8b-a1b | expert_gate_up | 41.0 | 82 %* |") != std::string::npos);
  CHECK(r.out.find("\\* against the mem_read benchmark") != std::string::npos);
  CHECK(r.out.find("expert_gate_up, 1 row: 41.0 GB/s = 82 % of 50.0 GB/s (target 80 %: met)") != std::string::npos);
  CHECK(r.out.find("expert_down, 1 row: 30.0 GB/s = 60 % of 50.0 GB/s (target 80 %: NOT met)") != std::string::npos);
  CHECK(r.out.find("1.25x the time to read its 4 experts\n  once at 50.0 GB/s") != std::string::npos);
  CHECK(r.out.find("(target 1.15x: NOT met)") != std::string::npos);
  CHECK(r.out.find("issue") == std::string::npos);
  CHECK(r.out.find("- file: `" + dir + "/k.json`") != std::string::npos);
  // No line of the summary runs past 120 characters.
  for (size_t at = 0, next; at < r.out.size(); at = next + 1) {
    next = r.out.find('\n', at);
    if (next == std::string::npos) next = r.out.size();
    CHECK(next - at <= 120);
  }

  // Files from the current bench_kernels time the one-token layer manually and carry vs_read, the
  // layer's time over a streaming read of as many bytes right after each call: that is the verdict.
  auto moe = run("native/Q4_0/lfm2-8b-a1b/moe_layer/rows:1", 40.0, 140.0);
  moe["name"] = moe["run_name"] = "native/Q4_0/lfm2-8b-a1b/moe_layer/rows:1/manual_time";
  moe["vs_read"] = 1.10;
  j["benchmarks"][4] = moe;
  auto down = run("native/Q4_0/lfm2-8b-a1b/expert_down/rows:1", 30.0, 100.0);
  down["name"] = down["run_name"] = "native/Q4_0/lfm2-8b-a1b/expert_down/rows:1/manual_time";
  down["vs_read"] = 1.2;  // 83 % of the read right after each call: met, though 60 % of mem_read
  j["benchmarks"][2] = down;
  test::write_file(dir + "/k2.json", j.dump());
  const auto r2 = test::run_process({"python3", std::string(LFMB_SOURCE_DIR) + "/scripts/kernels-report", "--source",
                                     "results/x/kernels-2026-11-25.json", dir + "/k2.json"});
  INFO(r2.err);
  REQUIRE(r2.exit_code == 0);
  CHECK(r2.out.find("| native/Q4_0 | lfm2-8b-a1b | moe_layer | 40.0 |") != std::string::npos);
  CHECK(r2.out.find("1.10x the time of a streaming read\n  of as many bytes right after each call (target 1.15x: met)") !=
        std::string::npos);
  CHECK(r2.out.find("expert_down, 1 row: 30.0 GB/s = 60 % of 50.0 GB/s;\n  83 % of a streaming read of as many bytes "
                    "right after each call (target 80 %: met)") != std::string::npos);
  // With the counter, vs_read is 1 / (call time / read time), unmarked.
  CHECK(r2.out.find("| native/Q4_0 | lfm2-8b-a1b | expert_down | 30.0 | 83 % |") != std::string::npos);
  CHECK(r2.out.find("| native/Q4_0 | lfm2-8b-a1b | moe_layer | 40.0 | 91 % |") != std::string::npos);
  // --source names the file where it is kept, not where it was read from.
  CHECK(r2.out.find("- file: `results/x/kernels-2026-11-25.json`") != std::string::npos);
  CHECK(r2.out.find(dir) == std::string::npos);

  // A run of other types only (a Q8_0 decode run) says the bars were not evaluated.
  j["benchmarks"] = {j["benchmarks"][0], run("native/Q8_0/lfm2-8b-a1b/expert_down/rows:1", 30.0, 100.0)};
  test::write_file(dir + "/k3.json", j.dump());
  const auto r3 = test::run_process({"python3", std::string(LFMB_SOURCE_DIR) + "/scripts/kernels-report", dir + "/k3.json"});
  INFO(r3.err);
  REQUIRE(r3.exit_code == 0);
  CHECK(r3.out.find("| native/Q8_0 | lfm2-8b-a1b | expert_down | 30.0 |") != std::string::npos);
  CHECK(r3.out.find("No native Q4_0 one-row LFM2-8B-A1B expert results in this file: targets not evaluated.") !=
        std::string::npos);
  CHECK(r3.out.find("target 80 %:") == std::string::npos);

  const auto bad = test::run_process({"python3", std::string(LFMB_SOURCE_DIR) + "/scripts/kernels-report",
                                      dir + "/missing.json"});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("missing.json") != std::string::npos);
}
