// lfmb eval compare: McNemar's exact test, the paired standard error, pairing two eval folders by
// doc_id and doc_hash, the gates' exit codes and the --json keys. Expected p-values come from
// /usr/bin/python3: float(min(1, 2*Fraction(sum(math.comb(b+c, i) for i in range(min(b,c)+1)), 2**(b+c)))).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "eval/regression/mcnemar.h"
#include "eval/regression/run_compare.h"
#include "test_support.h"

using lfmb::test::run_lfmb;
using lfmb::test::temp_dir;
using lfmb::test::write_file;
using nlohmann::json;
namespace ev = lfmb::eval;

TEST_CASE("McNemar exact p-value matches math.comb on small tables", "[eval-compare]") {
  struct Row {
    uint64_t b, c;
    double p;
  };
  const Row rows[] = {{0, 0, 1.0},          {1, 0, 1.0},          {0, 5, 0.0625},       {3, 3, 1.0},
                      {2, 8, 0.109375},     {8, 2, 0.109375},     {10, 2, 0.03857421875}, {0, 10, 0.001953125},
                      {5, 20, 0.004077315330505371}, {1, 9, 0.021484375}, {30, 50, 0.03299261842647618}};
  for (const Row& r : rows) {
    INFO("b=" << r.b << " c=" << r.c);
    CHECK(ev::mcnemar_exact_p(r.b, r.c) == Approx(r.p).epsilon(1e-13));
  }
}

TEST_CASE("McNemar exact p-value stays accurate with thousands of discordant documents", "[eval-compare]") {
  CHECK(ev::mcnemar_exact_p(1000, 1100) == Approx(0.030720707864242296).epsilon(1e-10));
  CHECK(ev::mcnemar_exact_p(2400, 2600) == Approx(0.004883649737517518).epsilon(1e-10));
  CHECK(ev::mcnemar_exact_p(5200, 5000) == Approx(0.04878796312682245).epsilon(1e-10));
  CHECK(ev::mcnemar_exact_p(100, 300) == Approx(2.5918869069720767e-24).epsilon(1e-10));
  CHECK(ev::mcnemar_exact_p(0, 1000) == Approx(1.8665272370064378e-301).epsilon(1e-10));
  CHECK(ev::mcnemar_exact_p(3, 1000) == Approx(3.923720417925807e-294).epsilon(1e-10));
  CHECK(ev::mcnemar_exact_p(0, 3000) == 0.0);  // 2^-2999 is below the smallest double, as in Python
  // Symmetric and never above 1.
  CHECK(ev::mcnemar_exact_p(500, 500) == 1.0);
  CHECK(ev::mcnemar_exact_p(501, 500) == 1.0);
}

namespace {

json line(int64_t id, const std::string& key, double v, const std::string& hash = "") {
  return {{"doc_id", id}, {"doc_hash", hash.empty() ? "h" + std::to_string(id) : hash}, {key, v}};
}

}  // namespace

TEST_CASE("eval compare pairs 0-1 scores and gives the paired standard error of section 4.2", "[eval-compare]") {
  const std::vector<int> a = {1, 1, 1, 0, 0, 1, 0, 1, 1, 0}, b = {1, 0, 1, 1, 0, 1, 1, 1, 1, 1};
  std::vector<json> sa, sb;
  for (size_t i = 0; i < a.size(); ++i) {
    sa.push_back(line(int64_t(i), "acc,none", a[i]));
    sb.push_back(line(int64_t(9 - i), "acc,none", b[9 - i]));  // B in another order: pairing is by doc_id
  }
  const ev::TaskComparison c = ev::compare_task_samples("t", "acc,none", sa, sb, "A", "B");
  CHECK(c.n == 10);
  CHECK(c.a == Approx(0.6));
  CHECK(c.b == Approx(0.8));
  CHECK(c.diff == Approx(0.2));
  CHECK(c.n_a_only == 1);
  CHECK(c.n_b_only == 3);
  CHECK(c.flipped == std::vector<int64_t>{1, 3, 6, 9});
  // sqrt(((b+c)/N − Δ²)/(N−1)) = sqrt((0.4 − 0.04)/9) = 0.2
  REQUIRE(c.diff_stderr);
  CHECK(*c.diff_stderr == Approx(0.2).epsilon(1e-12));
  CHECK(c.mcnemar_p == Approx(0.625));  // 2·(1 + 4)/16
}

