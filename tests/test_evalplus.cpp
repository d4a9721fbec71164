// HumanEval+ (eval/code/evalplus_*): the prompt, the sanitizer, the checker's comparisons, ground
// truth, statuses and pass@1, with hand-made cases from reading evalplus/evalplus 26d6d00bb1fd
// (sanitize.py, eval/__init__.py, evaluate.py). Every candidate here is hand-written; all of it
// runs through run_sandboxed. Without a sandbox these tests warn and skip (fail under CI=true).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "eval/code/evalplus_check.h"
#include "eval/code/evalplus_groundtruth.h"
#include "eval/code/evalplus_problems.h"
#include "eval/code/evalplus_sandbox.h"
#include "eval/code/evalplus_scorer.h"
#include "eval/prompt_builder.h"
#include "eval/run/eval_run.h"
#include "eval/sandbox/sandbox.h"
#include "eval/task_docs.h"
#include "eval/task_index.h"
#include "test_support.h"

using namespace lfmb::eval;
using nlohmann::json;

namespace {

bool have_sandbox() {
  std::string why;
  if (sandbox_available(&why)) return true;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") FAIL("the code sandbox is required under CI=true: " << why);
  WARN("skipped: the code sandbox is not available here (" << why << ")");
  return false;
}

std::string sanitize(const std::string& response, const std::string& entry = "f") {
  return evalplus_sanitize(response, entry);
}

// A hand-made problem: its dataset line as HumanEvalPlus.jsonl has it.
EvalplusProblem make_problem(const std::string& id, const std::string& entry, const std::string& canonical,
                             const std::string& base_json, const std::string& plus_json, double atol = 0) {
  const json line = {{"task_id", id},           {"prompt", ""},
                     {"entry_point", entry},    {"canonical_solution", canonical},
                     {"base_input", json::parse(base_json)}, {"plus_input", json::parse(plus_json)},
                     {"atol", atol}};
  EvalplusProblem p;
  p.task_id = id;
  p.entry_point = entry;
  p.line = line.dump();
  p.n_base = line["base_input"].size();
  p.n_plus = line["plus_input"].size();
  return p;
}

EvalplusGroundTruth truth(const EvalplusProblem& p) {
  return evalplus_ground_truth({&p}, "", 1, false).at(p.task_id);
}

std::string code_block(const std::string& code) { return "Here you go:\n```python\n" + code + "```\nDone."; }

// The real dataset's problems (nullopt-skip when the data is missing).
const std::map<std::string, EvalplusProblem>* real_problems() {
  static std::map<std::string, EvalplusProblem> problems;
  static bool loaded = false;
  if (!loaded) {
    auto f = lfmb::test::dataset_file("humaneval_plus/HumanEvalPlus.jsonl");
    if (!f) return nullptr;
    problems = load_evalplus_problems(*f);
    loaded = true;
  }
  return &problems;
}

}  // namespace

TEST_CASE("humaneval_plus renders evalplus's OpenAI chat prompt", "[evalplus]") {
  LFMB_REQUIRE_DATASET_FILE(file, "humaneval_plus/HumanEvalPlus.jsonl");
  const std::string data = std::filesystem::path(file).parent_path().parent_path().string();
  const TaskIndex idx({default_tasks_dir()});
  const TaskConfig& t = idx.task("humaneval_plus");
  const auto docs = load_split_docs(t, "test", data);
  REQUIRE(docs.size() == 164);
  const TaskPrompts prompts(t);
  // codegen.py passes prompt.strip() + "\n"; provider/openai.py strips again and fences it.
  const std::string p0 = docs[0]["prompt"].get<std::string>();
  const std::string want = "Please provide a self-contained Python script that solves the following problem in a "
                           "markdown code block:\n```python\n" +
                           p0.substr(0, p0.find_last_not_of(" \n") + 1) + "\n```";
  CHECK(prompts.text(docs[0]) == want);
  CHECK(prompts.text(docs[0]).find("```python\nfrom typing import List\n") != std::string::npos);
  CHECK(t.generation_kwargs["max_gen_toks"] == 768);
  CHECK(t.generation_kwargs["until"].empty());
  CHECK(t.process_results == "evalplus");
  CHECK(t.metadata["headline"] == "pass@1,sanitize");
  CHECK(prompts.target(docs[0]) == "HumanEval/0");
}

