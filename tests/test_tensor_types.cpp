// Dequantisation and reference quantisation against the independent engine's files.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/gguf/gguf_reader.h"
#include "core/error.h"
#include "core/gguf/half.h"
#include "core/gguf/tensor_type.h"
#include "tests/test_support.h"

using namespace lfmb;

namespace {
std::vector<float> dequantize_tensor(const GgufTensorInfo& t) {
  std::vector<float> out(size_t(t.n_elements));
  const int64_t n_rows = t.n_elements / t.dims[0];
  const size_t rb = row_bytes(*t.type, t.dims[0]);
  for (int64_t r = 0; r < n_rows; ++r)
    dequantize_row(*t.type, t.data + size_t(r) * rb, out.data() + r * t.dims[0], t.dims[0]);
  return out;
}
}  // namespace

TEST_CASE("every reference tensor dequantises to the engine's statistics", "[types][reference]") {
  LFMB_REQUIRE_REFERENCE(dir);
  const auto stats = nlohmann::json::parse(test::read_file(dir + "/tensor-stats.json"));
  int files = 0, tensors = 0;
  double worst = 0.0;
  for (const auto& [file, tensor_stats] : stats.items()) {
    const GgufFile f(dir + "/" + file);
    ++files;
    for (const auto& [name, st] : tensor_stats.items()) {
      INFO(file << " " << name);
      const GgufTensorInfo& t = f.tensor(name);
      REQUIRE(t.type.has_value());
      CHECK(std::string(tensor_type_name(*t.type)) == st["type"].get<std::string>());
      CHECK(t.dims == st["ne"].get<std::vector<int64_t>>());
      const std::vector<float> v = dequantize_tensor(t);
      double sum = 0, sum_sq = 0;
      for (float x : v) {
        sum += x;
        sum_sq += double(x) * x;
      }
      const double ref_sum = st["sum"], ref_sq = st["sum_sq"];
      // Relative error against the tensor's scale (sum of |x| bounds how far a sum can move).
      double abs_total = 0;
      for (float x : v) abs_total += std::fabs(x);
      const double e_sum = std::fabs(sum - ref_sum) / std::max(std::fabs(ref_sum), 1e-3 * abs_total);
      const double e_sq = std::fabs(sum_sq - ref_sq) / ref_sq;
      worst = std::max({worst, e_sum, e_sq});
      CHECK(e_sum <= 1e-6);
      CHECK(e_sq <= 1e-6);
      const auto first8 = st["first8"].get<std::vector<double>>();
      for (size_t i = 0; i < first8.size(); ++i)
        CHECK(std::fabs(v[i] - first8[i]) <= 1e-6 * std::max(1.0, std::fabs(first8[i])));
      ++tensors;
    }
  }
  std::printf("tensor-stats: %d files, %d tensors, worst relative error %.3g\n", files, tensors, worst);
  CHECK(files >= 10);
}

TEST_CASE("quantising the F32 reference tensors reproduces the quantised files byte for byte", "[types][reference]") {
  LFMB_REQUIRE_REFERENCE(dir);
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"lfm2moe-f32.gguf", "lfm2moe-q8_0.gguf"}, {"lfm2moe-f32.gguf", "lfm2moe-q4_0.gguf"},
      {"lfm2moe-f32.gguf", "lfm2moe-f16.gguf"},  {"lfm2moe-f32.gguf", "lfm2moe-bf16.gguf"},
      {"lfm2-f32.gguf", "lfm2-q8_0.gguf"},       {"qwen3-f32.gguf", "qwen3-q8_0.gguf"}};
  for (const auto& [src_name, dst_name] : pairs) {
    const GgufFile src(dir + "/" + src_name), dst(dir + "/" + dst_name);
    int quantised = 0;
    for (const auto& t : dst.tensors()) {
      INFO(dst_name << " " << t.name);
      const GgufTensorInfo& s = src.tensor(t.name);
      REQUIRE(s.type == TensorType::F32);
      REQUIRE(s.n_elements == t.n_elements);
      std::vector<uint8_t> bytes(t.n_bytes);
      const int64_t n_rows = t.n_elements / t.dims[0];
      for (int64_t r = 0; r < n_rows; ++r)
        quantize_row(*t.type, reinterpret_cast<const float*>(s.data) + r * t.dims[0],
                     bytes.data() + size_t(r) * row_bytes(*t.type, t.dims[0]), t.dims[0]);
      CHECK(std::memcmp(bytes.data(), t.data, t.n_bytes) == 0);
      if (*t.type != TensorType::F32) ++quantised;
    }
    CHECK(quantised > 0);
  }
}

