// lfmb report on hand-made result files: provenance (source column, one line per file, duplicates
// shown apart), kernel benchmark JSON skipped with a note, lfmb bench -o json/jsonl read, ratios to
// a --baseline with their standard errors, CSV fields left empty where they do not apply.
// Expected ratios and errors were computed by hand (Python's statistics.stdev):
//   [150,160,140] / [100,110,90]: R = 1.5, σ_R = 1.5·√((10/(150√3))² + (10/(100√3))²) = 0.104083
//   [20,22,24] / [10,11,12,13]:   R = 1.913043, σ_R = 0.147011
//   [30,33] / [100,110,90]:        R = 0.315, σ_R = 0.023574
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench/result_ratio.h"
#include "bench/result_sources.h"
#include "bench/result_table.h"
#include "core/error.h"
#include "test_support.h"

using namespace lfmb;
using nlohmann::json;

namespace {

json record(const std::string& model, const std::string& backend, const std::string& dtype, const std::string& test,
            std::vector<double> ts) {
  const bool decode = test.rfind("tg", 0) == 0;
  const Summary s = summarize(ts);
  json r = {{"model", model},       {"architecture", "lfm2moe"}, {"model_size_bytes", 4696897280ull},
            {"n_params", 8339930560ll}, {"n_params_active", 1557740992ll}, {"backend", backend},
            {"dtype", dtype},       {"kernel", "k"},             {"threads", 2},
            {"test", test},         {"n_prompt", decode ? 0 : 128}, {"n_gen", decode ? 32 : 0},
            {"depth", 0},           {"samples_ts", ts},          {"samples_ns", std::vector<double>(ts.size(), 1e9)},
            {"avg_ts", s.mean},     {"stddev_ts", s.stddev},     {"median_ts", s.median},
            {"ttft_ms", decode ? 0.0 : 1234.5}, {"load_ms", 2000.0}, {"peak_rss_bytes", 5000000000ull},
            {"params", {{"model", {{"preset", "lfm2-8b-a1b"}, {"type", "q4_0"}, {"seed", 1}}},
                        {"backend", backend}, {"dtype", dtype}, {"n_batch", 512}, {"mmap", true}}}};
  if (decode)
    r["roofline"] = {{"decode_bytes_per_token", 900000000}, {"bandwidth_gbps", 40.0},
                     {"bandwidth_samples_gbps", {40.0, 40.0}}, {"roofline_ts", 44.4},
                     {"achieved_pct", 50.0}, {"samples_achieved_pct", {50.0}}};
  return r;
}

// std::vector, not json: a braced list of one record would become that record under clang
// (nlohmann's single-element initializer list), not an array of one.
json run_file(const std::string& created, const std::string& commit, std::vector<json> tests) {
  return {{"schema", "lfmb.throughput/1"},
          {"created", created},
          {"command", "lfmb run x.yaml"},
          {"config", {{"name", "backends"}, {"path", "x.yaml"}, {"description", ""}, {"swept_keys", json::array({"backend"})}}},
          {"device", {{"cpu_model", "Test CPU"}, {"slug", "test-cpu-2c-avx2"}, {"lfmb_commit", commit}}},
          {"complete", true},
          {"tests", json(std::move(tests))}};
}

// A row of `lfmb bench -o json` (llama-bench's field names).
json bench_row(const std::string& backend, const std::string& dtype, int n_prompt, int n_gen, std::vector<double> ts) {
  const Summary s = summarize(ts);
  return {{"build_commit", "bench999"}, {"cpu_info", "Bench CPU"},     {"backends", backend},
          {"model_filename", "lfm2-8b-a1b Q4_0 (synth)"}, {"model_type", "lfm2moe 8.3B Q4_0"},
          {"model_size", 4696897280ull}, {"model_n_params", 8339930560ll}, {"n_batch", 512},
          {"n_threads", 2},          {"use_mmap", false},             {"n_prompt", n_prompt},
          {"n_gen", n_gen},          {"n_depth", 0},                  {"test_time", "2026-12-01T10:00:00Z"},
          {"avg_ts", s.mean},        {"stddev_ts", s.stddev},         {"samples_ts", ts},
          {"samples_ns", std::vector<int64_t>(ts.size(), 1000000000)}, {"dtype", dtype},
          {"ttft_ms", 12.0},         {"load_ms", 100.0},              {"peak_rss_bytes", 123},
          {"roofline_pct", n_prompt == 0 ? 55.0 : 0.0}};
}

std::string write_json(const std::string& dir, const std::string& name, const json& j) {
  test::write_file(dir + "/" + name, j.dump(2));
  return dir + "/" + name;
}

std::vector<std::string> report_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::vector<std::string> cells(const std::string& csv_line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : csv_line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) out.push_back(cur), cur.clear();
    else cur += c;
  }
  out.push_back(cur);
  return out;
}