TEST_CASE("eval compare takes the general paired standard error for non 0-1 scores", "[eval-compare]") {
  const std::vector<double> a = {0.25, 1, 0, 0.5}, b = {1, 1, 0.5, 0};
  std::vector<json> sa, sb;
  for (size_t i = 0; i < a.size(); ++i) {
    sa.push_back(line(int64_t(i), "m,f", a[i]));
    sb.push_back(line(int64_t(i), "m,f", b[i]));
  }
  sb.push_back(line(7, "m,f", 1));  // only in B: not paired, counted
  const ev::TaskComparison c = ev::compare_task_samples("t", "m,f", sa, sb, "A", "B");
  CHECK(c.n == 4);
  CHECK(c.n_unpaired_b == 1);
  CHECK(c.diff == Approx(0.1875));
  REQUIRE(c.diff_stderr);
  CHECK(*c.diff_stderr == Approx(0.27716947282604315).epsilon(1e-12));  // statistics.stdev(d)/2
  CHECK(c.n_a_only == 1);
  CHECK(c.n_b_only == 2);
}

TEST_CASE("eval compare refuses documents whose doc_hash differs and bad sample lines", "[eval-compare]") {
  std::vector<json> sa = {line(0, "acc,none", 1), line(1, "acc,none", 0)};
  std::vector<json> sb = {line(0, "acc,none", 1), line(1, "acc,none", 0, "other")};
  CHECK_THROWS_WITH(ev::compare_task_samples("t", "acc,none", sa, sb, "A.jsonl", "B.jsonl"),
                    Catch::Contains("doc_id 1: doc_hash differs between A.jsonl and B.jsonl"));
  sb[1] = line(1, "acc_norm,none", 0);
  CHECK_THROWS_WITH(ev::compare_task_samples("t", "acc,none", sa, sb, "A.jsonl", "B.jsonl"),
                    Catch::Contains("B.jsonl") && Catch::Contains("no numeric \"acc,none\""));
  sb[1] = line(0, "acc,none", 0);
  CHECK_THROWS_WITH(ev::compare_task_samples("t", "acc,none", sa, sb, "A.jsonl", "B.jsonl"),
                    Catch::Contains("doc_id 0 appears twice"));
  sb[1] = json{{"doc_hash", "h1"}, {"acc,none", 0}};
  CHECK_THROWS_WITH(ev::compare_task_samples("t", "acc,none", sa, sb, "A.jsonl", "B.jsonl"),
                    Catch::Contains("\"doc_id\" missing"));
}

namespace {

// An eval output folder as results_writer writes it: results.json (metric keys in file order,
// a group without samples) and samples_<task>.jsonl.
struct RunBuilder {
  json results = json::object(), groups = json::object();
  std::map<std::string, std::string> samples;

  void mc_task(const std::string& name, const std::vector<int>& choice, int gold, int tweak_doc = -1) {
    std::string lines;
    double acc = 0;
    for (size_t i = 0; i < choice.size(); ++i) {
      json resps = json::array();
      for (int k = 0; k < 4; ++k) {
        double lp = k == choice[i] ? -1.0 : -2.0 - k;
        if (int(i) == tweak_doc && k == choice[i]) lp = -1.25;  // other logprobs, same answer
        resps.push_back(json::array({lp, false}));
      }
      const int right = choice[i] == gold;
      acc += right;
      json s = {{"doc_id", i}, {"doc_hash", "mc" + std::to_string(i)}, {"resps", resps}, {"arguments", {{"Q" + std::to_string(i), " A"}}},
                {"filtered_resps", {{"none", resps}}}, {"acc,none", right}, {"acc_norm,none", 1 - right}};
      lines += s.dump() + "\n";
    }
    results[name] = {{"acc,none", acc / double(choice.size())}, {"acc_stderr,none", 0.1},
                     {"acc_norm,none", 0.5}, {"acc_norm_stderr,none", 0.1}, {"alias", name}};
    samples[name] = lines;
  }

  void gen_task(const std::string& name, const std::vector<json>& answers, const std::vector<std::string>& targets,
                const std::vector<std::string>& raw) {
    std::string lines;
    for (size_t i = 0; i < answers.size(); ++i) {
      const int right = answers[i].is_string() && answers[i].get<std::string>() == targets[i];
      json s = {{"doc_id", i},
                {"doc_hash", "gen" + std::to_string(i)},
                {"resps", json::array({raw[i]})},
                {"filtered_resps", {{"strict-match", nullptr}, {"flexible-extract", answers[i]}}},
                {"exact_match,flexible-extract", right},
                {"exact_match,strict-match", 0}};
      lines += s.dump() + "\n";
    }
    results[name] = {{"exact_match,flexible-extract", 0.5}, {"exact_match_stderr,flexible-extract", 0.1},
                     {"exact_match,strict-match", 0.0}, {"exact_match_stderr,strict-match", 0.0}, {"alias", name}};
    samples[name] = lines;
  }