TEST_CASE("the HumanEval+ file keeps every problem's exact line", "[evalplus]") {
  const auto* ps = real_problems();
  if (!ps) return;
  REQUIRE(ps->size() == 164);
  const EvalplusProblem& p53 = ps->at("HumanEval/53");
  CHECK(p53.entry_point == "add");
  CHECK(p53.n_base == 105);
  CHECK(p53.n_plus == 866);
  // An integer beyond 64 bits survives as text (a C++ JSON value would turn it into a double).
  CHECK(ps->at("HumanEval/34").line.find("999999999999999999999999999999999") != std::string::npos);
  const std::string dir = lfmb::test::temp_dir();
  lfmb::test::write_file(dir + "/bad.jsonl", "{\"task_id\": \"X\"}\n");
  CHECK_THROWS_WITH(load_evalplus_problems(dir + "/bad.jsonl"), Catch::Contains("bad.jsonl:1: field 'prompt'"));
}

TEST_CASE("the evalplus sanitizer keeps the longest parsable span and what the entry point reaches", "[evalplus]") {
  if (!have_sandbox()) return;
  // Prose around one block: only the code.
  CHECK(sanitize("Sure! Here it is:\n```python\ndef f(x):\n    return x + 1\n```\nHope this helps.") ==
        "def f(x):\n    return x + 1");
  // Several blocks: the longest parsable contiguous span wins (non-blank lines counted).
  CHECK(sanitize("```python\ndef f(x):\n    return 1\n```\nOr better:\n```python\ndef f(x):\n    y = x * 2\n\n\n    "
                 "return y\n```") == "def f(x):\n    y = x * 2\n\n\n    return y");
  // Reachable helpers stay, unreachable ones go; imports always stay; top-level calls go.
  CHECK(sanitize(code_block("import math\nimport os\n\ndef helper(a):\n    return a * 2\n\ndef unused():\n    return 0\n\n"
                            "def f(x):\n    return helper(x)\n\nprint(f(3))\n")) ==
        "import math\nimport os\ndef helper(a):\n    return a * 2\ndef f(x):\n    return helper(x)");
  // Reachability is transitive and goes through constants and classes.
  CHECK(sanitize(code_block("SCALE = 3\nclass Box:\n    def get(self):\n        return SCALE\n\ndef mk():\n    return Box()\n\n"
                            "def f(x):\n    return mk().get() * x\n")) ==
        "SCALE = 3\nclass Box:\n    def get(self):\n        return SCALE\ndef mk():\n    return Box()\ndef f(x):\n    "
        "return mk().get() * x");
  // A function without a return statement is dropped even when reachable.
  CHECK(sanitize(code_block("def log(x):\n    print(x)\n\ndef f(x):\n    log(x)\n    return x\n")) ==
        "def f(x):\n    log(x)\n    return x");
  // Duplicates: the first top-level assignment / definition of a name wins.
  CHECK(sanitize(code_block("K = 1\nK = 2\ndef f(x):\n    return x + K\n")) == "K = 1\ndef f(x):\n    return x + K");
  CHECK(sanitize(code_block("def f(x):\n    return 1\n\ndef f(x):\n    return 2\n")) == "def f(x):\n    return 1");
  // tree-sitter's naming of assignments: `a, b = pair` is named by its right side.
  CHECK(sanitize(code_block("pair = (1, 2)\nlo, hi = pair\ndef f(x):\n    return x + lo\n")) ==
        "def f(x):\n    return x + lo");
  // Decorated definitions and `from __future__` imports are other node types there: dropped.
  CHECK(sanitize(code_block("from __future__ import annotations\nimport functools\n@functools.lru_cache(None)\n"
                            "def g(n):\n    return n\n\ndef f(x):\n    return g(x)\n")) ==
        "import functools\ndef f(x):\n    return g(x)");
  // ANSI escapes are removed first.
  CHECK(sanitize("\x1b[32mdef f(x):\n    return x\x1b[0m\n") == "def f(x):\n    return x");
}

