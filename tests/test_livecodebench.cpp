// LiveCodeBench (eval/code/lcb_*): the private-test decoder (base64 / zlib / pickle str / JSON), the
// program extraction, the shipped tasks' data selection and prompt, and grading in the code
// sandbox through `lfmb eval score` on the hand-made fixtures in tests/data/livecodebench
// (make_fixtures.py). Expected values come from reading LiveCodeBench 28fef95ea8c9 and from
// CPython 3.11 (base64.b64decode, zlib.decompress, pickle.loads) run on the same inputs.
// Programs (stand-ins for model output) only ever run inside run_sandboxed.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <cmath>
#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "eval/code/lcb_dataset.h"
#include "eval/code/lcb_extract.h"
#include "eval/code/lcb_pickle_str.h"
#include "eval/code/lcb_score.h"
#include "eval/code/lcb_tests.h"
#include "eval/prompt_builder.h"
#include "eval/sandbox/sandbox.h"
#include "eval/task_docs.h"
#include "eval/task_index.h"
#include "test_support.h"

using namespace lfmb;
using namespace lfmb::eval;
using lfmb::test::read_file;
using lfmb::test::run_lfmb;
using lfmb::test::temp_dir;
using lfmb::test::write_file;
using nlohmann::json;
using namespace std::string_literals;

using lfmb::test::error_of;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const std::string kFixtures = std::string(LFMB_SOURCE_DIR) + "/tests/data";

std::vector<json> lcb_jsonl(const std::string& text) {
  std::vector<json> out;
  for (size_t pos = 0, nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1)
    out.push_back(json::parse(text.substr(pos, nl - pos)));
  return out;
}

// Tests that run programs need the sandbox: without one they fail under CI=true, else warn and skip.
bool sandbox_or_skip() {
  std::string why;
  if (sandbox_available(&why)) return true;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") FAIL("the code sandbox is required under CI: " << why);
  WARN("skipped: no code sandbox here (" << why << ")");
  return false;
}

}  // namespace

TEST_CASE("base64 decoding follows Python b64decode in its non-strict mode", "[livecodebench]") {
  CHECK(py_b64decode("QUJD") == "ABC");
  CHECK(py_b64decode("QQ==") == "A");
  CHECK(py_b64decode("QUI=") == "AB");
  CHECK(py_b64decode("Q Q=\n=!") == "A");     // characters outside the alphabet skipped
  CHECK(py_b64decode("=QUJD") == "ABC");      // padding before a quantum's third character skipped
  CHECK(py_b64decode("Q=UJD") == "ABC");
  CHECK(py_b64decode("QQ==QUJD") == "A");     // the first completed quantum with padding ends the data
  CHECK(py_b64decode("QUJ=D===") == "AB");
  CHECK(py_b64decode("") == "");
  CHECK(contains(error_of([] { py_b64decode("QQ"); }), "Incorrect padding"));
  CHECK(contains(error_of([] { py_b64decode("QUJDQ"); }), "cannot be 1 more than a multiple of 4"));
}

TEST_CASE("zlib inflation is bounded and refuses truncated streams", "[livecodebench]") {
  CHECK(zlib_inflate(py_b64decode("eJxLTEoGAAJNASc="), 100) == "abc");
  CHECK(zlib_inflate(py_b64decode("eJxLTEoGAAJNASdqdW5r"), 100) == "abc");  // bytes after the stream ignored
  CHECK(contains(error_of([] { zlib_inflate(py_b64decode("eJxLTEoGAAI="), 100); }), "truncated"));
  CHECK(contains(error_of([] { zlib_inflate("not zlib at all", 100); }), "zlib: Error"));
  CHECK(contains(error_of([] { zlib_inflate(py_b64decode("eJxLTEoGAAJNASc="), 2); }), "exceeds the cap of 2 bytes"));
  CHECK(contains(error_of([] { zlib_inflate("", 100); }), "truncated"));
}

