// The openblas backend: every stored type against the reference backend (float32 compute, so
// only summation order differs), in-place F32, exact prepared_bytes, thread count, dtype errors.
#include <cblas.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <vector>

#include "backends/openblas/openblas_backend.h"
#include "backends/reference/reference_backend.h"
#include "core/error.h"
#include "core/gguf/tensor_type.h"
#include "test_support.h"

using namespace lfmb;
using test::random_floats;
using test::random_weights;
using test::rms_ratio;

TEST_CASE("openblas linear matches the reference for every stored type, odd shapes and row counts",
          "[backend][openblas]") {
  ReferenceBackend ref({});
  OpenblasBackend blas({2, ""});
  REQUIRE(blas.dtype() == "f32");
  for (TensorType type : test::kStoredTypes) {
    // Float types get a width that is no multiple of 32 (nor of any SIMD width).
    const int64_t n_in = block_elements(type) == 1 ? 37 : 32 * 3, n_out = 53, n_mats = 3;
    const std::vector<uint8_t> w = random_weights(type, n_mats, n_out, n_in, 5);
    const WeightView view{"blk.0.test.weight", type, n_in, n_out, n_mats, w.data()};
    const auto rw = ref.prepare(view);
    const auto bw = blas.prepare(view);
    // F32 is multiplied in place from the stored bytes; everything else is converted once.
    const uint64_t converted = uint64_t(n_mats * n_out * n_in) * sizeof(float);
    CHECK(blas.prepared_bytes(view) == (type == TensorType::F32 ? 0 : converted));
    CHECK(bw->owned_bytes == blas.prepared_bytes(view));
    for (int64_t rows : {1, 2, 9}) {  // one row takes the sgemv path
      const std::vector<float> x = random_floats(size_t(rows * n_in), 17 + uint32_t(rows));
      for (int64_t mat = 0; mat < n_mats; ++mat) {
        std::vector<float> want(size_t(rows * n_out)), got(want.size(), -1.0f);
        ref.linear(*rw, mat, x.data(), rows, want.data());
        blas.linear(*bw, mat, x.data(), rows, got.data());
        REQUIRE(rms_ratio(got, want) < 1e-6);
      }
    }
  }
}

TEST_CASE("openblas MoE matches the reference backend", "[backend][openblas]") {
  const int64_t n_in = 64, n_ff = 40, n_exp = 6, tokens = 5;
  const int k = 2;
  ReferenceBackend ref({});
  OpenblasBackend blas({2, ""});
  const auto gw = random_weights(TensorType::Q8_0, n_exp, n_ff, n_in, 1);
  const auto uw = random_weights(TensorType::Q8_0, n_exp, n_ff, n_in, 2);
  const auto dw = random_weights(TensorType::F32, n_exp, n_in, n_ff, 3);
  const WeightView gv{"gate", TensorType::Q8_0, n_in, n_ff, n_exp, gw.data()};
  const WeightView uv{"up", TensorType::Q8_0, n_in, n_ff, n_exp, uw.data()};
  const WeightView dv{"down", TensorType::F32, n_ff, n_in, n_exp, dw.data()};
  const std::vector<float> x = random_floats(size_t(tokens * n_in), 9);
  const std::vector<int32_t> experts = {0, 5, 5, 1, 2, 0, 3, 5, 4, 1};
  const std::vector<float> weights = {0.7f, 0.3f, 0.5f, 0.5f, 0.9f, 0.1f, 0.6f, 0.4f, 0.2f, 0.8f};
  std::vector<float> want(size_t(tokens * n_in)), got(want.size(), -1.0f);
  ref.moe(*ref.prepare(gv), *ref.prepare(uv), *ref.prepare(dv), x.data(), tokens, k, experts.data(), weights.data(),
          want.data());
  blas.moe(*blas.prepare(gv), *blas.prepare(uv), *blas.prepare(dv), x.data(), tokens, k, experts.data(),
           weights.data(), got.data());
  REQUIRE(rms_ratio(got, want) < 1e-6);
}

TEST_CASE("openblas honours the thread count even when another instance changed it", "[backend][openblas]") {
  OpenblasBackend three({3, ""});
  CHECK(three.threads() == 3);
  std::vector<std::atomic<int>> hits(50);
  three.parallel_for(50, [&](int64_t i) { hits[size_t(i)].fetch_add(1); });
  for (const auto& h : hits) REQUIRE(h.load() == 1);

  OpenblasBackend one({1, ""});  // OpenBLAS's thread count is process-wide
  CHECK(openblas_get_num_threads() == 1);
  const std::vector<float> w = random_floats(8 * 8, 4), x = random_floats(2 * 8, 5);
  const auto pw = three.prepare({"w", TensorType::F32, 8, 8, 1, reinterpret_cast<const uint8_t*>(w.data())});
  std::vector<float> y(16);
  three.linear(*pw, 0, x.data(), 2, y.data());
  CHECK(openblas_get_num_threads() == 3);
}

TEST_CASE("openblas rejects an unavailable dtype and a bad weight width with clear errors", "[backend][openblas]") {
  const std::vector<std::string> dtypes = OpenblasBackend({1, ""}).dtypes();
  REQUIRE(dtypes.front() == "f32");
  const std::string missing = dtypes.size() > 1 ? "f16" : "bf16";  // bf16 only when sbgemm links
  CHECK_THROWS_WITH(OpenblasBackend({1, missing}),
                    Catch::Contains("openblas") && Catch::Contains("'" + missing + "'") && Catch::Contains("f32"));
  OpenblasBackend blas({1, ""});
  std::vector<uint8_t> w(row_bytes(TensorType::F32, 48) * 2);
  CHECK_THROWS_WITH(blas.prepare({"blk.0.bad.weight", TensorType::Q4_0, 48, 2, 1, w.data()}),
                    Catch::Contains("blk.0.bad.weight"));
}
