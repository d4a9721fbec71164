// The model runtime against logits an independent engine computed for tiny seeded models
// (../shared/reference), plus session reuse, chunked prefill, context limits and the CLI.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <functional>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/gguf/gguf_writer.h"
#include "core/model/generate.h"
#include "core/model/model.h"
#include "core/model/model_config.h"
#include "test_support.h"

using namespace lfmb;
namespace fs = std::filesystem;

namespace {

struct Bounds {
  double rms, top1;
};

// README "how close is close enough", float32 activations.
Bounds bounds_for(const std::string& file) {
  if (file.find("-f32") != std::string::npos) return {1e-4, 1.0};
  if (file.find("-f16") != std::string::npos || file.find("-bf16") != std::string::npos) return {0.1, 0.9};
  return {0.15, 0.85};
}

double rms_ratio(const std::vector<float>& ours, const nlohmann::json& ref_rows, int64_t V) {
  double diff = 0, ref = 0;
  for (size_t p = 0; p < ref_rows.size(); ++p)
    for (int64_t v = 0; v < V; ++v) {
      const double r = ref_rows[p][size_t(v)].get<double>();
      const double d = double(ours[p * size_t(V) + size_t(v)]) - r;
      diff += d * d;
      ref += r * r;
    }
  return std::sqrt(diff / ref);
}

int64_t ref_argmax(const nlohmann::json& row) {
  int64_t best = 0;
  for (size_t v = 1; v < row.size(); ++v)
    if (row[v].get<double>() > row[size_t(best)].get<double>()) best = int64_t(v);
  return best;
}

std::vector<std::string> reference_models(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const fs::path p = e.path();
    if (p.extension() == ".gguf" && fs::exists(fs::path(dir) / (p.stem().string() + ".logits.json")))
      files.push_back(p.string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

nlohmann::json load_logits(const std::string& gguf) {
  const fs::path p(gguf);
  return nlohmann::json::parse(test::read_file((p.parent_path() / (p.stem().string() + ".logits.json")).string()));
}

std::vector<int32_t> tokens_of(const nlohmann::json& seq) { return seq["tokens"].get<std::vector<int32_t>>(); }

}  // namespace

TEST_CASE("model logits match the reference engine for every reference file", "[model]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const auto files = reference_models(ref);
  REQUIRE(files.size() >= 10);
  for (const std::string& file : files) {
    const std::string name = fs::path(file).filename().string();
    const Bounds b = bounds_for(name);
    const nlohmann::json expected = load_logits(file);
    const int64_t V = expected["n_vocab"].get<int64_t>();
    Model model(file, ModelOptions{});
    REQUIRE(model.config().n_vocab == V);
    Session s(model);
    for (const char* mode : {"batch", "step"}) {
      double worst = 0;
      int64_t agree = 0, total = 0;
      bool greedy_same = true;
      for (const auto& seq : expected["sequences"]) {
        const std::vector<int32_t> toks = tokens_of(seq);
        s.reset();
        std::vector<float> logits;
        if (std::string(mode) == "batch") {
          logits = s.prefill(toks);
        } else {
          for (int32_t t : toks) {
            auto l = s.decode(t);
            logits.insert(logits.end(), l.begin(), l.end());
          }
        }
        const auto& ref_rows = seq[mode];
        REQUIRE(logits.size() == ref_rows.size() * size_t(V));
        worst = std::max(worst, rms_ratio(logits, ref_rows, V));
        for (size_t p = 0; p < ref_rows.size(); ++p, ++total)
          agree += argmax_token(logits.data() + p * size_t(V), V) == ref_argmax(ref_rows[p]);
        if (std::string(mode) == "step") {
          s.reset();
          const auto gen = generate(s, toks, 16, argmax_token);
          greedy_same = greedy_same && gen == seq["greedy"].get<std::vector<int32_t>>();
        }
      }
      const double top1 = double(agree) / double(total);
      std::printf("[model] %-24s %-5s rms_ratio %.3e (bound %.2g)  top1 %.4f (bound %.2f)%s\n", name.c_str(), mode,
                  worst, b.rms, top1, b.top1,
                  std::string(mode) == "step" ? (greedy_same ? "  greedy identical" : "  greedy differs") : "");
      INFO(name << " " << mode << " rms_ratio " << worst << " top1 " << top1);
      CHECK(worst <= b.rms);
      CHECK(top1 >= b.top1);
      if (b.top1 == 1.0 && std::string(mode) == "step") CHECK(greedy_same);
    }
  }
}

TEST_CASE("session reset and reuse and chunked prefill give identical logits", "[model]") {
  LFMB_REQUIRE_REFERENCE(ref);
  for (const char* f : {"lfm2moe-f32.gguf", "qwen3-f32.gguf"}) {
    const std::string file = ref + "/" + f;
    const nlohmann::json expected = load_logits(file);
    const std::vector<int32_t> toks = tokens_of(expected["sequences"][1]);  // 25 tokens
    Model whole(file, ModelOptions{});
    Session s(whole);
    const std::vector<float> first = s.prefill(toks);
    s.decode(7);  // dirty the state
    s.reset();
    CHECK(s.position() == 0);
    const std::vector<float> again = s.prefill(toks);
    CHECK(first == again);

    ModelOptions chunked;
    chunked.n_batch = 7;  // 25 tokens -> chunks 7, 7, 7, 4
    Model m2(file, chunked);
    Session s2(m2);
    const std::vector<float> pieces = s2.prefill(toks);
    REQUIRE(pieces.size() == first.size());
    double max_diff = 0;
    for (size_t i = 0; i < first.size(); ++i) max_diff = std::max(max_diff, double(std::fabs(first[i] - pieces[i])));
    std::printf("[model] %s chunked (n_batch 7) vs whole prefill: max |diff| %.3e\n", f, max_diff);
    CHECK(max_diff <= 1e-4);
  }
}

TEST_CASE("exceeding n_ctx is a clear error", "[model]") {
  LFMB_REQUIRE_REFERENCE(ref);
  ModelOptions o;
  o.n_ctx = 8;
  Model m(ref + "/lfm2-f32.gguf", o);
  Session s(m);
  s.prefill({1, 2, 3, 4, 5, 6, 7, 8});
  CHECK_THROWS_WITH(s.decode(9), Catch::Contains("n_ctx = 8"));
  Session s2(m);
  CHECK_THROWS_AS(s2.prefill(std::vector<int32_t>(9, 1)), Error);
}

TEST_CASE("unknown backend and unsupported architecture are clear errors", "[model]") {
  LFMB_REQUIRE_REFERENCE(ref);
  ModelOptions o;
  o.backend = "no-such-backend";
  CHECK_THROWS_WITH(Model(ref + "/lfm2-f32.gguf", o), Catch::Contains("reference"));

  const std::string path = test::temp_dir() + "/llama.gguf";
  GgufWriter w;
  w.set("general.architecture", GgufValue::str("llama"));
  w.write(path, [](size_t, const GgufTensorSpec&, uint8_t*) {}, 1);
  CHECK_THROWS_WITH(Model(path, ModelOptions{}), Catch::Contains("lfm2, lfm2moe, qwen3"));
}

TEST_CASE("lfmb logits and generate CLI", "[model]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const std::string model = ref + "/qwen3-f32.gguf";
  const nlohmann::json expected = load_logits(model);
  const auto& seq = expected["sequences"][0];
  std::string toks;
  for (int32_t t : tokens_of(seq)) toks += std::to_string(t) + " ";
  const std::string out = test::temp_dir() + "/logits.json";
  for (const char* mode : {"batch", "step"}) {
    auto r = test::run_lfmb({"logits", "--model", model, "--tokens", toks, "--mode", mode, "--out", out});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(test::read_file(out));
    CHECK(j["n_vocab"] == expected["n_vocab"]);
    REQUIRE(j["logits"].size() == seq["tokens"].size());
    CHECK(ref_argmax(j["logits"].back()) == ref_argmax(seq[mode].back()));
  }
  auto g = test::run_lfmb({"generate", "--model", model, "--tokens", toks, "-n", "16"});
  REQUIRE(g.exit_code == 0);
  std::string want;
  for (int32_t t : seq["greedy"].get<std::vector<int32_t>>()) want += (want.empty() ? "" : " ") + std::to_string(t);
  CHECK(g.out == want + "\n");

  auto bad = test::run_lfmb({"logits", "--model", ref + "/missing.gguf", "--tokens", "1", "--out", out});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("lfmb: error:") != std::string::npos);
  auto usage = test::run_lfmb({"logits", "--model", model, "--tokens", "1 x", "--out", out});
  CHECK(usage.exit_code == 2);
  auto oob = test::run_lfmb({"generate", "--model", model, "--tokens", "99999"});
  CHECK(oob.exit_code == 1);
}

namespace {

// Rewrites a reference GGUF, letting `edit` drop (return false) or reshape a tensor.
std::string rewrite_model(const std::string& src, const std::string& dst,
                          const std::function<bool(std::string&, std::vector<int64_t>&)>& edit) {
  const GgufFile f(src);
  GgufWriter w;
  for (const auto& [k, v] : f.metadata())
    if (k != "general.alignment") w.set(k, v);
  std::vector<const GgufTensorInfo*> kept;
  for (const GgufTensorInfo& t : f.tensors()) {
    std::string name = t.name;
    std::vector<int64_t> dims = t.dims;
    if (!edit(name, dims)) continue;
    w.add_tensor(name, *t.type, dims);
    kept.push_back(&t);
  }
  w.write(dst, [&](size_t i, const GgufTensorSpec& spec, uint8_t* out) {
    std::memcpy(out, kept[i]->data, std::min<uint64_t>(spec.n_bytes, kept[i]->n_bytes));
  });
  return dst;
}

}  // namespace

TEST_CASE("a missing or misshapen tensor names the file and the tensor", "[model]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const std::string src = ref + "/lfm2moe-f32.gguf";
  const std::string dir = test::temp_dir();
  const std::string missing = rewrite_model(src, dir + "/missing.gguf", [](std::string& n, std::vector<int64_t>&) {
    return n != "blk.3.shortconv.in_proj.weight";
  });
  CHECK_THROWS_WITH(Model(missing, ModelOptions{}),
                    Catch::Contains("missing.gguf") && Catch::Contains("missing tensor 'blk.3.shortconv.in_proj.weight'"));
  const std::string shaped = rewrite_model(src, dir + "/shape.gguf", [](std::string& n, std::vector<int64_t>& d) {
    if (n == "blk.2.attn_k.weight") d = {d[0], d[1] / 2};  // half the rows
    return true;
  });
  CHECK_THROWS_WITH(Model(shaped, ModelOptions{}),
                    Catch::Contains("shape.gguf") && Catch::Contains("'blk.2.attn_k.weight' has shape"));
}

TEST_CASE("memory plan counts KV cache and conv state from the config", "[model]") {
  LFMB_REQUIRE_REFERENCE(ref);
  ModelOptions o;
  o.n_ctx = 100;
  Model m(ref + "/lfm2moe-f32.gguf", o);
  const ModelConfig& c = m.config();
  const MemoryPlan& p = m.memory_plan();
  // lfm2moe reference: layers conv,conv,attn,conv,conv,attn (README) -> 2 attention, 4 conv layers.
  CHECK(p.kv_cache == uint64_t(2 * 100 * 2 * c.n_head_kv * c.head_dim * 4));
  CHECK(p.conv_state == uint64_t(4 * (c.conv_l - 1) * c.n_embd * 4));
  CHECK(p.backend_prepared == 0);  // the reference backend computes from the mapped bytes in place
  // F32 file, everything used in place: mapped + small tensors = all tensor data (file minus header).
  const GgufFile f(ref + "/lfm2moe-f32.gguf");
  uint64_t tensor_bytes = 0;
  for (const auto& t : f.tensors()) tensor_bytes += t.n_bytes;
  CHECK(p.weights_mapped + p.small_tensors == tensor_bytes);
  std::printf("[model] lfm2moe-f32 %s\n", p.describe().c_str());
}

TEST_CASE("a model that does not fit in memory is refused before allocating", "[model]") {
  LFMB_REQUIRE_REFERENCE(ref);
  ModelOptions o;
  o.n_ctx = 4096;
  o.memory_limit = 64 * 1024;  // far below the ~1.5 MiB KV cache + scratch this needs
  CHECK_THROWS_WITH(Model(ref + "/lfm2moe-f32.gguf", o),
                    Catch::Contains("not enough memory") && Catch::Contains("GiB available"));
}

TEST_CASE("prefill_last returns the last position's logits of a full prefill, across chunks", "[model]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const std::string file = ref + "/lfm2moe-f32.gguf";
  const std::vector<int32_t> toks = tokens_of(load_logits(file)["sequences"][1]);  // 25 tokens
  ModelOptions o;
  o.n_batch = 10;  // chunks 10, 10, 5
  Model m(file, o);
  Session s(m);
  const std::vector<float> all = s.prefill(toks);
  s.reset();
  const std::vector<float> last = s.prefill_last(toks);
  const size_t V = size_t(m.config().n_vocab);
  REQUIRE(last.size() == V);
  CHECK(std::equal(last.begin(), last.end(), all.end() - std::ptrdiff_t(V)));  // reference backend: same math
  CHECK(s.position() == int64_t(toks.size()));
  CHECK_THROWS_AS(s.prefill_last({}), Error);
}

TEST_CASE("a model read into memory (no mmap) computes what the mapped one does", "[model]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const std::string file = ref + "/lfm2moe-q4_0.gguf";
  const std::vector<int32_t> toks = tokens_of(load_logits(file)["sequences"][0]);
  ModelOptions o;
  o.backend = "native";
  Model mapped(file, o);
  o.mmap = false;
  Model copied(file, o);
  Session a(mapped), b(copied);
  CHECK(a.prefill(toks) == b.prefill(toks));
  CHECK_THROWS_WITH(Model(ref + "/no-such.gguf", o), Catch::Contains("no-such.gguf") && Catch::Contains("cannot open"));
}
