// The task system: task YAML parsing (lm-eval field names, include:, errors naming file:line),
// the shipped tasks (every one loads with its data and builds a prompt; document counts match
// SOURCES.md), prompt building as lm-eval's fewshot_context, few-shot draws as lm-eval's
// samplers, and the group statistics.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "eval/prompt_builder.h"
#include "eval/scorers/scorer.h"
#include "eval/scoring.h"
#include "eval/task_docs.h"
#include "eval/task_index.h"
#include "test_support.h"

using namespace lfmb;
using namespace lfmb::eval;
using lfmb::test::temp_dir;
using lfmb::test::write_file;
using nlohmann::json;

using lfmb::test::error_of;

namespace {

const char* kToyTask = R"(task: toy
dataset_path: toy
dataset_kwargs:
  data_files: {test: test.jsonl, train: train.jsonl}
test_split: test
fewshot_split: train
fewshot_config: {sampler: first_n}
output_type: multiple_choice
description: "Pick one.\n\n"
doc_to_text: "Q: {{q}}\nA:"
doc_to_choice: ["yes", "no"]
doc_to_target: "{{gold}}"
num_fewshot: 2
metric_list:
  - metric: acc
)";

}  // namespace

TEST_CASE("task YAML with lm-eval fields and include inheritance and a group with inline tasks", "[eval][tasks]") {
  const std::string dir = temp_dir();
  write_file(dir + "/_base.yaml", "dataset_path: toy\ntest_split: test\noutput_type: generate_until\n"
                                  "doc_to_text: \"{{q}}\"\nmetric_list:\n  - metric: exact_match\n    ignore_case: true\n");
  write_file(dir + "/g.yaml", "group: g\ntask:\n  - {task: a, include: _base.yaml}\n  - {task: b, include: _base.yaml, "
                              "num_fewshot: 0, test_split: other}\naggregate_metric_list:\n  - metric: exact_match\n"
                              "    weight_by_size: false\n");
  const TaskIndex idx({dir});
  REQUIRE(idx.is_group("g"));
  REQUIRE(idx.expand({"g"}) == std::vector<std::string>{"a", "b"});
  CHECK(idx.task("a").test_split == "test");
  CHECK(idx.task("b").test_split == "other");  // the entry's own key wins over the include
  CHECK(idx.task("a").metric_list.at(0).args["ignore_case"] == true);
  CHECK(idx.task("a").target_delimiter == " ");       // lm-eval defaults
  CHECK(idx.task("a").fewshot_delimiter == "\n\n");
  CHECK_FALSE(idx.group("g").aggregate_metric_list.at(0).weight_by_size);
}

TEST_CASE("task YAML errors name the file, the line and the key", "[eval][tasks]") {
  const std::string dir = temp_dir();
  write_file(dir + "/bad.yaml", std::string(kToyTask) + "doc_too_text: x\n");
  const std::string e = error_of([&] { TaskIndex idx({dir}); });
  CHECK(e.find("bad.yaml:16") != std::string::npos);
  CHECK(e.find("doc_too_text") != std::string::npos);
  CHECK(e.find("unknown task key") != std::string::npos);

  const std::string dir2 = temp_dir();
  write_file(dir2 + "/t.yaml", "task: x\ndataset_path: d\ndoc_to_text: q\noutput_type: loglikelihood_rolling\nmetric_list: [{metric: acc}]\n");
  CHECK(error_of([&] { TaskIndex idx({dir2}); }).find("not implemented") != std::string::npos);

  const std::string dir3 = temp_dir();
  write_file(dir3 + "/t.yaml", "task: x\n  bad: [\n");
  CHECK(error_of([&] { TaskIndex idx({dir3}); }).find("bad YAML") != std::string::npos);

  TaskIndex idx4({temp_dir()});
  const std::string unknown = error_of([&] { idx4.expand({"nope"}); });
  CHECK(unknown.find("unknown task 'nope'") != std::string::npos);
}

