// Creative Writing v3: prompt expansion, judge prompt filling, judge output parsing, scoring and
// bootstrap (EQ-bench/creative-writing-bench @ e7ab00917c96), the OpenAI-compatible judge client
// against a local HTTP server on 127.0.0.1, the recorded judge mode, and the run / offline-score
// paths. Expected values were computed with CPython 3.11 (re.findall, str.format, round,
// random.Random(0).choices, numpy 1.24 mean/std) on hand-made inputs. No network.
#include <catch2/catch.hpp>
#include <httplib.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io/digest.h"
#include "eval/judge/chat_client.h"
#include "eval/judge/judge.h"
#include "eval/process_docs.h"
#include "eval/run/eval_run.h"
#include "eval/run/response_cache.h"
#include "eval/scorers/creative_writing.h"
#include "eval/scorers/creative_writing_judging.h"
#include "test_support.h"

using lfmb::test::read_file;
using lfmb::test::run_lfmb;
using lfmb::test::temp_dir;
using lfmb::test::write_file;
using nlohmann::json;
namespace cwb = lfmb::eval::cwb;
namespace fs = std::filesystem;

namespace {

// An OpenAI-style endpoint on 127.0.0.1 (ephemeral port): POST /v1/chat/completions answers from a
// queue of (status, body) first, then with `content`; every request is recorded.
struct FakeJudgeServer {
  httplib::Server srv;
  std::thread th;
  int port = 0;
  std::mutex mu;
  std::deque<std::pair<int, std::string>> queued;
  std::string content = "Coherent: 15\nMeandering: 5\n";
  std::vector<json> bodies;
  std::vector<std::string> auth;

  FakeJudgeServer() {
    srv.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu);
      bodies.push_back(json::parse(req.body, nullptr, false));
      auth.push_back(req.get_header_value("Authorization"));
      if (!queued.empty()) {
        res.status = queued.front().first;
        res.set_content(queued.front().second, "application/json");
        queued.pop_front();
        return;
      }
      res.set_content(json{{"choices", {{{"message", {{"role", "assistant"}, {"content", content}}}}}}}.dump(),
                      "application/json");
    });
    port = srv.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    th = std::thread([this] { srv.listen_after_bind(); });
    for (int i = 0; i < 200 && !srv.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ~FakeJudgeServer() { stop(); }
  void stop() {
    if (th.joinable()) {
      srv.stop();
      th.join();
    }
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port) + "/v1"; }
  size_t calls() {
    std::lock_guard<std::mutex> lock(mu);
    return bodies.size();
  }
};

lfmb::eval::JudgeSettings fast(const std::string& url, const std::string& model = "judge-x") {
  lfmb::eval::JudgeSettings s;
  s.url = url;
  s.model = model;
  s.timeout_seconds = 5;
  s.retry_delay_seconds = 0.01;
  s.max_retries = 3;
  return s;
}

bool one_line(const std::string& s) { return s.find('\n') == std::string::npos && !s.empty(); }

using Scores = std::vector<std::pair<std::string, double>>;

std::string long_piece(const std::string& seed) {
  std::string s;
  while (s.size() < 600) s += seed + " walked through the dusty square at noon. ";
  return s;
}

// A task with the shipped task's settings (2 iterations, max_gen_toks as given) over two prompts,
// and a two-criterion rubric (one negative) in DATA/cw.
void write_toy_task(const std::string& tasks, const std::string& data, const std::string& name, int max_gen_toks) {
  write_file(tasks + "/" + name + ".yaml", "task: " + name + R"YAML(
dataset_path: cw
dataset_kwargs: {data_files: {test: prompts.json}, key_field: prompt_id, id_field: key}
test_split: test
process_docs:
  - {function: creative_writing_iterations, iterations: 2, key_field: prompt_id}
output_type: generate_until
doc_to_text: "{{prompt}}"
doc_to_target: ""
generation_kwargs: {until: [], do_sample: true, temperature: 0.7, min_p: 0.1, max_gen_toks: )YAML" +
                                               std::to_string(max_gen_toks) + R"YAML(}
process_results: creative_writing
metric_list: [{metric: eqbench_creative_score}, {metric: creative_score_0_20}]
metadata: {version: 3.0}
)YAML");
  write_file(data + "/cw/prompts.json",
             R"({"1": {"title": "a", "writing_prompt": "Tell <SEED>", "seed_modifiers": ["x", "y"]},)"
             R"( "2": {"title": "b", "writing_prompt": "Sing <SEED>", "seed_modifiers": ["z"]}})");
  write_file(data + "/cw/creative_writing_judging_prompt.txt", "{writing_prompt}|{test_model_response}|{lower_is_better_criteria}|{creative_writing_criteria}");
  write_file(data + "/cw/creative_writing_criteria.txt", "Coherent\nMeandering\n");
  write_file(data + "/cw/negative_criteria.txt", "Meandering\n");
}

}  // namespace

