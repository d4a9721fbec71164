// Synthetic models: presets, the generator's determinism and statistics, the placeholder
// tokenizer, in-memory images and `lfmb synth`.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

#include "core/io/disk_space.h"
#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/model/model_config.h"
#include "core/synth/placeholder_tokenizer.h"
#include "core/synth/presets.h"
#include "core/synth/synthesize.h"
#include "tests/test_support.h"

using namespace lfmb;
using lfmb::test::read_file;
using lfmb::test::run_lfmb;
using lfmb::test::temp_dir;

namespace {

constexpr TensorType kSynthTypes[] = {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0,
                                    TensorType::Q4_0};
const char* const kTinyPresets[] = {"tiny-lfm2moe", "tiny-lfm2", "tiny-qwen3"};

const SynthPreset& preset(const std::string& name) {
  const SynthPreset* p = find_synth_preset(name);
  REQUIRE(p != nullptr);
  return *p;
}

std::string write_synth(const SynthPreset& p, TensorType type, uint64_t seed, int threads) {
  const std::string path = temp_dir() + "/" + p.name + ".gguf";
  ModelSynthesizer(p, type, seed).write_file(path, threads);
  return path;
}

void require_same_config(const ModelConfig& got, const ModelConfig& want) {
  CHECK(got.arch == want.arch);
  CHECK(got.name == want.name);
  CHECK(got.n_vocab == want.n_vocab);
  CHECK(got.n_embd == want.n_embd);
  CHECK(got.n_layer == want.n_layer);
  CHECK(got.n_ff == want.n_ff);
  CHECK(got.n_head == want.n_head);
  CHECK(got.n_head_kv == want.n_head_kv);
  CHECK(got.head_dim == want.head_dim);
  CHECK(got.n_ctx_train == want.n_ctx_train);
  CHECK(got.rope_theta == want.rope_theta);
  CHECK(got.rms_eps == want.rms_eps);
  CHECK(got.conv_l == want.conv_l);
  CHECK(got.n_expert == want.n_expert);
  CHECK(got.n_expert_used == want.n_expert_used);
  CHECK(got.n_ff_expert == want.n_ff_expert);
  CHECK(got.n_dense_lead == want.n_dense_lead);
  CHECK(got.tied_output == want.tied_output);
  CHECK(got.layer_is_attention == want.layer_is_attention);
}

struct Moments {
  double mean = 0, std = 0;
  bool finite = true;
};

Moments moments_of(const GgufTensorInfo& t) {
  std::vector<float> v(size_t(t.n_elements));
  dequantize_row(*t.type, t.data, v.data(), t.n_elements);
  Moments m;
  double s = 0, s2 = 0;
  for (float x : v) {
    if (!std::isfinite(x)) m.finite = false;
    s += x;
    s2 += double(x) * x;
  }
  const double n = double(v.size());
  m.mean = s / n;
  m.std = std::sqrt(std::max(0.0, s2 / n - m.mean * m.mean));
  return m;
}

bool is_matrix_like(TensorRole r) { return r != TensorRole::Norm && r != TensorRole::RouterBias; }

}  // namespace

TEST_CASE("synth: tiny presets load back with the preset's config and exactly the expected tensors", "[synth]") {
  for (const char* name : kTinyPresets) {
    for (TensorType type : kSynthTypes) {
      INFO(name << " " << tensor_type_name(type));
      const SynthPreset& p = preset(name);
      const GgufFile f(write_synth(p, type, 7, 2));
      require_same_config(model_config_from_gguf(f), p.config);

      const std::vector<ExpectedTensor> want = expected_tensors(p.config);
      REQUIRE(f.tensors().size() == want.size());
      for (size_t i = 0; i < want.size(); ++i) {
        const GgufTensorInfo& t = f.tensors()[i];
        INFO(want[i].name);
        CHECK(t.name == want[i].name);
        CHECK(t.dims == want[i].dims);
        REQUIRE(t.type.has_value());
        CHECK(*t.type == (want[i].stays_f32() ? TensorType::F32 : type));
      }
      // The F32-only roles really occur, so the check above covers them.
      const bool has_router = p.config.arch == Arch::LFM2MOE;
      CHECK(f.find_tensor("token_embd.weight")->type == type);
      if (has_router) CHECK(f.find_tensor("blk.2.ffn_gate_inp.weight")->type == TensorType::F32);
      if (p.config.is_lfm2_family()) CHECK(f.find_tensor("blk.0.shortconv.conv.weight")->type == TensorType::F32);
      CHECK(f.get_string("general.name") == p.config.name);
    }
  }
}

