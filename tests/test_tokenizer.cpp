// Tokenizer checks against reference ids: the tiny models' vocabularies (tokenizer-ids.json) and
// the real Llama-3 / Qwen2 vocabularies with their 46 test strings each.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/tokenizer/streaming_decoder.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/test_support.h"

using lfmb::GgufFile;
using lfmb::Tokenizer;

namespace {

std::vector<std::string> split_on(const std::string& s, const std::string& sep) {
  std::vector<std::string> parts;
  size_t pos = 0;
  for (size_t next; (next = s.find(sep, pos)) != std::string::npos; pos = next + sep.size())
    parts.push_back(s.substr(pos, next - pos));
  parts.push_back(s.substr(pos));
  return parts;
}

std::string ids_str(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) {
    s += ' ';
    s += std::to_string(id);
  }
  return s;
}

// Runs one vocabulary's .inp/.out pair; returns how many strings matched.
void check_vocab_vectors(const std::string& ref, const std::string& name) {
  const std::string base = ref + "/vocab/" + name;
  Tokenizer tok = Tokenizer::from_gguf(GgufFile(base));
  // .inp: each string is followed by a line "__ggml_vocab_test__"; .out: one line of ids per string.
  auto inputs = split_on(lfmb::test::read_file(base + ".inp"), "\n__ggml_vocab_test__\n");
  REQUIRE(inputs.back().empty());
  inputs.pop_back();
  auto outputs = split_on(lfmb::test::read_file(base + ".out"), "\n");
  if (!outputs.empty() && outputs.back().empty()) outputs.pop_back();
  REQUIRE(inputs.size() >= 46);  // the shipped files hold 46 strings (the empty string included)
  REQUIRE(outputs.size() == inputs.size());
  size_t matched = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto ids = tok.encode(inputs[i], false, true);
    INFO(name << " string #" << i << ": \"" << inputs[i] << "\"");
    CHECK(ids_str(ids) == outputs[i]);
    matched += ids_str(ids) == outputs[i];
    CHECK(tok.decode(ids) == inputs[i]);  // byte-exact round trip
  }
  std::printf("%s: %zu/%zu reference strings match\n", name.c_str(), matched, inputs.size());
}

}  // namespace

TEST_CASE("tokenizer-ids.json: lfm2 and qwen2 vocabularies give the listed ids", "[tokenizer]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const auto j = nlohmann::json::parse(lfmb::test::read_file(ref + "/tokenizer-ids.json"));
  const auto strings = j.at("strings").get<std::vector<std::string>>();
  REQUIRE(strings.size() == 37);
  for (const char* vocab : {"lfm2", "qwen2"}) {
    const auto& v = j.at(vocab);
    Tokenizer tok = Tokenizer::from_gguf(GgufFile(ref + "/" + v.at("vocab_file").get<std::string>()));
    CHECK(tok.pre() == vocab);
    const auto expected = v.at("ids").get<std::vector<std::vector<int32_t>>>();
    REQUIRE(expected.size() == strings.size());
    size_t matched = 0;
    for (size_t i = 0; i < strings.size(); ++i) {
      INFO(vocab << " string #" << i << ": \"" << strings[i] << "\"");
      const auto ids = tok.encode(strings[i], false, true);
      CHECK(ids == expected[i]);
      matched += ids == expected[i];
      CHECK(tok.decode(ids) == strings[i]);
    }
    std::printf("%s: %zu/%zu tokenizer-ids.json strings match\n", vocab, matched, strings.size());
  }
}

TEST_CASE("real Llama-3 vocabulary (llama-bpe) matches all reference strings", "[tokenizer]") {
  LFMB_REQUIRE_REFERENCE(ref);
  check_vocab_vectors(ref, "ggml-vocab-llama-bpe.gguf");
}

TEST_CASE("real Qwen2 vocabulary matches all reference strings", "[tokenizer]") {
  LFMB_REQUIRE_REFERENCE(ref);
  check_vocab_vectors(ref, "ggml-vocab-qwen2.gguf");
}

