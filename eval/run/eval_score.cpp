// lfmb eval score: scores responses produced elsewhere (another engine, an API), as the official
// tools do. Each input line has `response` and names its document by `doc_id`, by the dataset's
// own id (the task's dataset_kwargs.id_field), or carries `target` (and optionally `doc`) inline.
// Instruction-following tasks: `prompt` + `response` (matched on the exact prompt text), or the
// line's own `instruction_id_list` + `kwargs`; multi-turn ones: `responses` per turn plus the
// conversation's `key` or its own `turns`. HumanEval+ (evalplus): `response` (or evalplus's own
// `solution`) naming its problem by doc_id or task_id. The output has one sample line per input
// line, in input order.
#include <fmt/format.h>

#include <map>
#include <optional>

#include "core/error.h"
#include "eval/data/table_reader.h"
#include "eval/judge/judge.h"
#include "eval/run/response_cache.h"
#include "eval/scorers/creative_writing_judging.h"
#include "eval/run/eval_run.h"
#include "eval/run/run_support.h"
#include "eval/task_docs.h"

namespace lfmb::eval {

using nlohmann::json;

namespace {

// The document a line names by `doc_id`, or by `id` / the task's id_field (the dataset's own id),
// checked against the data; nullopt when the line names none. `noun` words the errors.
std::optional<size_t> named_doc(const json& l, const std::string& where, const PreparedTask& p,
                                const std::map<std::string, size_t>& by_own_id, const std::string& id_field,
                                const std::string& noun, const std::string& task) {
  size_t id = 0;
  if (l.contains("doc_id")) {
    if (!l["doc_id"].is_number_unsigned()) throw Error(where + ": doc_id must be a non-negative integer");
    id = l["doc_id"].get<size_t>();
  } else if (l.contains("id") || (!id_field.empty() && l.contains(id_field))) {
    const std::string field = l.contains("id") ? "id" : id_field;
    const json& v = l[field];
    const std::string key = v.is_string() ? v.get<std::string>() : v.dump();
    auto it = by_own_id.find(key);
    if (it == by_own_id.end()) throw Error(where + ": no " + noun + " of '" + task + "' has " + field + " " + key);
    id = it->second;
  } else {
    return std::nullopt;
  }
  if (id >= p.docs.size())
    throw Error(where + ": doc_id " + std::to_string(id) + " outside the " + std::to_string(p.docs.size()) + " documents");
  return id;
}

// One line of an instruction-following task: `response` plus `prompt` (looked up in the data) or
// its own `instruction_id_list` and `kwargs` (used as given, with `prompt` if present).
DocResult follow_line(const TaskConfig& t, const json& l, const std::string& where, const PreparedTask* p,
                      const std::map<std::string, size_t>& by_prompt, size_t n) {
  if (!l.is_object() || !l.contains("response") || !l["response"].is_string())
    throw Error(where + ": needs \"response\": TEXT");
  DocResult d;
  if (l.contains("instruction_id_list")) {
    if (l.contains("prompt") && !l["prompt"].is_string()) throw Error(where + ": prompt must be a string");
    d.doc = {{"prompt", l.value("prompt", std::string())}, {"instruction_id_list", l["instruction_id_list"]},
             {"kwargs", l.contains("kwargs") ? l["kwargs"] : json(nullptr)}};
    d.doc_id = n;
  } else {
    if (!l.contains("prompt") || !l["prompt"].is_string())
      throw Error(where + ": needs \"prompt\" (to find it in the data) or its own instruction_id_list and kwargs");
    auto it = by_prompt.find(l["prompt"].get<std::string>());
    if (it == by_prompt.end()) throw Error(where + ": the prompt is not a prompt of '" + t.task + "' (matched on the exact text)");
    d = doc_skeleton(*p, it->second);
  }
  d.response = l["response"].get<std::string>();
  d.finish_reason = l.value("finish_reason", std::string("stop"));
  d.arguments = l.value("prompt", json(nullptr));
  return d;
}

// One line of a multi-turn task (Multi-IF): `responses` [turn 1, turn 2, ...] (null for a turn the
// data skips) plus `key` (the dataset's id), `doc_id`, or its own `turns` [{instruction_id_list,
// kwargs[, prompt]}] (and `language`).
DocResult multi_turn_line(const TaskConfig& t, const json& l, const std::string& where, const PreparedTask* p,
                          const std::map<std::string, size_t>& by_own_id, const std::string& id_field, size_t n) {
  if (!l.is_object() || !l.contains("responses") || !l["responses"].is_array())
    throw Error(where + ": needs \"responses\": [turn 1, turn 2, ...]");
  DocResult d;
  if (l.contains("turns")) {
    if (!l["turns"].is_array() || l["turns"].empty()) throw Error(where + ": turns must be a list of {instruction_id_list, kwargs}");
    json specs = json::array();
    for (const json& tu : l["turns"]) {
      if (!tu.is_object() || !tu.contains("instruction_id_list")) throw Error(where + ": each turn needs instruction_id_list");
      specs.push_back({{"message", {{"role", "user"}, {"content", tu.value("prompt", std::string())}}},
                       {"instruction_id_list", tu["instruction_id_list"]},
                       {"kwargs", tu.contains("kwargs") ? tu["kwargs"] : json(nullptr)}});
    }
    d.doc = {{t.doc_to_turns, specs}, {"language", l.value("language", std::string())}};
    d.doc_id = n;
  } else {
    const std::optional<size_t> id = named_doc(l, where, *p, by_own_id, id_field, "conversation", t.task);
    if (!id)
      throw Error(where + ": name the conversation (" + (id_field.empty() ? std::string("id") : id_field) +
                  " or doc_id) or give its own turns");
    d = doc_skeleton(*p, *id);
  }
  const json& specs = turn_specs(t, d.doc, d.doc_id);
  const json& resps = l["responses"];
  for (size_t j = 0; j < specs.size(); ++j) {
    TurnResult tr;
    const json& m = specs[j].is_object() && specs[j].contains("message") ? specs[j]["message"] : specs[j];
    if (!m.is_object()) {
      tr.skipped = true;
    } else {
      if (j >= resps.size() || !resps[j].is_string())
        throw Error(where + ": responses[" + std::to_string(j) + "]: turn " + std::to_string(j + 1) + " needs a response text");
      tr.response = resps[j].get<std::string>();
      tr.finish_reason = "stop";
    }
    d.turns.push_back(std::move(tr));
  }
  if (resps.size() > specs.size())
    throw Error(where + ": " + std::to_string(resps.size()) + " responses for " + std::to_string(specs.size()) + " turns");
  d.arguments = json(nullptr);
  return d;
}

}  // namespace

std::string score_offline(const ScoreOptions& so) {
  const TaskIndex idx(task_dirs(so.include_paths));
  if (!idx.is_task(so.task)) idx.expand({so.task});  // unknown: the error with suggestions
  const TaskConfig& t = idx.task(so.task);
  if (t.output_type != "generate_until")
    throw Error("task '" + so.task + "' is scored by loglikelihood; offline scoring takes generative tasks");
  const std::string data_dir = so.data_dir.empty() ? default_data_dir() : so.data_dir;
  const std::vector<json> lines = read_jsonl(so.responses_path);

  const bool follow = t.process_results == "instruction_following";
  const bool judged = t.process_results == "creative_writing";
  if (judged && !so.judge.configured())
    throw UsageError(so.task + " needs an LLM judge: pass --judge-url URL --judge-model ID (or --judge-responses FILE.jsonl)");
  // The data is needed only when a line names its document.
  bool need_docs = false;
  for (const json& l : lines)
    if (judged || (follow ? !(l.contains("instruction_id_list") || l.contains("turns")) : !l.contains("target"))) need_docs = true;
  // evalplus checks need the problem's inputs and canonical solution: lines name their document.
  const bool code = t.process_results == "evalplus";
  if (code) need_docs = true;
  std::optional<PreparedTask> p;
  std::map<std::string, size_t> by_own_id;
  const std::string id_field = dataset_kwarg_string(t, "id_field");
  if (need_docs) {
    p.emplace(prepare_task(t, data_dir, 0));
    if (!id_field.empty()) {
      for (size_t i = 0; i < p->docs.size(); ++i)
        if (p->docs[i].contains(id_field)) {
          const json& v = p->docs[i][id_field];
          by_own_id[v.is_string() ? v.get<std::string>() : v.dump()] = i;
        }
    }
  }
  // Instruction following: documents are found by their exact prompt text, as the official
  // tools match responses to prompts (IFEval / IFBench evaluation_lib); the first document wins.
  std::map<std::string, size_t> by_prompt;
  if (follow && p && t.doc_to_turns.empty())
    for (size_t i = 0; i < p->docs.size(); ++i)
      if (p->docs[i].contains("prompt") && p->docs[i]["prompt"].is_string())
        by_prompt.emplace(p->docs[i]["prompt"].get<std::string>(), i);
  std::vector<DocResult> docs;
  for (size_t n = 0; n < lines.size(); ++n) {
    const json& l = lines[n];
    const std::string where = fmt::format("{}:{}", so.responses_path, n + 1);
    // Typed reads of optional fields (finish_reason, attempts, doc_id, ...) name the line too.
    try {
      if (follow) {
        docs.push_back(t.doc_to_turns.empty() ? follow_line(t, l, where, p ? &*p : nullptr, by_prompt, n)
                                              : multi_turn_line(t, l, where, p ? &*p : nullptr, by_own_id, id_field, n));
        continue;
      }
      // evalplus's own samples files carry the code as "solution" (evaluate.py load_solutions).
      const char* resp_key = code && !l.contains("response") && l.contains("solution") ? "solution" : "response";
      if (!l.contains(resp_key) || !l[resp_key].is_string()) throw Error(where + ": needs \"response\": TEXT");
      DocResult d;
      if (judged) {
        // Creative writing: the piece of a document named by doc_id or key ("<prompt_id>:<iteration>").
        const std::optional<size_t> id = named_doc(l, where, *p, by_own_id, id_field, "piece", so.task);
        if (!id) throw Error(where + ": name the piece (doc_id, or " + id_field + " \"<prompt_id>:<iteration>\")");
        d = doc_skeleton(*p, *id);
        d.response = l["response"].get<std::string>();
        d.finish_reason = l.value("finish_reason", std::string("stop"));
        d.arguments = l.value("prompt", json(nullptr));
        if (l.contains("attempts") && !l["attempts"].is_number_unsigned()) throw Error(where + ": attempts must be a positive integer");
        cwb::mark_generation(d, l.value("attempts", 1));
        docs.push_back(std::move(d));
        continue;
      }
      if (l.contains("target") && !code) {
        d.doc = l.value("doc", json::object());
        d.doc_id = l.contains("doc_id") ? l["doc_id"].get<size_t>() : n;
        d.target = l["target"].is_string() ? l["target"].get<std::string>() : l["target"].dump();
      } else {
        const std::optional<size_t> id = named_doc(l, where, *p, by_own_id, id_field, "document", so.task);
        if (!id)
          throw Error(where + ": name the document (doc_id, id" + (id_field.empty() ? "" : " or " + id_field) +
                      ") or give target inline");
        d = doc_skeleton(*p, *id);
      }
      d.response = l[resp_key].get<std::string>();
      d.finish_reason = l.value("finish_reason", std::string("stop"));
      d.arguments = l.value("prompt", json(nullptr));
      docs.push_back(std::move(d));
    } catch (const json::exception& e) {
      throw Error(where + ": a field has the wrong type (" + std::string(e.what()) + ")");
    }
  }
  const std::string dir = so.output_dir.empty() ? "results/offline/" + utc_date() + "-" + so.task : so.output_dir;
  check_dir_writable(dir);
  if (judged) {
    // The judge's replies are cached in the output folder: a rerun does not ask again.
    ResponseCache cache(dir + "/cache.sqlite");
    Judge judge(so.judge, &cache);
    cwb::judge_documents(t, docs, data_dir, judge, so.progress);
  }
  TaskOutcome out;
  out.task = &t;
  out.scores = score_task(t, docs, data_dir);  // input order: lines may repeat a document
  out.n_original = p ? p->docs.size() : docs.size();
  json config = {{"mode", "offline score"}, {"responses", so.responses_path}, {"task", so.task}, {"data_dir", data_dir}};
  if (judged) {
    out.scores.extra["judge"] = judge_json(so.judge);
    config["judge"] = judge_json(so.judge);
  }
  write_eval_folder(dir, {out}, {}, config);
  return dir;
}

}  // namespace lfmb::eval