TEST_CASE("the pickle reader takes exactly the opcodes of one pickled str", "[livecodebench]") {
  // pickle.dumps('ab', protocol=4): PROTO FRAME SHORT_BINUNICODE MEMOIZE STOP.
  CHECK(unpickle_str("\x80\x04\x95\x06\0\0\0\0\0\0\0\x8c\x02" "ab\x94."s) == "ab");
  CHECK(unpickle_str("\x80\x05\x95\x06\0\0\0\0\0\0\0\x8c\x02" "ab\x94."s) == "ab");
  CHECK(unpickle_str("\x80\x04X\x02\0\0\0ab."s) == "ab");                             // BINUNICODE
  CHECK(unpickle_str("\x80\x04\x8d\x02\0\0\0\0\0\0\0ab\x94."s) == "ab");              // BINUNICODE8
  CHECK(unpickle_str("\x8c\x03\xc3\xa9z."s) == "\xc3\xa9z");                          // UTF-8, no PROTO needed
  CHECK(unpickle_str("\x80\x04\x8c\x02" "ab\x94.garbage"s) == "ab");                   // after STOP: ignored, as pickle.loads
  // Refused: code-running opcodes (GLOBAL 'c', REDUCE 'R'), memo puts of older protocols, others.
  CHECK(contains(error_of([] { unpickle_str("\x80\x04" "cos\nsystem\n."s); }), "opcode 0x63 at byte 2 is not accepted"));
  CHECK(contains(error_of([] { unpickle_str("\x80\x02X\x02\0\0\0abq\0."s); }), "opcode 0x71"));
  CHECK(contains(error_of([] { unpickle_str("\x8c\x01" "aR."s); }), "opcode 0x52"));
  CHECK(contains(error_of([] { unpickle_str("\x80\x06\x8c\x01" "a."s); }), "unsupported protocol 6"));
  // Truncated and oversize lengths fail before anything is allocated.
  CHECK(contains(error_of([] { unpickle_str("\x80\x04\x8c\x05" "ab"s); }), "truncated"));
  CHECK(contains(error_of([] { unpickle_str("\x80\x04\x8d\0\0\0\0\0\0\0\x10" "ab."s); }), "truncated"));
  CHECK(contains(error_of([] { unpickle_str("\x80\x04X\xff\xff\xff\xff" "ab."s); }), "truncated"));
  CHECK(contains(error_of([] { unpickle_str("\x80\x04\x95\xff\0\0\0\0\0\0\0\x8c\x01" "a."s); }), "FRAME"));
  CHECK(contains(error_of([] { unpickle_str("\x80\x04\x8c\x02" "ab\x94"s); }), "no STOP"));
  CHECK(contains(error_of([] { unpickle_str("\x80\x04."s); }), "empty stack"));
  CHECK(contains(error_of([] { unpickle_str("\x94."s); }), "MEMOIZE"));
  CHECK(contains(error_of([] { unpickle_str("\x8c\x01" "a\x8c\x01" "b."s); }), "a second value"));
  CHECK(contains(error_of([] { unpickle_str("\x8c\x02\xff\xfe."s); }), "not UTF-8"));
  CHECK(contains(error_of([] { unpickle_str(""); }), "no STOP"));
}

TEST_CASE("private tests decode from JSON text or base64 zlib pickle and the sizes are capped", "[livecodebench]") {
  const auto plain = decode_private_tests(R"([{"input": "1\n", "output": "2\n", "testtype": "stdin"}])");
  REQUIRE(plain.size() == 1);
  CHECK(plain[0].input == "1\n");
  CHECK(plain[0].output == "2\n");
  CHECK_FALSE(plain[0].functional);
  // base64(zlib(pickle.dumps(json.dumps([{"input": "1\n", "output": "2\n", "testtype": "stdin"}]), protocol=4)))
  const std::string packed = "eJxrYJlqwwABPRbR1UqZeQWlJUpWCkqGMXlKOgpK+aUlUAEjiEBJanFJSWVBKkiouCQlM0+pNnaKHgCVCRRG";
  const auto unpacked = decode_private_tests(packed);
  REQUIRE(unpacked.size() == 1);
  CHECK(unpacked[0].input == "1\n");
  CHECK(unpacked[0].output == "2\n");
  // The same with protocol 3 (BINPUT after the str): refused, one line naming the opcode.
  CHECK(contains(error_of([] { decode_private_tests("eJxrYI6wYGBgiK5WyswrKC1RslJQMozJU9JRUMovLYEKGEEESlKLS0oqC1JBQsUlKZl5SrWxhQx6AGG7Ex0="); }),
                 "private_test_cases: pickle: opcode 0x71"));
  // A pickle that would call os.system: refused.
  CHECK(contains(error_of([] { decode_private_tests("eJxrYEnOL+YqriwuSc3l0gMAJH0EsQ=="); }), "opcode 0x63"));
  CHECK(contains(error_of([] { decode_private_tests("@@@@"); }), "neither JSON nor base64/zlib"));
  LcbDecodeLimits small;
  small.max_encoded_bytes = 10;
  CHECK(contains(error_of([&] { decode_private_tests(packed, small); }), "more than the cap of 10"));
  LcbDecodeLimits tiny_inflate;
  tiny_inflate.max_inflated_bytes = 16;
  CHECK(contains(error_of([&] { decode_private_tests(packed, tiny_inflate); }), "exceeds the cap of 16 bytes"));
  // Test objects are checked.
  CHECK(contains(error_of([] { decode_private_tests(R"([{"input": "1", "output": "2", "testtype": "pipe"}])"); }), "testtype 'pipe'"));
  CHECK(contains(error_of([] { decode_private_tests(R"([{"input": "1", "testtype": "stdin"}])"); }), "'output' must be a string"));
  CHECK(contains(error_of([] { decode_private_tests(R"({"input": "1"})"); }), "expected a JSON list"));
}