TEST_CASE("half and bfloat16 conversions round to nearest even", "[types]") {
  // Exhaustive round trip: every finite half converts to float and back unchanged.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const uint16_t x = uint16_t(h);
    if ((x & 0x7c00) == 0x7c00) continue;  // inf/NaN
    REQUIRE(f32_to_f16(f16_to_f32(x)) == x);
  }
  CHECK(f32_to_f16(65504.0f) == 0x7bff);
  CHECK(f32_to_f16(65520.0f) == 0x7c00);                  // halfway to 65536: rounds to inf
  CHECK(f32_to_f16(1.0f + 1.0f / 2048) == 0x3c00);        // tie -> even (down)
  CHECK(f32_to_f16(1.0f + 3.0f / 2048) == 0x3c02);        // tie -> even (up)
  CHECK(f32_to_f16(std::ldexp(1.0f, -24)) == 0x0001);     // smallest subnormal
  CHECK(f32_to_f16(std::ldexp(1.0f, -25)) == 0x0000);     // tie with zero -> even
  CHECK(f32_to_f16(std::ldexp(1.5f, -25)) == 0x0001);
  CHECK(f32_to_bf16(1.0f) == 0x3f80);
  CHECK(f32_to_bf16(std::bit_cast<float>(0x3f808000u)) == 0x3f80);  // tie -> even (down)
  CHECK(f32_to_bf16(std::bit_cast<float>(0x3f818000u)) == 0x3f82);  // tie -> even (up)
  CHECK(std::isnan(bf16_to_f32(f32_to_bf16(NAN))));
}

// Half a quantisation step (plus the scale's own rounding), except Q4_0: its grid is asymmetric (-8..7), so the value opposite the
// block's extreme can be clamped by a whole step.
TEST_CASE("quantise then dequantise stays within the quantisation step", "[types]") {
  std::vector<float> x(256);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(float(i) * 0.37f) * float(1 + i % 7);
  for (TensorType t : {TensorType::Q8_0, TensorType::Q4_0, TensorType::F16, TensorType::BF16, TensorType::F32}) {
    std::vector<uint8_t> q(row_bytes(t, 256));
    std::vector<float> y(256);
    quantize_row(t, x.data(), q.data(), 256);
    dequantize_row(t, q.data(), y.data(), 256);
    for (int b = 0; b < 8; ++b) {
      float amax = 0;
      for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[size_t(b * 32 + j)]));
      const float step = t == TensorType::Q8_0 ? amax / 127 : t == TensorType::Q4_0 ? amax / 8 : amax * 0.008f;
      for (int j = 0; j < 32; ++j) {
        INFO(tensor_type_name(t) << " block " << b << " value " << j);
        // Plus the fp16 rounding of the block scale, which moves a value by up to |q| * 2^-11 steps.
        const float bound = ((t == TensorType::Q4_0 ? 1.0f : 0.5f) + 128.0f / 2048) * step + 1e-6f;
        CHECK(std::fabs(x[size_t(b * 32 + j)] - y[size_t(b * 32 + j)]) <= bound);
      }
    }
  }
  CHECK_THROWS_AS(quantize_row(TensorType::Q4_0, x.data(), nullptr, 31), Error);
}