TEST_CASE("synth: tiny presets cover every block kind", "[synth]") {
  const ModelConfig& moe = preset("tiny-lfm2moe").config;
  bool conv_dense = false, attn_dense = false, conv_moe = false, attn_moe = false;
  for (int64_t il = 0; il < moe.n_layer; ++il) {
    const bool a = moe.layer_is_attention[size_t(il)], m = moe.layer_is_moe(il);
    conv_dense |= !a && !m;
    attn_dense |= a && !m;
    conv_moe |= !a && m;
    attn_moe |= a && m;
  }
  CHECK((conv_dense && attn_dense && conv_moe && attn_moe));
  const ModelConfig& lfm2 = preset("tiny-lfm2").config;
  CHECK(std::count(lfm2.layer_is_attention.begin(), lfm2.layer_is_attention.end(), true) >= 1);
  CHECK(std::count(lfm2.layer_is_attention.begin(), lfm2.layer_is_attention.end(), false) >= 1);
  const ModelConfig& qwen = preset("tiny-qwen3").config;
  CHECK(qwen.head_dim != qwen.n_embd / qwen.n_head);
}

TEST_CASE("synth: the placeholder tokenizer has the vocabulary size, the specials and GPT-2 byte tokens", "[synth]") {
  for (const char* name : kTinyPresets) {
    INFO(name);
    const SynthPreset& p = preset(name);
    const GgufFile f(write_synth(p, TensorType::Q8_0, 1, 1));
    const auto tokens = f.get_string_array("tokenizer.ggml.tokens");
    const auto types = f.get_i32_array("tokenizer.ggml.token_type");
    REQUIRE(int64_t(tokens.size()) == p.config.n_vocab);
    REQUIRE(types.size() == tokens.size());
    CHECK(std::set<std::string>(tokens.begin(), tokens.end()).size() == tokens.size());
    CHECK(f.get_string("tokenizer.ggml.model") == "gpt2");
    const bool lfm2 = p.config.is_lfm2_family();
    CHECK(f.get_string("tokenizer.ggml.pre") == (lfm2 ? "lfm2" : "qwen2"));
    CHECK(f.get_bool("tokenizer.ggml.add_bos_token") == lfm2);
    const std::vector<std::string> specials =
        lfm2 ? std::vector<std::string>{"<|pad|>", "<|startoftext|>", "<|endoftext|>", "<|im_start|>", "<|im_end|>"}
             : std::vector<std::string>{"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    for (size_t i = 0; i < tokens.size(); ++i) CHECK(types[i] == (i < specials.size() ? 3 : 1));
    for (size_t i = 0; i < specials.size(); ++i) CHECK(tokens[i] == specials[i]);
    CHECK(tokens[f.get_u32("tokenizer.ggml.bos_token_id")] == (lfm2 ? "<|startoftext|>" : "<|endoftext|>"));
    CHECK(tokens[f.get_u32("tokenizer.ggml.eos_token_id")] == "<|im_end|>");
    CHECK(tokens[f.get_u32("tokenizer.ggml.padding_token_id")] == (lfm2 ? "<|pad|>" : "<|endoftext|>"));
    // A few byte tokens of GPT-2's table: 'A' stands for itself, space is U+0120, newline U+010A.
    CHECK(tokens[specials.size() + 'A'] == "A");
    CHECK(tokens[specials.size() + ' '] == "\xc4\xa0");
    CHECK(tokens[specials.size() + '\n'] == "\xc4\x8a");
  }
  ModelConfig too_small = preset("tiny-lfm2").config;
  too_small.n_vocab = 200;
  CHECK_THROWS_AS(make_placeholder_tokenizer(too_small), Error);
}

TEST_CASE("synth: byte tokens match the reference vocabulary's", "[synth]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const GgufFile reference(ref + "/lfm2moe-f32.gguf");
  const auto want = reference.get_string_array("tokenizer.ggml.tokens");
  const PlaceholderTokenizer ours = make_placeholder_tokenizer(preset("tiny-lfm2moe").config);
  REQUIRE(want.size() >= 261);
  // Both vocabularies: 5 specials, then the 256 byte tokens in byte order.
  for (size_t i = 0; i < 261; ++i) CHECK(ours.tokens[i] == want[i]);
}

TEST_CASE("synth: same seed gives identical bytes, another seed different ones", "[synth]") {
  const SynthPreset& p = preset("tiny-lfm2moe");
  for (TensorType type : {TensorType::Q4_0, TensorType::BF16}) {
    INFO(tensor_type_name(type));
    const std::string a = read_file(write_synth(p, type, 11, 2));
    const std::string b = read_file(write_synth(p, type, 11, 2));
    const std::string c = read_file(write_synth(p, type, 12, 2));
    CHECK(a == b);
    REQUIRE(a.size() == c.size());  // same layout, only the weights and the recorded seed differ
    CHECK(a != c);
    // Every tensor differs, not just the header's seed.
    const GgufFile fa(write_synth(p, type, 11, 1)), fc(write_synth(p, type, 12, 1));
    for (size_t i = 0; i < fa.tensors().size(); ++i) {
      const auto& ta = fa.tensors()[i];
      INFO(ta.name);
      CHECK(std::memcmp(ta.data, fc.tensors()[i].data, ta.n_bytes) != 0);
    }
  }
}

TEST_CASE("synth: the thread count does not change the bytes, also for tensors of several chunks", "[synth]") {
  // A tiny MoE with a wider vocabulary: token_embd spans 4 generator chunks.
  SynthPreset p = preset("tiny-lfm2moe");
  p.config.n_vocab = 4096;
  REQUIRE(p.config.n_vocab * p.config.n_embd == 4 * kSynthChunkElements);
  for (TensorType type : {TensorType::Q4_0, TensorType::F32}) {
    INFO(tensor_type_name(type));
    const std::string one = read_file(write_synth(p, type, 3, 1));
    const std::string two = read_file(write_synth(p, type, 3, 2));
    const std::string five = read_file(write_synth(p, type, 3, 5));
    CHECK(one == two);
    CHECK(one == five);
  }
}

TEST_CASE("synth: every type stores the same underlying values", "[synth]") {
  // F32 holds the generator's values exactly; each other type must be their rounding.
  const SynthPreset& p = preset("tiny-qwen3");
  const GgufFile f32(write_synth(p, TensorType::F32, 5, 1));
  for (TensorType type : {TensorType::F16, TensorType::BF16, TensorType::Q8_0, TensorType::Q4_0}) {
    const GgufFile f(write_synth(p, type, 5, 1));
    double worst = 0;
    for (size_t i = 0; i < f.tensors().size(); ++i) {
      const auto& t = f.tensors()[i];
      const auto& r = f32.tensors()[i];
      std::vector<float> got(size_t(t.n_elements)), want(size_t(r.n_elements));
      dequantize_row(*t.type, t.data, got.data(), t.n_elements);
      dequantize_row(*r.type, r.data, want.data(), r.n_elements);
      double err = 0, ref = 0;
      for (size_t k = 0; k < got.size(); ++k) {
        err += (got[k] - want[k]) * double(got[k] - want[k]);
        ref += double(want[k]) * want[k];
      }
      worst = std::max(worst, std::sqrt(err / ref));
    }
    std::printf("synth: %s vs F32 weights, worst per-tensor rms relative error %.4g\n",
                std::string(tensor_type_name(type)).c_str(), worst);
    // Q4_0 on Gaussian-like data is about 10% rms; a different draw would be ~141%.
    CHECK(worst < (type == TensorType::Q4_0 ? 0.2 : 0.02));
  }
}

TEST_CASE("synth: weights are finite and scaled like a real initialisation", "[synth]") {
  for (TensorType type : kSynthTypes) {
    const SynthPreset& p = preset("tiny-lfm2moe");
    const GgufFile f(write_synth(p, type, 9, 2));
    const auto expected = expected_tensors(p.config);
    double worst_ratio = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      const ExpectedTensor& e = expected[i];
      const Moments m = moments_of(f.tensors()[i]);
      INFO(tensor_type_name(type) << " " << e.name << " mean " << m.mean << " std " << m.std);
      REQUIRE(m.finite);
      if (is_matrix_like(e.role)) {
        const double want = 1.0 / std::sqrt(double(e.fan_in()));
        const double ratio = m.std / want;
        // Sampling error of a std from n values is about 1/sqrt(2n): allow 5 of those.
        const double tol = 5.0 / std::sqrt(2.0 * double(e.n_elements())) + (type == TensorType::Q4_0 ? 0.03 : 0.0);
        CHECK(std::fabs(ratio - 1.0) < tol);
        CHECK(std::fabs(m.mean) < 5.0 * want / std::sqrt(double(e.n_elements())));
        worst_ratio = std::max(worst_ratio, std::fabs(ratio - 1.0));
      } else if (e.role == TensorRole::Norm) {
        CHECK(std::fabs(m.mean - 1.0) < 0.02);
        CHECK(m.std > 0.005);
        CHECK(m.std < 0.05);
      } else {  // router bias: small
        CHECK(m.std < 0.05);
        CHECK(m.std > 0.0);
      }
    }
    std::printf("synth: tiny-lfm2moe %s: matrix std / (1/sqrt(fan_in)) off by at most %.3f\n",
                std::string(tensor_type_name(type)).c_str(), worst_ratio);
  }
}

