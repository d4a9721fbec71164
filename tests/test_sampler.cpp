// Sampler checks with hand-made logits: each filter keeps exactly what its definition says.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdio>

#include "core/tokenizer/sampler.h"

using lfmb::Sampler;
using lfmb::SamplerOptions;

namespace {

std::vector<int32_t> ids_of(const std::vector<std::pair<int32_t, float>>& c) {
  std::vector<int32_t> ids;
  for (const auto& [id, p] : c) ids.push_back(id);
  return ids;
}

std::vector<int32_t> draw(SamplerOptions o, const std::vector<float>& logits, int n) {
  Sampler s(o);
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) out.push_back(s.sample(logits.data(), logits.size()));
  return out;
}

}  // namespace

TEST_CASE("greedy picks the argmax and top-k=1 equals greedy", "[tokenizer][sampler]") {
  const std::vector<float> logits = {0.1f, 2.5f, -1.0f, 2.4f, 0.0f};
  Sampler greedy(SamplerOptions{});
  CHECK(greedy.sample(logits.data(), logits.size()) == 1);
  SamplerOptions k1;
  k1.temperature = 1.0f;
  k1.top_k = 1;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    k1.seed = seed;
    Sampler s(k1);
    CHECK(s.sample(logits.data(), logits.size()) == 1);
  }
}

TEST_CASE("top-k, top-p and min-p keep exactly the tokens their definitions allow", "[tokenizer][sampler]") {
  // softmax(log p) = p at temperature 1, so the probabilities are known exactly.
  const std::vector<float> p = {0.05f, 0.40f, 0.02f, 0.30f, 0.15f, 0.08f};
  std::vector<float> logits;
  for (float v : p) logits.push_back(std::log(v));
  SamplerOptions o;
  o.temperature = 1.0f;

  o.top_k = 3;
  CHECK(ids_of(Sampler(o).candidates(logits.data(), logits.size())) == std::vector<int32_t>{1, 3, 4});
  o.top_k = 0;

  o.top_p = 0.80f;  // 0.40 + 0.30 = 0.70 < 0.80, + 0.15 = 0.85 >= 0.80
  auto c = Sampler(o).candidates(logits.data(), logits.size());
  CHECK(ids_of(c) == std::vector<int32_t>{1, 3, 4});
  float sum = 0;
  for (auto& [id, prob] : c) sum += prob;
  INFO("renormalised sum " << sum);
  CHECK(std::abs(sum - 1.0f) < 1e-5f);
  CHECK(std::abs(c[0].second - 0.40f / 0.85f) < 1e-5f);
  o.top_p = 1.0f;

  o.min_p = 0.3f;  // floor = 0.3 * 0.40 = 0.12: keeps 0.40, 0.30, 0.15
  CHECK(ids_of(Sampler(o).candidates(logits.data(), logits.size())) == std::vector<int32_t>{1, 3, 4});
  o.min_p = 0.5f;  // floor 0.20: keeps 0.40, 0.30
  CHECK(ids_of(Sampler(o).candidates(logits.data(), logits.size())) == std::vector<int32_t>{1, 3});

  // Sampling never returns a filtered-out token.
  for (uint64_t seed = 0; seed < 200; ++seed) {
    o.seed = seed;
    const int32_t t = Sampler(o).sample(logits.data(), logits.size());
    CHECK((t == 1 || t == 3));
  }
}

TEST_CASE("same seed gives the same sequence and draws follow the probabilities", "[tokenizer][sampler]") {
  const std::vector<float> logits = {std::log(0.5f), std::log(0.3f), std::log(0.2f)};
  SamplerOptions o;
  o.temperature = 1.0f;
  o.seed = 42;
  const auto a = draw(o, logits, 64), b = draw(o, logits, 64);
  CHECK(a == b);
  o.seed = 43;
  CHECK(draw(o, logits, 64) != a);

  o.seed = 7;
  const int n = 20000;
  const auto many = draw(o, logits, n);
  std::array<int, 3> count{};
  for (int32_t t : many) count[size_t(t)]++;
  const double f0 = double(count[0]) / n, f1 = double(count[1]) / n, f2 = double(count[2]) / n;
  std::printf("sampler frequencies over %d draws: %.4f %.4f %.4f (expected 0.5 0.3 0.2)\n", n, f0, f1, f2);
  CHECK(std::abs(f0 - 0.5) < 0.02);  // ~6 standard deviations
  CHECK(std::abs(f1 - 0.3) < 0.02);
  CHECK(std::abs(f2 - 0.2) < 0.02);
}

TEST_CASE("repetition penalty divides positive and multiplies negative logits of seen tokens", "[tokenizer][sampler]") {
  const std::vector<float> logits = {2.0f, 1.9f, -1.0f, -1.2f};
  SamplerOptions o;
  o.repetition_penalty = 1.5f;
  {
    Sampler s(o);  // greedy
    CHECK(s.sample(logits.data(), logits.size()) == 0);
    // token 0 is now history: 2.0 / 1.5 = 1.33 < 1.9, so greedy moves to token 1
    CHECK(s.sample(logits.data(), logits.size()) == 1);
  }
  {
    // Negative logits get more negative: -1.0 * 1.5 = -1.5 < -1.2.
    o.temperature = 1.0f;
    Sampler s(o);
    s.accept(2);
    const auto c = s.candidates(logits.data(), logits.size());
    CHECK(ids_of(c) == std::vector<int32_t>{0, 1, 3, 2});
    const double z = std::exp(2.0) + std::exp(1.9) + std::exp(-1.5) + std::exp(-1.2);
    INFO("p(token 2) " << c[3].second << " expected " << std::exp(-1.5) / z);
    CHECK(std::abs(c[3].second - std::exp(-1.5) / z) < 1e-6);
  }
  const auto rec = SamplerOptions::lfm2_recommended();
  CHECK(rec.temperature == 0.3f);
  CHECK(rec.min_p == 0.15f);
  CHECK(rec.repetition_penalty == 1.05f);
}

TEST_CASE("stop conditions: end tokens and stop strings", "[tokenizer][sampler]") {
  lfmb::StopCondition stop{{2, 7}, {"\nUser:", "###"}};
  CHECK(stop.is_stop_token(7));
  CHECK(!stop.is_stop_token(3));
  CHECK(stop.find_stop_string("answer ### more \nUser:") == 7);
  CHECK(stop.find_stop_string("no stop here") == std::string::npos);
}