TEST_CASE("creative writing iterations expand each prompt with seed_modifiers in order", "[creative-writing]") {
  lfmb::eval::TaskConfig t;
  t.file = "x.yaml";
  t.task = "cw";
  t.process_docs = {{"creative_writing_iterations", {{"iterations", 3}, {"key_field", "prompt_id"}}}};
  std::vector<json> docs = {
      {{"prompt_id", "7"}, {"title", "A"}, {"writing_prompt", "Go <SEED> now <SEED>."}, {"seed_modifiers", {"m1", "m2"}}},
      {{"prompt_id", "9"}, {"title", "B"}, {"writing_prompt", "Stay."}, {"seed_modifiers", json::array()}},
      {{"prompt_id", "11"}, {"writing_prompt", "X <SEED>"}, {"seed_modifiers", {"only", "two", "three", "four"}}}};
  const auto out = lfmb::eval::apply_process_docs(t, docs);
  // A prompt without modifiers is skipped (benchmark.py); iteration-major order.
  REQUIRE(out.size() == 6);
  CHECK(out[0]["prompt"] == "Go m1 now m1.");  // str.replace replaces every <SEED>
  CHECK(out[0]["base_prompt"] == "Go <SEED> now <SEED>.");
  CHECK(out[0]["key"] == "7:1");
  CHECK(out[1]["prompt"] == "X only");
  CHECK(out[2]["prompt"] == "Go m2 now m2.");
  CHECK(out[2]["iteration"] == 2);
  CHECK(out[3]["prompt"] == "X two");
  CHECK(out[4]["prompt"] == "Go m1 now m1.");  // (3 - 1) % 2 == 0
  CHECK(out[4]["seed_modifier"] == "m1");
  CHECK(out[5]["prompt"] == "X three");
  CHECK(out[5]["key"] == "11:3");
  t.process_docs = {{"creative_writing_iterations", json::object()}};
  CHECK_THROWS_WITH(lfmb::eval::apply_process_docs(t, docs), Catch::Contains("iterations"));
}