TEST_CASE("the evalplus sanitizer falls back to the longest parsable span", "[evalplus]") {
  if (!have_sandbox()) return;
  // No definition to keep (no function with a return): code_extract's span as it is.
  CHECK(sanitize("Run this:\nx = [1, 2]\nprint(sum(x))\nThat prints 3.") == "x = [1, 2]\nprint(sum(x))");
  // A one-line answer after prose: spans have at least two lines, so nothing parses and the
  // first line is returned (upstream's quirk, kept).
  CHECK(sanitize("Sure!\ndef f(x): return x") == "Sure!");
  // Without an entry point among the definitions only imports survive the reachability pass.
  CHECK(sanitize(code_block("import re\ndef other(x):\n    return x\n")) == "import re");
}

TEST_CASE("evalplus comparisons follow untrusted_check", "[evalplus]") {
  if (!have_sandbox()) return;
  EvalplusSettings s;
  auto status = [&](const EvalplusProblem& p, const EvalplusGroundTruth& gt, const std::string& code) {
    const EvalplusCheck c = evalplus_check(p, gt, code_block(code), s);
    INFO(c.error);
    return c.base.status + "/" + c.plus.status;
  };
  // Floats: atol 0 becomes 1e-6 for float outputs; allclose with rtol 1e-7.
  const EvalplusProblem fl = make_problem("T/float", "f", "def f(x):\n    return x / 10\n", "[[1.0], [2.0]]", "[[3.0]]");
  const EvalplusGroundTruth gfl = truth(fl);
  CHECK(status(fl, gfl, "def f(x):\n    return x * 0.1\n") == "pass/pass");               // 0.30000000000000004 vs 0.3
  CHECK(status(fl, gfl, "def f(x):\n    return x / 10 + 5e-7\n") == "pass/pass");         // inside 1e-6
  CHECK(status(fl, gfl, "def f(x):\n    return x / 10 + 2e-6\n") == "fail/fail");         // outside
  CHECK(status(fl, gfl, "def f(x):\n    return str(x / 10)\n") == "fail/fail");           // wrong type
  // Tuples vs lists: == says no, and with floats the types must match before allclose.
  const EvalplusProblem tu = make_problem("T/tuple", "f", "def f(x):\n    return (x, x + 1)\n", "[[1]]", "[[2]]");
  const EvalplusGroundTruth gtu = truth(tu);
  CHECK(status(tu, gtu, "def f(x):\n    return [x, x + 1]\n") == "fail/fail");
  CHECK(status(tu, gtu, "def f(x):\n    return (x, x + 1)\n") == "pass/pass");
  CHECK(status(tu, gtu, "def f(x):\n    return (x * 1.0, x + 1.0)\n") == "pass/pass");  // 1.0 == 1 in Python
  const EvalplusProblem tf = make_problem("T/tuplef", "f", "def f(x):\n    return (x / 2, x / 4)\n", "[[1.0]]", "[[3.0]]");
  const EvalplusGroundTruth gtf = truth(tf);
  CHECK(status(tf, gtf, "def f(x):\n    return [x / 2, x / 4]\n") == "fail/fail");
  CHECK(status(tf, gtf, "def f(x):\n    return (x / 2 + 1e-9, x / 4)\n") == "pass/pass");
  CHECK(status(tf, gtf, "def f(x):\n    return (x / 2,)\n") == "fail/fail");               // length differs
  // Integers, bools, None: plain ==.
  const EvalplusProblem in = make_problem("T/int", "f", "def f(x):\n    return None if x < 0 else x > 2\n", "[[3], [1]]",
                                          "[[-1]]");
  const EvalplusGroundTruth gin = truth(in);
  CHECK(status(in, gin, "def f(x):\n    if x < 0:\n        return None\n    return int(x > 2)\n") == "pass/pass");  // 1 == True
  CHECK(status(in, gin, "def f(x):\n    return x > 2\n") == "pass/fail");                 // False != None
  // The atol set by a float output stays for the later inputs (upstream's loop variable).
  const EvalplusProblem carry = make_problem("T/carry", "f",
                                             "def f(x):\n    return x / 2 if isinstance(x, float) else [x, x + 1]\n",
                                             "[[1.0], [1]]", "[[1], [1.0]]");
  const EvalplusGroundTruth gcarry = truth(carry);
  const std::string near = "def f(x):\n    return x / 2 if isinstance(x, float) else [x, x + 1 + 1e-7]\n";
  CHECK(status(carry, gcarry, near) == "pass/fail");  // base: float first; plus: the list comes first (atol 0)
}