  void write(const std::string& dir) const {
    json r = results;
    r["grp"] = {{"acc,none", 0.5}, {"acc_stderr,none", 0.1}, {"alias", "grp"}};
    json g = {{"grp", r["grp"]}};
    write_file(dir + "/results.json", json{{"results", r}, {"groups", g}}.dump(2));
    for (const auto& [name, text] : samples) write_file(dir + "/samples_" + name + ".jsonl", text);
  }
};

// A: mc_t 8/12, gen_t 3/6, big_t 10/10, extra_t (only in A). B: mc_t 7/12 (flips 1, 4, 6), gen_t
// 2/6 (flips 0-4), big_t 0/10 (10 flips, McNemar p = 2/1024).
void write_runs(const std::string& a, const std::string& b) {
  RunBuilder ra, rb;
  ra.mc_task("mc_t", {0, 0, 0, 1, 2, 0, 0, 1, 0, 0, 3, 0}, 0);
  rb.mc_task("mc_t", {0, 1, 0, 1, 0, 0, 2, 2, 0, 0, 3, 0}, 0, 5);
  const std::vector<std::string> targets = {"4", "7", "3", "1", "5", "8"};
  ra.gen_task("gen_t", {"4", "7", nullptr, "1", "2", "9"}, targets, {"a4", "a7", "a?", "a1", "a2", "answer 9"});
  rb.gen_task("gen_t", {"5", "6", "3", nullptr, "5", "9"}, targets, {"b5", "b6", "b3", "b?", "b5", "answer: 9"});
  ra.mc_task("big_t", std::vector<int>(10, 1), 1);
  rb.mc_task("big_t", std::vector<int>(10, 2), 1);
  ra.mc_task("extra_t", {0, 1}, 0);
  ra.write(a);
  rb.write(b);
}

}  // namespace

TEST_CASE("eval compare on two run folders lists flips and agreement per task", "[eval-compare]") {
  const std::string dir = temp_dir(), a = dir + "/a", b = dir + "/b";
  write_runs(a, b);
  const ev::RunComparison c = ev::compare_runs(a, b);
  REQUIRE(c.tasks.size() == 3);  // big_t, gen_t, mc_t (results.json order); grp and extra_t are not compared
  CHECK(c.only_a == std::vector<std::string>{"extra_t"});
  const ev::TaskComparison* mc = nullptr;
  const ev::TaskComparison* gen = nullptr;
  for (const auto& t : c.tasks) {
    if (t.task == "mc_t") mc = &t;
    if (t.task == "gen_t") gen = &t;
  }
  REQUIRE(mc);
  REQUIRE(gen);
  CHECK(mc->metric == "acc,none");
  CHECK(mc->a == Approx(8.0 / 12));
  CHECK(mc->b == Approx(7.0 / 12));
  CHECK(mc->flipped == std::vector<int64_t>{1, 4, 6});
  CHECK(mc->n_a_only == 2);
  CHECK(mc->n_b_only == 1);
  CHECK(*mc->diff_stderr == Approx(0.1486470975026408).epsilon(1e-12));
  CHECK(mc->agree == Approx(8.0 / 12));      // doc 7 went from one wrong choice to another
  CHECK(mc->identical == Approx(7.0 / 12));  // doc 5: same choice, other logprobs
  CHECK(gen->metric == "exact_match,flexible-extract");
  CHECK(gen->flipped == std::vector<int64_t>{0, 1, 2, 3, 4});
  CHECK(gen->n_a_only == 3);
  CHECK(gen->n_b_only == 2);
  CHECK(gen->agree == Approx(1.0 / 6));  // the flexible-extract answers, not strict-match's nulls
  CHECK(gen->identical == 0.0);          // "answer 9" vs "answer: 9"
  CHECK(gen->mcnemar_p == 1.0);
}