TEST_CASE("special tokens: parsed or plain, BOS only on request", "[tokenizer]") {
  LFMB_REQUIRE_REFERENCE(ref);
  Tokenizer tok = Tokenizer::from_gguf(GgufFile(ref + "/lfm2moe-f32.gguf"));
  const auto im_start = tok.find_token("<|im_start|>");
  REQUIRE(im_start);
  const auto parsed = tok.encode("<|im_start|>user", false, true);
  REQUIRE(!parsed.empty());
  CHECK(parsed[0] == *im_start);
  const auto plain = tok.encode("<|im_start|>user", false, false);
  CHECK(std::find(plain.begin(), plain.end(), *im_start) == plain.end());
  CHECK(tok.decode(plain) == "<|im_start|>user");
  if (tok.add_bos()) {
    const auto with_bos = tok.encode("hi", true, true);
    REQUIRE(!with_bos.empty());
    CHECK(with_bos[0] == *tok.bos());
  }
  CHECK(tok.encode("hi", false, true) == tok.encode("hi", false, true));
  CHECK_THROWS_AS(tok.encode(std::string("bad \xff utf8"), false, true), lfmb::Error);
}

TEST_CASE("streaming decoder never emits half a UTF-8 character", "[tokenizer]") {
  LFMB_REQUIRE_REFERENCE(ref);
  Tokenizer tok = Tokenizer::from_gguf(GgufFile(ref + "/qwen3-f32.gguf"));  // tiny vocab: CJK splits into byte tokens
  const std::string text = "日本語 emoji 😀🎉👍🏽 naïve";
  const auto ids = tok.encode(text, false, true);
  lfmb::StreamingDecoder dec(tok);
  std::string joined;
  size_t held_back = 0;
  for (int32_t id : ids) {
    const std::string piece = dec.push(id);
    held_back += piece.empty();
    // every emitted piece is complete UTF-8 on its own
    size_t i = 0;
    while (i < piece.size()) {
      const unsigned char c = uint8_t(piece[i]);
      const size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
      REQUIRE(i + len <= piece.size());
      i += len;
    }
    joined += piece;
  }
  joined += dec.flush();
  CHECK(joined == text);
  CHECK(held_back > 0);  // the test actually exercised holding bytes back
}

TEST_CASE("unknown pre-tokenizer gives a clear error listing supported ones", "[tokenizer]") {
  lfmb::TokenizerSpec s;
  s.source = "x.gguf";
  s.pre = "made-up";
  for (int b = 0; b < 256; ++b) s.tokens.push_back(fmt::format("t{}", b));
  try {
    Tokenizer t(s);
    FAIL("no error");
  } catch (const lfmb::Error& e) {
    const std::string m = e.what();
    CHECK(m.find("x.gguf") != std::string::npos);
    CHECK(m.find("made-up") != std::string::npos);
    CHECK(m.find("qwen2") != std::string::npos);
    CHECK(m.find("lfm2") != std::string::npos);
  }
}

TEST_CASE("lfmb tokenize prints ids, JSON and one line per input line", "[tokenizer]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const std::string model = ref + "/qwen3-f32.gguf";
  Tokenizer tok = Tokenizer::from_gguf(GgufFile(model));
  auto r = lfmb::test::run_lfmb({"tokenize", "--model", model, "--text", "Hello world", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto ids = nlohmann::json::parse(r.out).at("ids").get<std::vector<int32_t>>();
  CHECK(ids == tok.encode("Hello world", false, true));

  const std::string dir = lfmb::test::temp_dir();
  lfmb::test::write_file(dir + "/in.txt", "Hello world\n<|im_start|>x\n\nlast");
  r = lfmb::test::run_lfmb({"tokenize", "--model", model, "--file", dir + "/in.txt", "--json"});
  REQUIRE(r.exit_code == 0);
  std::istringstream lines(r.out);
  std::string line;
  std::vector<std::string> inputs = {"Hello world", "<|im_start|>x", "", "last"};
  size_t n = 0;
  while (std::getline(lines, line)) {
    REQUIRE(n < inputs.size());
    CHECK(nlohmann::json::parse(line).at("ids").get<std::vector<int32_t>>() == tok.encode(inputs[n], false, true));
    ++n;
  }
  CHECK(n == inputs.size());

  r = lfmb::test::run_lfmb({"tokenize", "--model", model, "--text", "Hi"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find(":\"") != std::string::npos);  // id:"piece"

  r = lfmb::test::run_lfmb({"tokenize", "--model", dir + "/missing.gguf", "--text", "x"});
  CHECK(r.exit_code == 1);
  r = lfmb::test::run_lfmb({"tokenize", "--model", model});
  CHECK(r.exit_code == 2);
}
