// `lfmb info` and the CLI's exit-code contract.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using lfmb::test::run_lfmb;

TEST_CASE("lfmb info --json describes a reference MoE model", "[cli][reference]") {
  LFMB_REQUIRE_REFERENCE(dir);
  const auto r = run_lfmb({"info", dir + "/lfm2moe-q4_0.gguf", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["architecture"] == "lfm2moe");
  CHECK(j["n_layers"] == 6);
  CHECK(j["tensors"].size() == 64);
  CHECK(j["tensors"][0]["name"] == "token_embd.weight");
  CHECK(j["tensors"][0]["type"] == "Q4_0");
  CHECK(j["tensors"][0]["dims"] == nlohmann::json::array({64, 340}));
  // Parameters: sum of tensor element counts; active: 4 of 8 experts in the 4 MoE layers.
  int64_t total = 0, experts = 0;
  for (const auto& t : j["tensors"]) {
    int64_t n = 1;
    for (int64_t d : t["dims"]) n *= d;
    total += n;
    if (t["name"].get<std::string>().find("_exps.") != std::string::npos) experts += n;
  }
  CHECK(j["n_params"] == total);
  CHECK(j["n_params_active"] == total - experts / 2);
  CHECK(j["layers"][2]["mixer"] == "attention");
  CHECK(j["layers"][0]["ffn"] == "dense");
  CHECK(j["layers"][3]["ffn"] == "moe");
  CHECK(j["tokenizer"]["pre"] == "lfm2");
  CHECK(j["decode_bytes_per_token"].get<uint64_t>() < j["weight_bytes"].get<uint64_t>());
}

TEST_CASE("lfmb info prints a readable summary", "[cli][reference]") {
  LFMB_REQUIRE_REFERENCE(dir);
  const auto r = run_lfmb({"info", dir + "/qwen3-untied-f32.gguf"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("architecture:  qwen3"));
  CHECK_THAT(r.out, Catch::Contains("attn+ffn"));
  CHECK_THAT(r.out, Catch::Contains("tied_output    false"));  // this file has output.weight
}

TEST_CASE("CLI exit codes: 1 with one line for bad input, 2 for usage", "[cli]") {
  const std::string dir = lfmb::test::temp_dir();
  lfmb::test::write_file(dir + "/junk.gguf", "not a gguf at all");
  auto r = run_lfmb({"info", dir + "/junk.gguf"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "lfmb: error: " + dir + "/junk.gguf: offset 0: bad magic: not a GGUF file\n");
  CHECK(r.out.empty());

  r = run_lfmb({"info", dir + "/missing.gguf"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("missing.gguf: cannot open"));

  CHECK(run_lfmb({"info"}).exit_code == 2);
  CHECK(run_lfmb({"info", "a", "b"}).exit_code == 2);
  CHECK(run_lfmb({"info", "--frobnicate", "x"}).exit_code == 2);
  CHECK(run_lfmb({"no-such-command"}).exit_code == 2);
  CHECK(run_lfmb({}).exit_code == 2);

  r = run_lfmb({"info", "--help"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("usage: lfmb info"));
  r = run_lfmb({"--help"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("info"));
}

TEST_CASE("an unsupported architecture is a clear error listing the supported ones", "[cli]") {
  // A GGUF that is valid as a file but describes a llama model.
  const std::string dir = lfmb::test::temp_dir();
  std::string b = "GGUF";
  auto put32 = [&](uint32_t v) { b.append(reinterpret_cast<const char*>(&v), 4); };
  auto put64 = [&](uint64_t v) { b.append(reinterpret_cast<const char*>(&v), 8); };
  put32(3);
  put64(0);
  put64(1);
  put64(20);
  b += "general.architecture";
  put32(8);
  put64(5);
  b += "llama";
  lfmb::test::write_file(dir + "/llama.gguf", b);
  const auto r = run_lfmb({"info", dir + "/llama.gguf"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("unsupported architecture 'llama' (supported: lfm2, lfm2moe, qwen3)"));
}