TEST_CASE("eval compare gates set the exit code and print what moved", "[eval-compare]") {
  const std::string dir = temp_dir(), a = dir + "/a", b = dir + "/b";
  write_runs(a, b);
  auto r = run_lfmb({"eval", "compare", a, b});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("|mc_t|acc,none|0.6667|0.5833|-0.0833|0.1486|12|2|1|1.0000|0.667|0.583|"));
  CHECK(r.err.empty());

  r = run_lfmb({"eval", "compare", a, b, "--max-flips", "5"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("what moved") && Catch::Contains("|big_t|acc,none|1.0000|0.0000|10 (10/0)|0.0020|0 1 2"));
  CHECK_THAT(r.out, !Catch::Contains("|gen_t|exact_match,flexible-extract|0.5000|0.3333|5"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one summary line
  CHECK_THAT(r.err, Catch::Contains("gate FAILED on 1 of 3 tasks") && Catch::Contains("big_t: 10 flips > 5"));

  r = run_lfmb({"eval", "compare", a, b, "--max-flips", "4"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("gate FAILED on 2 of 3 tasks") && Catch::Contains("gen_t: 5 flips > 4"));

  r = run_lfmb({"eval", "compare", a, b, "--max-flips", "10"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("gate passed on 3 tasks"));

  r = run_lfmb({"eval", "compare", a, b, "--alpha", "0.01"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("big_t: p 0.0020 < 0.01"));
  r = run_lfmb({"eval", "compare", a, b, "--alpha", "0.001"});
  CHECK(r.exit_code == 0);
  r = run_lfmb({"eval", "compare", a, b, "--alpha", "0.01", "--tasks", "mc_t,gen_t"});
  CHECK(r.exit_code == 0);

  r = run_lfmb({"eval", "compare", a, b, "--alpha", "1.5"});
  CHECK(r.exit_code == 2);
  r = run_lfmb({"eval", "compare", a, b, "--tasks", "extra_t"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("no task 'extra_t'"));
}

TEST_CASE("eval compare --json puts each task under tasks with the metric key and the gate", "[eval-compare]") {
  const std::string dir = temp_dir(), a = dir + "/a", b = dir + "/b";
  write_runs(a, b);
  const auto r = run_lfmb({"eval", "compare", a, b, "--json", "--alpha", "0.01"});
  CHECK(r.exit_code == 1);
  const json j = json::parse(r.out);
  const json& mc = j["tasks"]["mc_t"];
  for (const char* key : {"metric", "a", "b", "diff", "diff_stderr", "n", "n_a_only", "n_b_only", "mcnemar_p", "flipped",
                          "agree", "identical"})
    CHECK(mc.contains(key));
  CHECK(mc["metric"] == "acc,none");
  CHECK(mc["flipped"] == json::array({1, 4, 6}));
  CHECK(mc["n"] == 12);
  CHECK(mc["diff"].get<double>() == Approx(-1.0 / 12));
  CHECK(j["tasks"]["big_t"]["mcnemar_p"].get<double>() == Approx(0.001953125));
  CHECK(j["tasks"]["gen_t"]["metric"] == "exact_match,flexible-extract");
  CHECK_FALSE(j["tasks"].contains("grp"));
  CHECK(j["gate"]["failed"] == true);
  CHECK(j["gate"]["alpha"].get<double>() == 0.01);
  CHECK(j["gate"]["max_flips"].is_null());
  CHECK(j["gate"]["failed_tasks"] == json::array({"big_t"}));
  CHECK(j["tasks_only_in_a"] == json::array({"extra_t"}));
}

TEST_CASE("eval compare refuses runs whose documents differ in one line", "[eval-compare]") {
  const std::string dir = temp_dir(), a = dir + "/a", b = dir + "/b";
  write_runs(a, b);
  std::string s = lfmb::test::read_file(b + "/samples_mc_t.jsonl");
  const size_t at = s.find("\"mc3\"");
  REQUIRE(at != std::string::npos);
  s.replace(at, 5, "\"xx3\"");
  write_file(b + "/samples_mc_t.jsonl", s);
  const auto r = run_lfmb({"eval", "compare", a, b});
  CHECK(r.exit_code == 1);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_THAT(r.err, Catch::Contains("mc_t: doc_id 3: doc_hash differs") && Catch::Contains("different data or prompt"));
  CHECK(r.out.empty());

  const auto missing = run_lfmb({"eval", "compare", a, dir + "/nothing"});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("nothing/results.json: cannot read"));
}

TEST_CASE("eval compare says when the prompts of paired documents differ", "[eval-compare]") {
  const std::string dir = temp_dir(), a = dir + "/a", b = dir + "/b";
  write_runs(a, b);
  std::string s = lfmb::test::read_file(b + "/samples_mc_t.jsonl");
  const size_t at = s.find("\"Q2\"");
  REQUIRE(at != std::string::npos);
  s.replace(at, 4, "\"Q?\"");
  write_file(b + "/samples_mc_t.jsonl", s);
  const auto r = run_lfmb({"eval", "compare", a, b});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("(mc_t: the prompt differs on 1 of 12 documents"));
  const json j = json::parse(run_lfmb({"eval", "compare", a, b, "--json"}).out);
  CHECK(j["tasks"]["mc_t"]["n_prompt_changed"] == 1);
  CHECK(j["tasks"]["big_t"]["n_prompt_changed"] == 0);
}