TEST_CASE("synth: a full-size tensor has std 1/sqrt(fan_in) to within 1%", "[synth]") {
  // lfm2-350m's shortconv.in_proj: 1024 x 3072, 48 generator chunks.
  const SynthPreset& p = preset("lfm2-350m");
  const ModelSynthesizer s(p, TensorType::Q8_0, 1);
  const auto expected = expected_tensors(p.config);
  size_t idx = 0;
  while (expected[idx].name != "blk.0.shortconv.in_proj.weight") ++idx;
  const GgufTensorSpec& spec = s.writer().tensors()[idx];
  std::vector<uint8_t> bytes(size_t(spec.n_bytes));
  s.fill(idx, bytes.data());
  GgufTensorInfo t;
  t.type = spec.type;
  t.n_elements = expected[idx].n_elements();
  t.data = bytes.data();
  const Moments m = moments_of(t);
  const double want = 1.0 / std::sqrt(1024.0);
  std::printf("synth: lfm2-350m blk.0.shortconv.in_proj Q8_0: std %.6f, want %.6f (ratio %.4f), mean %.2g\n", m.std,
              want, m.std / want, m.mean);
  CHECK(m.finite);
  CHECK(std::fabs(m.std / want - 1.0) < 0.01);
  CHECK(std::fabs(m.mean) < 1e-4);
}