TEST_CASE("the grader sample lists public then private tests and the method name", "[livecodebench]") {
  const json row = json::parse(read_file(kFixtures + "/livecodebench/test4.jsonl"));
  const json s = lcb_grader_sample(row);
  REQUIRE(s["inputs"].size() == 6);  // 1 public + 5 private
  CHECK(s["inputs"][0] == "[3, 1, 2]");
  CHECK(s["outputs"][0] == "[1, 3]");
  CHECK(s["outputs"][5] == "[4, 43]");
  CHECK(s["fn_name"] == "minMax");
  const json stdin_row = json::parse(read_file(kFixtures + "/livecodebench/test.jsonl"));
  const json s2 = lcb_grader_sample(stdin_row);
  CHECK(s2["fn_name"].is_null());
  CHECK(s2["inputs"] == json::array({"3\n1 2 3\n", "1\n5\n", "2\n-1 1\n"}));
  json broken = stdin_row;
  broken["private_test_cases"] = "eJxLTEoGAAI=";
  CHECK(contains(error_of([&] { lcb_grader_sample(broken); }), "livecodebench problem abc900_a: private_test_cases"));
}

TEST_CASE("extraction takes the lines between the last two fence lines", "[livecodebench]") {
  CHECK(lcb_extract_code("```python\nprint(1)\n```") == "print(1)");
  CHECK(lcb_extract_code("Here:\n```python\na = 1\nb = 2\n```\nDone.") == "a = 1\nb = 2");
  // Two blocks: the last one (28fef95ea8c9 uses indexlines[-2], indexlines[-1]).
  CHECK(lcb_extract_code("```python\nfirst\n```\ntext\n```python\nsecond\n```\n") == "second");
  // Three fence lines: between the second and the third.
  CHECK(lcb_extract_code("```\na\n```\nb\n```") == "b");
  // A fence anywhere in a line counts.
  CHECK(lcb_extract_code("see ```python here\nx = 1\nend``` there") == "x = 1");
  CHECK(lcb_extract_code("```python\n```") == "");
  CHECK(lcb_extract_code("```python\nno closing fence") == "");
  CHECK(lcb_extract_code("no code at all") == "");
  CHECK(lcb_extract_code("") == "");
  // str.split("\n") only: a \r stays at the end of its line.
  CHECK(lcb_extract_code("```python\r\nx = 1\r\n```") == "x = 1\r");
}

TEST_CASE("pass at k follows the unbiased estimator of pass_k_utils", "[livecodebench]") {
  CHECK(lcb_pass_at_k(1, 1, 1) == 1.0);
  CHECK(lcb_pass_at_k(1, 0, 1) == 0.0);
  CHECK(lcb_pass_at_k(10, 3, 1) == Approx(0.3));
  CHECK(lcb_pass_at_k(10, 3, 5) == Approx(1.0 - 21.0 / 252.0));  // 1 - C(7,5)/C(10,5)
  CHECK(lcb_pass_at_k(5, 5, 1) == 1.0);
  CHECK(lcb_pass_at_k(10, 0, 5) == 0.0);
}