TEST_CASE("prompts follow lm-eval's fewshot_context in plain text and as chat turns", "[eval][tasks]") {
  const std::string dir = temp_dir();
  write_file(dir + "/toy.yaml", kToyTask);
  write_file(dir + "/data/toy/test.jsonl", "{\"q\": \"Is water wet?\", \"gold\": 0}\n");
  write_file(dir + "/data/toy/train.jsonl", "{\"q\": \"Sky green?\", \"gold\": 1}\n{\"q\": \"Fire hot?\", \"gold\": 0}\n"
                                            "{\"q\": \"Unused?\", \"gold\": 1}\n");
  const TaskIndex idx({dir});
  const TaskConfig& t = idx.task("toy");
  const auto docs = load_split_docs(t, "test", dir + "/data");
  const auto pool = load_split_docs(t, "train", dir + "/data");
  TaskPrompts p(t);
  const auto shots = fewshot_indices(t, 1, pool.size(), 2, false, 1234);
  REQUIRE(shots[0] == std::vector<size_t>{0, 1});  // first_n
  const auto msgs = p.messages(docs[0], {&pool[0], &pool[1]}, "");
  CHECK(plain_text(msgs) == "Pick one.\n\nQ: Sky green?\nA: no\n\nQ: Fire hot?\nA: yes\n\nQ: Is water wet?\nA:");
  REQUIRE(msgs.size() == 6);
  CHECK(msgs[0].role == "system");
  CHECK(msgs[1].role == "user");
  CHECK(msgs[2].role == "assistant");
  CHECK(msgs[2].content == "no");
  CHECK(msgs[5].content == "Q: Is water wet?\nA:");
  CHECK(p.gold_index(docs[0]) == 0);
  CHECK(p.target(docs[0]) == "yes");
  // A system instruction joins the description with the few-shot delimiter (maybe_delimit).
  CHECK(p.messages(docs[0], {}, "Be brief.")[0].content == "Be brief.\n\nPick one.\n\n");
}

TEST_CASE("dataset_kwargs options of the wrong type are errors naming the task file and the key", "[eval][tasks]") {
  const std::string dir = temp_dir();
  write_file(dir + "/data/toy/test.csv", "q,gold\nIs water wet?,0\n");
  const auto docs_error = [&](const std::string& kwargs) {
    std::string yaml = kToyTask;
    yaml.replace(yaml.find("  data_files: {test: test.jsonl"), 0, kwargs);
    yaml.replace(yaml.find("test.jsonl"), 10, "test.csv");
    write_file(dir + "/toy.yaml", yaml);
    const TaskIndex idx({dir});
    return error_of([&] { (void)load_split_docs(idx.task("toy"), "test", dir + "/data"); });
  };
  CHECK(docs_error("") == "");
  CHECK(docs_error("  delimiter: \",\"\n  header: true\n  column_names: [q, gold]\n") == "");
  for (const char* bad : {"  delimiter: \"\"\n", "  delimiter: [\",\"]\n", "  delimiter: \";;\"\n"})
    CHECK_THAT(docs_error(bad), Catch::Contains("toy.yaml: task 'toy': dataset_kwargs.delimiter"));
  CHECK_THAT(docs_error("  header: yes please\n"), Catch::Contains("toy.yaml: task 'toy': dataset_kwargs.header"));
  CHECK_THAT(docs_error("  column_names: [q, [gold]]\n"), Catch::Contains("dataset_kwargs.column_names"));
  CHECK_THAT(docs_error("  quoting: {a: 1}\n"), Catch::Contains("dataset_kwargs.quoting: expected a string"));
  CHECK_THAT(docs_error("  loader: [livecodebench]\n"), Catch::Contains("dataset_kwargs.loader: expected a string"));
}

TEST_CASE("the default few-shot sampler draws as random.Random(1234).sample, one generator in doc order", "[eval][tasks]") {
  TaskConfig t;
  t.fewshot_sampler = "default";
  // CPython 3.11: r = random.Random(1234); [r.sample(range(10), 3) for _ in range(3)]
  //   -> [[7, 1, 0], [1, 0, 9], [1, 5, 3]]   (computed with /usr/bin/python3)
  const auto got = fewshot_indices(t, 3, 10, 3, false, 1234);
  CHECK(got[0] == std::vector<size_t>{7, 1, 0});
  CHECK(got[1] == std::vector<size_t>{1, 0, 9});
  CHECK(got[2] == std::vector<size_t>{1, 5, 3});
  // Pool = test split: n + 1 drawn and the document itself dropped.
  // r = random.Random(1234); r.sample(range(10), 4) -> [7, 1, 0, 9]: doc 0 drops 0 -> [7, 1, 9]
  const auto same = fewshot_indices(t, 1, 10, 3, true, 1234);
  CHECK(same[0] == std::vector<size_t>{7, 1, 9});
}