TEST_CASE("synth: an in-memory model has exactly the file's bytes", "[synth]") {
  const SynthPreset& p = preset("tiny-lfm2moe");
  const ModelSynthesizer s(p, TensorType::Q4_0, 21);
  const std::string path = temp_dir() + "/m.gguf";
  s.write_file(path, 2);
  const std::string file = read_file(path);

  const AnonymousMapping image = s.writer().write_to_memory(
      [&](size_t i, const GgufTensorSpec&, uint8_t* dst) { s.fill(i, dst); }, 2);
  REQUIRE(image.size() == file.size());
  CHECK(std::memcmp(image.data(), file.data(), file.size()) == 0);

  const std::unique_ptr<GgufFile> mem = s.build_in_memory(2);
  CHECK(mem->path() == "<synth:tiny-lfm2moe/q4_0/seed21>");
  CHECK(mem->file_size() == file.size());
  const GgufFile disk(path);
  require_same_config(model_config_from_gguf(*mem), p.config);
  REQUIRE(mem->tensors().size() == disk.tensors().size());
  for (size_t i = 0; i < disk.tensors().size(); ++i) {
    INFO(disk.tensors()[i].name);
    REQUIRE(mem->tensors()[i].n_bytes == disk.tensors()[i].n_bytes);
    CHECK(std::memcmp(mem->tensors()[i].data, disk.tensors()[i].data, disk.tensors()[i].n_bytes) == 0);
  }

  const auto by_name = synthesize_in_memory("tiny-qwen3", TensorType::Q8_0, 4, 1);
  CHECK(by_name->path() == "<synth:tiny-qwen3/q8_0/seed4>");
  CHECK(model_config_from_gguf(*by_name).arch == Arch::QWEN3);
  CHECK_THROWS_AS(synthesize_in_memory("no-such-model", TensorType::Q8_0, 4, 1), UsageError);
}