TEST_CASE("the shipped LiveCodeBench tasks select the release files and build the OpenAIChat prompt", "[livecodebench]") {
  const TaskIndex idx({default_tasks_dir()});
  const std::string data = kFixtures;
  const auto ids = [&](const std::string& task) {
    std::vector<std::string> out;
    for (const json& d : load_split_docs(idx.task(task), "test", data)) out.push_back(d["question_id"]);
    return out;
  };
  CHECK(ids("livecodebench_v6") == std::vector<std::string>{"abc900_a", "abc900_b", "3901", "3902", "abc900_e", "abc900_f"});
  CHECK(ids("livecodebench_v5") == std::vector<std::string>{"abc900_a", "abc900_b", "3901", "3902", "abc900_e"});
  CHECK(ids("livecodebench_v6_only") == std::vector<std::string>{"abc900_f"});
  CHECK(ids("livecodebench_v5_only") == std::vector<std::string>{"abc900_e"});
  const TaskConfig& t = idx.task("livecodebench_v6");
  CHECK(t.process_results == "livecodebench");
  CHECK(t.generation_kwargs["max_gen_toks"] == 2000);
  CHECK(t.generation_kwargs["do_sample"] == false);
  const std::vector<json> docs = load_split_docs(t, "test", data);
  const TaskPrompts prompts(t);
  const std::string system =
      "You are an expert Python programmer. You will be given a question (problem specification) and will generate a "
      "correct Python program that matches the specification and passes all tests.";
  const auto stdin_msgs = prompts.messages(docs[0], {}, "");
  REQUIRE(stdin_msgs.size() == 2);
  CHECK(stdin_msgs[0].role == "system");
  CHECK(stdin_msgs[0].content == system);
  CHECK(stdin_msgs[1].role == "user");
  CHECK(stdin_msgs[1].content ==
        "### Question:\nPrint the sum of N integers.\n\n### Format: Read the inputs from stdin solve the problem and write "
        "the answer to stdout (do not directly test on the sample inputs). Enclose your code within delimiters as follows. "
        "Ensure that when the python program runs, it reads the inputs, runs the algorithm and writes output to STDOUT.\n"
        "```python\n# YOUR CODE HERE\n```\n\n### Answer: (use the provided format with backticks)\n\n");
  const auto fn_msgs = prompts.messages(docs[2], {}, "");
  REQUIRE(fn_msgs.size() == 2);
  CHECK(fn_msgs[1].content ==
        "### Question:\nReturn indices of the two numbers adding up to target.\n\n### Format: You will use the following "
        "starter code to write the solution to the problem and enclose your code within delimiters.\n```python\n"
        "class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n        \n```\n\n"
        "### Answer: (use the provided format with backticks)\n\n");
}

