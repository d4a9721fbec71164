// `lfmb backends`: lists every registered backend with its types and kernels, and the CPU features.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "backends/registry.h"
#include "kernels/cpu_features.h"
#include "test_support.h"

using lfmb::test::run_lfmb;

TEST_CASE("lfmb backends --json lists every registered backend and the detected CPU", "[cli][kernels]") {
  const auto r = run_lfmb({"backends", "--json", "--threads", "2"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["backends"].size() == lfmb::backend_registry().size());
  bool found_native = false;
  for (const auto& b : j["backends"]) {
    if (b["name"] != "native") continue;
    found_native = true;
    CHECK(b["types"].size() == 5);
    CHECK(b["dtypes"].empty());  // native computes on the stored types
    CHECK(b["threads"] == 2);
    CHECK(b["describe"].get<std::string>().find(std::string(lfmb::isa_name(lfmb::default_isa()))) !=
          std::string::npos);
  }
  CHECK(found_native);
  CHECK(j["cpu"]["features"]["avx2"] == lfmb::cpu_features().avx2);
  CHECK(j["cpu"]["features"]["avx512_vnni"] == lfmb::cpu_features().avx512_vnni);
  CHECK(j["cpu"]["kernel_paths"].size() == lfmb::supported_isas().size());
  // main() re-executes itself so OpenMP and OpenBLAS read these before they load.
  const std::string env = j["thread_environment"];
  CHECK(env.find("OMP_WAIT_POLICY=") != std::string::npos);
  CHECK(env.find("OPENBLAS_THREAD_TIMEOUT=") != std::string::npos);
  CHECK(env.find("(unset)") == std::string::npos);
}

TEST_CASE("lfmb backends honours LFMB_ISA and rejects a bad value in one line", "[cli][kernels]") {
  setenv("LFMB_ISA", "scalar", 1);
  const auto ok = run_lfmb({"backends"});
  setenv("LFMB_ISA", "avx9000", 1);
  const auto bad = run_lfmb({"backends"});
  unsetenv("LFMB_ISA");
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("native (scalar") != std::string::npos);
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.empty());
  CHECK(bad.err.find("LFMB_ISA") != std::string::npos);
}
