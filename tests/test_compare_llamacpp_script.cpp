// scripts/compare-llamacpp, with stand-ins for llama-bench and lfmb that print llama-bench JSON
// with known speeds per round: the calls alternate engine by engine and model by model, and the
// table gives each engine's median t/s and the median and range of the per-round ratios.
#include <catch2/catch.hpp>

#include <string>

#include "test_support.h"

using lfmb::test::read_file;
using lfmb::test::run_process;
using lfmb::test::temp_dir;
using lfmb::test::write_file;

namespace {

const std::string kScript = std::string(LFMB_SOURCE_DIR) + "/scripts/compare-llamacpp";

// A stand-in engine: logs "<engine> <model file>" and prints the JSON of round N (its Nth call per
// model, counted in DIR), pp speeds from `pp` and tg speeds from `tg` (one per round).
std::string fake_engine(const std::string& dir, const std::string& engine, const std::string& json_per_round) {
  const std::string path = dir + "/" + engine;
  write_file(path, "#!/usr/bin/env bash\n"
                   "set -e\n"
                   "model=''; while [[ $# -gt 0 ]]; do [[ $1 == -m ]] && model=$2; shift; done\n"
                   "name=$(basename \"$model\")\n"
                   "echo \"" + engine + " $name\" >> " + dir + "/calls.log\n"
                   "n=$(( $(cat " + dir + "/" + engine + ".$name.count 2>/dev/null || echo 0) + 1 ))\n"
                   "echo $n > " + dir + "/" + engine + ".$name.count\n" +
                   json_per_round);
  run_process({"/bin/chmod", "+x", path});
  return path;
}

}  // namespace

TEST_CASE("scripts/compare-llamacpp interleaves the engines and reports median per-round ratios", "[bench]") {
  const std::string dir = temp_dir();
  write_file(dir + "/a.gguf", "");
  write_file(dir + "/b.gguf", "");
  // llama.cpp: pp512 at 100, 110, 90, 100 t/s over rounds 1–4; tg128 at 20.
  const std::string llama = fake_engine(dir, "llama", R"(pp=(0 100 110 90 100)
echo "[{\"model_filename\": \"$model\", \"backends\": \"CPU\", \"n_prompt\": 512, \"n_gen\": 0, \"avg_ts\": ${pp[$n]}},
      {\"model_filename\": \"$model\", \"backends\": \"CPU\", \"n_prompt\": 0, \"n_gen\": 128, \"avg_ts\": 20}]"
)");
  // lfmb: native pp512 at 150, 165, 135, 200 (ratios 1.5, 1.5, 1.5, 2.0); onednn int8 at 300
  // (ratios 3, 2.73, 3.33, 3); native tg128 at 25 (1.25 every round).
  const std::string lfmb = fake_engine(dir, "lfmb", R"(pp=(0 150 165 135 200)
echo "[{\"model_filename\": \"$model\", \"backends\": \"native\", \"dtype\": \"\", \"n_prompt\": 512, \"n_gen\": 0, \"avg_ts\": ${pp[$n]}},
      {\"model_filename\": \"$model\", \"backends\": \"native\", \"dtype\": \"\", \"n_prompt\": 0, \"n_gen\": 128, \"avg_ts\": 25},
      {\"model_filename\": \"$model\", \"backends\": \"onednn\", \"dtype\": \"int8\", \"n_prompt\": 512, \"n_gen\": 0, \"avg_ts\": 300}]"
)");
  const auto r = run_process({kScript, "--llama-bench", llama, "--lfmb", lfmb, "--rounds", "4", "-t", "2",
                              dir + "/a.gguf", dir + "/b.gguf"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  // Round by round: each model's llama-bench call, then its lfmb call.
  std::string want;
  for (int round = 0; round < 4; ++round) want += "llama a.gguf\nlfmb a.gguf\nllama b.gguf\nlfmb b.gguf\n";
  CHECK(read_file(dir + "/calls.log") == want);
  for (const char* model : {"a", "b"}) {
    const std::string m = std::string("| ") + model + " | ";
    CHECK_THAT(r.out, Catch::Contains(m + "pp512 | 100 | native | 157.5 | 1.5 | 1.5–2 | 4 |"));
    CHECK_THAT(r.out, Catch::Contains(m + "pp512 | 100 | onednn:int8 | 300 | 3 | 2.73–3.33 | 4 |"));
    CHECK_THAT(r.out, Catch::Contains(m + "tg128 | 20 | native | 25 | 1.25 | 1.25–1.25 | 4 |"));
  }
}

TEST_CASE("scripts/compare-llamacpp refuses a missing llama-bench, model or count with one line", "[bench]") {
  const std::string dir = temp_dir();
  write_file(dir + "/a.gguf", "");
  const auto none = run_process({kScript, "--llama-bench", dir + "/no-such-bench", dir + "/a.gguf"});
  CHECK(none.exit_code == 1);
  CHECK_THAT(none.err, Catch::Contains("no llama-bench at " + dir + "/no-such-bench"));
  const auto count = run_process({kScript, "--rounds", "two", dir + "/a.gguf"});
  CHECK(count.exit_code == 2);
  CHECK_THAT(count.err, Catch::Contains("'two' is not a count"));
}
