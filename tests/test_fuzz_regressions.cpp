// Inputs the libFuzzer targets of tests/fuzz found (issue 16 item 4), each reduced to the smallest
// case that shows the problem, with the behaviour now required: a one-line lfmb::Error naming the
// file and the field, never another exception type, a crash or a sanitizer report.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <filesystem>
#include <string>

#include "core/error.h"
#include "core/tokenizer/hf_tokenizer_json.h"
#include "eval/data/table_reader.h"
#include "eval/process_docs.h"
#include "eval/prompt_builder.h"
#include "eval/task_config.h"
#include "eval/task_docs.h"
#include "eval/task_index.h"
#include "eval/template/doc_template.h"
#include "test_support.h"

using namespace lfmb;
using lfmb::test::temp_dir;
using lfmb::test::error_of;
using lfmb::test::write_file;

namespace {

std::string task_error(const std::string& yaml) {
  const std::string path = temp_dir() + "/fuzz-regression-task.yaml";
  write_file(path, yaml);
  return error_of([&] { (void)eval::load_task_file(path); });
}

const char* kGroupHead = "group: g\ntask:\n- a\n";
const char* kTaskHead = "task: t\ndataset_path: d\noutput_type: generate_until\ndoc_to_text: q\ndoc_to_target: a\n";

}  // namespace

TEST_CASE("fuzz regression: group aggregate fields of the wrong type are errors naming the key", "[fuzz-regressions]") {
  // Found by fuzz_task_yaml: `weight_by_size: tru0e` escaped as nlohmann::json type_error.
  CHECK_THAT(task_error(std::string(kGroupHead) + "aggregate_metric_list:\n- metric: exact_match\n  weight_by_size: tru0e\n"),
             Catch::Contains("aggregate_metric_list") && Catch::Contains("weight_by_size"));
  CHECK_THAT(task_error(std::string(kGroupHead) + "aggregate_metric_list:\n- metric: [exact_match]\n"),
             Catch::Contains("aggregate_metric_list") && Catch::Contains("metric"));
  CHECK_THAT(task_error(std::string(kGroupHead) + "aggregate_metric_list:\n- metric: m\n  filter_list: []\n"),
             Catch::Contains("filter_list"));
  CHECK_THAT(task_error(std::string(kGroupHead) + "aggregate_metric_list:\n- metric: m\n  filter_list: [{a: 1}]\n"),
             Catch::Contains("filter_list"));
  CHECK_THAT(task_error(std::string(kGroupHead) + "aggregate_metric_list: exact_match\n"),
             Catch::Contains("aggregate_metric_list"));
  // Still accepted: the forms the shipped groups use.
  CHECK(task_error(std::string(kGroupHead) +
                   "aggregate_metric_list:\n- metric: m\n  filter_list: [strict-match]\n  weight_by_size: false\n") == "");
}

TEST_CASE("fuzz regression: metric entries of the wrong type are errors naming the key", "[fuzz-regressions]") {
  CHECK_THAT(task_error(std::string(kTaskHead) + "metric_list:\n- metric: exact_match\n  higher_is_better: yes please\n"),
             Catch::Contains("metric_list") && Catch::Contains("higher_is_better"));
  CHECK_THAT(task_error(std::string(kTaskHead) + "metric_list:\n- metric: exact_match\n  filter_list: [strict-match, 3]\n"),
             Catch::Contains("metric_list") && Catch::Contains("filter_list"));
}

TEST_CASE("fuzz regression: non-scalar YAML keys and include targets are errors naming the file and line", "[fuzz-regressions]") {
  // Found by fuzz_task_yaml: `? - function: x` (a sequence as a key) escaped as YAML::BadConversion.
  const std::string complex_key = task_error(std::string(kTaskHead) + "? - function: filter_eq\n: 1\n");
  CHECK_THAT(complex_key, Catch::Contains("fuzz-regression-task.yaml:6") && Catch::Contains("mapping keys"));
  CHECK_THAT(task_error(std::string(kTaskHead) + "metadata:\n  ? [a, b]\n  : 1\n"), Catch::Contains("mapping keys"));
  CHECK_THAT(task_error(std::string("include: [a.yaml]\n") + kTaskHead), Catch::Contains("include: expected a file name"));
}

