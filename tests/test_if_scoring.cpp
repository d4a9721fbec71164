// Scoring of the instruction-following tasks (IFEval, IFBench, Multi-IF) in the task system: the
// summaries against lm-eval's process_results / agg_inst_level_acc and Multi-IF's metrics_gen on
// hand-computed cases, the offline contract of `lfmb eval score`, the shipped task YAML, and
// `lfmb eval` end to end on a tiny synthetic model (Multi-IF's turns with the model's replies).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "eval/instructions/follow.h"
#include "eval/instructions/instruction.h"
#include "eval/instructions/language_id.h"
#include "eval/process_docs.h"
#include "eval/scorers/instruction_following.h"
#include "eval/scoring.h"
#include "eval/task_docs.h"
#include "eval/task_index.h"
#include "test_support.h"

namespace lfmb::eval::instructions {
// eval/instructions/multi_if_length_constraints.cpp: the language-specific counters.
size_t multi_if_count_words_cjk(const std::string& text);
size_t multi_if_count_sentences_cjk(const std::string& text);
size_t multi_if_count_sentences_hindi(const std::string& text);
}  // namespace lfmb::eval::instructions

using namespace lfmb;
using namespace lfmb::eval;
using lfmb::test::read_file;
using lfmb::test::run_lfmb;
using lfmb::test::temp_dir;
using lfmb::test::write_file;
using nlohmann::json;

using lfmb::test::error_of;

namespace {

std::vector<json> jsonl(const std::string& text) {
  std::vector<json> out;
  for (size_t pos = 0, nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1)
    out.push_back(json::parse(text.substr(pos, nl - pos)));
  return out;
}

// A task of the ifeval suite over a small JSONL, for scoring tests.
const char* kToyIfTask = R"(task: toy_if
dataset_path: toy_if
dataset_kwargs: {data_files: {test: test.jsonl}, id_field: key}
output_type: generate_until
doc_to_text: prompt
doc_to_target: 0
generation_kwargs: {until: [], max_gen_toks: 8, do_sample: false}
process_results: instruction_following
metric_list:
  - {metric: prompt_level_strict_acc, aggregation: mean}
  - {metric: inst_level_strict_acc, aggregation: agg_inst_level_acc}
  - {metric: prompt_level_loose_acc, aggregation: mean}
  - {metric: inst_level_loose_acc, aggregation: "utils.agg_inst_level_acc"}
  - {metric: overall_acc, aggregation: mean}
metadata: {instruction_suite: ifeval, headline: "prompt_level_strict_acc,none"}
)";

// Multi-IF's CSV layout, two conversations: the second has no third turn ("None").
std::string multi_if_csv() {
  auto q = [](const std::string& s) {  // CSV field quoting
    std::string o = "\"";
    for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
    return o + "\"";
  };
  auto msg = [](const std::string& c) { return json{{"role", "user"}, {"content", c}}.dump(); };
  auto kw = [](std::vector<json> ks) {
    json a = json::array();
    for (const json& k : ks) a.push_back(k.dump());
    return a.dump();
  };
  std::string csv = "turns,responses,turn_1_prompt,turn_1_instruction_id_list,turn_1_kwargs,turn_2_prompt,"
                    "turn_2_instruction_id_list,turn_2_kwargs,turn_3_prompt,turn_3_instruction_id_list,turn_3_kwargs,"
                    "key,turn_index,language\n";
  csv += ",," + q(msg("Write about cats. Do not use commas.")) + "," + q(R"(["punctuation:no_comma"])") + "," +
         q(kw({json::object()})) + "," + q(msg("Now end with the phrase: the end.")) + "," +
         q(R"(["punctuation:no_comma", "startend:end_checker"])") + "," +
         q(kw({json::object(), {{"end_phrase", "the end."}}})) + "," + q(msg("Wrap it in double quotes.")) + "," +
         q(R"(["punctuation:no_comma", "startend:end_checker", "startend:quotation"])") + "," +
         q(kw({json::object(), {{"end_phrase", "the end."}}, json::object()})) + ",1:0:en,0,English\n";
  csv += ",," + q(msg("Say hello. No commas.")) + "," + q(R"(["punctuation:no_comma"])") + "," + q(kw({json::object()})) +
         "," + q(msg("Quote it.")) + "," + q(R"(["punctuation:no_comma", "startend:quotation"])") + "," +
         q(kw({json::object(), json::object()})) + ",None,[],[],2:0:en,0,English\n";
  return csv;
}