TEST_CASE("creative_writing_v3 loads the 32 shipped prompts in file order", "[creative-writing][datasets]") {
  LFMB_REQUIRE_DATASET_FILE(data, "creative_writing_v3/creative_writing_prompts_v3.json");
  const std::string data_dir = fs::path(data).parent_path().parent_path().string();
  const std::string out = temp_dir() + "/plan";
  const auto r = run_lfmb({"eval", "--tasks", "creative_writing_v3", "--data-dir", data_dir, "--dry-run"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("|creative_writing_v3|generate_until|96|0|no|4000|") != std::string::npos);
  CHECK(r.err.find("--judge-url") != std::string::npos);  // dry run: a warning, not an error
  // Offline scoring with recorded replies finds documents by key; key "33:2" is doc 63
  // (iteration 2 starts at 32; "33" is the 32nd key, "27" does not exist). Its prompt is checked
  // through the judge prompt's hash below.
  const auto bp = json::parse(read_file(data))["33"];
  CHECK(bp["title"] == "The Last Outpost");
}

TEST_CASE("the judging prompt is filled as str.format with the template as stored", "[creative-writing]") {
  cwb::Rubric r;
  r.judge_template = "P={writing_prompt}|R={test_model_response}|L={lower_is_better_criteria}|C={creative_writing_criteria}|{{x}}";
  r.criteria = {"Coherent", "Meandering"};
  r.negative = {"Meandering", "Purple Prose"};
  CHECK(cwb::fill_judge_prompt(r, "Write <SEED>.", "a {b} c") ==
        "P=Write <SEED>.|R=a {b} c|L=Meandering, Purple Prose|C=- Coherent\n- Meandering|{x}");
  r.judge_template = "{unknown}";
  CHECK_THROWS_WITH(cwb::fill_judge_prompt(r, "", ""), Catch::Contains("unknown field"));
  r.judge_template = "a } b";
  CHECK_THROWS(cwb::fill_judge_prompt(r, "", ""));
}

TEST_CASE("the shipped rubric gives the official judging prompt byte for byte", "[creative-writing][datasets]") {
  LFMB_REQUIRE_DATASET_FILE(data, "creative_writing_v3/creative_writing_prompts_v3.json");
  const std::string dir = fs::path(data).parent_path().string();
  const cwb::Rubric r = cwb::load_rubric(dir, json::object());
  CHECK(r.criteria.size() == 22);
  CHECK(r.negative.size() == 9);
  const std::string bp = json::parse(read_file(data))["1"]["writing_prompt"].get<std::string>();
  const std::string filled = cwb::fill_judge_prompt(r, bp, "The sand was hot.");
  // CPython: template.format(...) with the files read in text mode.
  CHECK(filled.size() == 2758);
  CHECK(lfmb::sha256_hex(filled) == "ab9a8002ac13c416d99c88c48f076ceffb3fb1878be7340583e29e7daf6e3108");
}

TEST_CASE("judge scores are parsed with both official regexes", "[creative-writing]") {
  const std::string a =
      "[Analysis]\nThe piece: strong, 3 scenes.\n\n[Scores]\n\nAdherence to Instructions: [17]\nMeandering: Score 6\n"
      "Purple Prose: 4.5\nWeak Dialogue: [-2]\nCoherent: 25\nElegant Prose: [21]\nUnknown Thing: 12\n"
      "Overwrought: \xd9\xa1\xd9\xa2\n";  // Arabic-Indic "12": \d and float() accept it
  const Scores sa = cwb::parse_judge_scores(a);
  // pattern 1's matches first, then pattern 2's; > 20 dropped; negatives kept at parse time.
  const Scores want_a = {{"Meandering", 6.0}, {"Purple Prose", 4.5}, {"Unknown Thing", 12.0},
                         {"Overwrought", 12.0}, {"Adherence to Instructions", 17.0}, {"Weak Dialogue", -2.0}};
  CHECK(sa == want_a);
  // \s* crosses the newline; a repeated name keeps its first position with the last value.
  const Scores sb = cwb::parse_judge_scores("Nuanced Characters:\n  14\nAmateurish: Score 3.25\nNuanced Characters: 9");
  CHECK(sb == Scores{{"Nuanced Characters", 9.0}, {"Amateurish", 3.25}});
  CHECK(cwb::parse_judge_scores("no scores here [Scores] Coherent - 15").empty());
  CHECK(cwb::parse_judge_scores("").empty());
}

TEST_CASE("negative criteria are inverted and a piece is the mean of its criteria", "[creative-writing]") {
  const std::vector<std::string> neg = {"Meandering", "Purple Prose", "Weak Dialogue", "Overwrought"};
  const Scores sa = {{"Meandering", 6.0}, {"Purple Prose", 4.5}, {"Unknown Thing", 12.0},
                     {"Overwrought", 12.0}, {"Adherence to Instructions", 17.0}, {"Weak Dialogue", -2.0}};
  // 14 + 15.5 + 12 + 8 + 17 over 5; Weak Dialogue -2 inverts to 22 > 20 and is dropped.
  REQUIRE(cwb::piece_score(sa, neg));
  CHECK(*cwb::piece_score(sa, neg) == Approx(13.3).epsilon(1e-15));
  CHECK_FALSE(cwb::piece_score({{"Meandering", -1.0}}, neg));
  CHECK(*cwb::piece_score({{"Coherent", -3.0}, {"Meandering", 20.0}}, neg) == -1.5);
  CHECK_FALSE(cwb::piece_score({}, neg));
}

TEST_CASE("round to 2 places is Python round and the bootstrap is seeded as random.choices", "[creative-writing]") {
  CHECK(cwb::py_round2(0.125) == 0.12);
  CHECK(cwb::py_round2(0.375) == 0.38);
  CHECK(cwb::py_round2(2.675) == 2.67);
  CHECK(cwb::py_round2(1.005) == 1.0);
  CHECK(cwb::py_round2(-0.125) == -0.12);
  const std::vector<std::optional<double>> pieces = {12.5, std::nullopt, 17.25, 8.0, 14.0, 11.125};
  const cwb::Bootstrap b = cwb::bootstrap(pieces, 0);
  CHECK(b.original == 12.57);
  CHECK(b.ci_lower == 10.02);
  CHECK(b.ci_upper == 15.72);
  CHECK(b.mean == 12.604659999999999);
  CHECK(b.std == Approx(1.4178734833650213).epsilon(1e-14));
  const cwb::Bootstrap again = cwb::bootstrap(pieces, 0);
  CHECK(again.mean == b.mean);
  CHECK(again.ci_lower == b.ci_lower);
  const cwb::Bootstrap other = cwb::bootstrap(pieces, 1);
  CHECK(other.mean != b.mean);
  // numpy's pairwise sum differs from a left-to-right sum in the last bits; it is numpy's here.
  std::vector<double> xs;
  for (int i = 0; i < 300; ++i) xs.push_back(0.1 * (i % 7) + 0.01);
  double naive = 0;
  for (double x : xs) naive += x;
  CHECK(std::fabs(cwb::np_sum(xs) - naive) < 1e-9);
}

TEST_CASE("reasoning blocks are cut and short pieces flagged as utils.api and conversation.py do", "[creative-writing]") {
  CHECK(cwb::visible_text("<think>plan</think>\n  Story.  ") == "Story.");
  CHECK(cwb::visible_text("no close <think> tag") == "no close <think> tag");
  CHECK(cwb::cut_reasoning("<reasoning>r</reasoning>Coherent: 3") == "Coherent: 3");
  CHECK(cwb::too_short(std::string(499, 'x')));
  CHECK_FALSE(cwb::too_short(std::string(500, 'x')));
  std::string accents;
  for (int i = 0; i < 499; ++i) accents += "\xc3\xa9";  // 499 characters, 998 bytes
  CHECK(cwb::too_short(accents));
  CHECK(cwb::too_short("   " + std::string(498, 'y') + "\n\n"));
  CHECK(cwb::attempt_seed(42, 2) != cwb::attempt_seed(42, 3));
}

TEST_CASE("scoring pieces counts failed generations and unparsed judge replies", "[creative-writing]") {
  lfmb::eval::TaskConfig t;
  t.task = "cw";
  std::vector<lfmb::eval::DocResult> docs(4);
  const json neg = {"Meandering"};
  for (size_t i = 0; i < docs.size(); ++i) {
    docs[i].doc_id = i;
    docs[i].doc = {{"base_prompt", "p"}};
    docs[i].response = long_piece("x");
    docs[i].extra = {{"attempts", 1}, {"generation_failed", false}, {"negative_criteria", neg}};
  }
  docs[0].extra["judge_reply"] = "Coherent: 16\nMeandering: 4";   // (16 + 16) / 2 = 16
  docs[1].extra["judge_reply"] = "Coherent: [10]";                // 10
  docs[2].extra["judge_reply"] = "I cannot score this.";         // parses to nothing: not counted
  docs[3].extra = {{"attempts", 3}, {"generation_failed", true}};
  docs[3].response = "short";
  const lfmb::eval::TaskScores s = cwb::score_creative_writing(t, docs);
  CHECK(s.metrics.at("creative_score_0_20,none").value == 13.0);
  CHECK(s.metrics.at("eqbench_creative_score,none").value == 65.0);
  REQUIRE(s.metrics.at("eqbench_creative_score,none").stderr_);
  CHECK(*s.metrics.at("eqbench_creative_score,none").stderr_ > 0);
  CHECK(s.extra["n_pieces_scored"] == 2);
  CHECK(s.extra["n_judge_unparsed"] == 1);
  CHECK(s.extra["n_generation_failed"] == 1);
  CHECK(s.extra["headline"] == "eqbench_creative_score,none");
  CHECK(s.extra["bootstrap"]["n_bootstrap"] == 500);
  REQUIRE(s.samples.size() == 4);
  CHECK(s.samples[0]["piece_score_0_20,none"] == 16.0);
  CHECK(s.samples[2]["piece_score_0_20,none"].is_null());
  CHECK(s.samples[3]["attempts"] == 3);
  CHECK(s.samples[3]["filtered_resps"]["none"].is_null());
  // No piece scored: 0.0 as compute_creative_scores returns, and the bootstrap's error.
  const lfmb::eval::TaskScores none = cwb::score_creative_writing(t, {docs[2], docs[3]});
  CHECK(none.metrics.at("eqbench_creative_score,none").value == 0.0);
  CHECK(none.extra["bootstrap"].contains("error"));
}

TEST_CASE("the chat client posts an OpenAI request and reads the reply", "[creative-writing][judge]") {
  FakeJudgeServer srv;
  srv.content = "[Scores]\nCoherent: 12";
  lfmb::eval::ChatClient c(lfmb::eval::chat_completions_endpoint(srv.base()), "sk-test-123", fast(srv.base()));
  lfmb::eval::ChatRequest req;
  req.model = "judge-x";
  req.messages = json::array({{{"role", "user"}, {"content", "hello"}}});
  req.max_tokens = 1000;
  req.min_p = 0.1;
  CHECK(c.complete(req) == "[Scores]\nCoherent: 12");
  REQUIRE(srv.calls() == 1);
  CHECK(srv.bodies[0]["model"] == "judge-x");
  CHECK(srv.bodies[0]["temperature"] == 0.0);
  CHECK(srv.bodies[0]["max_tokens"] == 1000);
  CHECK(srv.bodies[0]["min_p"] == 0.1);
  CHECK(srv.bodies[0]["messages"][0]["content"] == "hello");
  CHECK(srv.auth[0] == "Bearer sk-test-123");
}

TEST_CASE("the chat client retries 5xx and 429 and fails at once on 401", "[creative-writing][judge]") {
  FakeJudgeServer srv;
  lfmb::eval::ChatRequest req;
  req.model = "judge-x";
  req.messages = json::array({{{"role", "user"}, {"content", "x"}}});
  {
    srv.queued = {{500, R"({"error":{"message":"overloaded"}})"}, {429, "{}"}};
    lfmb::eval::ChatClient c(srv.base() + "/chat/completions", "", fast(srv.base()));
    CHECK(c.complete(req) == srv.content);
    CHECK(c.attempts_made() == 3);
    CHECK(srv.auth.back().empty());  // no key: no Authorization header
  }
  {
    srv.queued = {{401, R"({"error":{"message":"Incorrect API key provided\nsecond line"}})"}};
    lfmb::eval::ChatClient c(srv.base() + "/chat/completions", "sk-secret-999", fast(srv.base()));
    const size_t before = srv.calls();
    try {
      c.complete(req);
      FAIL("expected an error");
    } catch (const lfmb::Error& e) {
      const std::string m = e.what();
      CHECK(one_line(m));
      CHECK(m.find("HTTP 401") != std::string::npos);
      CHECK(m.find("Incorrect API key") != std::string::npos);
      CHECK(m.find("sk-secret-999") == std::string::npos);
    }
    CHECK(srv.calls() == before + 1);
  }
  {
    srv.queued = {{500, "boom"}, {500, "boom"}, {503, "still"}};
    lfmb::eval::ChatClient c(srv.base() + "/chat/completions", "", fast(srv.base()));
    CHECK_THROWS_WITH(c.complete(req), Catch::Contains("failed after 3 attempts") && Catch::Contains("HTTP 503"));
  }
}

TEST_CASE("the chat client reports malformed replies and refused connections in one line", "[creative-writing][judge]") {
  lfmb::eval::ChatRequest req;
  req.model = "m";
  req.messages = json::array({{{"role", "user"}, {"content", "x"}}});
  {
    FakeJudgeServer srv;
    srv.queued = {{200, "not json"}, {200, R"({"choices":[]})"}, {200, R"({"choices":[{"message":{"content":null}}]})"}};
    lfmb::eval::ChatClient c(srv.base() + "/chat/completions", "", fast(srv.base()));
    try {
      c.complete(req);
      FAIL("expected an error");
    } catch (const lfmb::Error& e) {
      CHECK(one_line(e.what()));
      CHECK(std::string(e.what()).find("not a chat completion") != std::string::npos);
    }
    CHECK(srv.calls() == 3);
  }
  FakeJudgeServer gone;
  const std::string url = gone.base();
  gone.stop();
  lfmb::eval::ChatClient c(url + "/chat/completions", "", fast(url));
  try {
    c.complete(req);
    FAIL("expected an error");
  } catch (const lfmb::Error& e) {
    CHECK(one_line(e.what()));
    CHECK(std::string(e.what()).find("127.0.0.1") != std::string::npos);
    CHECK(std::string(e.what()).find("failed after 3 attempts") != std::string::npos);
  }
}

TEST_CASE("judge settings redact credentials and read the key from the environment", "[creative-writing][judge]") {
  CHECK(lfmb::eval::redact_url("https://user:pw@api.example.com/v1?key=abc") == "https://api.example.com/v1");
  CHECK(lfmb::eval::chat_completions_endpoint("http://h:1/v1/") == "http://h:1/v1/chat/completions");
  CHECK(lfmb::eval::chat_completions_endpoint("http://h/x/chat/completions") == "http://h/x/chat/completions");
  ::setenv("LFMB_JUDGE_API_KEY", "k1", 1);
  ::setenv("OPENAI_API_KEY", "k2", 1);
  std::string from;
  CHECK(lfmb::eval::judge_api_key(&from) == "k1");
  CHECK(from == "LFMB_JUDGE_API_KEY");
  ::unsetenv("LFMB_JUDGE_API_KEY");
  CHECK(lfmb::eval::judge_api_key(&from) == "k2");
  ::unsetenv("OPENAI_API_KEY");
  CHECK(lfmb::eval::judge_api_key(&from).empty());
  lfmb::eval::JudgeSettings none;
  CHECK_THROWS_WITH(lfmb::eval::Judge(none, nullptr), Catch::Contains("--judge-url"));
}

TEST_CASE("the judge answers from recorded replies then the cache then the endpoint", "[creative-writing][judge]") {
  const std::string dir = temp_dir();
  write_file(dir + "/rec.jsonl", json{{"prompt_sha256", lfmb::sha256_hex("p1")}, {"response", "Coherent: 1"}}.dump() + "\n");
  {
    lfmb::eval::JudgeSettings s;
    s.responses_file = dir + "/rec.jsonl";
    lfmb::eval::Judge j(s, nullptr);
    CHECK(j.ask("p1", 0, 1000, 0.1).text == "Coherent: 1");
    CHECK(j.ask("p1", 0, 1000, 0.1).source == "recorded");
    CHECK_THROWS_WITH(j.ask("p2", 0, 1000, 0.1), Catch::Contains(lfmb::sha256_hex("p2")));
  }
  FakeJudgeServer srv;
  srv.content = "Coherent: 7";
  lfmb::eval::ResponseCache cache(dir + "/cache.sqlite");
  {
    lfmb::eval::Judge j(fast(srv.base()), &cache);
    const auto r = j.ask("p2", 0, 1000, 0.1);
    CHECK(r.text == "Coherent: 7");
    CHECK(r.source == "api");
  }
  {
    lfmb::eval::Judge j(fast(srv.base()), &cache);  // a new run over the same cache: not asked again
    CHECK(j.ask("p2", 0, 1000, 0.1).source == "cache");
    CHECK(srv.calls() == 1);
  }
  write_file(dir + "/bad.jsonl", "{\"prompt\": \"x\"}\n");
  lfmb::eval::JudgeSettings bad;
  bad.responses_file = dir + "/bad.jsonl";
  CHECK_THROWS_WITH(lfmb::eval::Judge(bad, nullptr), Catch::Contains("bad.jsonl:1"));
}

TEST_CASE("eval score judges pieces offline and never writes the API key", "[creative-writing][judge][datasets]") {
  LFMB_REQUIRE_DATASET_FILE(data, "creative_writing_v3/creative_writing_prompts_v3.json");
  const std::string data_dir = fs::path(data).parent_path().parent_path().string();
  const std::string dir = temp_dir();
  // doc 0 = prompt "1" iteration 1; key "33:2" = doc 63; a short piece is a failed generation.
  write_file(dir + "/r.jsonl", json{{"doc_id", 0}, {"response", long_piece("Marcus")}}.dump() + "\n" +
                                   json{{"key", "33:2"}, {"response", "<think>x</think>" + long_piece("Ada")}}.dump() + "\n" +
                                   json{{"doc_id", 5}, {"response", "Too short."}, {"attempts", 3}}.dump() + "\n");
  FakeJudgeServer srv;
  srv.content = "[Analysis]\nFine.\n[Scores]\nCoherent: 16\nMeandering: [4]\nPurple Prose: 2\n";
  ::setenv("LFMB_JUDGE_API_KEY", "sk-very-secret-key", 1);
  lfmb::eval::ScoreOptions so;
  so.task = "creative_writing_v3";
  so.responses_path = dir + "/r.jsonl";
  so.output_dir = dir + "/out";
  so.data_dir = data_dir;
  so.judge = fast(srv.base(), "judge-model-7");
  so.judge.url = "http://user:pw@127.0.0.1:" + std::to_string(srv.port) + "/v1";
  so.progress = false;
  lfmb::eval::score_offline(so);
  ::unsetenv("LFMB_JUDGE_API_KEY");
  CHECK(srv.calls() == 2);  // the short piece is not judged
  CHECK(srv.auth[0] == "Bearer sk-very-secret-key");
  CHECK(srv.bodies[0]["temperature"] == 0.0);
  CHECK(srv.bodies[0]["max_tokens"] == 1000);
  CHECK(srv.bodies[0]["model"] == "judge-model-7");
  // The judge sees the template with <SEED>, and the piece without its think block.
  const std::string p2 = srv.bodies[1]["messages"][0]["content"];
  CHECK(p2.find("<SEED>") != std::string::npos);
  CHECK(p2.find("<think>") == std::string::npos);
  CHECK(p2.find("Ada walked") != std::string::npos);
  const std::string results = read_file(dir + "/out/results.json");
  CHECK(results.find("sk-very-secret-key") == std::string::npos);
  CHECK(results.find("user:pw") == std::string::npos);
  CHECK(read_file(dir + "/out/samples_creative_writing_v3.jsonl").find("sk-very-secret-key") == std::string::npos);
  const json rj = json::parse(results);
  const json& task = rj["results"]["creative_writing_v3"];
  // Each piece: (16 + (20 - 4) + (20 - 2)) / 3 = 16.666..., x5 rounded.
  CHECK(task["eqbench_creative_score,none"] == 83.33);
  CHECK(task["creative_score_0_20,none"] == 16.67);
  CHECK(task["judge"]["model"] == "judge-model-7");
  CHECK(task["judge"]["url"] == "http://127.0.0.1:" + std::to_string(srv.port) + "/v1/chat/completions");
  CHECK(task["n_generation_failed"] == 1);
  // Rescoring from the recorded replies (the samples file itself) asks no endpoint.
  lfmb::eval::ScoreOptions again = so;
  again.judge = lfmb::eval::JudgeSettings();
  again.judge.responses_file = dir + "/out/samples_creative_writing_v3.jsonl";
  again.output_dir = dir + "/again";
  lfmb::eval::score_offline(again);
  CHECK(srv.calls() == 2);
  CHECK(json::parse(read_file(dir + "/again/results.json"))["results"]["creative_writing_v3"]["eqbench_creative_score,none"] == 83.33);
  // The same through the CLI, and the early error without a judge.
  const auto cli = run_lfmb({"eval", "score", "--task", "creative_writing_v3", "--responses", dir + "/r.jsonl", "--data-dir",
                             data_dir, "--output", dir + "/cli", "--judge-responses", again.judge.responses_file});
  INFO(cli.err);
  CHECK(cli.exit_code == 0);
  CHECK(cli.out.find("83.33") != std::string::npos);
  const auto nojudge = run_lfmb({"eval", "score", "--task", "creative_writing_v3", "--responses", dir + "/r.jsonl",
                                 "--data-dir", data_dir, "--output", dir + "/nj"});
  CHECK(nojudge.exit_code != 0);
  CHECK(nojudge.err.find("--judge-url URL --judge-model ID") != std::string::npos);
  CHECK(one_line(nojudge.err.substr(0, nojudge.err.size() - 1)));
}

TEST_CASE("eval runs creative writing with regeneration of short pieces and needs a judge", "[creative-writing][judge][cli]") {
  const std::string dir = temp_dir();
  const std::string model = dir + "/tiny.gguf";
  REQUIRE(run_lfmb({"synth", "--preset", "tiny-qwen3", "--type", "f32", "--seed", "3", "-o", model}).exit_code == 0);
  const std::string tasks = dir + "/tasks", data = dir + "/data";
  // The shipped task's settings, with tiny generations (every piece is short) and a tiny rubric.
  write_toy_task(tasks, data, "cw_toy", 4);
  auto args = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> a = {"eval", "--model", model, "--tasks", "cw_toy", "--include-path", tasks,
                                  "--data-dir", data, "--output", out, "--no-progress"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const auto nojudge = run_lfmb(args(dir + "/nj", {}));
  CHECK(nojudge.exit_code != 0);
  CHECK(nojudge.err.find("cw_toy needs an LLM judge: pass --judge-url URL --judge-model ID") != std::string::npos);
  CHECK_FALSE(fs::exists(dir + "/nj/cache.sqlite"));  // failed before any generation
  FakeJudgeServer srv;
  const std::vector<std::string> judge = {"--judge-url", srv.base(), "--judge-model", "toy-judge"};
  // A missing rubric file also fails before any generation, naming the file.
  fs::rename(data + "/cw/negative_criteria.txt", data + "/cw/neg.bak");
  const auto norubric = run_lfmb(args(dir + "/nr", judge));
  CHECK(norubric.exit_code != 0);
  CHECK(norubric.err.find("negative_criteria.txt") != std::string::npos);
  CHECK_FALSE(fs::exists(dir + "/nr/cache.sqlite"));
  fs::rename(data + "/cw/neg.bak", data + "/cw/negative_criteria.txt");
  const auto r = run_lfmb(args(dir + "/run", judge));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string samples = read_file(dir + "/run/samples_cw_toy.jsonl");
  size_t lines = 0;
  std::istringstream in(samples);
  for (std::string l; std::getline(in, l);) {
    const json s = json::parse(l);
    // 4 tokens are far below 500 characters: 3 attempts, then the piece is not judged.
    CHECK(s["attempts"] == 3);
    CHECK(s["generation_failed"] == true);
    ++lines;
  }
  CHECK(lines == 4);
  CHECK(srv.calls() == 0);
  // Every attempt is its own cached generation (its own seed): 4 pieces x 3.
  {
    lfmb::eval::ResponseCache cache(dir + "/run/cache.sqlite");
    CHECK(cache.size() == 12);
  }
  const json res = json::parse(read_file(dir + "/run/results.json"));
  CHECK(res["results"]["cw_toy"]["n_generation_failed"] == 4);
  CHECK(res["results"]["cw_toy"]["judge"]["model"] == "toy-judge");
  CHECK(res["config"]["judge"]["model"] == "toy-judge");
  // A rerun resumes from the cache and writes the same samples.
  const auto again = run_lfmb(args(dir + "/run", judge));
  REQUIRE(again.exit_code == 0);
  CHECK(read_file(dir + "/run/samples_cw_toy.jsonl") == samples);
}

TEST_CASE("judged creative writing runs resume from the cache and shards merge to the same scores", "[creative-writing][judge][cli]") {
  const std::string dir = temp_dir();
  const std::string model = dir + "/tiny.gguf";
  REQUIRE(run_lfmb({"synth", "--preset", "tiny-qwen3", "--type", "f32", "--seed", "3", "-o", model}).exit_code == 0);
  const std::string tasks = dir + "/tasks", data = dir + "/data";
  // 200 sampled tokens of the tiny model give pieces of 500+ characters: they are judged.
  write_toy_task(tasks, data, "cw_long", 200);
  FakeJudgeServer srv;
  srv.content = "Coherent: 15\nMeandering: 7\n";  // (15 + 13) / 2 = 14 per piece
  auto args = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> a = {"eval", "--model", model, "--tasks", "cw_long", "--include-path", tasks, "--data-dir", data,
                                  "--output", out, "--no-progress", "--judge-url", srv.base(), "--judge-model", "toy-judge"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const auto r = run_lfmb(args(dir + "/full", {}));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const size_t asked = srv.calls();
  CHECK(asked >= 1);
  for (const json& b : srv.bodies) {
    const std::string p = b["messages"][0]["content"];
    CHECK((p.rfind("Tell <SEED>|", 0) == 0 || p.rfind("Sing <SEED>|", 0) == 0));  // the template, not the filled prompt
    CHECK(p.find("|Meandering|- Coherent\n- Meandering") != std::string::npos);
    CHECK(b["temperature"] == 0.0);
    CHECK(b["min_p"] == 0.1);  // utils/api.py sends min_p to endpoints other than OpenAI's
  }
  const json full = json::parse(read_file(dir + "/full/results.json"));
  const json& task = full["results"]["cw_long"];
  CHECK(task["n_pieces_scored"] == asked);
  CHECK(task["eqbench_creative_score,none"] == 70.0);
  CHECK(task["creative_score_0_20,none"] == 14.0);
  // The same command again: every generation and every judge reply comes from cache.sqlite.
  REQUIRE(run_lfmb(args(dir + "/full", {})).exit_code == 0);
  CHECK(srv.calls() == asked);
  // Two shards and their merge give the unsharded scores; merging asks no judge.
  REQUIRE(run_lfmb(args(dir + "/s1", {"--shard", "1/2"})).exit_code == 0);
  REQUIRE(run_lfmb(args(dir + "/s2", {"--shard", "2/2"})).exit_code == 0);
  const size_t after_shards = srv.calls();
  const auto m = run_lfmb({"eval", "merge", dir + "/s1", dir + "/s2", "--output", dir + "/merged"});
  INFO(m.err);
  REQUIRE(m.exit_code == 0);
  CHECK(srv.calls() == after_shards);
  CHECK(read_file(dir + "/merged/samples_cw_long.jsonl") == read_file(dir + "/full/samples_cw_long.jsonl"));
  const json merged = json::parse(read_file(dir + "/merged/results.json"));
  CHECK(merged["results"]["cw_long"] == task);
}