TEST_CASE("synth: full-size presets have the published parameter counts and file size", "[synth]") {
  // Counted from the tensor shapes the writer declares (what a file would hold).
  auto count = [](const std::string& name) {
    const SynthPreset& p = preset(name);
    const ModelSynthesizer s(p, TensorType::Q4_0, 1);
    int64_t total = 0;
    for (const auto& t : s.writer().tensors()) {
      int64_t n = 1;
      for (int64_t d : t.dims) n *= d;
      total += n;
    }
    CHECK(total == count_params(p.config));
    return total;
  };
  const int64_t moe_total = count("lfm2-8b-a1b");
  const int64_t moe_active = count_active_params(preset("lfm2-8b-a1b").config);
  const int64_t qwen17 = count("qwen3-1.7b");
  std::printf("synth: lfm2-8b-a1b %.4gB total, %.4gB active; qwen3-1.7b %.4gB\n", moe_total / 1e9, moe_active / 1e9,
              qwen17 / 1e9);
  CHECK(moe_total >= 8'200'000'000);
  CHECK(moe_total <= 8'450'000'000);
  CHECK(moe_active >= 1'400'000'000);
  CHECK(moe_active <= 1'600'000'000);
  CHECK(qwen17 >= 1'600'000'000);
  CHECK(qwen17 <= 2'100'000'000);
  // The other published models, by their names' sizes (all of these tie the output).
  const int64_t lfm350 = count("lfm2-350m"), lfm12 = count("lfm2-1.2b"), lfm26 = count("lfm2-2.6b"),
                qwen06 = count("qwen3-0.6b");
  std::printf("synth: lfm2-350m %.4gB, lfm2-1.2b %.4gB, lfm2-2.6b %.4gB, qwen3-0.6b %.4gB\n", lfm350 / 1e9,
              lfm12 / 1e9, lfm26 / 1e9, qwen06 / 1e9);
  CHECK((lfm350 > 330'000'000 && lfm350 < 380'000'000));
  CHECK((lfm12 > 1'100'000'000 && lfm12 < 1'250'000'000));
  CHECK((lfm26 > 2'450'000'000 && lfm26 < 2'700'000'000));
  CHECK((qwen06 > 550'000'000 && qwen06 < 650'000'000));

  const uint64_t size = ModelSynthesizer(preset("lfm2-8b-a1b"), TensorType::Q4_0, 1).file_size();
  std::printf("synth: lfm2-8b-a1b Q4_0 file size %llu bytes (%.3f%% from 4.70e9)\n", (unsigned long long)size,
              100.0 * (double(size) / 4.70e9 - 1.0));
  CHECK(std::fabs(double(size) / 4.70e9 - 1.0) < 0.01);
}

TEST_CASE("synth: the full-size LFM2-8B-A1B layout", "[synth]") {
  const ModelConfig& c = preset("lfm2-8b-a1b").config;
  std::vector<int64_t> attention;
  for (int64_t il = 0; il < c.n_layer; ++il)
    if (c.layer_is_attention[size_t(il)]) attention.push_back(il);
  CHECK(attention == std::vector<int64_t>{2, 6, 10, 14, 18, 21});
  CHECK(!c.layer_is_moe(1));
  CHECK(c.layer_is_moe(2));
  CHECK(c.head_dim * c.n_head == c.n_embd);
}

TEST_CASE("synth: free-space check refuses before writing and names the size", "[synth]") {
  const std::string path = temp_dir() + "/big.gguf";
  try {
    require_free_space(path, uint64_t(1) << 62);
    FAIL("expected an error");
  } catch (const Error& e) {
    const std::string msg = e.what();
    CHECK(msg.find(path) != std::string::npos);
    CHECK(msg.find("4294967296.00 GiB") != std::string::npos);  // 2^62 bytes in binary units
  }
  CHECK_NOTHROW(require_free_space(path, 1000));
  REQUIRE(free_bytes_for(path).has_value());
  CHECK(*free_bytes_for(path) > 0);
}

TEST_CASE("synth: lfmb synth writes a file lfmb info reads", "[synth][cli]") {
  const std::string path = temp_dir() + "/tiny.gguf";
  const auto r = run_lfmb({"synth", "--preset", "tiny-lfm2moe", "--type", "q8_0", "--seed", "3", "-o", path,
                           "--threads", "2"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("wrote") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // not a TTY: one line at the end
  // Same bytes as the library writes.
  CHECK(read_file(path) == read_file(write_synth(preset("tiny-lfm2moe"), TensorType::Q8_0, 3, 1)));
  const auto info = run_lfmb({"info", path});
  INFO(info.err);
  CHECK(info.exit_code == 0);
  CHECK(info.out.find("lfm2moe") != std::string::npos);

  const auto list = run_lfmb({"synth", "--list"});
  CHECK(list.exit_code == 0);
  for (const auto& p : synth_presets()) CHECK(list.out.find(p.name) != std::string::npos);
}

TEST_CASE("synth: bad preset or type is a usage error listing the valid ones", "[synth][cli]") {
  const std::string path = temp_dir() + "/x.gguf";
  const auto r = run_lfmb({"synth", "--preset", "gpt-5", "-o", path});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("gpt-5") != std::string::npos);
  for (const auto& p : synth_presets()) CHECK(r.err.find(p.name) != std::string::npos);

  const auto t = run_lfmb({"synth", "--preset", "tiny-lfm2", "--type", "q4_k", "-o", path});
  CHECK(t.exit_code == 2);
  CHECK(t.err.find("q4_0, q8_0, bf16, f16, f32") != std::string::npos);
  CHECK(!std::filesystem::exists(path));
}

TEST_CASE("synth: an unwritable output path exits 1 with one line and leaves no file", "[synth][cli]") {
  const std::string dir = temp_dir();
  for (const std::string& path : {dir + "/missing-dir/x.gguf", dir}) {
    INFO(path);
    const auto before = std::distance(std::filesystem::directory_iterator(dir), {});
    const auto r = run_lfmb({"synth", "--preset", "tiny-lfm2", "-o", path});
    CHECK(r.exit_code == 1);
    CHECK(r.err.rfind("lfmb: error: ", 0) == 0);
    CHECK(r.err.find(path) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(!std::filesystem::exists(dir + "/missing-dir"));
    CHECK(!std::filesystem::exists(path + ".part"));
    CHECK(std::distance(std::filesystem::directory_iterator(dir), {}) == before);
  }
}