const char* kToyMultiTask = R"(task: toy_mif
dataset_path: toy_mif
dataset_kwargs: {data_files: {test: data.csv}, id_field: key}
process_docs:
  - {function: multi_if_turns, turns: 3, into: turns}
output_type: generate_until
doc_to_text: "{{turn_1_prompt}}"
doc_to_target: key
doc_to_turns: turns
generation_kwargs: {until: [], max_gen_toks: 6, do_sample: false}
process_results: instruction_following
metric_list:
  - {metric: prompt_level_strict_acc, aggregation: mean}
  - {metric: inst_level_strict_acc, aggregation: agg_inst_level_acc}
  - {metric: prompt_level_loose_acc, aggregation: mean}
  - {metric: inst_level_loose_acc, aggregation: agg_inst_level_acc}
  - {metric: overall_acc, aggregation: mean}
metadata: {instruction_suite: ifeval, label: Multi-IF}
)";

}  // namespace

TEST_CASE("prompt- and instruction-level accuracies equal lm-eval's formulas with delta-method errors", "[if-scoring]") {
  // doc 0: strict [T F] loose [T T]; doc 1: [T] [T]; doc 2: strict [F F T] loose [T F T]
  const std::vector<FollowRecord> r = {{0, {true, false}, {true, true}}, {1, {true}, {true}},
                                       {2, {false, false, true}, {true, false, true}}};
  const Estimate ps = prompt_level_acc(r, 3, false), is = inst_level_acc(r, 3, false);
  const Estimate pl = prompt_level_acc(r, 3, true), il = inst_level_acc(r, 3, true);
  CHECK(ps.value == Approx(1.0 / 3));   // all() only for doc 1
  CHECK(is.value == Approx(3.0 / 6));   // agg_inst_level_acc: flattened (1 + 1 + 1) / (2 + 1 + 3)
  CHECK(pl.value == Approx(2.0 / 3));
  CHECK(il.value == Approx(5.0 / 6));
  // lm-eval mean_stderr for the prompt level: sd([0, 1, 0]) / sqrt(3) = 1/3.
  CHECK(*ps.metric().stderr_ == Approx(1.0 / 3));
  CHECK(*ps.metric().stderr_ == Approx(*mean_stderr({0, 1, 0})));
  // Cluster-robust ratio error: residuals y - R n = [1 - 1, 1 - .5, 1 - 1.5]; sqrt(3/2 * 0.5) / 6.
  CHECK(*is.metric().stderr_ == Approx(std::sqrt(1.5 * 0.5) / 6.0));
  // Multi-IF's overall: mean of the four.
  const Estimate overall = mean_of({ps, is, pl, il});
  CHECK(overall.value == Approx((1.0 / 3 + 0.5 + 2.0 / 3 + 5.0 / 6) / 4));
  REQUIRE(overall.metric().stderr_.has_value());
  // With one instruction per prompt the instruction level is the prompt level, errors included.
  const std::vector<FollowRecord> one = {{0, {true}, {true}}, {1, {false}, {true}}, {2, {true}, {false}}, {3, {false}, {false}}};
  CHECK(inst_level_acc(one, 4, false).value == Approx(prompt_level_acc(one, 4, false).value));
  CHECK(*inst_level_acc(one, 4, false).metric().stderr_ == Approx(*mean_stderr({1, 0, 1, 0})));
  // One document: no error (as lm-eval's N/A).
  CHECK_FALSE(prompt_level_acc({{0, {true}, {true}}}, 1, false).metric().stderr_.has_value());
}

TEST_CASE("instruction-following responses lose think blocks only when they have one", "[if-scoring]") {
  CHECK(if_visible_response("  keep, my spaces \n") == "  keep, my spaces \n");
  CHECK(if_visible_response("<think>a, b</think>\n\nno commas") == "no commas");
  // Multi-IF reads responses as json.loads(r)[0]['response'] when that works.
  CHECK(multi_if_response_text(R"([{"response": "inner"}])") == "inner");
  CHECK(multi_if_response_text(R"(["x"])") == R"(["x"])");
  CHECK(multi_if_response_text("plain, text") == "plain, text");
}

