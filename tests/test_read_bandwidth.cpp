// The read-bandwidth probe behind the decode roofline returns sane, consistent figures.
#include <catch2/catch.hpp>

#include "kernels/read_bandwidth.h"

TEST_CASE("read bandwidth probe reports plausible per-pass figures", "[kernels][bandwidth]") {
  const auto r = lfmb::measure_read_bandwidth(2, size_t(64) << 20, 3);
  CHECK(r.threads == 2);
  CHECK(r.buffer_bytes % 256 == 0);
  CHECK(r.buffer_bytes >= (size_t(64) << 20) - 256);
  REQUIRE(r.samples_gbps.size() == 3);
  // Any machine reads faster than 0.1 GB/s and slower than 10 TB/s; the median is a sample's range.
  CHECK(r.median_gbps > 0.1);
  CHECK(r.median_gbps < 10000);
  CHECK(r.median_gbps >= *std::min_element(r.samples_gbps.begin(), r.samples_gbps.end()));
  CHECK(r.median_gbps <= *std::max_element(r.samples_gbps.begin(), r.samples_gbps.end()));
  std::printf("read bandwidth (64 MiB, 2 threads): %.1f GB/s\n", r.median_gbps);
}
