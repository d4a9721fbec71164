// The throughput runner on tiny synthesized models: test plan, sample counts, consistency of
// the figures it derives, MoE routing counts, and validation before anything runs.
#include <catch2/catch.hpp>

#include <numeric>

#include "core/error.h"
#include "bench/run_validation.h"
#include "bench/throughput_runner.h"
#include "core/model/memory_plan.h"

using namespace lfmb;

namespace {

RunParams tiny(const std::string& preset) {
  RunParams p;
  p.model.preset = preset;
  p.model.type = "q4_0";
  p.backend = "native";
  p.threads = 1;
  p.n_prompt = {8};
  p.n_gen = 4;
  p.depth = {0, 6};
  p.repetitions = 2;
  p.warmup = 1;
  return p;
}

std::string validation_error(const RunParams& p) {
  try {
    validate_run(p, [](const std::string& key) { return "cfg.yaml:7: key '" + key + "'"; });
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("planned tests: every pp at every depth, then tg at every depth, and context covers the longest", "[runner]") {
  RunParams p = tiny("tiny-lfm2moe");
  p.n_prompt = {8, 0, 16};
  const auto tests = planned_tests(p);
  REQUIRE(tests.size() == 6);
  CHECK(test_name(tests[0].n_prompt, tests[0].n_gen, tests[0].depth) == "pp8");
  CHECK(test_name(tests[1].n_prompt, tests[1].n_gen, tests[1].depth) == "pp8 @ d6");
  CHECK(test_name(tests[3].n_prompt, tests[3].n_gen, tests[3].depth) == "pp16 @ d6");
  CHECK(test_name(tests[5].n_prompt, tests[5].n_gen, tests[5].depth) == "tg4 @ d6");
  CHECK(context_needed(tests) == 6 + 16 + 1);
  p.n_gen = 40;
  CHECK(context_needed(planned_tests(p)) == 6 + 40);
}

TEST_CASE("runner: samples per repetition, t/s from the samples, ttft, roofline and routing", "[runner]") {
  ThroughputRunner runner(size_t(4) << 20);
  const RunParams p = tiny("tiny-lfm2moe");
  std::vector<std::string> progress;
  const auto results = runner.run(p, [&](const std::string& s) { progress.push_back(s); });
  REQUIRE(results.size() == 4);
  CHECK(results[0].test == "pp8");
  CHECK(results[1].test == "pp8 @ d6");
  CHECK(results[2].test == "tg4");
  CHECK(results[3].test == "tg4 @ d6");
  CHECK(progress.size() >= 4 * 3);  // at least every repetition, warm-up included
  for (const auto& r : results) {
    INFO(r.test);
    CHECK(r.architecture == "lfm2moe");
    CHECK(r.backend == "native");
    CHECK(r.threads == 1);
    CHECK(r.load_ms > 0);
    CHECK(r.peak_rss_bytes > 0);
    CHECK(r.model_size_bytes > 0);
    CHECK(r.n_params > r.n_params_active);  // MoE: only the routed experts are active
    REQUIRE(r.samples_ns.size() == size_t(p.repetitions));
    REQUIRE(r.samples_ts.size() == size_t(p.repetitions));
    const int tokens = r.n_gen > 0 ? r.n_gen : r.n_prompt;
    for (size_t i = 0; i < r.samples_ns.size(); ++i) {
      CHECK(r.samples_ns[i] > 0);
      CHECK(r.samples_ts[i] == Approx(tokens * 1e9 / r.samples_ns[i]));
    }
    CHECK(r.ts.mean == Approx(std::accumulate(r.samples_ts.begin(), r.samples_ts.end(), 0.0) / 2));
    CHECK(r.params["depth"] == nlohmann::json({0, 6}));
  }
  // Time to first token includes the whole prefill of its repetition.
  const auto& pp = results[0];
  CHECK(pp.ttft_ms * 1e6 > *std::min_element(pp.samples_ns.begin(), pp.samples_ns.end()));
  CHECK(pp.routing.is_null());

  const auto& tg = results[2];
  const auto& tg_deep = results[3];
  // Bandwidth probed before each measured repetition and after the last; repetition i against the
  // mean of the probes on either side of it.
  REQUIRE(tg.bandwidth_samples_gbps.size() == size_t(p.repetitions + 1));
  REQUIRE(tg.samples_roofline_pct.size() == size_t(p.repetitions));
  const auto& bw = tg.bandwidth_samples_gbps;
  double pct_sum = 0, roof_sum = 0;
  for (size_t i = 0; i < tg.samples_roofline_pct.size(); ++i) {
    const double roof = (bw[i] + bw[i + 1]) / 2 * 1e9 / double(tg.decode_bytes_per_token);
    CHECK(tg.samples_roofline_pct[i] == Approx(100 * tg.samples_ts[i] / roof));
    pct_sum += tg.samples_roofline_pct[i];
    roof_sum += roof;
  }
  CHECK(tg.bandwidth_gbps == Approx(std::accumulate(bw.begin(), bw.end(), 0.0) / double(bw.size())));
  CHECK(tg.roofline_ts == Approx(roof_sum / p.repetitions));
  CHECK(tg.roofline_pct == Approx(pct_sum / p.repetitions));
  CHECK(tg_deep.decode_bytes_per_token > tg.decode_bytes_per_token);  // reads the KV cache of the depth too

  // tiny-lfm2moe: layers 0 and 1 dense, 2 and 3 MoE with 8 experts, top-2.
  REQUIRE(tg.routing.is_object());
  CHECK(tg.routing["layers"] == nlohmann::json({2, 3}));
  for (const auto& per_layer : tg.routing["tokens_per_expert"]) {
    REQUIRE(per_layer.size() == 8);
    uint64_t sum = 0;
    for (const auto& n : per_layer) sum += n.get<uint64_t>();
    CHECK(sum == uint64_t(p.n_gen * p.repetitions * 2));  // measured tokens × experts per token
  }
}

TEST_CASE("runner: n_seq decode tests time every sequence together and report their aggregate t/s", "[runner][batch]") {
  ThroughputRunner runner(size_t(4) << 20);
  RunParams p = tiny("tiny-lfm2moe");
  p.n_prompt = {0};
  p.n_seq = {1, 3};
  const auto tests = planned_tests(p);
  REQUIRE(tests.size() == 4);  // n_seq x depth
  CHECK(test_name(tests[2].n_prompt, tests[2].n_gen, tests[2].depth, tests[2].n_seq) == "tg4 x3");
  CHECK(test_name(tests[3].n_prompt, tests[3].n_gen, tests[3].depth, tests[3].n_seq) == "tg4 x3 @ d6");
  const auto results = runner.run(p, tests);
  REQUIRE(results.size() == 4);
  for (size_t i : {size_t(2), size_t(3)}) {
    const TestResult& r = results[i];
    INFO(r.test);
    CHECK(r.n_seq == 3);
    CHECK(TestResult::from_json(r.to_json()).n_seq == 3);
    REQUIRE(r.samples_ns.size() == size_t(p.repetitions));
    for (size_t k = 0; k < r.samples_ns.size(); ++k) CHECK(r.samples_ts[k] == Approx(3 * p.n_gen * 1e9 / r.samples_ns[k]));
    CHECK(r.samples_roofline_pct.empty());  // a per-sequence roofline does not apply to a batched step
    // Every sequence's tokens are routed: 3 sequences × n_gen × repetitions × top-2 per MoE layer.
    REQUIRE(r.routing.is_object());
    for (const auto& per_layer : r.routing["tokens_per_expert"]) {
      uint64_t sum = 0;
      for (const auto& n : per_layer) sum += n.get<uint64_t>();
      CHECK(sum == uint64_t(3 * p.n_gen * p.repetitions * 2));
    }
  }
  CHECK(results[0].n_seq == 1);
  CHECK(results[0].samples_roofline_pct.size() == size_t(p.repetitions));
  // More sequences than one step can hold is refused before anything runs.
  p.n_batch = 2;
  CHECK(validation_error(p).find("key 'n_seq': 3 sequences decoding together exceed n_batch = 2") != std::string::npos);
}

TEST_CASE("runner: a dense model has no routing statistics", "[runner]") {
  ThroughputRunner runner(size_t(4) << 20);
  RunParams p = tiny("tiny-qwen3");
  p.depth = {0};
  p.repetitions = 1;
  p.warmup = 0;
  const auto results = runner.run(p);
  REQUIRE(results.size() == 2);
  CHECK(results[1].routing.is_null());
  CHECK(results[1].samples_ts.size() == 1);
  CHECK(results[0].n_params == results[0].n_params_active);
}

TEST_CASE("validation names the key and the problem before anything runs", "[runner]") {
  RunParams p = tiny("tiny-lfm2moe");
  CHECK(validation_error(p).empty());

  RunParams bad = p;
  bad.backend = "nosuch";
  CHECK_THAT(validation_error(bad), Catch::StartsWith("cfg.yaml:7: key 'backend': unknown backend 'nosuch'"));

  bad = p;
  bad.dtype = "int3";
  CHECK_THAT(validation_error(bad), Catch::StartsWith("cfg.yaml:7: key 'dtype': backend 'native'"));

  bad = p;
  bad.model.preset = "gpt-5";
  CHECK_THAT(validation_error(bad), Catch::StartsWith("cfg.yaml:7: key 'model': unknown preset 'gpt-5'"));

  bad = p;
  bad.model.type = "q3_k";
  CHECK_THAT(validation_error(bad), Catch::Contains("key 'model': unknown weight type 'q3_k'"));

  bad = p;
  bad.n_ctx = 10;  // the tests need 6 + 8 + 1
  CHECK_THAT(validation_error(bad), Catch::StartsWith("cfg.yaml:7: key 'n_ctx': n_ctx 10 is shorter than the 15"));

  bad = p;
  bad.depth = {600};  // tiny presets train on 512 positions
  CHECK_THAT(validation_error(bad), Catch::Contains("key 'depth': the tests need 609 positions"));

  bad = p;
  bad.n_prompt = {0};
  bad.n_gen = 0;
  CHECK_THAT(validation_error(bad), Catch::Contains("nothing to measure"));

  bad = p;
  bad.model.path = "/nonexistent/model.gguf";
  bad.model.preset.clear();
  CHECK_THAT(validation_error(bad), Catch::StartsWith("cfg.yaml:7: key 'model': /nonexistent/model.gguf"));
}

TEST_CASE("validation refuses a synthesized model that does not fit in memory, without building it", "[runner]") {
  RunParams p = tiny("lfm2-8b-a1b");
  p.model.type = "f32";  // a 33 GB image
  if (memory_available() > (uint64_t(40) << 30)) {
    WARN("skipped: this machine has room for a 33 GB model");
    return;
  }
  CHECK_THAT(validation_error(p), Catch::Contains("key 'model': lfm2-8b-a1b F32 (synth) on native needs"));
}

TEST_CASE("runner: a prompt+generation test times prefill and decode together (llama-bench -pg)", "[runner]") {
  ThroughputRunner runner(size_t(4) << 20);
  RunParams p = tiny("tiny-lfm2");
  p.repetitions = 2;
  const std::vector<TestSpec> tests = {{6, 3, 0}, {6, 3, 5}};
  CHECK(context_needed(tests) == 5 + 6 + 3);
  const auto results = runner.run(p, tests);
  REQUIRE(results.size() == 2);
  CHECK(results[0].test == "pp6+tg3");
  CHECK(results[1].test == "pp6+tg3 @ d5");
  for (const auto& r : results) {
    REQUIRE(r.samples_ns.size() == 2);
    for (size_t i = 0; i < 2; ++i) CHECK(r.samples_ts[i] == Approx(9 * 1e9 / r.samples_ns[i]));
    CHECK_FALSE(r.to_json().contains("roofline"));
  }
}