TEST_CASE("evalplus checks find_zero with its polynomial oracle", "[evalplus]") {
  if (!have_sandbox()) return;
  const auto* ps = real_problems();
  if (!ps) return;
  const EvalplusProblem& p = ps->at("HumanEval/32");
  const EvalplusGroundTruth gt = truth(p);
  CHECK(gt.base_time.size() == p.n_base);
  CHECK(gt.plus_time.size() == p.n_plus);
  EvalplusSettings s;
  // Bisection finds a root, not necessarily Newton's root from the canonical solution: the oracle
  // accepts any x with |poly(xs, x)| <= atol (1e-4).
  const std::string bisect =
      "import math\n\ndef poly(xs, x):\n    return sum(c * math.pow(x, i) for i, c in enumerate(xs))\n\n"
      "def find_zero(xs):\n    lo, hi = -1.0, 1.0\n    while poly(xs, lo) * poly(xs, hi) > 0:\n        lo *= 2\n        hi *= 2\n"
      "    for _ in range(200):\n        mid = (lo + hi) / 2\n        if poly(xs, lo) * poly(xs, mid) <= 0:\n            hi = mid\n"
      "        else:\n            lo = mid\n    return lo\n";
  const EvalplusCheck good = evalplus_check(p, gt, code_block(bisect), s);
  INFO(good.error);
  CHECK(good.base.status == "pass");
  CHECK(good.plus.status == "fail");  // plus has coefficients up to 9450000: math.pow overflows, or |f| > 1e-4
  // Any root passes, not only the canonical one: x^3 - 6x^2 + 11x - 6 has roots 1, 2 and 3.
  const EvalplusProblem cubic = make_problem("T/find_zero", "find_zero", "def find_zero(xs):\n    return 1.0\n",
                                             "[[[-6, 11, -6, 1]]]", "[[[-6, 11, -6, 1]]]", 1e-4);
  const EvalplusGroundTruth gc = truth(cubic);
  CHECK(evalplus_check(cubic, gc, code_block("def find_zero(xs):\n    return 3.0\n"), s).base.status == "pass");
  CHECK(evalplus_check(cubic, gc, code_block("def find_zero(xs):\n    return 3.00001\n"), s).base.status == "pass");
  CHECK(evalplus_check(cubic, gc, code_block("def find_zero(xs):\n    return 2.5\n"), s).base.status == "fail");
  CHECK(evalplus_check(cubic, gc, code_block("def find_zero(xs):\n    return 'x'\n"), s).base.status == "fail");
  const EvalplusCheck bad = evalplus_check(p, gt, code_block("def find_zero(xs):\n    return 0.0\n"), s);
  CHECK(bad.base.status == "fail");
  CHECK(bad.base.fail_index.has_value());
}