TEST_CASE("missing LiveCodeBench files and prompts-only rows are one clear line", "[livecodebench]") {
  const TaskIndex idx({default_tasks_dir()});
  const std::string dir = temp_dir();
  write_file(dir + "/livecodebench/test.jsonl", read_file(kFixtures + "/livecodebench/test.jsonl"));
  const std::string e = error_of([&] { load_split_docs(idx.task("livecodebench_v6"), "test", dir); });
  CHECK(contains(e, dir + "/livecodebench/test2.jsonl: data file of task 'livecodebench_v6' not found"));
  CHECK(contains(e, "livecodebench/code_generation_lite"));
  CHECK(contains(e, "has no tests and cannot be scored"));
  CHECK(e.find('\n') == std::string::npos);
  // The CLI: one line and a non-zero exit.
  write_file(dir + "/resp.jsonl", json{{"question_id", "abc900_a"}, {"response", "x"}}.dump() + "\n");
  const auto r = run_lfmb({"eval", "score", "--task", "livecodebench_v6", "--responses", dir + "/resp.jsonl", "--output",
                           dir + "/out", "--data-dir", dir});
  CHECK(r.exit_code != 0);
  CHECK(contains(r.err, "test2.jsonl: data file of task 'livecodebench_v6' not found"));
  CHECK(r.err.find('\n') == r.err.size() - 1);
  // A row without tests (QwQ's prompts-only copy has this shape) is refused, not scored 0.
  json qwq = {{"global_id", 559}, {"question_id", "abc365_b"}, {"contest_id", "abc365"}, {"prompt", "..."},
              {"tests", {{"fname", "559.json"}, {"md5", "x"}}}};
  write_file(dir + "/qwq.jsonl", qwq.dump() + "\n");
  CHECK(contains(error_of([&] { read_lcb_jsonl(dir + "/qwq.jsonl"); }), "row 1: no private_test_cases: a prompts-only file"));
  // The shared copy itself, when present.
  if (auto shared = lfmb::test::dataset_file("livecodebench_v5/livecodebench_v5.jsonl"))
    CHECK(contains(error_of([&] { read_lcb_jsonl(*shared); }), "cannot be scored"));
  // A row whose tests do not decode fails when the file is read.
  json bad = json::parse(read_file(kFixtures + "/livecodebench/test2.jsonl"));
  bad["private_test_cases"] = "eJxLTEoGAAI=";
  write_file(dir + "/bad.jsonl", bad.dump() + "\n");
  CHECK(contains(error_of([&] { read_lcb_jsonl(dir + "/bad.jsonl"); }), "bad.jsonl: row 1: livecodebench problem abc900_b: private_test_cases"));
  bad = json::parse(read_file(kFixtures + "/livecodebench/test2.jsonl"));
  bad["difficulty"] = "trivial";
  write_file(dir + "/bad2.jsonl", bad.dump() + "\n");
  CHECK(contains(error_of([&] { read_lcb_jsonl(dir + "/bad2.jsonl"); }), "difficulty 'trivial'"));
}

namespace {

// The shipped prompt and grading with a 2-second per-test limit (faster tests), over all six fixture files.
std::string toy_task_dir() {
  const std::string dir = temp_dir();
  write_file(dir + "/tasks/lcb_toy.yaml", "include: " + default_tasks_dir() + "/livecodebench/_livecodebench_template.yaml\n" +
                                             "task: lcb_toy\n"
                                             "dataset_kwargs:\n  loader: livecodebench\n  id_field: question_id\n"
                                             "  data_files: {test: {concat: [test.jsonl, test2.jsonl, test3.jsonl, test4.jsonl, "
                                             "test5.jsonl, test6.jsonl]}}\n"
                                             "metadata: {timeout: 2}\n");
  return dir;
}

std::string fenced(const std::string& code) { return "Here is my solution.\n```python\n" + code + "\n```\nDone."; }

std::map<std::string, json> by_question(const std::vector<json>& lines) {
  std::map<std::string, json> out;
  for (const json& l : lines) out[l["question_id"]] = l;
  return out;
}

}  // namespace

