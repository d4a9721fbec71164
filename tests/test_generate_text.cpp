// lfmb generate with a text prompt: tokenizer, chat template, sampler and model wired together.
#include <catch2/catch.hpp>
#include <regex>

#include "tests/test_support.h"

using lfmb::test::run_lfmb;

TEST_CASE("generate --prompt streams text and ends with a summary line", "[generate][reference]") {
  LFMB_REQUIRE_REFERENCE(dir);
  const std::string model = dir + "/lfm2moe-f32.gguf";
  const auto r = run_lfmb({"generate", "--model", model, "--prompt", "Hello world", "-n", "6"});
  REQUIRE(r.exit_code == 0);
  std::smatch m;
  const std::regex summary(R"(prompt (\d+) tokens, generated (\d+) tokens \| prefill [0-9.]+ tok/s, decode [0-9.]+ tok/s\n)");
  REQUIRE(std::regex_search(r.err, m, summary));
  CHECK(std::stoi(m[1]) >= 3);  // BOS + at least two text tokens
  CHECK(std::stoi(m[2]) >= 1);
  CHECK(std::stoi(m[2]) <= 6);
  CHECK_FALSE(r.out.empty());

  // The prompt is the tokenizer's ids for the text plus the BOS the LFM2 vocabulary asks for.
  const auto tok = run_lfmb({"tokenize", "--model", model, "--text", "Hello world", "--json"});
  REQUIRE(tok.exit_code == 0);
  std::string ids;
  const std::regex number(R"(\d+)");
  for (std::sregex_iterator end, it(tok.out.begin(), tok.out.end(), number); it != end; ++it)
    ids += (ids.empty() ? "" : " ") + it->str();
  CHECK(std::stoi(m[1]) == int(std::count(ids.begin(), ids.end(), ' ') + 2));  // BOS + the text's ids
}

TEST_CASE("sampled generation is reproducible for a seed", "[generate][reference]") {
  LFMB_REQUIRE_REFERENCE(dir);
  const std::vector<std::string> args = {"generate", "--model", dir + "/qwen3-f32.gguf", "--prompt", "Hi there", "--chat",
                                         "--system", "Be brief", "--no-think", "-n", "8", "--temp", "1.0",
                                         "--top-k", "40", "--seed", "7"};
  const auto a = run_lfmb(args), b = run_lfmb(args);
  REQUIRE(a.exit_code == 0);
  CHECK(a.out == b.out);
  CHECK_THAT(a.err, Catch::Contains("prompt "));
}

TEST_CASE("generate usage errors", "[generate][cli]") {
  CHECK(run_lfmb({"generate", "--model", "x.gguf"}).exit_code == 2);
  CHECK(run_lfmb({"generate", "--model", "x.gguf", "--tokens", "1", "--prompt", "a"}).exit_code == 2);
  CHECK(run_lfmb({"generate", "--model", "x.gguf", "--tokens", "1", "--chat"}).exit_code == 2);
  CHECK(run_lfmb({"generate", "--model", "x.gguf", "--prompt", "a", "--temp", "hot"}).exit_code == 2);
}
