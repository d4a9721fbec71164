// Files written by lfmb's GGUF writer load in an independent GGUF parser (@huggingface/gguf).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/gguf/gguf_reader.h"
#include "core/gguf/gguf_writer.h"
#include "tests/test_support.h"

using namespace lfmb;

TEST_CASE("an independent GGUF parser reads lfmb's files identically", "[gguf][interop]") {
  const auto modules = test::npm_modules_dir("@huggingface/gguf");
  if (!modules) return;
  GgufWriter w;
  w.set("general.architecture", GgufValue::str("lfm2moe"));
  w.set("lfm2moe.block_count", GgufValue::u32(24));
  w.set("lfm2moe.rope.freq_base", GgufValue::f32(1000000.0f));
  w.set("lfm2moe.attention.head_count_kv",
        GgufValue::array(GgufType::UINT32, {GgufValue::u32(0), GgufValue::u32(8), GgufValue::u32(0)}));
  w.set("tokenizer.ggml.tokens", GgufValue::array(GgufType::STRING, {GgufValue::str("<|pad|>"), GgufValue::str("Ġthe")}));
  w.set("tokenizer.ggml.add_bos_token", GgufValue::boolean(true));
  w.set("some.i32", GgufValue::i32(-5));
  w.add_tensor("token_embd.weight", TensorType::Q4_0, {64, 10});
  w.add_tensor("blk.0.ffn_gate_exps.weight", TensorType::Q8_0, {64, 32, 8});
  w.add_tensor("blk.0.attn_norm.weight", TensorType::F32, {64});
  w.add_tensor("x.bf16", TensorType::BF16, {64, 3});
  w.add_tensor("x.f16", TensorType::F16, {96});
  const std::string path = test::temp_dir() + "/interop.gguf";
  w.write(path, [](size_t, const GgufTensorSpec& s, uint8_t* dst) { std::fill(dst, dst + s.n_bytes, uint8_t(0)); });

  const auto r = test::run_process({"node", std::string(LFMB_SOURCE_DIR) + "/tests/js/gguf_dump.mjs", *modules, path});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  const auto& m = j["metadata"];
  CHECK(m["version"] == 3);
  CHECK(m["general.architecture"] == "lfm2moe");
  CHECK(m["general.alignment"] == 32);
  CHECK(m["lfm2moe.block_count"] == 24);
  CHECK(m["lfm2moe.rope.freq_base"] == 1000000.0);
  CHECK(m["lfm2moe.attention.head_count_kv"] == nlohmann::json::array({0, 8, 0}));
  CHECK(m["tokenizer.ggml.tokens"] == nlohmann::json::array({"<|pad|>", "Ġthe"}));
  CHECK(m["tokenizer.ggml.add_bos_token"] == true);
  CHECK(m["some.i32"] == -5);

  const GgufFile f(path);
  REQUIRE(j["tensors"].size() == f.tensors().size());
  for (size_t i = 0; i < f.tensors().size(); ++i) {
    const auto& ours = f.tensors()[i];
    const auto& theirs = j["tensors"][i];
    INFO(ours.name);
    CHECK(theirs["name"] == ours.name);
    CHECK(theirs["dims"].get<std::vector<int64_t>>() == ours.dims);
    CHECK(theirs["type"] == ours.type_id);
    CHECK(theirs["offset"] == ours.offset);
  }
}

TEST_CASE("the independent parser agrees with lfmb on a reference model file", "[gguf][interop][reference]") {
  LFMB_REQUIRE_REFERENCE(dir);
  const auto modules = test::npm_modules_dir("@huggingface/gguf");
  if (!modules) return;
  const std::string path = dir + "/lfm2moe-q4_0.gguf";
  const auto r = test::run_process({"node", std::string(LFMB_SOURCE_DIR) + "/tests/js/gguf_dump.mjs", *modules, path});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  const GgufFile f(path);
  CHECK(j["metadata"]["lfm2moe.expert_count"] == f.get_u32("lfm2moe.expert_count"));
  REQUIRE(j["tensors"].size() == f.tensors().size());
  for (size_t i = 0; i < f.tensors().size(); ++i) {
    CHECK(j["tensors"][i]["name"] == f.tensors()[i].name);
    CHECK(j["tensors"][i]["offset"] == f.tensors()[i].offset);
  }
}