TEST_CASE("group scores are the weighted mean with lm-eval's pooled standard error", "[eval][tasks]") {
  // Two subtasks: 4 docs with mean 0.5 and 2 docs with mean 1.0.
  const MetricValue a{0.5, mean_stderr({1, 0, 1, 0})}, b{1.0, mean_stderr({1, 1})};
  REQUIRE(a.stderr_);
  CHECK(*a.stderr_ == Approx(std::sqrt(1.0 / 3.0) / 2.0));
  const MetricValue micro = aggregate_group({a, b}, {4, 2}, true);
  CHECK(micro.value == Approx(4.0 / 6.0));
  // pooled: ((4-1)*se_a^2*4 + (2-1)*0*2) / (6 - 2) / 6
  CHECK(*micro.stderr_ == Approx(std::sqrt((3 * (*a.stderr_) * (*a.stderr_) * 4) / 4.0 / 6.0)));
  CHECK(aggregate_group({a, b}, {4, 2}, false).value == Approx(0.75));
  CHECK_FALSE(mean_stderr({1.0}).has_value());
}

TEST_CASE("every shipped task loads its data and builds a prompt and names known filters and metrics", "[eval][tasks][datasets]") {
  LFMB_REQUIRE_DATASET_FILE(sources, "SOURCES.md");
  const std::string data = std::filesystem::path(sources).parent_path().string();
  const TaskIndex idx({default_tasks_dir()});
  std::map<std::string, size_t> docs_in;
  for (const std::string& name : idx.names()) {
    if (!idx.is_task(name)) continue;
    const TaskConfig& t = idx.task(name);
    for (const FilterConfig& f : t.filter_list)
      for (const FilterStepConfig& s : f.steps) CHECK(find_filter(s.function) != nullptr);
    // (instruction-following tasks name their processor's metrics, checked by tests/test_if_scoring.cpp)
    if (t.output_type == "generate_until" && t.process_results.empty())
      for (const MetricConfig& m : t.metric_list) CHECK(find_metric(m.metric) != nullptr);
    if (name.rfind("mmmlu_", 0) == 0) {  // user-supplied: the error says what to download
      const std::string e = error_of([&] { load_split_docs(t, t.test_split, data); });
      CHECK(e.find("openai/MMMLU") != std::string::npos);
      continue;
    }
    if (t.dataset_kwargs.value("loader", std::string()) == "livecodebench") {  // user-supplied HF files (tests/test_livecodebench.cpp)
      const std::string e = error_of([&] { load_split_docs(t, t.test_split, data); });
      CHECK(e.find("livecodebench/code_generation_lite") != std::string::npos);
      continue;
    }
    INFO(name);
    const auto docs = load_split_docs(t, t.test_split, data);
    docs_in[name] = docs.size();
    TaskPrompts p(t);
    std::vector<json> pool;
    if (t.num_fewshot > 0)
      pool = t.fewshot_samples.is_array() ? t.fewshot_samples.get<std::vector<json>>() : load_split_docs(t, t.fewshot_split, data);
    std::vector<const json*> shots;
    for (int i = 0; i < t.num_fewshot && i < int(pool.size()); ++i) shots.push_back(&pool[size_t(i)]);
    CHECK_FALSE(plain_text(p.messages(docs.front(), shots, "")).empty());
    CHECK_FALSE(p.target(docs.back()).empty());
  }
  auto total = [&](const std::string& group) {
    size_t n = 0;
    for (const std::string& t : idx.expand({group})) n += docs_in[t];
    return n;
  };
  CHECK(total("mmlu") == 14042);
  CHECK(total("mmlu_pro") == 12032);
  CHECK(total("mmlu_pro_cot") == 12032);
  CHECK(total("gpqa_diamond") == 198);
  CHECK(total("gsm8k") == 1319);
  CHECK(total("gsmplus") == 2400);
  CHECK(total("gsmplus_no_ct") == 2100);
  CHECK(total("math500") == 500);
  CHECK(total("math_lvl5") == 1324);
  CHECK(total("mgsm") == 2750);
}
