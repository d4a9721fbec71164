// `lfmb eval` end to end on tiny models: the files it writes, loglikelihoods against `lfmb
// logits`, identical reruns, shards + merge = one run, kill + rerun = one run, offline scoring,
// and the one-line errors for bad input.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/gguf/gguf_reader.h"
#include "core/tokenizer/tokenizer.h"
#include "eval/run/response_cache.h"
#include "test_support.h"

using lfmb::test::read_file;
using lfmb::test::run_lfmb;
using lfmb::test::temp_dir;
using lfmb::test::write_file;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A tiny synthetic model, a multiple-choice task and a generative task over small JSONL files.
struct Fixture {
  std::string dir, model, tasks, data;
  explicit Fixture(int n_docs = 12) {
    dir = temp_dir();
    model = dir + "/tiny.gguf";
    tasks = dir + "/tasks";
    data = dir + "/data";
    const auto s = run_lfmb({"synth", "--preset", "tiny-qwen3", "--type", "f32", "--seed", "3", "-o", model});
    REQUIRE(s.exit_code == 0);
    write_file(tasks + "/toy_mc.yaml", R"(task: toy_mc
dataset_path: toy
dataset_kwargs: {data_files: {test: test.jsonl, train: train.jsonl}}
test_split: test
fewshot_split: train
fewshot_config: {sampler: first_n}
output_type: multiple_choice
doc_to_text: "Q: {{q}}\nA:"
doc_to_choice: "{{choices}}"
doc_to_target: gold
num_fewshot: 1
metric_list: [{metric: acc}, {metric: acc_norm}]
metadata: {version: 1}
)");
    write_file(tasks + "/toy_gen.yaml", R"YAML(task: toy_gen
dataset_path: toy
dataset_kwargs: {data_files: {test: test.jsonl}}
test_split: test
output_type: generate_until
doc_to_text: "Q: {{q}}\nA:"
doc_to_target: "{{answer}}"
generation_kwargs: {until: ["\n\n"], max_gen_toks: 6, do_sample: false}
filter_list:
  - name: last-number
    filter: [{function: regex, regex_pattern: "(\\d+)", group_select: -1}, {function: take_first}]
metric_list: [{metric: exact_match}]
)YAML");
    write_file(tasks + "/toy_group.yaml", "group: toy_all\ntask: [toy_mc, toy_gen]\naggregate_metric_list:\n"
                                          "  - {metric: acc, weight_by_size: true}\n");
    std::string test, train;
    for (int i = 0; i < n_docs; ++i) {
      test += json{{"q", "item " + std::to_string(i) + " add " + std::to_string(i % 7)},
                   {"choices", json::array({"red", "green apple", "blue"})},
                   {"gold", i % 3},
                   {"answer", std::to_string(i % 5)}}.dump() + "\n";
    }
    train = json{{"q", "warm up"}, {"choices", json::array({"a", "b", "c"})}, {"gold", 1}, {"answer", "1"}}.dump() + "\n";
    write_file(data + "/toy/test.jsonl", test);
    write_file(data + "/toy/train.jsonl", train);
  }
  std::vector<std::string> args(const std::string& out, std::vector<std::string> extra = {},
                                const std::string& task_list = "toy_mc,toy_gen") const {
    std::vector<std::string> a = {"eval", "--model", model, "--tasks", task_list, "--include-path", tasks,
                                  "--data-dir", data, "--output", out, "--no-progress"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

json read_json(const std::string& path) { return json::parse(read_file(path)); }

}  // namespace

TEST_CASE("lfmb eval writes results.json and samples and results.md and a rerun gives identical samples", "[eval][cli]") {
  Fixture f;
  const auto r1 = run_lfmb(f.args(f.dir + "/a"));
  INFO(r1.err);
  REQUIRE(r1.exit_code == 0);
  const json res = read_json(f.dir + "/a/results.json");
  const json& mc = res["results"]["toy_mc"];
  CHECK(mc.contains("acc,none"));
  CHECK(mc.contains("acc_stderr,none"));
  CHECK(mc.contains("acc_norm,none"));
  CHECK(mc["n_samples"] == 12);
  CHECK(res["results"]["toy_gen"].contains("exact_match,last-number"));
  CHECK(res["results"]["toy_gen"].contains("length_capped_share"));
  CHECK(res["config"]["model_sha256"].get<std::string>().size() == 64);
  CHECK(res["config"]["architecture"] == "qwen3");
  CHECK(res["n-shot"]["toy_mc"] == 1);
  CHECK(res["configs"]["toy_mc"]["doc_to_text"] == "Q: {{q}}\nA:");
  CHECK(read_file(f.dir + "/a/results.md").find("|toy_mc|1|none|1|acc|") != std::string::npos);
  // One sample line per document, doc_id order, the lm-eval fields.
  const std::string samples = read_file(f.dir + "/a/samples_toy_gen.jsonl");
  size_t n = 0, pos = 0;
  for (size_t nl; (nl = samples.find('\n', pos)) != std::string::npos; pos = nl + 1, ++n) {
    const json s = json::parse(samples.substr(pos, nl - pos));
    CHECK(s["doc_id"] == n);
    CHECK(s.contains("doc_hash"));
    CHECK(s["resps"].size() == 1);
    CHECK(s["filtered_resps"].contains("last-number"));
    CHECK((s["finish_reason"] == "stop" || s["finish_reason"] == "length" || s["finish_reason"] == "eos"));
    CHECK(s.contains("exact_match,last-number"));
  }
  CHECK(n == 12);
  // A second run in another folder (no cache to reuse) writes the same samples byte for byte.
  REQUIRE(run_lfmb(f.args(f.dir + "/b")).exit_code == 0);
  for (const char* t : {"samples_toy_mc.jsonl", "samples_toy_gen.jsonl"})
    CHECK(read_file(f.dir + "/a/" + t) == read_file(f.dir + "/b/" + t));
  // The same folder again: every response comes from the cache, same results.
  REQUIRE(run_lfmb(f.args(f.dir + "/a")).exit_code == 0);
  const json again = read_json(f.dir + "/a/results.json");
  CHECK(again["task_details"]["toy_mc"]["documents_from_cache"] == 12);
  CHECK(again["results"] == res["results"]);
}

TEST_CASE("eval --limit takes the first N documents of every subtask of a group", "[eval][cli]") {
  Fixture f;
  auto a = f.args(f.dir + "/lim", {"--limit", "3"});
  a[4] = "toy_all";
  const auto r = run_lfmb(a);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json res = read_json(f.dir + "/lim/results.json");
  CHECK(res["results"]["toy_mc"]["n_samples"] == 3);
  CHECK(res["results"]["toy_gen"]["n_samples"] == 3);
  CHECK(res["groups"]["toy_all"].contains("acc,none"));
}

TEST_CASE("loglikelihood equals the sum of log-softmax of lfmb logits at the continuation positions", "[eval][cli][reference]") {
  LFMB_REQUIRE_REFERENCE(ref);
  const std::string model = ref + "/qwen3-f32.gguf";
  const std::string dir = temp_dir();
  write_file(dir + "/tasks/ll.yaml", R"(task: ll
dataset_path: ll
dataset_kwargs: {data_files: {test: test.jsonl}}
output_type: multiple_choice
doc_to_text: "{{ctx}}"
doc_to_choice: "{{choices}}"
doc_to_target: 0
metric_list: [{metric: acc}]
)");
  write_file(dir + "/data/ll/test.jsonl", R"({"ctx": "The quick brown fox", "choices": ["jumps over", "sleeps"]})" "\n");
  const auto r = run_lfmb({"eval", "--model", model, "--tasks", "ll", "--include-path", dir + "/tasks", "--data-dir",
                           dir + "/data", "--output", dir + "/out", "--no-progress"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json sample = json::parse(read_file(dir + "/out/samples_ll.jsonl"));
  lfmb::GgufFile gguf(model);
  lfmb::Tokenizer tok = lfmb::Tokenizer::from_gguf(gguf);
  const std::vector<int32_t> ctx = tok.encode("The quick brown fox", true, true);
  for (int c = 0; c < 2; ++c) {
    const std::string cont = c == 0 ? " jumps over" : " sleeps";
    const std::vector<int32_t> whole = tok.encode("The quick brown fox" + cont, true, true);
    REQUIRE(whole.size() > ctx.size());
    std::string ids;
    for (size_t i = 0; i + 1 < whole.size(); ++i) ids += (i ? " " : "") + std::to_string(whole[i]);
    const auto lg = run_lfmb({"logits", "--model", model, "--tokens", ids, "--out", dir + "/logits.json"});
    REQUIRE(lg.exit_code == 0);
    const json logits = read_json(dir + "/logits.json")["logits"];
    double want = 0;
    for (size_t pos = ctx.size() - 1; pos + 1 < whole.size(); ++pos) {
      const auto& row = logits[pos];
      double mx = -1e30;
      for (const auto& v : row) mx = std::max(mx, v.get<double>());
      double sum = 0;
      for (const auto& v : row) sum += std::exp(v.get<double>() - mx);
      want += row[size_t(whole[pos + 1])].get<double>() - mx - std::log(sum);
    }
    CHECK(sample["resps"][size_t(c)][0].get<double>() == Approx(want).margin(1e-4));
  }
}

TEST_CASE("shards merged give the files of the unsharded run", "[eval][cli]") {
  Fixture f;
  REQUIRE(run_lfmb(f.args(f.dir + "/full")).exit_code == 0);
  REQUIRE(run_lfmb(f.args(f.dir + "/s1", {"--shard", "1/3"})).exit_code == 0);
  REQUIRE(run_lfmb(f.args(f.dir + "/s2", {"--shard", "2/3"})).exit_code == 0);
  REQUIRE(run_lfmb(f.args(f.dir + "/s3", {"--shard", "3/3"})).exit_code == 0);
  CHECK(read_json(f.dir + "/s2/results.json")["results"]["toy_mc"]["n_samples"] == 4);
  const auto m = run_lfmb({"eval", "merge", f.dir + "/s1", f.dir + "/s3", f.dir + "/s2", "--output", f.dir + "/merged"});
  INFO(m.err);
  REQUIRE(m.exit_code == 0);
  for (const char* t : {"samples_toy_mc.jsonl", "samples_toy_gen.jsonl", "results.md"})
    CHECK(read_file(f.dir + "/merged/" + t) == read_file(f.dir + "/full/" + t));
  CHECK(read_json(f.dir + "/merged/results.json")["results"] == read_json(f.dir + "/full/results.json")["results"]);
  // A missing shard is refused.
  const auto bad = run_lfmb({"eval", "merge", f.dir + "/s1", f.dir + "/s2", "--output", f.dir + "/m2"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("2 of 3 shards") != std::string::npos);
  // A shard file with a field of the wrong type (hand-edited) is an error naming that file.
  std::string samples = read_file(f.dir + "/s3/samples_toy_mc.jsonl");
  samples.replace(samples.find("\"doc_id\":"), 9, "\"doc_id\":\"x\",\"was\":");
  write_file(f.dir + "/s3/samples_toy_mc.jsonl", samples);
  const auto edited = run_lfmb({"eval", "merge", f.dir + "/s1", f.dir + "/s2", f.dir + "/s3", "--output", f.dir + "/m3"});
  CHECK(edited.exit_code == 1);
  CHECK_THAT(edited.err, Catch::Contains("s3/samples_toy_mc.jsonl: a field is missing or of the wrong type"));
  write_file(f.dir + "/s2/results.json", "{\"config\": [1]}");
  const auto foreign = run_lfmb({"eval", "merge", f.dir + "/s1", f.dir + "/s2", f.dir + "/s3", "--output", f.dir + "/m3"});
  CHECK(foreign.exit_code == 1);
  CHECK_THAT(foreign.err, Catch::Contains("s2/results.json: a field is missing or of the wrong type"));
  CHECK_FALSE(std::filesystem::exists(f.dir + "/m3"));
}

TEST_CASE("a killed eval rerun with the same command ends with the results of an uninterrupted run", "[eval][cli]") {
  Fixture f(120);
  REQUIRE(run_lfmb(f.args(f.dir + "/clean", {}, "toy_gen")).exit_code == 0);
  const std::vector<std::string> argv_s = [&] {
    std::vector<std::string> a = {LFMB_BINARY};
    for (const auto& x : f.args(f.dir + "/killed", {}, "toy_gen")) a.push_back(x);
    return a;
  }();
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::vector<char*> argv;
    for (const auto& s : argv_s) argv.push_back(const_cast<char*>(s.c_str()));
    argv.push_back(nullptr);
    freopen("/dev/null", "w", stderr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  // Kill it once some responses are in the cache (and before the end).
  size_t cached = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(f.dir + "/killed/cache.sqlite")) {
      try {
        lfmb::eval::ResponseCache c(f.dir + "/killed/cache.sqlite");
        cached = c.size();
      } catch (const std::exception&) {
      }
      if (cached >= 5) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(cached >= 5);
  const bool finished_first = fs::exists(f.dir + "/killed/results.json");
  const auto r = run_lfmb(f.args(f.dir + "/killed", {}, "toy_gen"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(f.dir + "/killed/samples_toy_gen.jsonl") == read_file(f.dir + "/clean/samples_toy_gen.jsonl"));
  if (!finished_first)
    CHECK(read_json(f.dir + "/killed/results.json")["task_details"]["toy_gen"]["documents_from_cache"].get<size_t>() >= 5);
}

TEST_CASE("lfmb eval score scores responses made elsewhere with one sample per input line in input order", "[eval][cli]") {
  Fixture f;
  write_file(f.dir + "/resp.jsonl",
             "{\"doc_id\": 3, \"response\": \"I think 2 then 3\"}\n"           // doc 3's answer is 3
             "{\"doc_id\": 0, \"response\": \"no digits\"}\n"                   // no number: null, 0
             "{\"target\": \"42\", \"response\": \"so 41 or rather 42\"}\n"     // inline target
             "{\"doc_id\": 3, \"response\": \"4\"}\n");                         // the same doc again
  const auto r = run_lfmb({"eval", "score", "--task", "toy_gen", "--responses", f.dir + "/resp.jsonl", "--output",
                           f.dir + "/scored", "--data-dir", f.data, "--include-path", f.tasks});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string s = read_file(f.dir + "/scored/samples_toy_gen.jsonl");
  std::vector<json> lines;
  for (size_t pos = 0, nl; (nl = s.find('\n', pos)) != std::string::npos; pos = nl + 1) lines.push_back(json::parse(s.substr(pos, nl - pos)));
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]["filtered_resps"]["last-number"] == "3");
  CHECK(lines[0]["exact_match,last-number"] == 1.0);
  CHECK(lines[1]["filtered_resps"]["last-number"].is_null());
  CHECK(lines[1]["exact_match,last-number"] == 0.0);
  CHECK(lines[2]["exact_match,last-number"] == 1.0);
  CHECK(lines[3]["exact_match,last-number"] == 0.0);
  CHECK(read_json(f.dir + "/scored/results.json")["results"]["toy_gen"]["exact_match,last-number"] == Approx(0.5));
  // An optional field of the wrong type is an error naming the file and line, and nothing is written.
  write_file(f.dir + "/resp2.jsonl", "{\"doc_id\": 3, \"response\": \"3\"}\n{\"doc_id\": 0, \"response\": \"1\", \"finish_reason\": 7}\n");
  const auto bad = run_lfmb({"eval", "score", "--task", "toy_gen", "--responses", f.dir + "/resp2.jsonl", "--output",
                             f.dir + "/scored2", "--data-dir", f.data, "--include-path", f.tasks});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("resp2.jsonl:2: a field has the wrong type"));
  CHECK_FALSE(std::filesystem::exists(f.dir + "/scored2"));
}

TEST_CASE("bad eval input gets one line and a non-zero exit", "[eval][cli]") {
  Fixture f;
  auto one_line = [](const lfmb::test::RunResult& r) {
    return r.err.find('\n') == r.err.size() - 1;
  };
  auto a = f.args(f.dir + "/x");
  a[4] = "toy_mcc";
  const auto bad_name = run_lfmb(a);
  CHECK(bad_name.exit_code == 1);
  CHECK(bad_name.err.find("unknown task 'toy_mcc'") != std::string::npos);
  CHECK(bad_name.err.find("toy_mc") != std::string::npos);  // the closest name is suggested
  CHECK(one_line(bad_name));

  fs::remove(f.data + "/toy/train.jsonl");
  const auto missing = run_lfmb(f.args(f.dir + "/x"));
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("train.jsonl") != std::string::npos);
  CHECK(missing.err.find("not found") != std::string::npos);
  CHECK(one_line(missing));

  write_file(f.data + "/toy/train.jsonl", "{\"q\": \"warm up\", \"choices\": [\"a\", \"b\"], \"gold\"");
  const auto truncated = run_lfmb(f.args(f.dir + "/x"));
  CHECK(truncated.exit_code == 1);
  CHECK(truncated.err.find("train.jsonl:1") != std::string::npos);
  CHECK(one_line(truncated));

  write_file(f.tasks + "/toy_gen.yaml", read_file(f.tasks + "/toy_gen.yaml") + "max_gen_tokens: 5\n");
  const auto bad_key = run_lfmb(f.args(f.dir + "/x"));
  CHECK(bad_key.exit_code == 1);
  CHECK(bad_key.err.find("toy_gen.yaml:") != std::string::npos);
  CHECK(bad_key.err.find("max_gen_tokens") != std::string::npos);
  CHECK(one_line(bad_key));
  CHECK_FALSE(fs::exists(f.dir + "/x/results.json"));
}

TEST_CASE("the shipped eval configs resolve every task and setting", "[eval][cli][datasets]") {
  LFMB_REQUIRE_DATASET_FILE(sources, "SOURCES.md");
  for (const char* cfg : {"card.yaml", "ci.yaml"}) {
    const auto r = run_lfmb({"eval", std::string(LFMB_SOURCE_DIR) + "/configs/eval/" + cfg, "--dry-run"});
    INFO(cfg << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("|gsm8k_cot_llama|generate_until|") != std::string::npos);
    CHECK(r.out.find("|gpqa_diamond|multiple_choice|") != std::string::npos);
  }
  const auto card = run_lfmb({"eval", std::string(LFMB_SOURCE_DIR) + "/configs/eval/card.yaml", "--dry-run"});
  CHECK(card.out.find("|mmlu_abstract_algebra|multiple_choice|100|5|yes||") != std::string::npos);
  CHECK(card.out.find("|math500|generate_until|500|0|yes|4096|") != std::string::npos);
  CHECK(card.out.find("|mgsm_zh|generate_until|250|0|yes|1024|") != std::string::npos);
  // MMMLU's CSVs are user-supplied: skipped here, and the reason names what to download.
  CHECK(card.out.find("skipped: mmmlu_de_de") != std::string::npos);
  CHECK(card.err.find("openai/MMMLU") != std::string::npos);
  // The code and writing benchmarks: HumanEval+ runs; LiveCodeBench's files are user-supplied;
  // Creative Writing v3 without a judge is skipped with the options that name one.
  CHECK(card.out.find("|humaneval_plus|generate_until|164|0|yes|768|") != std::string::npos);
  CHECK(card.out.find("skipped: livecodebench_v6") != std::string::npos);
  CHECK(card.out.find("skipped: creative_writing_v3") != std::string::npos);
  CHECK(card.err.find("creative_writing_v3 needs an LLM judge: pass --judge-url") != std::string::npos);
  const auto judged = run_lfmb({"eval", "--tasks", "creative_writing_v3", "--apply-chat-template", "--dry-run",
                                "--judge-url", "http://127.0.0.1:9/v1", "--judge-model", "judge-x"});
  CHECK(judged.out.find("|creative_writing_v3|generate_until|96|0|yes|4000|") != std::string::npos);
}

TEST_CASE("eval --gen-kwargs overrides the task's generation settings as lm-eval's --gen_kwargs", "[eval][cli]") {
  Fixture f(4);
  const auto r = run_lfmb(f.args(f.dir + "/gk", {"--gen-kwargs", "max_gen_toks=2,until=zz,until=yy"}, "toy_gen"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json s = json::parse(read_file(f.dir + "/gk/samples_toy_gen.jsonl").substr(0, read_file(f.dir + "/gk/samples_toy_gen.jsonl").find('\n')));
  CHECK(s["arguments"][1]["max_gen_toks"] == 2);
  CHECK(s["arguments"][1]["until"] == json::array({"zz", "yy"}));
  CHECK(s["generated_tokens"].get<int>() <= 2);
  const auto bad = run_lfmb(f.args(f.dir + "/gk2", {"--gen-kwargs", "temprature=0.5"}, "toy_gen"));
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("unknown key 'temprature'") != std::string::npos);
}

TEST_CASE("eval --batch-size decodes requests together and writes the samples of one at a time", "[eval][cli][batch]") {
  Fixture f(23);
  for (const std::string sampling : {"do_sample=false", "do_sample=true,temperature=0.8,top_k=20"}) {
    INFO(sampling);
    const std::string one = f.dir + "/one-" + sampling.substr(10, 4), many = f.dir + "/many-" + sampling.substr(10, 4);
    REQUIRE(run_lfmb(f.args(one, {"--gen-kwargs", sampling}, "toy_gen")).exit_code == 0);
    const auto r = run_lfmb(f.args(many, {"--gen-kwargs", sampling, "--batch-size", "5"}, "toy_gen"));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(read_file(one + "/samples_toy_gen.jsonl") == read_file(many + "/samples_toy_gen.jsonl"));
    const json res = read_json(many + "/results.json");
    CHECK(res["config"]["batch_size"] == 5);
    CHECK(res["task_details"]["toy_gen"]["documents_from_cache"] == 0);
    CHECK(res["results"] == read_json(one + "/results.json")["results"]);
  }
  for (const std::string bad : {"0", "4097", "123456789012"}) {
    const auto r = run_lfmb(f.args(f.dir + "/bad", {"--batch-size", bad}, "toy_gen"));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--batch-size: expected a whole number from 1 to 4096, got '" + bad + "'") != std::string::npos);
  }
  // -b NAME is the backend, as in the other commands; the prefill chunk stays the config's n_batch.
  const auto named = run_lfmb(f.args(f.dir + "/named", {"-b", "reference", "-b", "2"}, "toy_gen"));
  INFO(named.err);
  REQUIRE(named.exit_code == 0);
  const json cfg = read_json(f.dir + "/named/results.json")["config"];
  CHECK(cfg["backend"] == "reference");
  CHECK(cfg["batch_size"] == 2);
  const auto twice = run_lfmb(f.args(f.dir + "/twice", {"-b", "2", "--batch-size", "3"}, "toy_gen"));
  CHECK(twice.exit_code == 2);
  CHECK(twice.err.find("--batch-size given twice") != std::string::npos);
}
