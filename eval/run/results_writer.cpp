#include "eval/run/results_writer.h"

#include <fmt/format.h>

#include "core/io/output_file.h"

namespace lfmb::eval {

using nlohmann::json;

namespace {

json metric_json(const std::map<std::string, MetricValue>& metrics, const std::vector<std::string>& order) {
  json o = json::object();
  for (const std::string& key : order) {
    const MetricValue& v = metrics.at(key);
    const size_t comma = key.find(',');
    o[key] = v.value;
    o[key.substr(0, comma) + "_stderr" + key.substr(comma)] = v.stderr_ ? json(*v.stderr_) : json("N/A");
  }
  return o;
}

}  // namespace

void write_eval_folder(const std::string& dir, const std::vector<TaskOutcome>& tasks,
                       const std::vector<GroupOutcome>& groups, const json& config) {
  json results = json::object(), configs = json::object(), versions = json::object(), nshot = json::object(),
       hib = json::object(), nsamples = json::object(), groups_json = json::object(), subtasks = json::object(),
       extra = json::object();
  for (const TaskOutcome& t : tasks) {
    const std::string& name = t.task->task;
    json r = metric_json(t.scores.metrics, t.scores.metric_order);
    r["alias"] = t.task->task_alias.empty() ? name : t.task->task_alias;
    r["n_samples"] = t.scores.n;
    r["n_truncated"] = t.scores.n_truncated;
    if (t.task->output_type == "generate_until")
      r["length_capped_share"] = t.scores.n ? double(t.scores.n_length) / double(t.scores.n) : 0.0;
    for (const auto& [k, v] : t.scores.extra.items()) r[k] = v;  // a processor's own keys (instruction following)
    results[name] = r;
    configs[name] = t.task->resolved;
    versions[name] = t.task->metadata.contains("version") ? t.task->metadata["version"] : json(nullptr);
    nshot[name] = t.num_fewshot;
    json h = json::object();
    for (const auto& [m, b] : t.scores.higher_is_better) h[m] = b;
    hib[name] = h;
    nsamples[name] = {{"original", t.n_original}, {"effective", t.scores.n}};
    extra[name] = t.extra;
  }
  for (const GroupOutcome& g : groups) {
    json r = metric_json(g.metrics, g.metric_order);
    r["alias"] = g.group;
    r["n_samples"] = g.n;
    results[g.group] = r;
    groups_json[g.group] = r;
    subtasks[g.group] = g.subtasks;
  }
  json out = {{"results", results},       {"groups", groups_json}, {"group_subtasks", subtasks},
              {"configs", configs},       {"versions", versions},  {"n-shot", nshot},
              {"higher_is_better", hib},  {"n-samples", nsamples}, {"config", config},
              {"task_details", extra}};
  for (const TaskOutcome& t : tasks) {
    std::string lines;
    for (const json& s : t.scores.samples) lines += s.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    write_output(dir + "/samples_" + t.task->task + ".jsonl", lines, ParentDirs::Create);
  }
  write_output(dir + "/results.json", out.dump(2, ' ', false, json::error_handler_t::replace) + "\n", ParentDirs::Create);
  write_output(dir + "/results.md", results_markdown(out), ParentDirs::Create);
}

std::string results_markdown(const json& rj) {
  std::string md = "|Tasks|Version|Filter|n-shot|Metric| |Value| |Stderr|\n|---|---|---|---|---|---|---:|---|---:|\n";
  auto rows = [&](const std::string& name, const json& r, bool is_group) {
    bool first = true;
    for (const auto& [key, v] : r.items()) {
      const size_t comma = key.find(',');
      if (comma == std::string::npos || key.find("_stderr,") != std::string::npos) continue;
      const std::string metric = key.substr(0, comma), filter = key.substr(comma + 1);
      const json& se = r[metric + "_stderr," + filter];
      std::string version, shots, arrow = "↑";
      if (!is_group) {
        const json& ver = rj["versions"][name];
        version = ver.is_null() ? "" : (ver.is_string() ? ver.get<std::string>() : ver.dump());
        shots = rj["n-shot"][name].dump();
        if (rj["higher_is_better"][name].contains(metric) && !rj["higher_is_better"][name][metric].get<bool>())
          arrow = "↓";
      }
      md += fmt::format("|{}|{}|{}|{}|{}|{}|{:.4f}|±|{}|\n", first ? name : "", version, filter, shots, metric, arrow,
                        v.get<double>(), se.is_number() ? fmt::format("{:.4f}", se.get<double>()) : "N/A");
      first = false;
    }
  };
  for (const auto& [name, r] : rj["results"].items())
    if (!rj["groups"].contains(name)) rows(name, r, false);
  if (!rj["groups"].empty()) {
    md += "\n|Groups|Version|Filter|n-shot|Metric| |Value| |Stderr|\n|---|---|---|---|---|---|---:|---|---:|\n";
    for (const auto& [name, r] : rj["groups"].items()) rows(name, r, true);
  }
  return md;
}

}  // namespace lfmb::eval