TEST_CASE("evalplus ground truth keeps big integers and is cached", "[evalplus]") {
  if (!have_sandbox()) return;
  const auto* ps = real_problems();
  if (!ps) return;
  const EvalplusProblem& p = ps->at("HumanEval/53");
  const std::string cache = lfmb::test::temp_dir() + "/gt";
  const auto first = evalplus_ground_truth({&p}, cache, 1, false).at(p.task_id);
  CHECK_FALSE(first.from_cache);
  CHECK(first.base_time.size() == 105);
  CHECK(first.plus_time.size() == 866);
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(cache)) files += e.path().extension() == ".json";
  CHECK(files == 1);
  const auto again = evalplus_ground_truth({&p}, cache, 1, false).at(p.task_id);
  CHECK(again.from_cache);
  CHECK(again.plus == first.plus);
  CHECK(again.plus_time == first.plus_time);
  EvalplusSettings s;
  // Exact: a sum through floats passes the small base inputs but not the plus inputs beyond 2^53.
  const EvalplusCheck ok = evalplus_check(p, again, code_block("def add(x, y):\n    return x + y\n"), s);
  INFO(ok.error);
  CHECK(ok.base.status == "pass");
  CHECK(ok.plus.status == "pass");
  const EvalplusCheck fl = evalplus_check(p, again, code_block("def add(x, y):\n    return int(float(x) + float(y))\n"), s);
  CHECK(fl.base.status == "pass");
  CHECK(fl.plus.status == "fail");
}

TEST_CASE("evalplus statuses: per-input limits fail and a silent process times out", "[evalplus]") {
  if (!have_sandbox()) return;
  EvalplusSettings s;
  s.min_time_limit = 0.5;  // evalplus --min-time-limit, to keep the test short
  const EvalplusProblem p = make_problem("T/time", "f", "def f(x):\n    return x\n", "[[1]]", "[[2]]");
  const EvalplusGroundTruth gt = truth(p);
  // A loop inside the function: the per-input ITIMER_REAL raises, which is a FAIL upstream.
  const EvalplusCheck loop = evalplus_check(p, gt, code_block("def f(x):\n    while True:\n        pass\n    return x\n"), s);
  CHECK(loop.base.status == "fail");
  CHECK(loop.plus.status == "fail");
  CHECK(loop.base.seconds >= 0.5);
  // A hang at module level (exec has no limit upstream): the process never reports, TIMEOUT.
  const std::string hang = "def f(x):\n    return x\n\nX = 1\nwhile X:\n    X = X\n";
  const EvalplusCheck to = evalplus_check(p, gt, hang, s);
  INFO(to.error);
  CHECK(to.sanitized == "def f(x):\n    return x");  // the sanitizer drops the loop: it passes
  CHECK(to.base.status == "pass");
  const EvalplusCheck to2 = evalplus_check(p, gt, "```python\nwhile True:\n    pass\n```", s);
  CHECK(to2.base.status == "timeout");
  CHECK(to2.plus.status == "timeout");
  // A process that exits without reporting (os._exit) is TIMEOUT too, as upstream.
  const EvalplusCheck ex = evalplus_check(p, gt, code_block("import os\ndef f(x):\n    os._exit(0)\n    return x\n"), s);
  CHECK(ex.base.status == "timeout");
}