TEST_CASE("instruction-following task YAML keys load and are checked", "[if-scoring]") {
  const std::string dir = temp_dir();
  write_file(dir + "/toy_if.yaml", kToyIfTask);
  const TaskIndex idx({dir});
  const TaskConfig& t = idx.task("toy_if");
  CHECK(t.process_results == "instruction_following");
  CHECK(t.metric_list.at(1).aggregation == "agg_inst_level_acc");
  CHECK(t.metric_list.at(3).aggregation == "agg_inst_level_acc");  // utils. prefix of lm-eval's !function dropped
  // agg_inst_level_acc needs the processor; an unknown processor is refused.
  const std::string d2 = temp_dir();
  auto replaced = [](std::string y, const std::string& from, const std::string& to) {
    return y.replace(y.find(from), from.size(), to);
  };
  std::string y = replaced(kToyIfTask, "process_results: instruction_following", "process_results: \"\"");
  write_file(d2 + "/t.yaml", y);
  CHECK(error_of([&] { TaskIndex i({d2}); }).find("needs process_results: instruction_following") != std::string::npos);
  const std::string d3 = temp_dir();
  y = replaced(kToyIfTask, "process_results: instruction_following", "process_results: !function utils.process_results");
  write_file(d3 + "/t.yaml", y);
  CHECK(error_of([&] { TaskIndex i({d3}); }).find("not a document processor") != std::string::npos);
}

TEST_CASE("multi_if_turns parses Multi-IF rows and skips None turns", "[if-scoring]") {
  const std::string dir = temp_dir();
  write_file(dir + "/tasks/toy_mif.yaml", kToyMultiTask);
  write_file(dir + "/data/toy_mif/data.csv", multi_if_csv());
  const TaskIndex idx({dir + "/tasks"});
  const auto docs = load_split_docs(idx.task("toy_mif"), "test", dir + "/data");
  REQUIRE(docs.size() == 2);
  const json& t0 = docs[0]["turns"];
  REQUIRE(t0.size() == 3);
  CHECK(t0[0]["message"]["content"] == "Write about cats. Do not use commas.");
  CHECK(t0[1]["instruction_id_list"] == json::array({"punctuation:no_comma", "startend:end_checker"}));
  CHECK(t0[1]["kwargs"][1]["end_phrase"] == "the end.");
  CHECK(docs[1]["turns"][2]["message"].is_null());  // "None"
  CHECK(docs[0]["key"] == "1:0:en");
}