TEST_CASE("fuzz regression: a small gzip file decompresses without a whole-chunk buffer and large ones still grow", "[fuzz-regressions]") {
  // fuzz_dataset_gzip ran 30 inputs/s: every file, however small, zero-filled a 1 MiB buffer first.
  // The buffer now starts at 4x the input and doubles; the results must not change.
  std::string big;
  for (int i = 0; i < 300000; ++i) big += "{\"i\": " + std::to_string(i) + "}\n";  // ~3.9 MB, highly compressible
  uLongf n = compressBound(uLong(big.size())) + 32;
  std::string gz(n, '\0');
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(big.data());
  zs.avail_in = uInt(big.size());
  zs.next_out = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_out = uInt(gz.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  gz.resize(zs.total_out);
  deflateEnd(&zs);
  REQUIRE(gz.size() < big.size() / 4);  // so the first guess is too small and the buffer must grow
  const std::string path = temp_dir() + "/fuzz-regression.jsonl.gz";
  write_file(path, gz);
  CHECK(eval::read_data_file(path) == big);
  CHECK(eval::read_jsonl(path).size() == 300000);
  CHECK_THAT(error_of([&] { (void)eval::read_data_file(path, big.size() - 1); }), Catch::Contains("larger than the limit"));
  CHECK(eval::read_data_file(path, big.size()) == big);
}

TEST_CASE("fuzz regression: a task file with bytes that are not UTF-8 is an error naming the line", "[fuzz-regressions]") {
  // Found by fuzz_task_yaml: yaml-cpp passed the byte into a choice string; printing it later
  // threw nlohmann::json type_error 316.
  CHECK_THAT(task_error(std::string(kTaskHead) + "doc_to_choice: [\"a\xff\"]\n"),
             Catch::Contains("fuzz-regression-task.yaml:6: invalid UTF-8"));
}

TEST_CASE("fuzz regression: unusual targets and choices give errors or text, never other exceptions", "[fuzz-regressions]") {
  const std::string dir = temp_dir() + "/fuzz-regression-mc";
  auto prompts_for = [&](const std::string& extra) {
    write_file(dir + "/t.yaml", "task: t\ndataset_path: d\noutput_type: multiple_choice\ndoc_to_text: q\n" + extra +
                                    "metric_list:\n- metric: acc\n");
    return eval::load_task_file(dir + "/t.yaml").tasks.at(0);
  };
  const nlohmann::json doc = {{"q", "?"}};
  {
    // A digit string beyond 64 bits: lm-eval would take it as an index; lfmb cannot, and says so.
    const eval::TaskConfig t = prompts_for("doc_to_target: \"99999999999999999999999\"\ndoc_to_choice: [a, b]\n");
    const eval::TaskPrompts p(t);
    CHECK_THAT(error_of([&] { (void)p.gold_index(doc); }), Catch::Contains("not a usable choice index"));
  }
}

TEST_CASE("fuzz regression: fewshot_config and generation_kwargs values of the wrong type are errors naming the key", "[fuzz-regressions]") {
  // Found by fuzz_task_yaml: `sampler: ~` escaped as nlohmann::json type_error; generation_kwargs
  // values were only read (and would have thrown) when the model ran.
  const std::string task = std::string(kTaskHead) + "fewshot_split: train\nmetric_list:\n- metric: exact_match\n";
  CHECK_THAT(task_error(task + "fewshot_config: {sampler: ~}\n"), Catch::Contains("fewshot_config") && Catch::Contains("sampler"));
  CHECK_THAT(task_error(task + "fewshot_config: {doc_to_target: [a]}\n"), Catch::Contains("doc_to_target"));
  CHECK_THAT(task_error(task + "generation_kwargs: {until: [a, 1]}\n"), Catch::Contains("until"));
  CHECK_THAT(task_error(task + "generation_kwargs: {temperature: hot}\n"), Catch::Contains("temperature"));
  CHECK_THAT(task_error(task + "generation_kwargs: {do_sample: 1}\n"), Catch::Contains("do_sample"));
  CHECK_THAT(task_error(task + "generation_kwargs: {max_gen_toks: 0}\n"), Catch::Contains("max_gen_toks"));
  CHECK_THAT(task_error(task + "generation_kwargs: {top_k: 1.5}\n"), Catch::Contains("top_k"));
  CHECK(task_error(task + "fewshot_config: {sampler: first_n}\ngeneration_kwargs: {until: [\"\\n\"], max_gen_toks: 5, "
                          "do_sample: false, temperature: 0, top_p: 1.0, top_k: 0, min_p: 0.0}\n") == "");
}

TEST_CASE("fuzz regression: process_docs arguments of the wrong type are errors naming the step", "[fuzz-regressions]") {
  // Found by fuzz_task_yaml: `gpqa_choices` with `seed: x` escaped as nlohmann::json type_error.
  auto steps_error = [&](const std::string& steps) {
    const std::string path = temp_dir() + "/fuzz-regression-steps.yaml";
    write_file(path, std::string(kTaskHead) + "process_docs:\n" + steps + "metric_list:\n- metric: exact_match\n");
    const eval::TaskConfig t = eval::load_task_file(path).tasks.at(0);
    const std::vector<nlohmann::json> docs = {{{"Correct Answer", "a"}, {"Incorrect Answer 1", "b"},
                                               {"Incorrect Answer 2", "c"}, {"Incorrect Answer 3", "d"}, {"k", "v"}}};
    return error_of([&] { (void)eval::apply_process_docs(t, docs); });
  };
  CHECK_THAT(steps_error("- {function: gpqa_choices, seed: x}\n"), Catch::Contains("gpqa_choices") && Catch::Contains("seed"));
  CHECK_THAT(steps_error("- {function: filter_eq, field: k, value: v, negate: maybe}\n"), Catch::Contains("negate"));
  CHECK_THAT(steps_error("- {function: collect_list, into: c, fields: [k, 3]}\n"), Catch::Contains("fields"));
  CHECK(steps_error("- {function: gpqa_choices, seed: 3}\n- {function: filter_eq, field: k, value: v, negate: false}\n") == "");
}

TEST_CASE("fuzz regression: tokenizer.json ids far beyond the vocabulary or negative are errors", "[fuzz-regressions]") {
  // Found by fuzz_tokenizer_hf_json: {"vocab": {"a": 6221000000000}} sized the vocabulary by that
  // id (a 6 TB allocation). A negative added-token id indexed before the vocabulary.
  auto hf_error = [&](const std::string& vocab, const std::string& added) {
    const std::string path = temp_dir() + "/fuzz-regression-tokenizer.json";
    write_file(path, R"({"model": {"type": "BPE", "vocab": )" + vocab + R"(, "merges": []}, "added_tokens": )" + added +
                         R"(, "pre_tokenizer": {"type": "ByteLevel", "use_regex": true}})");
    return error_of([&] { (void)tokenizer_spec_from_hf_json(path); });
  };
  CHECK_THAT(hf_error(R"({"a": 6221000000000})", "[]"), Catch::Contains("token id 6221000000000") && Catch::Contains("unused"));
  CHECK_THAT(hf_error(R"({"a": 0})", R"([{"id": 5000, "content": "<x>"}])"), Catch::Contains("token id 5000"));
  CHECK_THAT(hf_error(R"({"a": 0})", R"([{"id": -1, "content": "<x>"}])"), Catch::Contains("negative id"));
  // A float id was converted to int64 (undefined behaviour, UBSan's finding); ids must be integers.
  CHECK_THAT(hf_error(R"({"a": 9.2e20})", "[]"), Catch::Contains("not an integer id"));
  CHECK_THAT(hf_error(R"({"a": 0})", R"([{"id": 1.5, "content": "<x>"}])"), Catch::Contains("not an integer id"));
  CHECK_THAT(hf_error(R"({"a": 18446744073709551615})", "[]"), Catch::Contains("not an integer id"));
  // Small gaps stay accepted (filled with unused placeholders).
  CHECK(hf_error(R"({"a": 0, "b": 1})", R"([{"id": 1000, "content": "<x>", "special": true}])") == "");
}

TEST_CASE("fuzz regression: an empty string or list repeated a huge number of times is empty at once", "[fuzz-regressions]") {
  // fuzz_doc_template: {{ n * empty * 492233736854775807 / 3 % 2 }} looped 4.9e17 times.
  const nlohmann::json doc = nlohmann::json::parse(R"({"n": 3, "empty": "", "list": [], "s": "ab"})");
  CHECK(eval::DocTemplate("{{ empty * 492233736854775807 }}|{{ n * empty * 492233736854775807 }}", "t").render(doc) == "|");
  CHECK(eval::DocTemplate("{{ (list * 9223372036854775807) | length }}", "t").render(doc) == "0");
  // A non-empty one that large is still refused, not built.
  CHECK_THAT(error_of([&] { (void)eval::DocTemplate("{{ s * 492233736854775807 }}", "t").render(doc); }),
             Catch::Contains("budget of 4 Mi bytes and items"));
}

TEST_CASE("fuzz regression: repeating a nested list counts what a deep copy holds", "[fuzz-regressions]") {
  // fuzz_doc_template (out of memory): each of the 9223 copies deep-copied a 244k-item list.
  const nlohmann::json doc = nlohmann::json::parse(R"({"long": "xxxxxxxx"})");
  CHECK_THAT(error_of([&] { (void)eval::DocTemplate("{{ 9223*[11*[22211*[111]]] }}", "t").render(doc); }),
             Catch::Contains("budget of 4 Mi bytes and items"));
  // Strings inside a list count their bytes: 9 * 8 Mi bytes would be over the limit.
  CHECK_THAT(error_of([&] { (void)eval::DocTemplate("{{ ([long] * 8388608) | length }}", "t").render(doc); }),
             Catch::Contains("budget of 4 Mi bytes and items"));
  // Small nested repetitions still work, and stay Python's values.
  CHECK(eval::DocTemplate("{{ 2*[2*[1]] }}|{{ (3*[[long]]) | length }}", "t").render(doc) == "[[1, 1], [1, 1]]|3");
}

TEST_CASE("fuzz regression: range() and slice steps that pass int64 end the sequence", "[fuzz-regressions]") {
  // fuzz_doc_template (UBSan, signed overflow): range(i, 5, 9223372036854775806) computed 2 + step.
  const nlohmann::json doc = nlohmann::json::parse(R"({"s": "abcdef", "l": [0, 1, 2, 3]})");
  auto render = [&](const std::string& src) { return eval::DocTemplate(src, "t").render(doc); };
  CHECK(render("{% for i in range(3) %}{{ range(i, 5, 9223372036854775806) }}{% endfor %}") == "[0][1][2]");
  CHECK(render("{{ range(-2, -9223372036854775807, -9223372036854775807) }}") == "[-2]");
  CHECK(render("{{ range(9223372036854775806, 9223372036854775807) }}") == "[9223372036854775806]");
  CHECK(render("{{ s[2::9223372036854775807] }}|{{ l[3::-9223372036854775807] }}|{{ s[::9223372036854775807] }}") ==
        "c|[3]|a");
}

TEST_CASE("fuzz regression: one render builds at most 4 Mi bytes and items", "[fuzz-regressions]") {
  // fuzz_doc_template slowed to 700 runs/s at 1.1 GB: short templates built lists of tens of
  // millions of items, each under the old per-repetition limit. Every way to grow is now paid
  // from one budget per render, before the value is built.
  const nlohmann::json doc = nlohmann::json::parse(R"({"q": "Why?"})");
  auto over = [&](const std::string& source) {
    return error_of([&] { (void)eval::DocTemplate(source, "t").render(doc); });
  };
  const auto budget = Catch::Contains("budget of 4 Mi bytes and items");
  CHECK_THAT(over("{{ (([0] * 3000000) + ([0] * 3000000)) | length }}"), budget);      // concatenation
  CHECK_THAT(over("{{ ('x' * 1000) | replace('', 'y' * 100000) }}"), budget);         // replace, filter
  CHECK_THAT(over("{{ ('x' * 1000).replace('x', 'y' * 100000) }}"), budget);          // replace, method
  CHECK_THAT(over("{{ range(100000) | join('x' * 1000) }}"), budget);                 // join separators
  CHECK_THAT(over("{{ ('x' * 1000000) | regex_replace('()', 'yyyy') }}"),  // re.sub result, stopped as it grows
             Catch::Contains("substitution result is over"));
  CHECK_THAT(over("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}"), budget);
  CHECK_THAT(over("{% for c in 'x' * 1000000 %}{% endfor %}"), budget);               // before the items exist
  CHECK_THAT(over("{{ ('x' * 3000000) | list | length }}"), budget);
  CHECK_THAT(over("{% for i in range(3000) %}{{ 'x' * 1000 }}{% endfor %}"), budget); // what the body builds
  // A loop step costs 1 Ki: about 4000 steps fit, 4100 do not.
  CHECK(eval::DocTemplate("{% for i in range(4000) %}{% endfor %}ok", "t").render(doc) == "ok");
  CHECK_THAT(over("{% for i in range(4100) %}{% endfor %}"), budget);
  // The error names the template and the line, as every render error does.
  CHECK_THAT(over("{{ q }}\n{{ 'x' * 5000000 }}"), Catch::StartsWith("t: "));
  // A long passage is far below the budget, and the same sizes are fine one at a time.
  const nlohmann::json big = {{"passage", std::string(1000000, 'a')}, {"q", "Why?"}};
  const std::string out = eval::DocTemplate("{{ passage.strip() }}\nQ: {{ q }}", "t").render(big);
  CHECK(out.size() == 1000000 + 8);
  CHECK(eval::DocTemplate("{{ ([0] * 1000000) | length }}|{{ ('x' * 1000).replace('x', 'yy') | length }}", "t")
            .render(doc) == "1000000|2000");
  CHECK(eval::DocTemplate("{{ ['a', 'b'] | join(', ') }}|{{ 'aXbX' | regex_replace('X', '-') }}", "t").render(doc) ==
        "a, b|a-b-");
  // regex_replace in a loop reuses compiled patterns; more patterns than it keeps stay right.
  std::string want;
  for (int i = 0; i < 12; ++i) want += i == 1 ? "a-b2" : i == 2 ? "a1b-" : "a1b2";
  CHECK(eval::DocTemplate("{% for i in range(12) %}{{ 'a1b2' | regex_replace(i | string, '-') }}{% endfor %}", "t")
            .render(doc) == want);
}

TEST_CASE("fuzz regression: file names the OS refuses are errors naming the file, never filesystem_error", "[fuzz-regressions]") {
  // Found by fuzz_task_yaml: an `include:` name longer than NAME_MAX (255 bytes) made
  // std::filesystem::status throw filesystem_error ("File name too long").
  const std::string long_name(300, 'x');
  CHECK_THAT(task_error(std::string("include: ") + long_name + ".yaml\n" + kTaskHead),
             Catch::Contains(long_name) && Catch::Contains("cannot access"));

  // The same names in data_files are "not found" at load time; a list entry that is no name is an error.
  const std::string dir = temp_dir() + "/fuzz-regression-docs";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/t.yaml";
  write_file(path, std::string(kTaskHead) + "metric_list:\n- metric: exact_match\ndataset_kwargs:\n  data_files: {test: [" + long_name + ", 3]}\n");
  const eval::TaskConfig t = eval::load_task_file(path).tasks.at(0);
  CHECK_THAT(error_of([&] { (void)eval::split_files(t, "test", dir); }), Catch::Contains("expected file names"));
  write_file(path, std::string(kTaskHead) + "metric_list:\n- metric: exact_match\ndataset_kwargs:\n  data_files: {test: " + long_name + "}\n");
  const eval::TaskConfig t2 = eval::load_task_file(path).tasks.at(0);
  CHECK_THAT(error_of([&] { (void)eval::split_files(t2, "test", dir); }), Catch::Contains(long_name) && Catch::Contains("not found"));

  // A task folder with a dangling link named like a task file: skipped, the real task still found.
  std::filesystem::create_symlink(dir + "/nowhere", dir + "/dangling.yaml");
  const eval::TaskIndex index({dir});
  CHECK(index.names() == std::vector<std::string>{"t"});
}
