// `lfmb bench`: llama-bench's flags, comma lists forming the cartesian product, and llama-bench's
// JSON/JSONL/CSV field names, so llama-bench scripts can read its output.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "test_support.h"

using lfmb::test::run_lfmb;

TEST_CASE("lfmb bench -o json: llama-bench's fields, one object per model × test, comma lists", "[cli][bench]") {
  const auto r = run_lfmb({"bench", "--preset", "tiny-lfm2moe:q4_0", "--preset", "tiny-qwen3", "-p", "4,8", "-n", "3",
                           "-r", "2", "-t", "1", "-o", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 6);  // 2 models × (pp4, pp8, tg3)
  for (const auto& o : j) {
    INFO(o.dump());
    for (const char* key : {"build_commit", "cpu_info", "backends", "model_filename", "model_type", "model_size",
                            "model_n_params", "n_batch", "n_threads", "n_prompt", "n_gen", "n_depth", "test_time",
                            "avg_ns", "stddev_ns", "avg_ts", "stddev_ts", "samples_ns", "samples_ts"})
      CHECK(o.contains(key));
    CHECK(o["backends"] == "native");
    CHECK(o["n_threads"] == 1);
    CHECK(o["n_batch"] == 512);
    REQUIRE(o["samples_ns"].size() == 2);
    REQUIRE(o["samples_ts"].size() == 2);
    const int tokens = o["n_gen"].get<int>() > 0 ? o["n_gen"].get<int>() : o["n_prompt"].get<int>();
    for (size_t i = 0; i < 2; ++i)
      CHECK(o["samples_ts"][i].get<double>() == Approx(tokens * 1e9 / o["samples_ns"][i].get<double>()).epsilon(1e-6));
    CHECK(o["avg_ts"].get<double>() > 0);
  }
  CHECK(j[0]["model_filename"] == "<synth:tiny-lfm2moe/q4_0/seed1>");
  CHECK_THAT(j[0]["model_type"].get<std::string>(), Catch::StartsWith("lfm2moe ") && Catch::EndsWith(" Q4_0"));
  CHECK(j[0]["n_prompt"] == 4);
  CHECK(j[1]["n_prompt"] == 8);
  CHECK(j[2]["n_gen"] == 3);
  CHECK(j[3]["model_filename"] == "<synth:tiny-qwen3/q4_0/seed1>");
}

TEST_CASE("lfmb bench: -b NUMBER is llama-bench's batch size, -o jsonl and csv", "[cli][bench]") {
  const auto r = run_lfmb({"bench", "--preset", "tiny-lfm2", "-p", "4", "-n", "0", "-r", "1", "-t", "1,2", "-b", "2",
                           "-d", "0,3", "-o", "jsonl"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> objects;
  for (std::string line; std::getline(lines, line);) objects.push_back(nlohmann::json::parse(line));
  REQUIRE(objects.size() == 4);  // threads 1, 2 × depth 0, 3
  CHECK(objects[0]["n_batch"] == 2);
  CHECK(objects[0]["backends"] == "native");
  CHECK(objects[0]["n_threads"] == 1);
  CHECK(objects[1]["n_depth"] == 3);
  CHECK(objects[2]["n_threads"] == 2);

  const auto c = run_lfmb({"bench", "--preset", "tiny-lfm2", "-p", "4", "-n", "2", "-r", "1", "-t", "1", "-o", "csv"});
  REQUIRE(c.exit_code == 0);
  CHECK_THAT(c.out, Catch::StartsWith("build_commit,build_number,cpu_info,gpu_info,backends,model_filename,"));
  CHECK(std::count(c.out.begin(), c.out.end(), '\n') == 3);

  const auto md = run_lfmb({"bench", "--preset", "tiny-lfm2", "-p", "4", "-n", "2", "-r", "1", "-t", "1"});
  REQUIRE(md.exit_code == 0);
  CHECK_THAT(md.out, Catch::Contains("| model") && Catch::Contains(" pp4 |") && Catch::Contains(" tg2 |"));
}

TEST_CASE("lfmb bench -pg PP,TG measures prefill and decode as one test", "[cli][bench]") {
  const auto r = run_lfmb({"bench", "--preset", "tiny-lfm2", "-p", "0", "-n", "0", "-pg", "4,2", "-r", "1", "-t", "1",
                           "-o", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["n_prompt"] == 4);
  CHECK(j[0]["n_gen"] == 2);
  CHECK(j[0]["avg_ts"].get<double>() == Approx(6 * 1e9 / j[0]["samples_ns"][0].get<double>()).epsilon(1e-6));
  CHECK(run_lfmb({"bench", "--preset", "tiny-lfm2", "-pg", "4"}).exit_code == 2);
}

TEST_CASE("lfmb bench rejects bad input with one line", "[cli][bench]") {
  const auto b = run_lfmb({"bench", "--preset", "tiny-lfm2", "-b", "nosuch", "-r", "1"});
  CHECK(b.exit_code == 1);
  CHECK_THAT(b.err, Catch::Contains("backend: unknown backend 'nosuch'"));
  const auto p = run_lfmb({"bench", "--preset", "tiny-lfm2", "-p", "4,x"});
  CHECK(p.exit_code == 2);
  CHECK_THAT(p.err, Catch::Contains("--n-prompt expects integers"));
  const auto o = run_lfmb({"bench", "--preset", "tiny-lfm2", "-o", "sql"});
  CHECK(o.exit_code == 2);
  const auto m = run_lfmb({"bench", "-p", "4"});
  CHECK(m.exit_code == 2);
}

TEST_CASE("lfmb bench -mmp 0,1 loads a GGUF file both ways, with the same model", "[cli][bench]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const auto r = run_lfmb({"bench", "-m", ref + "/qwen3-f32.gguf", "-mmp", "0,1", "-p", "4", "-n", "2", "-r", "1",
                           "-t", "1", "-o", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j.size() == 4);  // 2 load modes × (pp4, tg2)
  CHECK(j[0]["use_mmap"] == false);
  CHECK(j[2]["use_mmap"] == true);
  CHECK(j[0]["model_size"] == j[2]["model_size"]);
  CHECK(run_lfmb({"bench", "-m", ref + "/qwen3-f32.gguf", "-mmp", "2"}).exit_code == 2);
}