TEST_CASE("lfmb eval score for instruction following: prompt lookup and inline lists and input order", "[if-scoring][cli]") {
  const std::string dir = temp_dir();
  write_file(dir + "/tasks/toy_if.yaml", kToyIfTask);
  write_file(dir + "/data/toy_if/test.jsonl",
             json{{"key", 1}, {"prompt", "No commas please."}, {"instruction_id_list", {"punctuation:no_comma"}},
                  {"kwargs", {json::object()}}}.dump() + "\n" +
             json{{"key", 2}, {"prompt", "End with bye."}, {"instruction_id_list", {"punctuation:no_comma", "startend:end_checker"}},
                  {"kwargs", {json::object(), {{"end_phrase", "bye."}}}}}.dump() + "\n");
  // Hand-computed (lm-eval test_instruction_following_strict / _loose):
  //  1: "a b c" -> no_comma strict T, loose T
  //  2: "Sure, here it is\nhello bye." -> no_comma strict F, loose T (first line removed); end strict T, loose T
  //  3: inline end_checker "x bye.\n*note*" -> strict F (ends with *note*), loose T (last line removed)
  //  4: the prompt of 1 again, "a, b" -> F, F
  write_file(dir + "/resp.jsonl",
             json{{"prompt", "No commas please."}, {"response", "a b c"}}.dump() + "\n" +
             json{{"prompt", "End with bye."}, {"response", "Sure, here it is\nhello bye."}}.dump() + "\n" +
             json{{"instruction_id_list", {"startend:end_checker"}}, {"kwargs", {{{"end_phrase", "bye."}}}},
                  {"response", "x bye.\n*note*"}}.dump() + "\n" +
             json{{"prompt", "No commas please."}, {"response", "a, b"}}.dump() + "\n");
  const auto r = run_lfmb({"eval", "score", "--task", "toy_if", "--responses", dir + "/resp.jsonl", "--output", dir + "/out",
                           "--data-dir", dir + "/data", "--include-path", dir + "/tasks"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto lines = jsonl(read_file(dir + "/out/samples_toy_if.jsonl"));
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]["follow_instruction_list_strict"] == json::array({true}));
  CHECK(lines[1]["follow_instruction_list_strict"] == json::array({false, true}));
  CHECK(lines[1]["follow_instruction_list_loose"] == json::array({true, true}));
  CHECK(lines[1]["follow_all_instructions_strict"] == false);
  CHECK(lines[1]["follow_all_instructions_loose"] == true);
  CHECK(lines[2]["instruction_id_list"] == json::array({"startend:end_checker"}));
  CHECK(lines[2]["follow_instruction_list_strict"] == json::array({false}));
  CHECK(lines[2]["follow_instruction_list_loose"] == json::array({true}));
  CHECK(lines[3]["follow_all_instructions_loose"] == false);
  CHECK(lines[3]["doc_hash"] == lines[0]["doc_hash"]);  // the same document, scored again
  CHECK(lines[1]["prompt_level_strict_acc,none"] == false);
  CHECK(lines[1]["inst_level_loose_acc,none"] == json::array({true, true}));
  const json res = json::parse(read_file(dir + "/out/results.json"))["results"]["toy_if"];
  // prompt strict: [T, F, F, F] = 1/4; inst strict: (1 + 1 + 0 + 0) / 5; prompt loose: [T, T, T, F];
  // inst loose: (1 + 2 + 1 + 0) / 5.
  CHECK(res["prompt_level_strict_acc,none"] == Approx(0.25));
  CHECK(res["inst_level_strict_acc,none"] == Approx(2.0 / 5));
  CHECK(res["prompt_level_loose_acc,none"] == Approx(0.75));
  CHECK(res["inst_level_loose_acc,none"] == Approx(4.0 / 5));
  CHECK(res["overall_acc,none"] == Approx((0.25 + 0.4 + 0.75 + 0.8) / 4));
  CHECK(res["prompt_level_strict_acc_stderr,none"].is_number());
  CHECK(res["headline"] == "prompt_level_strict_acc,none");
  CHECK(res["instruction_suite"] == "ifeval");
  CHECK(res["approximate_instructions"].is_object());
  // A prompt that is not in the data: one line naming the input line.
  write_file(dir + "/bad.jsonl", json{{"prompt", "No commas please."}, {"response", "ok"}}.dump() + "\n" +
                                     json{{"prompt", "No commas please!"}, {"response", "ok"}}.dump() + "\n");
  const auto bad = run_lfmb({"eval", "score", "--task", "toy_if", "--responses", dir + "/bad.jsonl", "--output", dir + "/o2",
                             "--data-dir", dir + "/data", "--include-path", dir + "/tasks"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("bad.jsonl:2") != std::string::npos);
  CHECK(bad.err.find("not a prompt of 'toy_if'") != std::string::npos);
  CHECK(bad.err.find('\n') == bad.err.size() - 1);
}

TEST_CASE("Multi-IF per-turn overall and the turn mean follow metrics_gen on hand-computed responses", "[if-scoring][cli]") {
  const std::string dir = temp_dir();
  write_file(dir + "/tasks/toy_mif.yaml", kToyMultiTask);
  write_file(dir + "/data/toy_mif/data.csv", multi_if_csv());
  // Conversation 1: t1 "cats are nice" (no_comma T); t2 "cats, the end." (no_comma F, end T);
  //   t3 "\"cats the end.\"" (no_comma T, end F strict: the response ends with a quote... the
  //   checker strips '"' first: T; quotation T).
  // Conversation 2 (by its own turns): t1 "hi, there" (F), t2 "\"hi\"\nmore" (no_comma T; quotation strict F,
  //   loose T without the last line); t3 skipped.
  write_file(dir + "/resp.jsonl",
             json{{"key", "1:0:en"}, {"responses", {"cats are nice", "cats, the end.", "\"cats the end.\""}}}.dump() + "\n" +
             json{{"turns", {{{"instruction_id_list", {"punctuation:no_comma"}}, {"kwargs", {json::object()}}},
                             {{"instruction_id_list", {"punctuation:no_comma", "startend:quotation"}},
                              {"kwargs", {json::object(), json::object()}}}}},
                  {"language", "English"},
                  {"responses", {"hi, there", "\"hi\"\nmore"}}}.dump() + "\n");
  const auto r = run_lfmb({"eval", "score", "--task", "toy_mif", "--responses", dir + "/resp.jsonl", "--output", dir + "/out",
                           "--data-dir", dir + "/data", "--include-path", dir + "/tasks"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json res = json::parse(read_file(dir + "/out/results.json"))["results"]["toy_mif"];
  // turn 1: c1 [T], c2 [F]: prompt strict 1/2, inst strict 1/2, loose the same -> overall 0.5
  CHECK(res["turn_1_prompt_level_strict_acc,none"] == Approx(0.5));
  CHECK(res["turn_1_English_overall,none"] == Approx(0.5));
  CHECK(res["turn_1_all_languages_overall,none"] == Approx(0.5));
  // turn 2: c1 strict [F T] loose [F T]; c2 strict [T F] loose [T T]
  //   prompt strict 0, inst strict 2/4, prompt loose 1/2, inst loose 3/4 -> overall (0 + .5 + .5 + .75) / 4
  const double t2 = (0 + 0.5 + 0.5 + 0.75) / 4;
  CHECK(res["turn_2_prompt_level_strict_acc,none"] == Approx(0.0));
  CHECK(res["turn_2_inst_level_loose_acc,none"] == Approx(0.75));
  CHECK(res["turn_2_English_overall,none"] == Approx(t2));
  // turn 3: only c1, [T T T] -> 1
  CHECK(res["turn_3_English_overall,none"] == Approx(1.0));
  CHECK(res["turn_prompts_number"]["turn_3_prompts_number"] == 1);
  CHECK(res["turn_mean_English_overall,none"] == Approx((0.5 + t2 + 1.0) / 3));
  CHECK(res["turn_mean_all_languages_overall,none"] == Approx((0.5 + t2 + 1.0) / 3));
  CHECK(res["label"] == "Multi-IF (en)");
  const auto lines = jsonl(read_file(dir + "/out/samples_toy_mif.jsonl"));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["turns"][1]["follow_instruction_list_strict"] == json::array({false, true}));
  CHECK(lines[1]["turns"][1]["follow_instruction_list_loose"] == json::array({true, true}));
  CHECK(lines[1]["resps"] == json::array({"hi, there", "\"hi\"\nmore"}));
  // A conversation of the data without a response for one of its turns.
  write_file(dir + "/short.jsonl", json{{"key", "1:0:en"}, {"responses", {"one", "two"}}}.dump() + "\n");
  const auto bad = run_lfmb({"eval", "score", "--task", "toy_mif", "--responses", dir + "/short.jsonl", "--output",
                             dir + "/o2", "--data-dir", dir + "/data", "--include-path", dir + "/tasks"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("short.jsonl:1") != std::string::npos);
  CHECK(bad.err.find("turn 3") != std::string::npos);
}

TEST_CASE("lfmb eval runs an instruction-following task and Multi-IF's turns with the model's replies", "[if-scoring][cli]") {
  const std::string dir = temp_dir();
  const std::string model = dir + "/tiny.gguf";
  REQUIRE(run_lfmb({"synth", "--preset", "tiny-qwen3", "--type", "f32", "--seed", "3", "-o", model}).exit_code == 0);
  write_file(dir + "/tasks/toy_if.yaml", kToyIfTask);
  write_file(dir + "/tasks/toy_mif.yaml", kToyMultiTask);
  write_file(dir + "/data/toy_mif/data.csv", multi_if_csv());
  std::string data;
  for (int i = 0; i < 3; ++i)
    data += json{{"key", i}, {"prompt", "Prompt " + std::to_string(i) + ", no commas."},
                 {"instruction_id_list", {"punctuation:no_comma"}}, {"kwargs", {json::object()}}}.dump() + "\n";
  write_file(dir + "/data/toy_if/test.jsonl", data);
  const auto r = run_lfmb({"eval", "--model", model, "--tasks", "toy_if,toy_mif", "--limit", "2", "--include-path",
                           dir + "/tasks", "--data-dir", dir + "/data", "--output", dir + "/out", "--no-progress",
                           "--apply-chat-template", "--chat-template", "qwen3"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json res = json::parse(read_file(dir + "/out/results.json"));
  const json& ifr = res["results"]["toy_if"];
  CHECK(ifr["n_samples"] == 2);
  for (const char* k : {"prompt_level_strict_acc,none", "inst_level_strict_acc,none", "prompt_level_loose_acc,none",
                        "inst_level_loose_acc,none", "overall_acc,none"})
    CHECK(ifr.contains(k));
  const auto if_lines = jsonl(read_file(dir + "/out/samples_toy_if.jsonl"));
  REQUIRE(if_lines.size() == 2);
  // The checker saw the generated text: no_comma is followed exactly when the response has no ','.
  for (const json& l : if_lines) {
    const std::string resp = l["resps"][0].get<std::string>();
    const bool empty = resp.find_first_not_of(" \t\n\r\f\v") == std::string::npos;
    CHECK(l["follow_all_instructions_strict"] == (!empty && resp.find(',') == std::string::npos));
  }
  // Multi-IF: turn t's prompt holds turn t-1's reply (stripped) before turn t's message; the
  // second conversation's third turn is "None": not generated.
  const auto mif = jsonl(read_file(dir + "/out/samples_toy_mif.jsonl"));
  REQUIRE(mif.size() == 2);
  for (const json& l : mif) {
    const std::string ctx1 = l["arguments"][0][0], ctx2 = l["arguments"][1][0];
    const std::string reply1 = l["resps"][0];
    std::string stripped = reply1;
    stripped.erase(0, stripped.find_first_not_of(" \t\n\r\f\v"));
    stripped.erase(stripped.find_last_not_of(" \t\n\r\f\v") + 1);
    CHECK(ctx2.rfind(ctx1.substr(0, ctx1.rfind("<|im_start|>assistant")), 0) == 0);  // the history is kept
    const size_t at = ctx2.find("<|im_start|>assistant\n" + stripped + "<|im_end|>");
    CHECK(at != std::string::npos);
    const std::string user2 = l["doc_hash"] == mif[0]["doc_hash"] ? "Now end with the phrase: the end." : "Quote it.";
    CHECK(ctx2.find("<|im_start|>user\n" + user2, at) != std::string::npos);  // after the reply
  }
  CHECK(mif[0]["arguments"][1][0].get<std::string>().find("Now end with the phrase: the end.") != std::string::npos);
  CHECK(mif[0]["arguments"][2][0].get<std::string>().find("Wrap it in double quotes.") != std::string::npos);
  CHECK(mif[1]["arguments"][2].is_null());
  CHECK(mif[1]["resps"][2].is_null());
  CHECK(mif[1]["turns"][2]["skipped"] == true);
  CHECK(res["results"]["toy_mif"].contains("turn_mean_English_overall,none"));
  CHECK(res["results"]["toy_mif"]["turn_prompts_number"]["turn_3_prompts_number"] == 1);
  // Shards of a multi-turn run merge into the unsharded files.
  for (const char* sh : {"1/2", "2/2"})
    REQUIRE(run_lfmb({"eval", "--model", model, "--tasks", "toy_mif", "--limit", "2", "--include-path", dir + "/tasks",
                      "--data-dir", dir + "/data", "--output", dir + "/s" + std::string(1, sh[0]), "--no-progress",
                      "--apply-chat-template", "--chat-template", "qwen3", "--shard", sh})
                .exit_code == 0);
  REQUIRE(run_lfmb({"eval", "--model", model, "--tasks", "toy_mif", "--limit", "2", "--include-path", dir + "/tasks",
                    "--data-dir", dir + "/data", "--output", dir + "/full", "--no-progress", "--apply-chat-template",
                    "--chat-template", "qwen3"})
              .exit_code == 0);
  const auto m = run_lfmb({"eval", "merge", dir + "/s1", dir + "/s2", "--output", dir + "/merged"});
  INFO(m.err);
  REQUIRE(m.exit_code == 0);
  CHECK(read_file(dir + "/merged/samples_toy_mif.jsonl") == read_file(dir + "/full/samples_toy_mif.jsonl"));
}

TEST_CASE("the shipped ifeval ifbench and multi_if tasks load their data", "[if-scoring][datasets]") {
  LFMB_REQUIRE_DATASET_FILE(sources, "SOURCES.md");
  const std::string data = std::filesystem::path(sources).parent_path().string();
  const TaskIndex idx({default_tasks_dir()});
  const auto ifeval = load_split_docs(idx.task("ifeval"), "test", data);
  CHECK(ifeval.size() == 541);
  size_t n_instr = 0;
  for (const json& d : ifeval) n_instr += d["instruction_id_list"].size();
  CHECK(n_instr == 834);
  CHECK(idx.task("ifeval").generation_kwargs["max_gen_toks"] == 1280);
  const auto ifbench = load_split_docs(idx.task("ifbench"), "test", data);
  CHECK(ifbench.size() == 300);
  CHECK(idx.task("ifbench").metadata["headline"] == "prompt_level_loose_acc,none");
  const TaskConfig& mt = idx.task("multi_if");
  const auto mif = load_split_docs(mt, "test", data);
  CHECK(mif.size() == 909);
  CHECK(mt.generation_kwargs["max_gen_toks"] == 1024);
  CHECK(mt.doc_to_turns == "turns");
  size_t skipped3 = 0;
  for (const json& d : mif) skipped3 += d["turns"][2]["message"].is_null() ? 1 : 0;
  CHECK(skipped3 == 13);  // turn_3_prompt "None" in 13 English conversations
  // Cumulative instruction lists: turn t holds turn t-1's instructions first.
  const json& t = mif[0]["turns"];
  CHECK(t[1]["instruction_id_list"][0] == t[0]["instruction_id_list"][0]);
}

TEST_CASE("Multi-IF's language-specific counters follow its ifeval.py", "[if-scoring]") {
  using namespace lfmb::eval::instructions;
  // count_words_chinese_japanese's own docstring example: 12 kana + 5 words + 2 emoji.
  CHECK(multi_if_count_words_cjk("こんにちは、ジェイソンさん、Jason? Nice to meet you☺ ❤") == 19);
  // Punctuation removed first (so hello-world is one word), each CJK character one word.
  CHECK(multi_if_count_words_cjk("我爱北京，hello-world 123。") == 6);
  // split_chinese_japanese: per line, runs ending at a sentence mark (re.findall; Python 3.11).
  CHECK(multi_if_count_sentences_cjk("你好。今天天气很好！\n我们去公园吧") == 3);
  CHECK(multi_if_count_sentences_cjk("  一。二。三\u2028四") == 4);  // U+2028 ends a line for str.splitlines
  // count_hindi_num_sentences: re.split(r"(?<=[।!?])\s*") -> 3 non-blank pieces and a trailing ''.
  CHECK(multi_if_count_sentences_hindi("यह पहला वाक्य है। यह दूसरा है! और तीसरा?") == 3);
  CHECK(multi_if_count_sentences_hindi("   ") == 0);
}

TEST_CASE("the multi_if suite is IFEval's types with Multi-IF's own quotation and length checkers", "[if-scoring]") {
  using namespace lfmb::eval::instructions;
  CHECK(instruction_ids("multi_if") == instruction_ids("ifeval"));
  CHECK(instruction_ids("multi_if").size() == 25);
  CHECK(find_instruction("multi_if", "startend:quotation")->source.find("Multi-IF") != std::string::npos);
  REQUIRE(find_instruction("multi_if", "punctuation:no_comma") != nullptr);
  CHECK(find_instruction("multi_if", "punctuation:no_comma")->source == find_instruction("ifeval", "punctuation:no_comma")->source);
  auto strict = [](const std::string& suite, const std::string& id, const json& kw, const std::string& r) -> bool {
    const std::vector<std::string> ids = {id};
    std::vector<json> kws;
    kws.push_back(kw);  // (a braced {kw} may pick json's conversion to a vector)
    return test_following(suite, ids, kws, "", r).strict.at(0);
  };
  // QuotationChecker: Multi-IF also takes the Chinese and Japanese quote pairs; IFEval only '"'.
  CHECK(strict("multi_if", "startend:quotation", json::object(), "  \u201c\u4f60\u597d\u201d \n"));
  CHECK_FALSE(strict("ifeval", "startend:quotation", json::object(), "\u201c\u4f60\u597d\u201d"));
  CHECK(strict("multi_if", "startend:quotation", json::object(), "\u300c\u3053\u3093\u306b\u3061\u306f\u300d"));
  CHECK(strict("multi_if", "startend:quotation", json::object(), "\"ok\""));
  CHECK_FALSE(strict("multi_if", "startend:quotation", json::object(), "\u201cmixed\""));
  CHECK_FALSE(strict("multi_if", "startend:quotation", json::object(), "\""));  // len(value) > 1
  // NumberOfWords: English counts \w+ runs as IFEval does.
  const json at_least3 = {{"num_words", 3}, {"relation", "at least"}}, less3 = {{"num_words", 3}, {"relation", "less than"}};
  CHECK(strict("multi_if", "length_constraints:number_words", at_least3, "The cat sat on the mat today."));
  CHECK_FALSE(strict("multi_if", "length_constraints:number_words", less3, "The cat sat on the mat today."));
  // Chinese: each character a word (IFEval's \w+ sees one run).
  const std::string zh = "\u6211\u4eec\u4eca\u5929\u53bb\u516c\u56ed\u6563\u6b65\uff0c\u5929\u6c14\u975e\u5e38\u597d\u3002"
                         "\u6211\u4eec\u5f88\u9ad8\u5174\u5730\u56de\u5bb6\u5403\u996d\u4e86\u3002";
  const std::optional<std::string> lang = detect_language(zh);
  REQUIRE(lang.has_value());
  CHECK(lang->rfind("zh", 0) == 0);
  const json at_least20 = {{"num_words", 20}, {"relation", "at least"}};
  CHECK(strict("multi_if", "length_constraints:number_words", at_least20, zh));
  CHECK_FALSE(strict("ifeval", "length_constraints:number_words", at_least20, zh));
  // NumberOfSentences on Chinese: split_chinese_japanese gives 2 sentences.
  CHECK(strict("multi_if", "length_constraints:number_sentences", {{"num_sentences", 2}, {"relation", "at least"}}, zh));
  CHECK_FALSE(strict("multi_if", "length_constraints:number_sentences", {{"num_sentences", 3}, {"relation", "at least"}}, zh));
  // A relation the official code rejects is an error naming the instruction.
  CHECK(error_of([&] { strict("multi_if", "length_constraints:number_words", {{"num_words", 3}, {"relation", "at most"}}, "x"); })
            .find("length_constraints:number_words") != std::string::npos);
}

TEST_CASE("lfmb eval --tasks ifeval ifbench multi_if --limit 2 runs the shipped tasks on a tiny model", "[if-scoring][cli][datasets]") {
  LFMB_REQUIRE_DATASET_FILE(sources, "SOURCES.md");
  const std::string dir = temp_dir();
  const std::string model = dir + "/tiny.gguf";
  REQUIRE(run_lfmb({"synth", "--preset", "tiny-qwen3", "--type", "f32", "--seed", "5", "-o", model}).exit_code == 0);
  const auto r = run_lfmb({"eval", "--model", model, "--tasks", "ifeval,ifbench,multi_if", "--limit", "2", "--max-gen-toks",
                           "8", "--output", dir + "/out", "--no-progress", "--apply-chat-template", "--chat-template", "qwen3"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json res = json::parse(read_file(dir + "/out/results.json"))["results"];
  for (const char* t : {"ifeval", "ifbench"}) {
    CHECK(res[t]["n_samples"] == 2);
    CHECK(res[t]["prompt_level_strict_acc,none"].is_number());
    CHECK(res[t]["inst_level_loose_acc,none"].is_number());
    CHECK(res[t]["overall_acc,none"].is_number());
  }
  CHECK(res["ifeval"]["instruction_suite"] == "ifeval");
  CHECK(res["multi_if"]["label"] == "Multi-IF (en)");
  CHECK(res["multi_if"]["turn_mean_English_overall,none"].is_number());
  // IFEval's first document has 3 instructions (no_comma, highlighted sections, number_words).
  const auto ife = jsonl(read_file(dir + "/out/samples_ifeval.jsonl"));
  REQUIRE(ife.size() == 2);
  CHECK(ife[0]["follow_instruction_list_strict"].size() == 3);
  CHECK(ife[0]["arguments"][0].get<std::string>().find("Raymond_III") != std::string::npos);
  const auto mif = jsonl(read_file(dir + "/out/samples_multi_if.jsonl"));
  REQUIRE(mif.size() == 2);
  std::string reply = mif[0]["resps"][0];
  reply.erase(0, reply.find_first_not_of(" \t\n\r\f\v"));
  reply.erase(reply.find_last_not_of(" \t\n\r\f\v") + 1);
  CHECK(mif[0]["arguments"][1][0].get<std::string>().find("<|im_start|>assistant\n" + reply + "<|im_end|>") != std::string::npos);
  CHECK(mif[0]["arguments"][2][0].get<std::string>().find(mif[0]["arguments"][1][0].get<std::string>().substr(0, 40)) == 0);
}