TEST_CASE("humaneval_plus scores pass@1 for HumanEval+ and HumanEval", "[evalplus]") {
  if (!have_sandbox()) return;
  LFMB_REQUIRE_DATASET_FILE(file, "humaneval_plus/HumanEvalPlus.jsonl");
  const std::string data = std::filesystem::path(file).parent_path().parent_path().string();
  const TaskIndex idx({default_tasks_dir()});
  const TaskConfig& t = idx.task("humaneval_plus");
  const auto docs = load_split_docs(t, "test", data);
  auto doc = [&](size_t id, const std::string& response) {
    DocResult d;
    d.doc_id = id;
    d.doc = docs[id];
    d.response = response;
    d.finish_reason = "stop";
    return d;
  };
  const std::vector<DocResult> rs = {
      doc(0, code_block("def has_close_elements(numbers, threshold):\n    for i, a in enumerate(numbers):\n        for b in "
                        "numbers[i + 1:]:\n            if abs(a - b) < threshold:\n                return True\n    return False\n")),
      doc(0, code_block("def has_close_elements(numbers, threshold):\n    for i in range(len(numbers) - 1):\n        if "
                        "abs(numbers[i] - numbers[i + 1]) < threshold:\n            return True\n    return False\n")),
      doc(53, "<think>\nadd them\n</think>\n" + code_block("def add(x, y):\n    return int(float(x) + float(y))\n")),
  };
  EvalplusOptions o = evalplus_options(t, data);
  o.cache_dir = lfmb::test::temp_dir() + "/gt";
  o.progress = false;
  const TaskScores s = score_evalplus(t, rs, o);
  REQUIRE(s.samples.size() == 3);
  CHECK(s.samples[0]["base_status"] == "pass");
  CHECK(s.samples[0]["plus_status"] == "pass");
  CHECK(s.samples[1]["base_status"] == "fail");
  CHECK(s.samples[2]["base_status"] == "pass");
  CHECK(s.samples[2]["plus_status"] == "fail");
  CHECK(s.samples[2]["filtered_resps"]["sanitize"] == "def add(x, y):\n    return int(float(x) + float(y))");
  CHECK(s.samples[2]["pass@1,sanitize"] == 0.0);
  CHECK(s.samples[2]["pass@1_base,sanitize"] == 1.0);
  CHECK(s.metrics.at("pass@1,sanitize").value == Approx(1.0 / 3));
  CHECK(s.metrics.at("pass@1_base,sanitize").value == Approx(2.0 / 3));
  // mean_stderr of {1, 0, 0}: sqrt(1/3) / sqrt(3).
  CHECK(*s.metrics.at("pass@1,sanitize").stderr_ == Approx(1.0 / 3));
  CHECK(s.extra["status_counts"]["plus"]["fail"] == 2);  // plus runs whatever base gave, as check_correctness
  CHECK(s.extra["status_counts"]["base"]["pass"] == 2);
  CHECK(s.extra["n_timeout_base"] == 0);
  CHECK(s.extra["headline"] == "pass@1,sanitize");
}

TEST_CASE("lfmb eval score takes humaneval_plus responses by task_id or doc_id", "[evalplus]") {
  if (!have_sandbox()) return;
  LFMB_REQUIRE_DATASET_FILE(file, "humaneval_plus/HumanEvalPlus.jsonl");
  const std::string data = std::filesystem::path(file).parent_path().parent_path().string();
  const std::string dir = lfmb::test::temp_dir();
  setenv("XDG_CACHE_HOME", (dir + "/xdg").c_str(), 1);
  json a = {{"task_id", "HumanEval/53"}, {"response", code_block("def add(x, y):\n    return x + y\n")}};
  json b = {{"doc_id", 53}, {"solution", "def add(x, y):\n    return x - y\n"}};  // evalplus's own field name
  lfmb::test::write_file(dir + "/r.jsonl", a.dump() + "\n" + b.dump() + "\n");
  ScoreOptions so;
  so.task = "humaneval_plus";
  so.responses_path = dir + "/r.jsonl";
  so.output_dir = dir + "/out";
  so.data_dir = data;
  score_offline(so);
  const std::string samples = lfmb::test::read_file(dir + "/out/samples_humaneval_plus.jsonl");
  const json s0 = json::parse(samples.substr(0, samples.find('\n')));
  const json s1 = json::parse(samples.substr(samples.find('\n') + 1));
  CHECK(s0["plus_status"] == "pass");
  CHECK(s1["base_status"] == "fail");
  const json r = json::parse(lfmb::test::read_file(dir + "/out/results.json"));
  CHECK(r["results"]["humaneval_plus"]["pass@1,sanitize"] == 0.5);
  CHECK(r["results"]["humaneval_plus"].contains("pass@1_stderr,sanitize"));
  CHECK(std::filesystem::exists(dir + "/xdg/lfmb/evalplus"));
  unsetenv("XDG_CACHE_HOME");
}
