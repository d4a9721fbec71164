// lfmb eval merge: the shard folders of one run → the folder the unsharded run writes. The
// documents are rebuilt from the data and each shard's responses re-scored in one pass, so group
// scores, standard errors and order-dependent fallbacks come out exactly as in a single run.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/error.h"
#include "core/io/bounded_input.h"
#include "eval/run/eval_run.h"
#include "eval/run/run_support.h"
#include "eval/scorers/creative_writing.h"
#include "eval/task_docs.h"

namespace lfmb::eval {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json read_json_file(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path + ": cannot read (not an eval output folder?)");
  const std::string text = read_bounded_input(path, kMaxResultFileBytes);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
}

std::vector<json> read_samples(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path + ": missing samples file");
  const std::string text = read_bounded_input(path, kMaxResultFileBytes);
  std::vector<json> out;
  size_t n = 0;
  for (size_t pos = 0; pos < text.size();) {  // lines as std::getline gives them
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++n;
    if (line.empty()) continue;
    try {
      out.push_back(json::parse(line));
    } catch (const json::exception& e) {
      throw Error(fmt::format("{}:{}: not valid JSON", path, n));
    }
  }
  return out;
}

// The model's side of a sample line, in the response-record form apply_response reads.
json response_record(const json& s, bool mc) {
  if (mc) {
    json lls = json::array();
    for (const json& r : s.at("resps")) lls.push_back(json::array({r[0], r[1], 0}));
    return {{"lls", lls}, {"truncated", s.value("truncated", false)}};
  }
  return {{"text", s.at("resps").at(0)},
          {"finish_reason", s.at("finish_reason")},
          {"prompt_tokens", s.value("prompt_tokens", 0)},
          {"generated_tokens", s.value("generated_tokens", 0)},
          {"truncated", s.value("truncated", false)}};
}

// Creative writing: the negative criteria of the task's rubric (the scorer inverts them).
std::vector<std::string> cwb_negative(const TaskConfig& t, const std::string& data_dir) {
  return cwb::load_rubric((fs::path(data_dir) / t.dataset_path).string(), t.metadata).negative;
}

