// Issue 20, live output: bench and run print each table row as its test finishes (the header
// first, then the rows, each before the next test starts), with the progress on stderr; a noisy
// row (spread above 5 % of the mean, or bandwidth probes that moved by more than 10 %) is flagged
// in the table and in the record.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "bench/live_table.h"
#include "bench/noise.h"
#include "test_support.h"

using lfmb::test::read_file;
using lfmb::test::temp_dir;
using lfmb::test::write_file;

namespace {

// Runs lfmb with stdout and stderr on one file: the file then holds both streams in the order
// they were written (each line is flushed), so a row written before the next test's progress
// line comes before it.
std::pair<int, std::string> run_merged(const std::vector<std::string>& args) {
  const std::string out = temp_dir() + "/merged";
  std::vector<std::string> argv = {LFMB_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), read_file(out)};
}

lfmb::TestResult result_with(std::vector<double> ts, std::vector<double> bw = {}) {
  lfmb::TestResult r;
  r.model = "m";
  r.backend = "native";
  r.threads = 1;
  r.test = bw.empty() ? "pp8" : "tg8";
  r.n_prompt = bw.empty() ? 8 : 0;
  r.n_gen = bw.empty() ? 0 : 8;
  r.samples_ts = ts;
  r.ts = lfmb::summarize(ts);
  r.bandwidth_samples_gbps = bw;
  return r;
}

void check_rows_before_next_test(const std::string& merged, const std::string& next_test_started) {
  INFO(merged);
  const size_t head = merged.find("| model");
  const size_t first_row = merged.find(" pp4 |");
  const size_t second_started = merged.find(next_test_started);
  const size_t second_row = merged.find(" tg4 |");
  REQUIRE(head != std::string::npos);
  REQUIRE(first_row != std::string::npos);
  REQUIRE(second_started != std::string::npos);
  REQUIRE(second_row != std::string::npos);
  CHECK(head < first_row);
  CHECK(first_row < second_started);  // the pp4 row is out before the tg4 test starts
  CHECK(second_started < second_row);
  CHECK(merged.find("| model", head + 1) == std::string::npos);  // one table, not reprinted at the end
}

}  // namespace

TEST_CASE("lfmb bench prints each markdown row before the next test starts", "[vocab]") {
  const auto [code, merged] =
      run_merged({"bench", "--preset", "tiny-lfm2", "-p", "4", "-n", "4", "-r", "2", "-t", "1", "--progress"});
  REQUIRE(code == 0);
  check_rows_before_next_test(merged, ": tg4 warm-up 1/1");
}

TEST_CASE("lfmb run prints each row before the next test starts and records the noise check", "[vocab]") {
  const std::string dir = temp_dir();
  write_file(dir + "/two.yaml", "name: two\nrun: {model: {preset: tiny-lfm2, type: q4_0}, threads: 1, n_prompt: 4, "
                                "n_gen: 4, repetitions: 2}\n");
  const auto [code, merged] = run_merged({"run", dir + "/two.yaml", "-o", dir + "/out"});
  REQUIRE(code == 0);
  check_rows_before_next_test(merged, ": tg4 warm-up 1/1");
  // Every record carries its noise check.
  std::string json;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir + "/out"))
    if (e.path().extension() == ".json") json = e.path().string();
  REQUIRE(!json.empty());
  const auto j = nlohmann::json::parse(read_file(json));
  REQUIRE(j["tests"].size() == 2);
  for (const auto& t : j["tests"]) {
    INFO(t.dump());
    REQUIRE(t.contains("noise"));
    CHECK(t["noise"]["thresholds"]["rel_stddev"] == 0.05);
    CHECK(t["noise"]["thresholds"]["bandwidth_drift"] == 0.10);
    const auto s = t["samples_ts"].get<std::vector<double>>();
    const auto sum = lfmb::summarize(s);
    CHECK(t["noise"]["rel_stddev"].get<double>() == Approx(sum.stddev / sum.mean));
    CHECK(t["noise"]["noisy"].get<bool>() == (sum.stddev / sum.mean > 0.05 || t["noise"]["bandwidth_drift"].get<double>() > 0.10));
  }
  CHECK(j["tests"][1]["roofline"]["bandwidth_samples_gbps"].size() == 3);  // probes around 2 repetitions
}

TEST_CASE("a row is noisy above 5 % relative spread or 10 % bandwidth drift", "[vocab]") {
  // Steady: 100 and 104 t/s (sd 2.83, 2.8 % of 102).
  auto steady = lfmb::check_noise(result_with({100, 104}));
  CHECK_FALSE(steady.noisy());
  CHECK(steady.rel_stddev == Approx(2.8284271 / 102));
  CHECK(steady.cell().empty());
  // 100 and 120: sd 14.14 = 12.9 % of 110.
  auto spread = lfmb::check_noise(result_with({100, 120}));
  CHECK(spread.noisy_spread);
  CHECK_FALSE(spread.noisy_bandwidth);
  CHECK(spread.cell() == "! sd 12.9 %");
  // The probe: 26.9 / 50.7 / 45.5 GB/s within one test moved by (50.7 - 26.9) / 45.5 = 52 %.
  auto drift = lfmb::check_noise(result_with({30, 30.5}, {26.9, 50.7, 45.5}));
  CHECK(drift.noisy_bandwidth);
  CHECK(drift.bandwidth_drift == Approx(23.8 / 45.5));
  CHECK(drift.cell() == "! bw 52 %");
  // 40 / 42 / 41 GB/s: 2 / 41 = 4.9 %, not noisy; one repetition has no spread.
  CHECK_FALSE(lfmb::check_noise(result_with({30, 30.5}, {40, 42, 41})).noisy());
  CHECK_FALSE(lfmb::check_noise(result_with({30})).noisy());
  // The openblas pp64: 149.63 ± 75.94 is 51 % spread.
  auto both = lfmb::check_noise(result_with({100, 120}, {26.9, 50.7, 45.5}));
  CHECK(both.cell() == "! sd 12.9 % bw 52 %");
  CHECK(both.to_json()["noisy"] == true);
}

TEST_CASE("the live table flags a noisy row and ends with the legend", "[vocab]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  lfmb::LiveTable table(f, {{"m"}, {"native"}, {"pp8", "tg8"}});
  int cleared = 0;
  lfmb::LiveTable counting(f, {{"m"}, {"native"}, {"pp8"}}, [&] { ++cleared; });
  table.add(result_with({100, 104}));
  table.add(result_with({100, 120}));
  table.finish();
  counting.add(result_with({100, 104}));
  CHECK(cleared == 1);
  std::fflush(f);
  std::rewind(f);
  std::string text;
  for (int c; (c = std::fgetc(f)) != EOF;) text += char(c);
  std::fclose(f);
  INFO(text);
  CHECK_THAT(text, Catch::StartsWith("| model | "));
  CHECK_THAT(text, Catch::Contains("| noise       |"));
  CHECK_THAT(text, Catch::Contains("| 100.00 ± 14.14 |") || Catch::Contains("110.00 ± 14.14 |"));
  CHECK_THAT(text, Catch::Contains("! sd 12.9 % |"));
  CHECK_THAT(text, Catch::Contains("\n! noisy: t/s stddev above 5 % of the mean (sd), or the memory bandwidth"));
  // The header once per table: two tables here.
  size_t heads = 0;
  for (size_t p = text.find("| model"); p != std::string::npos; p = text.find("| model", p + 1)) ++heads;
  CHECK(heads == 2);
}
