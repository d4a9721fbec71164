// The device fingerprint recorded with every result.
#include <catch2/catch.hpp>
#include <thread>

#include "bench/device_info.h"

using namespace lfmb;

TEST_CASE("device fingerprint describes this machine and build", "[harness]") {
  const DeviceInfo d = detect_device();
  CHECK(d.cores == int(std::thread::hardware_concurrency()));
  CHECK(d.mem_total_bytes > (1ull << 28));
  CHECK(d.mem_available_bytes <= d.mem_total_bytes);
  CHECK_FALSE(d.cpu_model.empty());
  CHECK(d.onednn_version.rfind("2.", 0) == 0);
  CHECK_THAT(d.openblas_version, Catch::Contains("OpenBLAS"));
  CHECK_THAT(d.kernel, Catch::StartsWith("Linux"));
  CHECK(d.lfmb_commit.size() >= 12);  // the source tree is a git checkout in CI and development
  const bool avx512 = std::find(d.cpu_features.begin(), d.cpu_features.end(), "avx512f") != d.cpu_features.end();
  CHECK((d.slug().find("-avx512") != std::string::npos) == avx512);
  CHECK(d.slug().find(' ') == std::string::npos);
  const auto j = d.to_json();
  for (const char* k : {"cpu_model", "cpu_features", "cores", "os", "kernel", "compiler", "compile_flags", "libraries", "lfmb_commit"})
    CHECK(j.contains(k));
}

#include <vector>

#include "bench/memory_usage.h"

TEST_CASE("peak resident memory grows with touched memory and can be reset", "[harness]") {
  REQUIRE(reset_peak_rss());
  const uint64_t before = peak_rss_bytes();
  {
    std::vector<char> big(256u << 20, 1);  // touches 256 MiB
    CHECK(current_rss_bytes() >= before + (200u << 20));
    CHECK(peak_rss_bytes() >= before + (200u << 20));
  }
  REQUIRE(reset_peak_rss());
  CHECK(peak_rss_bytes() < before + (100u << 20));
}