// merge_eval's work. `reading` names the file whose fields are being read, so that a field that
// is missing or of the wrong type (a hand-edited or foreign folder) is an error naming it.
std::string merge_shards(const std::vector<std::string>& dirs, const std::string& output_dir, std::string& reading) {
  std::vector<json> results;
  for (const std::string& d : dirs) results.push_back(read_json_file(d + "/results.json"));
  reading = dirs[0] + "/results.json";
  json config = results[0].at("config");
  std::set<int> shard_seen;
  int shard_count = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    reading = dirs[i] + "/results.json";
    json c = results[i].at("config");
    int si = 0, sn = 0;
    if (std::sscanf(c.value("shard", std::string("1/1")).c_str(), "%d/%d", &si, &sn) != 2)
      throw Error(dirs[i] + "/results.json: config.shard is not I/N");
    if (!shard_seen.insert(si).second) throw Error(dirs[i] + ": shard " + std::to_string(si) + " given twice");
    if (shard_count && sn != shard_count) throw Error(dirs[i] + ": shard count " + std::to_string(sn) + " differs");
    shard_count = sn;
    for (const char* k : {"model_sha256", "backend", "dtype", "n_ctx", "seed", "tasks", "settings", "chat_template"})
      if (c.value(k, json()) != config.value(k, json()))
        throw Error(dirs[i] + ": config." + k + " differs from " + dirs[0] + " (not shards of one run)");
  }
  if (int(shard_seen.size()) != shard_count)
    throw Error(fmt::format("eval merge: {} of {} shards given", shard_seen.size(), shard_count));

  reading = dirs[0] + "/results.json";
  EvalOptions o;
  o.include_paths = config.value("include_paths", std::vector<std::string>{});
  const TaskIndex idx(task_dirs(o.include_paths));
  const std::vector<std::string> names = config["tasks"].get<std::vector<std::string>>();
  const std::string data_dir = config.value("data_dir", default_data_dir());

  std::vector<TaskOutcome> outcomes;
  std::vector<std::unique_ptr<PreparedTask>> keep;
  for (const std::string& name : idx.expand(names)) {
    if (!results[0]["configs"].contains(name)) continue;  // skipped in the run (missing data)
    const TaskConfig& t = idx.task(name);
    if (results[0]["configs"][name] != t.resolved)
      throw Error(t.file + ": task '" + name + "' changed since the shards ran");
    const int shots = results[0]["n-shot"].value(name, t.num_fewshot);
    keep.push_back(std::make_unique<PreparedTask>(prepare_task(t, data_dir, shots)));
    const PreparedTask& p = *keep.back();
    std::map<size_t, DocResult> by_id;
    size_t n_original = 0;
    json extra = json::object();
    std::vector<std::string> negative;
    if (t.process_results == "creative_writing") negative = cwb_negative(t, data_dir);
    for (size_t i = 0; i < dirs.size(); ++i) {
      const std::string samples = dirs[i] + "/samples_" + name + ".jsonl";
      for (const json& s : read_samples(samples)) {
        reading = samples;
        const size_t id = s.at("doc_id").get<size_t>();
        if (id >= p.docs.size()) throw Error(dirs[i] + ": " + name + ": doc_id " + std::to_string(id) + " outside the data");
        if (by_id.count(id)) throw Error(dirs[i] + ": " + name + ": doc_id " + std::to_string(id) + " in two shards");
        DocResult d = doc_skeleton(p, id);
        if (s.at("doc_hash") != doc_hash(d.doc))
          throw Error(dirs[i] + ": " + name + ": doc " + std::to_string(id) + " differs from the data in " + data_dir);
        d.arguments = s.at("arguments");
        if (!t.doc_to_turns.empty()) {
          // Multi-turn: resps holds each turn's raw reply (null: skipped), turns the rest.
          const json& resps = s.at("resps");
          const json& turns = s.at("turns");
          for (size_t j = 0; j < turns.size() && j < resps.size(); ++j) {
            TurnResult tr;
            tr.skipped = turns[j].value("skipped", false);
            if (!tr.skipped) {
              apply_turn_response(tr, {{"text", resps[j]},
                                       {"finish_reason", turns[j].at("finish_reason")},
                                       {"prompt_tokens", turns[j].value("prompt_tokens", 0)},
                                       {"generated_tokens", turns[j].value("generated_tokens", 0)},
                                       {"truncated", turns[j].value("truncated", false)}});
              tr.context = d.arguments.at(j).at(0).get<std::string>();
            }
            if (tr.truncated) d.truncated = true;
            d.turns.push_back(std::move(tr));
          }
        } else {
          apply_response(d, response_record(s, t.output_type == "multiple_choice"));
        }
        if (t.process_results == "creative_writing") {
          // The judge's replies travel in the samples: merging re-scores them, it asks no judge.
          for (const char* k : {"attempts", "generation_failed", "judge_prompt_sha256", "judge_reply"})
            if (s.contains(k)) d.extra[k] = s[k];
          if (s.contains("judge_reply")) d.extra["negative_criteria"] = negative;
        }
        by_id.emplace(id, std::move(d));
      }
      reading = dirs[i] + "/results.json";
      n_original = results[i]["n-samples"][name].value("original", size_t(0));
      if (extra.empty()) extra = results[i]["task_details"].value(name, json::object());
    }
    std::vector<DocResult> docs;
    for (auto& [id, d] : by_id) docs.push_back(std::move(d));
    TaskOutcome out;
    out.task = &t;
    out.scores = score_task(t, docs, data_dir);
    if (t.process_results == "creative_writing" && config.contains("judge")) out.scores.extra["judge"] = config["judge"];
    out.num_fewshot = shots;
    out.n_original = n_original;
    extra.erase("seconds");
    extra.erase("tokens_per_second");
    extra.erase("documents_per_second");
    extra.erase("model_tokens");
    extra.erase("generated_tokens");
    extra.erase("documents_from_cache");
    out.extra = extra;
    outcomes.push_back(std::move(out));
  }
  const std::vector<GroupOutcome> groups = score_groups(idx, names, outcomes);
  config["shard"] = "1/1";
  config["merged_from"] = dirs;
  check_dir_writable(output_dir);
  reading = output_dir;
  write_eval_folder(output_dir, outcomes, groups, config);
  return output_dir;
}

}  // namespace

std::string merge_eval(const std::vector<std::string>& dirs, const std::string& output_dir) {
  if (dirs.empty()) throw UsageError("eval merge: give the shard folders");
  std::string reading;
  try {
    return merge_shards(dirs, output_dir, reading);
  } catch (const json::exception& e) {
    throw Error(reading + ": a field is missing or of the wrong type (" + e.what() + ")");
  }
}

}  // namespace lfmb::eval