// CSV text -> one map per row.
std::vector<std::map<std::string, std::string>> csv_rows(const std::string& csv) {
  const auto ls = report_lines(csv);
  REQUIRE(!ls.empty());
  const auto head = cells(ls[0]);
  std::vector<std::map<std::string, std::string>> rows;
  for (size_t i = 1; i < ls.size(); ++i) {
    const auto c = cells(ls[i]);
    REQUIRE(c.size() == head.size());
    std::map<std::string, std::string> row;
    for (size_t k = 0; k < head.size(); ++k) row[head[k]] = c[k];
    rows.push_back(row);
  }
  return rows;
}

const std::string M = "lfm2-8b-a1b Q4_0 (synth)";

}  // namespace

TEST_CASE("report shows where each row came from and keeps duplicates apart", "[report]") {
  const std::string dir = test::temp_dir();
  const std::string a = write_json(dir, "2026-11-28-backends.json",
                                   run_file("2026-11-28T22:46:56Z", "aaa111",
                                            {record(M, "native", "", "pp128", {100, 110, 90}),
                                             record(M, "onednn", "int8", "pp128", {150, 160, 140})}));
  const std::string b = write_json(dir, "2026-11-29-backends.json",
                                   run_file("2026-11-29T08:00:00Z", "bbb222", {record(M, "native", "", "pp128", {80, 82, 84})}));
  const std::string k = write_json(dir, "kernels-2026-11-28.json",
                                   {{"context", {{"date", "2026-11-28"}}}, {"benchmarks", json::array()}});
  const auto r = test::run_lfmb({"report", a, b, k});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // Two files: a source column, and one line per file with its date, commit and device.
  CHECK_THAT(r.out, Catch::StartsWith("| source | model"));
  CHECK_THAT(r.out, Catch::Contains("| #1     | " + M));
  CHECK_THAT(r.out, Catch::Contains("| #2     | " + M));
  CHECK_THAT(r.out, Catch::Contains("#1 " + a + ": lfmb run of config backends, 2026-11-28T22:46:56Z, lfmb aaa111, "
                                    "Test CPU (test-cpu-2c-avx2)"));
  CHECK_THAT(r.out, Catch::Contains("#2 " + b + ": lfmb run of config backends, 2026-11-29T08:00:00Z, lfmb bbb222"));
  // The two native pp128 rows stay two rows, and stderr says so.
  CHECK_THAT(r.out, Catch::Contains("100.00 ± 10.00"));
  CHECK_THAT(r.out, Catch::Contains("82.00 ± 2.00"));
  CHECK_THAT(r.err, Catch::Contains("1 setting(s) were measured more than once and are shown apart: " + M +
                                    " | native | 2t | pp128 (#1, #2)"));
  // The kernel benchmark file is skipped with one note line, not an error.
  CHECK_THAT(r.err, Catch::Contains("note: skipped 1 file(s): " + k + ": kernel benchmark results"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 2);

  // One file: no source column, its line still printed.
  const auto one = test::run_lfmb({"report", a});
  REQUIRE(one.exit_code == 0);
  CHECK_THAT(one.out, Catch::StartsWith("| model"));
  CHECK_THAT(one.out, Catch::Contains("#1 " + a + ": lfmb run"));
  CHECK(one.err.empty());

  // --json: every record carries its source.
  const auto j = test::run_lfmb({"report", a, b, "--json"});
  REQUIRE(j.exit_code == 0);
  const json arr = json::parse(j.out);
  REQUIRE(arr.size() == 3);
  CHECK(arr[2]["source"]["file"] == b);
  CHECK(arr[2]["source"]["date"] == "2026-11-29T08:00:00Z");
  CHECK(arr[2]["source"]["commit"] == "bbb222");
  CHECK(arr[0]["source"]["device"] == "Test CPU (test-cpu-2c-avx2)");
  CHECK(arr[1]["params"]["n_batch"] == 512);

  // Only files that are not results: an error, not an empty table.
  const auto none = test::run_lfmb({"report", k});
  CHECK(none.exit_code == 1);
  CHECK_THAT(none.err, Catch::Contains("none of the files holds throughput or eval results"));
}

TEST_CASE("report --baseline divides by the matching baseline row with a standard error", "[report]") {
  const std::string dir = test::temp_dir();
  const std::string a = write_json(dir, "a.json",
                                   run_file("2026-11-28T22:46:56Z", "aaa111",
                                            {record(M, "native", "", "pp128", {100, 110, 90}),
                                             record(M, "onednn", "int8", "pp128", {150, 160, 140}),
                                             record(M, "native", "", "tg32", {10, 11, 12, 13}),
                                             record(M, "onednn", "int8", "tg32", {20, 22, 24}),
                                             record(M, "openblas", "f32", "pp128", {30, 33})}));
  const auto r = test::run_lfmb({"report", a, "--baseline", "backend=native", "--csv"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto rows = csv_rows(r.out);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].at("backend") == "onednn");
  CHECK(rows[0].at("dtype") == "int8");
  CHECK(rows[0].at("test") == "pp128");
  CHECK(rows[0].at("baseline_backend") == "native");
  CHECK(rows[0].at("baseline_dtype") == "");
  CHECK(std::stod(rows[0].at("ratio")) == Approx(1.5).epsilon(1e-6));
  CHECK(std::stod(rows[0].at("ratio_stderr")) == Approx(0.104083).epsilon(1e-5));
  CHECK(rows[1].at("test") == "tg32");
  CHECK(std::stod(rows[1].at("ratio")) == Approx(1.913043).epsilon(1e-5));
  CHECK(std::stod(rows[1].at("ratio_stderr")) == Approx(0.147011).epsilon(1e-5));
  CHECK(rows[2].at("backend") == "openblas");
  CHECK(std::stod(rows[2].at("ratio")) == Approx(0.315).epsilon(1e-6));
  CHECK(std::stod(rows[2].at("ratio_stderr")) == Approx(0.023574).epsilon(1e-4));
  CHECK(rows[2].at("n") == "2");

  // Markdown: the same numbers, the baseline named in the title.
  const auto md = test::run_lfmb({"report", a, "--baseline", "backend=native"});
  REQUIRE(md.exit_code == 0);
  CHECK_THAT(md.out, Catch::Contains("Ratios to the baseline backend=native"));
  CHECK_THAT(md.out, Catch::Contains("| onednn int8  | 150.00 ± 10.00 | native   | 100.00 ± 10.00 | 1.500 ± 0.104 |"));
  CHECK_THAT(md.out, Catch::Contains("1.913 ± 0.147"));
  CHECK_THAT(md.out, Catch::Contains("| openblas f32 |   31.50 ± 2.12 | native   | 100.00 ± 10.00 | 0.315 ± 0.024 |"));

  // backend:dtype picks one compute type as the baseline; dtype alone compares within a backend.
  const auto int8 = test::run_lfmb({"report", a, "--baseline", "backend=onednn:int8", "--json"});
  REQUIRE(int8.exit_code == 0);
  const json jr = json::parse(int8.out);
  REQUIRE(jr.size() == 3);
  CHECK(jr[0]["backend"] == "native");
  CHECK(jr[0]["ratio"].get<double>() == Approx(100.0 / 150.0).epsilon(1e-6));
  CHECK(jr[2]["backend"] == "openblas");
  CHECK(jr[2]["ratio"].get<double>() == Approx(31.5 / 150.0).epsilon(1e-6));
  const auto dtype = test::run_lfmb({"report", a, "--baseline", "dtype=int8", "--csv"});
  REQUIRE(dtype.exit_code == 0);
  CHECK(dtype.out.find("\n") == dtype.out.size() - 1);  // no other dtype of onednn: only the header

  // A baseline no row has: the values the key takes.
  const auto bad = test::run_lfmb({"report", a, "--baseline", "backend=natve"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("--baseline backend=natve matches no row (backend takes: native, onednn:int8, "
                                      "openblas:f32)"));
  const auto key = test::run_lfmb({"report", a, "--baseline", "colour=red"});
  CHECK(key.exit_code == 2);
  CHECK_THAT(key.err, Catch::Contains("'colour' is not one of model, backend"));
}

TEST_CASE("report --baseline across files prefers the row's own file and lists every candidate", "[report]") {
  const std::string dir = test::temp_dir();
  // Day 1: native and onednn; day 2: native again; file 3: onednn only.
  const std::string d1 = write_json(dir, "d1.json", run_file("2026-11-28T10:00:00Z", "c1",
                                                             {record(M, "native", "", "pp128", {100, 110, 90}),
                                                              record(M, "onednn", "int8", "pp128", {150, 160, 140})}));
  const std::string d2 = write_json(dir, "d2.json",
                                    run_file("2026-11-29T10:00:00Z", "c2", {record(M, "native", "", "pp128", {200, 200})}));
  const std::string d3 = write_json(dir, "d3.json",
                                    run_file("2026-11-30T10:00:00Z", "c3", {record(M, "onednn", "int8", "pp128", {300, 300})}));
  const auto r = test::run_lfmb({"report", d1, d2, d3, "--baseline", "backend=native", "--csv"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto rows = csv_rows(r.out);
  REQUIRE(rows.size() == 3);
  // d1's onednn row: d1's own native row only.
  CHECK(rows[0].at("source") == "#1");
  CHECK(rows[0].at("baseline_source") == "#1");
  CHECK(std::stod(rows[0].at("ratio")) == Approx(1.5));
  // d3 has no native row: both native rows (d1, d2) are candidates, each listed.
  CHECK(rows[1].at("source") == "#3");
  CHECK(rows[1].at("baseline_source") == "#1");
  CHECK(std::stod(rows[1].at("ratio")) == Approx(3.0));
  CHECK(rows[2].at("baseline_source") == "#2");
  CHECK(std::stod(rows[2].at("ratio")) == Approx(1.5));
  // Two equal samples on each side: a standard error of 0, still known.
  CHECK(std::stod(rows[2].at("ratio_stderr")) == 0.0);

  // source=#1 compares files: day 2's native pp128 over day 1's.
  const auto s = test::run_lfmb({"report", d1, d2, "--baseline", "source=#1", "--csv"});
  REQUIRE(s.exit_code == 0);
  const auto srows = csv_rows(s.out);
  REQUIRE(srows.size() == 1);
  CHECK(srows[0].at("source") == "#2");
  CHECK(std::stod(srows[0].at("ratio")) == Approx(2.0));
  const auto md = test::run_lfmb({"report", d1, d2, d3, "--baseline", "backend=native"});
  REQUIRE(md.exit_code == 0);
  CHECK_THAT(md.out, Catch::Contains("| #3 ÷ #1 |"));
  CHECK_THAT(md.out, Catch::Contains("| #3 ÷ #2 |"));
}

TEST_CASE("report reads lfmb bench json and jsonl output", "[report]") {
  const std::string dir = test::temp_dir();
  const json rows = {bench_row("native", "", 128, 0, {100, 110, 90}), bench_row("onednn", "int8", 128, 0, {150, 160, 140}),
                     bench_row("native", "", 0, 32, {20})};
  const std::string j = write_json(dir, "bench.json", rows);
  std::string jsonl;
  for (const auto& row : rows) jsonl += row.dump() + "\n";
  test::write_file(dir + "/bench.jsonl", jsonl);
  for (const std::string& path : {j, dir + "/bench.jsonl"}) {
    const auto r = test::run_lfmb({"report", path, "--baseline", "backend=native"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("| " + M));
    CHECK_THAT(r.out, Catch::Contains("#1 " + path + ": lfmb bench, 2026-12-01T10:00:00Z, lfmb bench999, Bench CPU"));
    CHECK_THAT(r.out, Catch::Contains("1.500 ± 0.104"));
    CHECK_THAT(r.out, Catch::Contains("|  tg32 |          20.00 |   55.0 % |"));  // one repetition: no ±
  }
  // A bench row without a field the table needs names the file and the row.
  json broken = rows;
  broken[1].erase("n_threads");
  const std::string b = write_json(dir, "broken.json", broken);
  const auto r = test::run_lfmb({"report", b});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains(b + ": row 1: no \"n_threads\" field"));

  // Direct: the bench row's settings as a record.
  const TestResult t = result_from_bench_row(rows[0], "x");
  CHECK(t.test == "pp128");
  CHECK(t.architecture == "lfm2moe");
  CHECK(t.params["n_batch"] == 512);
  CHECK(t.ts.n == 3);
  CHECK(t.build_commit == "bench999");
  // Model names as lfmb run labels them, so rows of both kinds match.
  json synth = rows[0];
  synth["model_filename"] = "<synth:qwen3-1.7b/q8_0/seed3>";
  CHECK(result_from_bench_row(synth, "x").model == "qwen3-1.7b Q8_0 (synth)");
  synth["model_filename"] = "/models/lfm2-1.2b-q4_0.gguf";
  CHECK(result_from_bench_row(synth, "x").model == "lfm2-1.2b-q4_0.gguf");
  // A batched decode row keeps its sequence count and test name; a llama-bench row has one.
  json batched = rows[2];
  batched["n_seq"] = 8;
  CHECK(result_from_bench_row(batched, "x").n_seq == 8);
  CHECK(result_from_bench_row(batched, "x").test == "tg32 x8");
  CHECK(result_from_bench_row(rows[2], "x").n_seq == 1);
}

TEST_CASE("report CSV leaves fields empty where they do not apply", "[report]") {
  const std::string dir = test::temp_dir();
  const std::string a = write_json(dir, "a.json", run_file("2026-11-28T22:46:56Z", "aaa111",
                                                           {record(M, "native", "", "pp128", {100, 110, 90}),
                                                            record(M, "native", "", "tg32", {20})}));
  const std::string b = write_json(dir, "b.json", json::array({bench_row("native", "", 128, 0, {100, 110, 90})}));
  const auto r = test::run_lfmb({"report", a, b, "--csv"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto rows = csv_rows(r.out);
  REQUIRE(rows.size() == 3);
  // Prefill: time to first token, no roofline.
  CHECK(rows[0].at("ttft_ms") == "1234.500");
  CHECK(rows[0].at("roofline_pct") == "");
  CHECK(rows[0].at("roofline_ts") == "");
  CHECK(rows[0].at("decode_bytes_per_token") == "");
  CHECK(rows[0].at("bandwidth_gbps") == "");
  CHECK(rows[0].at("source") == "#1");
  CHECK(rows[0].at("source_file") == a);
  CHECK(rows[0].at("source_date") == "2026-11-28T22:46:56Z");
  CHECK(rows[0].at("device") == "Test CPU (test-cpu-2c-avx2)");
  CHECK(rows[0].at("config") == "backends");
  // Decode with one repetition: roofline, no ttft, no standard deviation.
  CHECK(rows[1].at("ttft_ms") == "");
  CHECK(rows[1].at("roofline_pct") == "50.00");
  CHECK(rows[1].at("stddev_ts") == "");
  CHECK(rows[1].at("decode_bytes_per_token") == "900000000");
  // A bench row does not know the active parameters or the kernel.
  CHECK(rows[2].at("n_params_active") == "");
  CHECK(rows[2].at("kernel") == "");
  CHECK(rows[2].at("build_commit") == "bench999");
  CHECK(rows[2].at("config") == "");
  CHECK(rows[2].at("n_params") == "8339930560");
}

TEST_CASE("ratio of means propagates both relative standard errors", "[report]") {
  double ratio = 0, se = 0;
  ratio_of_means(summarize({150, 160, 140}), summarize({100, 110, 90}), ratio, se);
  CHECK(ratio == Approx(1.5));
  CHECK(se == Approx(0.10408329997330663));
  ratio_of_means(summarize({150}), summarize({100, 110, 90}), ratio, se);
  CHECK(ratio == Approx(1.5));
  CHECK(std::isnan(se));
  CHECK_THROWS_AS(parse_baseline("backend"), UsageError);
  CHECK(parse_baseline("model=qwen3 1.7b").value == "qwen3 1.7b");
}

TEST_CASE("run records carry their test time and commit and report reads them back", "[report][runner]") {
  const std::string dir = test::temp_dir();
  test::write_file(dir + "/p.yaml", R"(name: prov
run: {model: {preset: tiny-lfm2, type: q4_0}, threads: 1, n_prompt: 4, n_gen: 2, repetitions: 2, warmup: 0}
)");
  const auto r = test::run_lfmb({"run", dir + "/p.yaml", "--out", dir + "/results"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string path;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir + "/results"))
    if (e.path().extension() == ".json") path = e.path().string();
  REQUIRE(!path.empty());
  const json doc = json::parse(test::read_file(path));
  REQUIRE(doc["tests"].size() == 2);
  for (const auto& t : doc["tests"]) {
    CHECK(t["test_time"].get<std::string>().size() == 20);
    CHECK(t["build_commit"] == doc["device"]["lfmb_commit"]);
  }
  const auto rep = test::run_lfmb({"report", path, "--json"});
  REQUIRE(rep.exit_code == 0);
  const json arr = json::parse(rep.out);
  CHECK(arr[0]["source"]["commit"] == doc["device"]["lfmb_commit"]);
  CHECK(arr[0]["source"]["config"] == "prov");

  // The same settings through `lfmb bench -o json`: its rows match the run's, so the two files
  // compare row by row (source=#1 as the baseline).
  const auto bench = test::run_lfmb({"bench", "--preset", "tiny-lfm2:q4_0", "-p", "4", "-n", "2", "-r", "2", "-t", "1",
                                     "-o", "json"});
  INFO(bench.err);
  REQUIRE(bench.exit_code == 0);
  test::write_file(dir + "/bench.json", bench.out);
  const auto both = test::run_lfmb({"report", path, dir + "/bench.json", "--baseline", "source=#1", "--csv"});
  INFO(both.err);
  REQUIRE(both.exit_code == 0);
  const auto rows = csv_rows(both.out);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].at("model") == "tiny-lfm2 Q4_0 (synth)");
  CHECK(rows[0].at("test") == "pp4");
  CHECK(rows[1].at("test") == "tg2");
  for (const auto& row : rows) {
    CHECK(row.at("source") == "#2");
    CHECK(row.at("baseline_source") == "#1");
    CHECK(std::stod(row.at("ratio")) > 0);
    CHECK(row.at("n") == "2");
  }
}