TEST_CASE("correct programs pass and wrong ones fail with LiveCodeBench's codes in the sandbox", "[livecodebench][sandbox]") {
  if (!sandbox_or_skip()) return;
  const std::string dir = toy_task_dir();
  const std::vector<std::pair<std::string, std::string>> responses = {
      // stdin, the __main__ guard unwrapped, sys.stdin.read(): passes.
      {"abc900_a", fenced("import sys\ndef main():\n    d = sys.stdin.read().split()\n    n = int(d[0])\n"
                          "    print(sum(int(x) for x in d[1:1 + n]))\nif __name__ == '__main__':\n    main()")},
      // "2.5" against "2.50": equal as Decimals; input() reads the mocked stdin.
      {"abc900_b", fenced("n = int(input())\na = list(map(int, input().split()))\nprint(sum(a) / n)")},
      // functional: Solution().twoSum(*json args) == json output.
      {"3901", fenced("class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n"
                      "        seen = {}\n        for i, x in enumerate(nums):\n            if target - x in seen:\n"
                      "                return [seen[target - x], i]\n            seen[x] = i")},
      // a tuple counts as the list it holds.
      {"3902", fenced("class Solution:\n    def minMax(self, nums):\n        return (min(nums), max(nums))")},
      // one line where three are expected: wrong answer (-2).
      {"abc900_e", fenced("n = int(input())\nprint(' '.join(str(i) for i in range(1, n + 1)))")},
      // never ends: time limit (-3) on the first test.
      {"abc900_f", fenced("while True:\n    pass")},
  };
  std::string text;
  for (const auto& [q, r] : responses)
    // Lines name their problem by question_id (the task's id_field), the last one by doc_id (abc900_f is document 5).
    text += (q == "abc900_f" ? json{{"doc_id", 5}, {"response", r}} : json{{"question_id", q}, {"response", r}}).dump() + "\n";
  write_file(dir + "/resp.jsonl", text);
  const auto r = run_lfmb({"eval", "score", "--task", "lcb_toy", "--responses", dir + "/resp.jsonl", "--output", dir + "/out",
                           "--data-dir", kFixtures, "--include-path", dir + "/tasks"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto lines = lcb_jsonl(read_file(dir + "/out/samples_lcb_toy.jsonl"));
  REQUIRE(lines.size() == 6);
  CHECK(lines[5]["question_id"] == "abc900_f");
  auto q = by_question(lines);
  CHECK(q["abc900_a"]["tests"]["graded"] == json::array({true, true, true}));
  CHECK(q["abc900_a"]["tests"]["status"] == "passed");
  CHECK(q["abc900_a"]["pass@1,none"] == 1.0);
  CHECK(q["abc900_a"]["filtered_resps"]["none"].get<std::string>().rfind("import sys\ndef main():", 0) == 0);
  CHECK(q["abc900_b"]["tests"]["graded"] == json::array({true, true}));
  CHECK(q["3901"]["tests"]["graded"] == json::array({true, true}));
  CHECK(q["3902"]["tests"]["graded"].size() == 6);
  CHECK(q["3902"]["tests"]["status"] == "passed");
  CHECK(q["abc900_e"]["tests"]["graded"] == json::array({-2}));
  CHECK(q["abc900_e"]["tests"]["metadata"]["error_message"] == "Wrong answer: mismatched output length");
  CHECK(q["abc900_e"]["pass@1,none"] == 0.0);
  CHECK(q["abc900_f"]["tests"]["graded"] == json::array({-3}));
  CHECK(q["abc900_f"]["tests"]["status"] == "time_limit");
  CHECK(q["abc900_f"]["tests"]["n"] == 3);
  const json res = json::parse(read_file(dir + "/out/results.json"))["results"]["lcb_toy"];
  CHECK(res["pass@1,none"] == Approx(4.0 / 6));
  CHECK(res["pass@1_stderr,none"] == Approx(std::sqrt((4 * (1 - 4.0 / 6) * (1 - 4.0 / 6) + 2 * (4.0 / 6) * (4.0 / 6)) / 5) / std::sqrt(6.0)));
  CHECK(res["pass@1_easy,none"] == Approx(2.0 / 3));   // abc900_a, 3901 pass; abc900_f TLE
  CHECK(res["pass@1_medium,none"] == Approx(1.0));     // abc900_b
  CHECK(res["pass@1_hard,none"] == Approx(0.5));       // 3902 passes, abc900_e does not
  CHECK(res["n_time_limit"] == 1);
  CHECK(res["difficulty_counts"] == json{{"easy", 3}, {"medium", 1}, {"hard", 2}});
}

TEST_CASE("runtime errors and exits and no code and line stripping and the global deadline in the sandbox", "[livecodebench][sandbox]") {
  if (!sandbox_or_skip()) return;
  const std::string dir = toy_task_dir();
  const std::vector<std::pair<std::string, std::string>> responses = {
      {"abc900_a", fenced("print(1 / 0)")},                                             // runtime error (-4)
      {"3901", fenced("class Solution:\n    def twoSum(self, nums, target):\n        return [1, 0]")},  // wrong: False
      // no code: "" wrapped by make_function is "def wrapped_function():" with no body, which does not
      // compile: -4 as in LiveCodeBench.
      {"abc900_b", "I cannot write this program."},
      // trailing spaces and blank lines are stripped away: passes.
      {"abc900_e", fenced("n = int(input())\nfor i in range(1, n + 1):\n    print(i, end='   \\n')\nprint()\nprint()")},
      // exit() after the answer ends the program quietly (SystemExit caught): passes.
      {"abc900_f", fenced("n = int(input())\nprint('Yes' if n % 2 == 0 else 'No')\nexit()")},
      // SystemExit out of a method escapes the grader: no result, every test -1.
      {"3902", fenced("import sys\nclass Solution:\n    def minMax(self, nums):\n        sys.exit(3)")},
      // the per-test alarm ignored: the global deadline (2 + 1) * 3 + 5 s ends it, every test -1.
      {"abc900_a", fenced("import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nimport time\nwhile True:\n    time.sleep(0.05)")},
  };
  std::string text;
  for (const auto& [q, r] : responses) text += json{{"question_id", q}, {"response", r}}.dump() + "\n";
  write_file(dir + "/resp.jsonl", text);
  const auto r = run_lfmb({"eval", "score", "--task", "lcb_toy", "--responses", dir + "/resp.jsonl", "--output", dir + "/out",
                           "--data-dir", kFixtures, "--include-path", dir + "/tasks"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto lines = lcb_jsonl(read_file(dir + "/out/samples_lcb_toy.jsonl"));
  REQUIRE(lines.size() == 7);
  CHECK(lines[0]["tests"]["graded"] == json::array({-4}));
  CHECK(lines[0]["tests"]["status"] == "runtime_error");
  CHECK(contains(lines[0]["tests"]["metadata"]["error"].get<std::string>(), "ZeroDivisionError"));
  CHECK(lines[1]["tests"]["graded"] == json::array({false}));
  CHECK(lines[1]["tests"]["metadata"]["error_code"] == -2);
  CHECK(lines[2]["filtered_resps"]["none"] == "");
  CHECK(lines[2]["tests"]["graded"] == json::array({-4}));
  CHECK(lines[2]["tests"]["metadata"]["error_message"].get<std::string>().rfind("Error during testing", 0) == 0);
  CHECK(lines[3]["tests"]["graded"] == json::array({true, true}));
  CHECK(lines[4]["tests"]["graded"] == json::array({true, true, true}));
  CHECK(lines[5]["tests"]["graded"] == json::array({-1, -1, -1, -1, -1, -1}));
  CHECK(lines[5]["tests"]["status"] == "no_result");
  CHECK(lines[6]["tests"]["graded"] == json::array({-1, -1, -1}));
  CHECK(lines[6]["tests"]["status"] == "global_timeout");
  CHECK(lines[6]["tests"]["wall_seconds"].get<double>() >= 13.0);
  const json res = json::parse(read_file(dir + "/out/results.json"))["results"]["lcb_toy"];
  CHECK(res["pass@1,none"] == Approx(2.0 / 7));
  CHECK(res["n_global_timeout"] == 1);
  CHECK(res["n_no_code"] == 1);
}

TEST_CASE("Decimal and line comparison of stdin output follow grade_stdio", "[livecodebench][sandbox]") {
  if (!sandbox_or_skip()) return;
  // Expected "2.50" (test 1) and "1.25" (test 2) for abc900_b.
  const json sample = lcb_grader_sample(json::parse(read_file(kFixtures + "/livecodebench/test2.jsonl")));
  auto graded = [&](const std::string& program) { return run_lcb_program(sample, program, 2).graded; };
  CHECK(graded("n = int(input()); a = list(map(int, input().split())); print(f'{sum(a) / n:.2f}')") == json::array({true, true}));
  CHECK(graded("n = int(input()); a = list(map(int, input().split())); print(sum(a) / n)") == json::array({true, true}));
  CHECK(graded("print('  2.5000  ')\nprint()") == json::array({true, -2}));           // stripped, then 2.5000 == 2.50
  CHECK(graded("print('2.5000001')") == json::array({-2}));                            // no tolerance
  CHECK(graded("print('2.5 x')") == json::array({-2}));                                // not Decimals
  CHECK(graded("print('2.50')\nprint('extra')") == json::array({-2}));                 // another line count
  CHECK(graded("print(2.5e0)") == json::array({true, -2}));                            // "2.5" == "2.50" as Decimals; 1.25 not printed
  CHECK(graded("import sys\nprint(sys.stdin.readline().strip() == '2')") == json::array({-2}));  // "True" != "2.50"
  // The code header's star imports are there (no import of sqrt needed); a syntax error is -4.
  CHECK(graded("print(sqrt(6.25))") == json::array({true, -2}));
  CHECK(graded("def f(:\n  pass") == json::array({-4}));
}
