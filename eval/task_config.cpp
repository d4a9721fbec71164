#include "eval/task_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <set>

#include "core/error.h"
#include "core/io/bounded_input.h"
#include "eval/data/utf8_text.h"

namespace lfmb::eval {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string where(const std::string& file, const YAML::Node& n) {
  return n.Mark().is_null() ? file : file + ":" + std::to_string(n.Mark().line + 1);
}

// A mapping key as text: YAML allows any node as a key (`? [a, b]`), task files only scalars.
std::string key_text(const YAML::Node& key, const std::string& file) {
  if (!key.IsScalar()) throw Error(where(file, key) + ": mapping keys must be plain names");
  return key.Scalar();
}

// YAML → JSON: plain scalars take YAML's core types (bool, null, int, float), quoted scalars
// stay strings, so "1.0" in quotes is text and 1.0 is a number, as PyYAML reads them.
json to_json(const YAML::Node& n, const std::string& file) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (const auto& e : n) a.push_back(to_json(e, file));
      return a;
    }
    case YAML::NodeType::Map: {
      json o = json::object();
      for (const auto& kv : n) o[key_text(kv.first, file)] = to_json(kv.second, file);
      return o;
    }
    case YAML::NodeType::Scalar: break;
  }
  const std::string s = n.Scalar();
  if (n.Tag() != "?") return s;  // quoted, or tagged (e.g. !function name)
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s == "null" || s == "~" || s == "Null" || s.empty()) return nullptr;
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used == s.size()) return v;
    double d = std::stod(s, &used);
    if (used == s.size()) return d;
  } catch (const std::exception&) {
  }
  return s;
}

YAML::Node load_yaml(const std::string& path) {
  // The error_code form: a name the OS refuses (too long, a loop of links) is a one-line error too.
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) throw Error(path + ": task file not found");
  if (ec) throw Error(path + ": cannot access (" + ec.message() + ")");
  if (!fs::is_regular_file(st)) throw Error(path + ": not a regular file");
  // PyYAML decodes the file strictly as UTF-8; yaml-cpp would pass stray bytes into strings
  // that nlohmann::json then cannot print.
  const std::string text = read_bounded_input(path, kMaxConfigBytes);
  require_utf8(text, path);
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(path + ":" + std::to_string(e.mark.line + 1) + ": bad YAML: " + e.msg);
  }
}

// lm-eval's `include:`: the included file's keys, overridden by this mapping's own.
json resolve_includes(const YAML::Node& node, const std::string& file, int depth,
                      std::map<std::string, std::string>& key_where) {
  if (depth > 8) throw Error(file + ": include chain deeper than 8 (a cycle?)");
  if (!node.IsMap()) throw Error(where(file, node) + ": expected a mapping");
  json out = json::object();
  if (const YAML::Node inc = node["include"]) {
    if (!inc.IsScalar()) throw Error(where(file, inc) + ": include: expected a file name");
    const fs::path inc_path = fs::path(file).parent_path() / inc.Scalar();
    json base = resolve_includes(load_yaml(inc_path.string()), inc_path.string(), depth + 1, key_where);
    out = base;
  }
  for (const auto& kv : node) {
    const std::string key = key_text(kv.first, file);
    if (key == "include") continue;
    out[key] = to_json(kv.second, file);
    key_where[key] = where(file, kv.first);
  }
  return out;
}

const std::set<std::string> kTaskKeys = {
    "task", "task_alias", "tag", "dataset_path", "dataset_name", "dataset_kwargs", "training_split",
    "validation_split", "test_split", "fewshot_split", "process_docs", "doc_to_text", "doc_to_target",
    "doc_to_choice", "description", "target_delimiter", "fewshot_delimiter", "fewshot_config", "num_fewshot",
    "metric_list", "output_type", "generation_kwargs", "repeats", "filter_list", "gen_prefix", "metadata",
    "should_decontaminate", "doc_to_decontamination_query", "data_hint", "process_results", "doc_to_turns"};
const std::set<std::string> kGroupKeys = {"group", "group_alias", "task", "aggregate_metric_list", "metadata"};

struct Reader {
  const json& j;
  const std::map<std::string, std::string>& at;
  const std::string& file;

