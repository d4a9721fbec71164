// lfmb eval score: scores responses produced elsewhere (another engine, an API), as the official
// tools do. Each input line has `response` and names its document by `doc_id`, by the dataset's
// own id (the task's dataset_kwargs.id_field), or carries `target` (and optionally `doc`) inline.
// The output has one sample line per input line, in input order.
#include <fmt/format.h>

#include <map>

#include "core/error.h"
#include "eval/data/table_reader.h"
#include "eval/run/eval_run.h"
#include "eval/run/run_support.h"
#include "eval/task_docs.h"

namespace lfmb::eval {

using nlohmann::json;

std::string score_offline(const ScoreOptions& so) {
  const TaskIndex idx(task_dirs(so.include_paths));
  if (!idx.is_task(so.task)) idx.expand({so.task});  // unknown: the error with suggestions
  const TaskConfig& t = idx.task(so.task);
  if (t.output_type != "generate_until")
    throw Error("task '" + so.task + "' is scored by loglikelihood; offline scoring takes generative tasks");
  const std::string data_dir = so.data_dir.empty() ? default_data_dir() : so.data_dir;
  const std::vector<json> lines = read_jsonl(so.responses_path);

  // The data is needed only when a line names its document.
  bool need_docs = false;
  for (const json& l : lines)
    if (!l.contains("target")) need_docs = true;
  std::optional<PreparedTask> p;
  std::map<std::string, size_t> by_own_id;
  const std::string id_field = t.dataset_kwargs.value("id_field", std::string());
  if (need_docs) {
    p.emplace(prepare_task(t, data_dir, 0));
    if (t.dataset_kwargs.contains("id_field")) {
      const std::string f = t.dataset_kwargs["id_field"].get<std::string>();
      for (size_t i = 0; i < p->docs.size(); ++i)
        if (p->docs[i].contains(f)) {
          const json& v = p->docs[i][f];
          by_own_id[v.is_string() ? v.get<std::string>() : v.dump()] = i;
        }
    }
  }
  std::vector<DocResult> docs;
  for (size_t n = 0; n < lines.size(); ++n) {
    const json& l = lines[n];
    const std::string where = fmt::format("{}:{}", so.responses_path, n + 1);
    if (!l.contains("response") || !l["response"].is_string()) throw Error(where + ": needs \"response\": TEXT");
    DocResult d;
    if (l.contains("target")) {
      d.doc = l.value("doc", json::object());
      d.doc_id = l.contains("doc_id") ? l["doc_id"].get<size_t>() : n;
      d.target = l["target"].is_string() ? l["target"].get<std::string>() : l["target"].dump();
    } else {
      size_t id = 0;
      if (l.contains("doc_id")) {
        if (!l["doc_id"].is_number_unsigned()) throw Error(where + ": doc_id must be a non-negative integer");
        id = l["doc_id"].get<size_t>();
      } else if (l.contains("id") || (!id_field.empty() && l.contains(id_field))) {
        const json& v = l.contains("id") ? l["id"] : l[id_field];
        const std::string key = v.is_string() ? v.get<std::string>() : v.dump();
        auto it = by_own_id.find(key);
        if (it == by_own_id.end()) throw Error(where + ": no document of '" + so.task + "' has id " + key);
        id = it->second;
      } else {
        throw Error(where + ": name the document (doc_id, id" + (id_field.empty() ? "" : " or " + id_field) +
                    ") or give target inline");
      }
      if (id >= p->docs.size())
        throw Error(where + ": doc_id " + std::to_string(id) + " outside the " + std::to_string(p->docs.size()) + " documents");
      d = doc_skeleton(*p, id);
    }
    d.response = l["response"].get<std::string>();
    d.finish_reason = l.value("finish_reason", std::string("stop"));
    d.arguments = l.value("prompt", json(nullptr));
    docs.push_back(std::move(d));
  }
  TaskOutcome out;
  out.task = &t;
  out.scores = score_task(t, docs);  // input order: lines may repeat a document
  out.n_original = p ? p->docs.size() : docs.size();
  const std::string dir = so.output_dir.empty() ? "results/offline/" + utc_date() + "-" + so.task : so.output_dir;
  check_dir_writable(dir);
  json config = {{"mode", "offline score"}, {"responses", so.responses_path}, {"task", so.task}, {"data_dir", data_dir}};
  write_eval_folder(dir, {out}, {}, config);
  return dir;
}

}  // namespace lfmb::eval
