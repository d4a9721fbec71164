// scripts/eval-gates: skips without ../shared/reference (fails under CI=true), fails with a table
// of what moved when a run differs from its baseline, and runs the KLD gate only when this lfmb
// has `eval kld` (otherwise says it skipped it).
#include <catch2/catch.hpp>

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

const std::string kGatesScript = std::string(LFMB_SOURCE_DIR) + "/scripts/eval-gates";
const std::string kLfmb = std::string("LFMB=") + LFMB_BINARY;

}  // namespace

TEST_CASE("scripts/eval-gates skips without the reference models and fails under CI", "[eval-compare]") {
  const std::string none = "LFMB_SHARED_DIR=" + temp_dir() + "/nothing-here";
  const auto skip = run_process({"/usr/bin/env", "CI=false", none, kLfmb, kGatesScript});
  CHECK(skip.exit_code == 0);
  CHECK_THAT(skip.err, Catch::Contains("WARNING") && Catch::Contains("gates skipped"));
  const auto ci = run_process({"/usr/bin/env", "CI=true", none, kLfmb, kGatesScript});
  CHECK(ci.exit_code != 0);
  CHECK_THAT(ci.err, Catch::Contains("CI=true: failing"));
}

TEST_CASE("scripts/eval-gates runs the KLD gate only when lfmb has eval kld", "[eval-compare]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const auto help = run_lfmb({"eval", "kld", "--help"});
  const bool have_kld = help.exit_code == 0 && help.out.rfind("usage: lfmb eval kld ", 0) == 0;
  const auto r = run_process({"/usr/bin/env", kLfmb, kGatesScript, "--skip-decision", "--backends", "reference"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  if (have_kld) {
    CHECK_THAT(r.out, Catch::Contains("KLD gate") && Catch::Contains("|qwen3-f32.gguf|reference|pass|"));
    CHECK_THAT(r.out, !Catch::Contains("not available"));
  } else {
    CHECK_THAT(r.out, Catch::Contains("kld gate: lfmb eval kld not available, skipped"));
  }
}

TEST_CASE("scripts/eval-gates fails and prints what moved when a run leaves its baseline", "[eval-compare]") {
  LFMB_REQUIRE_REFERENCE(ref);
  // One model, the reference backend, and a baseline with document 0 of one task turned around:
  // the reference run (scalar ISA) otherwise reproduces it exactly, so exactly that flip shows.
  const std::string dir = temp_dir(), base = dir + "/baselines";
  fs::create_directories(base);
  fs::copy(std::string(LFMB_SOURCE_DIR) + "/eval/baselines/qwen3-q8_0", base + "/qwen3-q8_0");
  const std::string samples = base + "/qwen3-q8_0/samples_mmlu_pro_math.jsonl";
  std::string text = read_file(samples);
  const size_t eol = text.find('\n');
  std::string first = text.substr(0, eol);
  const size_t at = first.find("\"acc,none\":");
  REQUIRE(at != std::string::npos);
  const char was = first[at + 11];
  first[at + 11] = was == '0' ? '1' : '0';
  write_file(samples, first + text.substr(eol));
  std::string gates = read_file(std::string(LFMB_SOURCE_DIR) + "/configs/eval/gates.yaml");
  const size_t m = gates.find("    - {name: lfm2moe-q4_0");
  REQUIRE(m != std::string::npos);
  gates.erase(m, gates.find('\n', m) - m + 1);  // the qwen3 model only
  write_file(dir + "/gates.yaml", gates);

  const auto r = run_process({"/usr/bin/env", kLfmb, kGatesScript, "--skip-kld", "--backends", "reference", "--gates",
                              dir + "/gates.yaml", "--baselines", base});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("|qwen3-q8_0|reference|FAIL|") && Catch::Contains("mmlu_pro_math 1"));
  CHECK_THAT(r.out, Catch::Contains("what moved") && Catch::Contains("|mmlu_pro_math|acc,none|"));
  CHECK_THAT(r.out, Catch::Contains("mmlu_abstract_algebra 0"));
  CHECK_THAT(r.err, Catch::Contains("eval-gates: FAILED: qwen3-q8_0 reference"));
}