  std::string loc(const std::string& key) const {
    auto it = at.find(key);
    return it == at.end() ? file : it->second;
  }
  [[noreturn]] void fail(const std::string& key, const std::string& msg) const {
    throw Error(loc(key) + ": " + key + ": " + msg);
  }
  std::string str(const std::string& key, const std::string& dflt) const {
    if (!j.contains(key) || j[key].is_null()) return dflt;
    if (j[key].is_string()) return j[key].get<std::string>();
    if (j[key].is_number() || j[key].is_boolean()) return j[key].dump();
    fail(key, "expected a string");
  }
  int integer(const std::string& key, int dflt, int lo, int hi) const {
    if (!j.contains(key) || j[key].is_null()) return dflt;
    if (!j[key].is_number_integer()) fail(key, "expected an integer");
    const long long v = j[key].get<long long>();
    if (v < lo || v > hi) fail(key, "must be from " + std::to_string(lo) + " to " + std::to_string(hi));
    return int(v);
  }
};

std::vector<ProcessDocsStep> parse_process_docs(const Reader& r) {
  std::vector<ProcessDocsStep> out;
  if (!r.j.contains("process_docs") || r.j["process_docs"].is_null()) return out;
  json v = r.j["process_docs"];
  if (v.is_string() || v.is_object()) v = json::array({v});
  if (!v.is_array()) r.fail("process_docs", "expected a name or a list of {function: NAME, ...}");
  for (const json& e : v) {
    ProcessDocsStep s;
    if (e.is_string()) {
      s.function = e.get<std::string>();
    } else if (e.is_object() && e.contains("function") && e["function"].is_string()) {
      s.function = e["function"].get<std::string>();
      s.args = e;
      s.args.erase("function");
    } else {
      r.fail("process_docs", "each step is a name or {function: NAME, ...}");
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<FilterConfig> parse_filters(const Reader& r) {
  std::vector<FilterConfig> out;
  if (!r.j.contains("filter_list")) return out;
  const json& v = r.j["filter_list"];
  if (!v.is_array()) r.fail("filter_list", "expected a list of {name, filter: [...]}");
  for (const json& f : v) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("filter") ||
        !f["filter"].is_array())
      r.fail("filter_list", "each entry needs name: and filter: [{function: ...}, ...]");
    FilterConfig fc;
    fc.name = f["name"].get<std::string>();
    for (const json& step : f["filter"]) {
      if (!step.is_object() || !step.contains("function") || !step["function"].is_string())
        r.fail("filter_list", "filter '" + fc.name + "': each step needs function:");
      FilterStepConfig s;
      s.function = step["function"].get<std::string>();
      s.args = step;
      s.args.erase("function");
      fc.steps.push_back(std::move(s));
    }
    out.push_back(std::move(fc));
  }
  return out;
}

std::vector<MetricConfig> parse_metrics(const Reader& r) {
  std::vector<MetricConfig> out;
  if (!r.j.contains("metric_list")) return out;
  const json& v = r.j["metric_list"];
  if (!v.is_array()) r.fail("metric_list", "expected a list of {metric: NAME, ...}");
  for (const json& m : v) {
    if (!m.is_object() || !m.contains("metric") || !m["metric"].is_string())
      r.fail("metric_list", "each entry needs metric: NAME");
    MetricConfig mc;
    mc.metric = m["metric"].get<std::string>();
    if (m.contains("aggregation")) {
      // lm-eval's ifeval.yaml writes `!function utils.agg_inst_level_acc`; the tag is dropped.
      std::string agg = m["aggregation"].is_string() ? m["aggregation"].get<std::string>() : "";
      if (agg.rfind("utils.", 0) == 0) agg = agg.substr(6);
      if (agg != "mean" && agg != "agg_inst_level_acc")
        r.fail("metric_list", "aggregation: mean or agg_inst_level_acc (instruction following) are implemented");
      mc.aggregation = agg;
    }
    if (m.contains("higher_is_better")) {
      if (!m["higher_is_better"].is_boolean()) r.fail("metric_list", "higher_is_better: expected true or false");
      mc.higher_is_better = m["higher_is_better"].get<bool>();
    }
    mc.args = m;
    if (m.contains("filter_list")) {
      const json& fl = m["filter_list"];
      if (fl.is_string()) mc.filters.push_back(fl.get<std::string>());
      else if (fl.is_array())
        for (const json& f : fl) {
          if (!f.is_string()) r.fail("metric_list", "filter_list: expected a filter name or a list of names");
          mc.filters.push_back(f.get<std::string>());
        }
      else r.fail("metric_list", "filter_list: expected a filter name or a list of names");
    }
    for (const char* k : {"metric", "aggregation", "higher_is_better", "filter_list"}) mc.args.erase(k);
    out.push_back(std::move(mc));
  }
  return out;
}

TaskConfig parse_task(const json& j, const std::map<std::string, std::string>& at, const std::string& file) {
  Reader r{j, at, file};
  for (const auto& [k, v] : j.items())
    if (!kTaskKeys.count(k)) r.fail(k, "unknown task key (lm-eval TaskConfig fields; see eval/README.md)");
  TaskConfig t;
  t.file = file;
  t.task = r.str("task", "");
  if (t.task.empty()) throw Error(file + ": a task needs task: NAME");
  t.task_alias = r.str("task_alias", "");
  t.dataset_path = r.str("dataset_path", "");
  if (t.dataset_path.empty()) r.fail("dataset_path", "required (a folder under the data dir)");
  t.dataset_name = r.str("dataset_name", "");
  if (j.contains("dataset_kwargs") && !j["dataset_kwargs"].is_null()) {
    if (!j["dataset_kwargs"].is_object()) r.fail("dataset_kwargs", "expected a mapping");
    t.dataset_kwargs = j["dataset_kwargs"];
  }
  t.test_split = r.str("test_split", "test");
  t.fewshot_split = r.str("fewshot_split", "");
  t.process_docs = parse_process_docs(r);
  t.output_type = r.str("output_type", "generate_until");
  if (t.output_type != "multiple_choice" && t.output_type != "generate_until")
    r.fail("output_type", "'" + t.output_type + "' is not implemented (multiple_choice, generate_until)");
  t.doc_to_text = r.str("doc_to_text", "");
  if (t.doc_to_text.empty()) r.fail("doc_to_text", "required");
  t.doc_to_target = r.str("doc_to_target", "");
  if (j.contains("doc_to_choice")) t.doc_to_choice = j["doc_to_choice"];
  if (t.output_type == "multiple_choice" && !(t.doc_to_choice.is_array() || t.doc_to_choice.is_string()))
    r.fail("doc_to_choice", "a multiple_choice task needs a list or a template");
  t.description = r.str("description", "");
  t.target_delimiter = r.str("target_delimiter", " ");
  t.fewshot_delimiter = r.str("fewshot_delimiter", "\n\n");
  t.gen_prefix = r.str("gen_prefix", "");
  t.num_fewshot = r.integer("num_fewshot", 0, 0, 64);
  if (r.integer("repeats", 1, 1, 1) != 1) r.fail("repeats", "only 1 is implemented");
  if (j.contains("fewshot_config") && !j["fewshot_config"].is_null()) {
    const json& fc = j["fewshot_config"];
    if (!fc.is_object()) r.fail("fewshot_config", "expected a mapping");
    for (const auto& [k, v] : fc.items()) {
      if ((k == "sampler" || k == "doc_to_target") && !v.is_string())
        r.fail("fewshot_config", k + ": expected a string");
      if (k == "sampler") {
        t.fewshot_sampler = v.get<std::string>();
        if (t.fewshot_sampler != "first_n" && t.fewshot_sampler != "default")
          r.fail("fewshot_config", "sampler '" + t.fewshot_sampler + "' is not implemented (first_n, default)");
      } else if (k == "doc_to_target") {
        t.fewshot_doc_to_target = v.get<std::string>();
      } else if (k == "samples") {
        if (!v.is_array()) r.fail("fewshot_config", "samples: expected a list of documents");
        t.fewshot_samples = v;
      } else {
        r.fail("fewshot_config", "unknown key '" + k + "' (sampler, doc_to_target, samples)");
      }
    }
  }
  if (t.num_fewshot > 0 && t.fewshot_split.empty() && t.fewshot_samples.is_null())
    r.fail("num_fewshot", "few-shot examples need fewshot_split or fewshot_config.samples");
  if (j.contains("generation_kwargs") && !j["generation_kwargs"].is_null()) {
    if (!j["generation_kwargs"].is_object()) r.fail("generation_kwargs", "expected a mapping");
    t.generation_kwargs = j["generation_kwargs"];
    for (const auto& [k, v] : t.generation_kwargs.items())
      if (k != "until" && k != "max_gen_toks" && k != "do_sample" && k != "temperature" && k != "top_p" &&
          k != "top_k" && k != "min_p")
        r.fail("generation_kwargs", "unknown key '" + k + "' (until, max_gen_toks, do_sample, temperature, top_p, top_k, min_p)");
      else if (k == "do_sample" && !v.is_boolean())
        r.fail("generation_kwargs", "do_sample: expected true or false");
      else if ((k == "max_gen_toks" || k == "top_k") && !(v.is_number_integer() && v.get<int64_t>() >= (k == "top_k" ? 0 : 1) &&
                                                          v.get<int64_t>() <= INT32_MAX))
        r.fail("generation_kwargs", k + ": expected an integer from " + (k == "top_k" ? "0" : "1") + " to 2147483647");
      else if ((k == "temperature" || k == "top_p" || k == "min_p") && !v.is_number())
        r.fail("generation_kwargs", k + ": expected a number");
    if (t.generation_kwargs.contains("until")) {
      json& u = t.generation_kwargs["until"];
      if (u.is_string()) u = json::array({u});
      if (!u.is_array()) r.fail("generation_kwargs", "until: expected a list of strings");
      for (const json& e : u)
        if (!e.is_string()) r.fail("generation_kwargs", "until: expected a list of strings");
    }
  }
  t.filter_list = parse_filters(r);
  t.metric_list = parse_metrics(r);
  if (t.metric_list.empty()) r.fail("metric_list", "required");
  t.data_hint = r.str("data_hint", "");
  t.process_results = r.str("process_results", "");
  if (!t.process_results.empty() && t.process_results != "instruction_following" && t.process_results != "creative_writing" &&
      !runs_model_code(t))
    r.fail("process_results", "'" + t.process_results +
                                  "' is not a document processor (instruction_following, creative_writing, livecodebench, evalplus)");
  for (const MetricConfig& m : t.metric_list)
    if (m.aggregation != "mean" && t.process_results.empty())
      r.fail("metric_list", "aggregation " + m.aggregation + " needs process_results: instruction_following");
  t.doc_to_turns = r.str("doc_to_turns", "");
  if (!t.doc_to_turns.empty() && t.output_type != "generate_until")
    r.fail("doc_to_turns", "multi-turn documents need output_type: generate_until");
  if (j.contains("metadata") && j["metadata"].is_object()) t.metadata = j["metadata"];
  t.resolved = j;
  return t;
}

GroupConfig parse_group(const YAML::Node& node, const json& j, const std::map<std::string, std::string>& at,
                        const std::string& file, TaskFileContents& out) {
  Reader r{j, at, file};
  for (const auto& [k, v] : j.items())
    if (!kGroupKeys.count(k)) r.fail(k, "unknown group key (group, task, aggregate_metric_list, metadata)");
  GroupConfig g;
  g.file = file;
  g.group = r.str("group", "");
  if (!node["task"] || !node["task"].IsSequence()) r.fail("task", "a group needs task: [names or task definitions]");
  for (const YAML::Node& e : node["task"]) {
    if (e.IsScalar()) {
      g.tasks.push_back(e.as<std::string>());
    } else if (e.IsMap()) {
      std::map<std::string, std::string> inner_at;
      json tj = resolve_includes(e, file, 0, inner_at);
      TaskConfig t = parse_task(tj, inner_at, file);
      g.tasks.push_back(t.task);
      out.tasks.push_back(std::move(t));
    } else {
      r.fail("task", "entries are task names or task definitions");
    }
  }
  if (j.contains("aggregate_metric_list")) {
    if (!j["aggregate_metric_list"].is_array()) r.fail("aggregate_metric_list", "expected a list of {metric: NAME, ...}");
    for (const json& a : j["aggregate_metric_list"]) {
      GroupConfig::Aggregate ag;
      if (!a.is_object() || !a.contains("metric") || !a["metric"].is_string())
        r.fail("aggregate_metric_list", "each entry needs metric: NAME");
      ag.metric = a["metric"].get<std::string>();
      if (a.contains("filter_list")) {
        const json& fl = a["filter_list"];
        const json& first = fl.is_array() && !fl.empty() ? fl[0] : fl;
        if (!first.is_string()) r.fail("aggregate_metric_list", "filter_list: expected a filter name or a list of names");
        ag.filter = first.get<std::string>();
      }
      if (a.contains("weight_by_size")) {
        if (!a["weight_by_size"].is_boolean()) r.fail("aggregate_metric_list", "weight_by_size: expected true or false");
        ag.weight_by_size = a["weight_by_size"].get<bool>();
      }
      if (a.contains("aggregation") && a["aggregation"] != "mean")
        r.fail("aggregate_metric_list", "only aggregation: mean is implemented");
      g.aggregate_metric_list.push_back(ag);
    }
  }
  if (j.contains("metadata") && j["metadata"].is_object()) g.metadata = j["metadata"];
  return g;
}

}  // namespace

TaskFileContents load_task_file(const std::string& path) {
  const YAML::Node root = load_yaml(path);
  TaskFileContents out;
  if (!root.IsMap()) throw Error(path + ": a task file is a YAML mapping");
  std::map<std::string, std::string> at;
  if (root["group"]) {
    json j = resolve_includes(root, path, 0, at);
    j.erase("task");
    out.groups.push_back(parse_group(root, j, at, path, out));
  } else {
    json j = resolve_includes(root, path, 0, at);
    out.tasks.push_back(parse_task(j, at, path));
  }
  return out;
}

}  // namespace lfmb::eval
