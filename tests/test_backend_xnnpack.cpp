// The xnnpack backend: every stored type against the reference backend, packed sizes
// measured through XNNPACK's allocator against prepared_bytes, operators reused without
// allocating, the shared pthreadpool's size, dtype errors.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "backends/reference/reference_backend.h"
#include "backends/xnnpack/xnnpack_backend.h"
#include "backends/xnnpack/xnnpack_memory.h"
#include "core/error.h"
#include "core/gguf/tensor_type.h"
#include "test_support.h"

using namespace lfmb;
using test::random_floats;
using test::random_weights;
using test::rms_ratio;

namespace {


// Float32 compute: only the summation order differs from the reference.
constexpr double kBound = 1e-6;

}  // namespace

TEST_CASE("xnnpack linear matches the reference for every stored type, odd shapes and row counts",
          "[backend][xnnpack]") {
  ReferenceBackend ref({});
  XnnpackBackend xnn({2, ""});
  for (TensorType type : test::kStoredTypes) {
    const int64_t n_in = block_elements(type) == 1 ? 37 : 32 * 3, n_out = 53, n_mats = 3;
    const std::vector<uint8_t> w = random_weights(type, n_mats, n_out, n_in, 5);
    const WeightView view{"blk.0.test.weight", type, n_in, n_out, n_mats, w.data()};
    const auto rw = ref.prepare(view);
    const auto pw = xnn.prepare(view);
    double worst = 0;
    for (int64_t rows : {1, 2, 9, 1}) {  // the same operators re-set-up for each batch size
      const std::vector<float> x = random_floats(size_t(rows * n_in), 17 + uint32_t(rows));
      for (int64_t mat = 0; mat < n_mats; ++mat) {
        std::vector<float> want(size_t(rows * n_out)), got(want.size(), -1.0f);
        ref.linear(*rw, mat, x.data(), rows, want.data());
        const int64_t before = xnnpack_net_bytes_on_this_thread();
        xnn.linear(*pw, mat, x.data(), rows, got.data());
        REQUIRE(xnnpack_net_bytes_on_this_thread() == before);  // no operator created or repacked per call
        worst = std::max(worst, rms_ratio(got, want));
      }
    }
    std::printf("xnnpack on %s weights: worst rms(xnnpack-ref)/rms(ref) = %.2e\n",
                std::string(tensor_type_name(type)).c_str(), worst);
    REQUIRE(worst < kBound);
  }
}

TEST_CASE("xnnpack prepared_bytes bounds the packed weights XNNPACK really allocates", "[backend][xnnpack]") {
  // One expert-like weight (many matrices, parallel over matrices) and one large one (parallel over rows).
  for (auto [n_mats, n_out, n_in] : {std::tuple<int64_t, int64_t, int64_t>{5, 70, 96}, {1, 1000, 64}}) {
    XnnpackBackend xnn({2, ""});
    const std::vector<uint8_t> w = random_weights(TensorType::Q8_0, n_mats, n_out, n_in, 8);
    const WeightView view{"w", TensorType::Q8_0, n_in, n_out, n_mats, w.data()};
    const auto pw = xnn.prepare(view);
    const uint64_t weights_only = uint64_t(n_mats * n_out * n_in) * sizeof(float);
    std::printf("xnnpack %lldx%lldx%lld: packed %llu bytes, prepared_bytes %llu, raw %llu\n", (long long)n_mats,
                (long long)n_out, (long long)n_in, (unsigned long long)pw->owned_bytes,
                (unsigned long long)xnn.prepared_bytes(view), (unsigned long long)weights_only);
    CHECK(pw->owned_bytes >= weights_only);  // the packed copy is counted...
    CHECK(pw->owned_bytes < weights_only + weights_only / 4 + 16384 * uint64_t(n_mats));  // ...and no float copy
    CHECK(pw->owned_bytes <= xnn.prepared_bytes(view));
  }
}

TEST_CASE("xnnpack MoE matches the reference backend", "[backend][xnnpack]") {
  const int64_t n_in = 64, n_ff = 40, n_exp = 6, tokens = 5;
  const int k = 2;
  ReferenceBackend ref({});
  const auto gw = random_weights(TensorType::Q4_0, n_exp, n_ff, n_in, 1);
  const auto uw = random_weights(TensorType::Q4_0, n_exp, n_ff, n_in, 2);
  const auto dw = random_weights(TensorType::BF16, n_exp, n_in, n_ff, 3);
  const WeightView gv{"gate", TensorType::Q4_0, n_in, n_ff, n_exp, gw.data()};
  const WeightView uv{"up", TensorType::Q4_0, n_in, n_ff, n_exp, uw.data()};
  const WeightView dv{"down", TensorType::BF16, n_ff, n_in, n_exp, dw.data()};
  const std::vector<float> x = random_floats(size_t(tokens * n_in), 9);
  const std::vector<int32_t> experts = {0, 5, 5, 1, 2, 0, 3, 5, 4, 1};
  const std::vector<float> weights = {0.7f, 0.3f, 0.5f, 0.5f, 0.9f, 0.1f, 0.6f, 0.4f, 0.2f, 0.8f};
  std::vector<float> want(size_t(tokens * n_in));
  ref.moe(*ref.prepare(gv), *ref.prepare(uv), *ref.prepare(dv), x.data(), tokens, k, experts.data(), weights.data(),
          want.data());
  XnnpackBackend xnn({2, ""});
  std::vector<float> got(want.size(), -1.0f);
  xnn.moe(*xnn.prepare(gv), *xnn.prepare(uv), *xnn.prepare(dv), x.data(), tokens, k, experts.data(),
          weights.data(), got.data());
  REQUIRE(rms_ratio(got, want) < 2 * kBound);
}

TEST_CASE("xnnpack runs parallel_for on exactly its thread count and passes exceptions on", "[backend][xnnpack]") {
  XnnpackBackend xnn({3, ""});
  REQUIRE(xnn.threads() == 3);
  std::vector<std::atomic<int>> hits(30);
  std::mutex mutex;
  std::set<std::thread::id> ids;
  // pthreadpool hands each thread its own share of the range up front, so all three take part.
  xnn.parallel_for(30, [&](int64_t i) {
    hits[size_t(i)].fetch_add(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::lock_guard<std::mutex> lock(mutex);
    ids.insert(std::this_thread::get_id());
  });
  for (const auto& h : hits) REQUIRE(h.load() == 1);
  CHECK(ids.size() == 3);
  CHECK_THROWS_WITH(xnn.parallel_for(8, [](int64_t i) { if (i == 5) throw Error("task 5 failed"); }),
                    "task 5 failed");
}

TEST_CASE("xnnpack rejects an unavailable dtype and a bad weight width with clear errors", "[backend][xnnpack]") {
  for (const char* dtype : {"qs8", "f16"})
    CHECK_THROWS_WITH(XnnpackBackend({1, dtype}), Catch::Contains("xnnpack") &&
                                                      Catch::Contains("'" + std::string(dtype) + "'") &&
                                                      Catch::Contains("available: f32"));
  XnnpackBackend xnn({1, "f32"});
  CHECK(xnn.dtype() == "f32");
  std::vector<uint8_t> w(row_bytes(TensorType::F32, 48) * 2);
  CHECK_THROWS_WITH(xnn.prepare({"blk.0.bad.weight", TensorType::Q4_0, 48, 2, 1, w.data()}),
                    Catch::Contains("blk.0.bad.weight"));
}
