// Result records and their printers.
#include <catch2/catch.hpp>

#include "bench/result_table.h"

using namespace lfmb;

namespace {
TestResult make(const std::string& model, const std::string& backend, const std::string& test, std::vector<double> ts) {
  TestResult r;
  r.model = model;
  r.backend = backend;
  r.threads = 2;
  r.test = test;
  r.n_gen = test.rfind("tg", 0) == 0 ? 32 : 0;
  r.n_prompt = r.n_gen ? 0 : 128;
  r.model_size_bytes = 3ull << 30;
  r.n_params = 8340000000;
  r.samples_ts = ts;
  r.ts = summarize(ts);
  if (r.n_gen) {
    r.roofline_ts = 100;
    r.roofline_pct = 100 * r.ts.mean / r.roofline_ts;
    r.bandwidth_samples_gbps = {50, 60, 55, 45};
    for (double v : ts) r.samples_roofline_pct.push_back(v);
  }
  return r;
}
}  // namespace

TEST_CASE("summaries: mean, sample stddev, median", "[harness]") {
  const Summary s = summarize({4, 1, 3, 2});
  CHECK(s.mean == 2.5);
  CHECK(s.median == 2.5);
  CHECK(s.min == 1);
  CHECK(s.max == 4);
  CHECK(s.stddev == Approx(std::sqrt(5.0 / 3.0)));
  CHECK(summarize({7}).stddev == 0);
}

TEST_CASE("test names follow llama-bench", "[harness]") {
  CHECK(test_name(512, 0, 0) == "pp512");
  CHECK(test_name(0, 128, 0) == "tg128");
  CHECK(test_name(0, 128, 4096) == "tg128 @ d4096");
}

TEST_CASE("markdown, CSV and ratio tables", "[harness]") {
  const std::vector<TestResult> rs = {make("A", "native", "tg32", {90, 92, 94}), make("B", "native", "tg32", {46, 46, 46}),
                                      make("A", "native", "pp128", {500, 500})};
  const std::string md = results_markdown(rs);
  CHECK_THAT(md, Catch::StartsWith("| model |"));
  CHECK_THAT(md, Catch::Contains(" t/s |"));
  CHECK_THAT(md, Catch::Contains("92.00 ± 2.00"));
  CHECK_THAT(md, Catch::Contains("92.0 %"));
  CHECK_THAT(md, Catch::Contains("3.00 GiB"));
  CHECK_THAT(md, Catch::Contains("8.34 B"));
  const std::string csv = results_csv(rs);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 4);
  CHECK_THAT(csv, Catch::Contains("90.0000;92.0000;94.0000"));
  const std::string ratio = ratio_markdown(rs);
  // Each model over the last one (model=B), ± the standard error: 2 · (2 / (92·√3)).
  CHECK_THAT(ratio, Catch::Contains("Ratios to the baseline model=B"));
  CHECK_THAT(ratio, Catch::Contains("| native  |       2 | tg32 | A     | 92.00 ± 2.00 | B        | 46.00 ± 0.00 | 2.000 ± 0.025 |"));
  CHECK_THAT(ratio, Catch::Contains("1 row(s) have no baseline row"));  // A's pp128
  CHECK(ratio_markdown({rs[0]}).empty());
  // JSON round trip keeps samples and recomputes the summary.
  const TestResult back = TestResult::from_json(rs[0].to_json());
  CHECK(back.samples_ts == rs[0].samples_ts);
  CHECK(back.ts.mean == Approx(92));
  CHECK(back.roofline_pct == Approx(92));
  CHECK(back.bandwidth_samples_gbps == rs[0].bandwidth_samples_gbps);
  CHECK(back.samples_roofline_pct == rs[0].samples_roofline_pct);
}
