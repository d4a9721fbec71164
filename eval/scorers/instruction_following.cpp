// Instruction-following document processor. Follows:
//   EleutherAI/lm-evaluation-harness lm_eval/tasks/ifeval/utils.py @4e7e0d47f33b (process_results,
//     agg_inst_level_acc) and ifeval.yaml (metric names and aggregations);
//   facebookresearch Multi-IF metrics.py (metrics_gen, parse_result, gen_acc_strict/_loose; read
//     as the copy imported by zeppombal/Multi-IF utils.py @0a03ff38 and
//     multi_turn_instruct_following_eval_vllm.py @771bfc85): per turn, rows whose turn prompt is
//     "None" or empty, or whose instruction list is not JSON, are skipped; results per language
//     and for all_languages; turn_{t}_{language}_overall = mean of the four accuracies.
#include "eval/scorers/instruction_following.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/error.h"
#include "eval/instructions/follow.h"
#include "eval/instructions/instruction.h"
#include "eval/run/eval_model.h"
#include "eval/text/py_str.h"

namespace lfmb::eval {

using nlohmann::json;

MetricValue Estimate::metric() const {
  MetricValue m;
  m.value = value;
  size_t n = 0;
  double ss = 0;
  for (size_t i = 0; i < influence.size(); ++i) {
    if (!involved[i]) continue;
    ++n;
    ss += influence[i] * influence[i];
  }
  if (n >= 2) m.stderr_ = std::sqrt(double(n) / double(n - 1) * ss);
  return m;
}

namespace {

bool all_true(const std::vector<bool>& v) { return std::all_of(v.begin(), v.end(), [](bool b) { return b; }); }
size_t count_true(const std::vector<bool>& v) { return size_t(std::count(v.begin(), v.end(), true)); }

Estimate empty_estimate(size_t n_docs) {
  Estimate e;
  e.influence.assign(n_docs, 0.0);
  e.involved.assign(n_docs, false);
  return e;
}

}  // namespace

// mean over prompts of all(follow list): influence (p_i - P) / k.
Estimate prompt_level_acc(const std::vector<FollowRecord>& records, size_t n_docs, bool loose) {
  Estimate e = empty_estimate(n_docs);
  if (records.empty()) return e;
  double sum = 0;
  for (const FollowRecord& r : records) sum += all_true(loose ? r.loose : r.strict) ? 1 : 0;
  const double k = double(records.size());
  e.value = sum / k;
  for (const FollowRecord& r : records) {
    e.influence.at(r.doc) += ((all_true(loose ? r.loose : r.strict) ? 1 : 0) - e.value) / k;
    e.involved.at(r.doc) = true;
  }
  return e;
}

// sum of followed / total instructions: influence (y_i - R n_i) / sum n.
Estimate inst_level_acc(const std::vector<FollowRecord>& records, size_t n_docs, bool loose) {
  Estimate e = empty_estimate(n_docs);
  double followed = 0, total = 0;
  for (const FollowRecord& r : records) {
    followed += double(count_true(loose ? r.loose : r.strict));
    total += double(r.strict.size());
  }
  if (total == 0) return e;
  e.value = followed / total;
  for (const FollowRecord& r : records) {
    const std::vector<bool>& f = loose ? r.loose : r.strict;
    e.influence.at(r.doc) += (double(count_true(f)) - e.value * double(f.size())) / total;
    e.involved.at(r.doc) = true;
  }
  return e;
}

Estimate mean_of(const std::vector<Estimate>& parts) {
  Estimate e;
  if (parts.empty()) return e;
  e = empty_estimate(parts[0].influence.size());
  for (const Estimate& p : parts) {
    e.value += p.value / double(parts.size());
    for (size_t i = 0; i < p.influence.size(); ++i) {
      e.influence[i] += p.influence[i] / double(parts.size());
      if (p.involved[i]) e.involved[i] = true;
    }
  }
  return e;
}

std::string if_visible_response(const std::string& response) {
  if (response.find("<think>") == std::string::npos && response.find("</think>") == std::string::npos &&
      response.find("<THINK>") == std::string::npos && response.find("</THINK>") == std::string::npos)
    return response;
  return strip_think(response);
}

std::string multi_if_response_text(const std::string& r) {
  // try: json.loads(row['responses'])[0]['response'] except: row['responses']
  const json j = json::parse(r, nullptr, /*allow_exceptions=*/false);
  if (j.is_array() && !j.empty() && j[0].is_object() && j[0].contains("response")) {
    const json& v = j[0]["response"];
    return v.is_string() ? v.get<std::string>() : v.dump();
  }
  return r;
}

namespace {

constexpr const char* kMetricNames[] = {"prompt_level_strict_acc", "inst_level_strict_acc", "prompt_level_loose_acc",
                                        "inst_level_loose_acc", "overall_acc"};

// Multi-IF metrics.py's language_list order (after all_languages); other languages follow, sorted.
const std::vector<std::string> kMultiIfLanguages = {"German",  "Italian", "Vietnamese", "Spanish", "Hindi",  "Portuguese",
                                                    "English", "French",  "Thai",       "Chinese", "Russian"};

std::string language_code(const std::string& lang) {
  static const std::map<std::string, std::string> codes = {
      {"German", "de"}, {"Italian", "it"}, {"Vietnamese", "vi"}, {"Spanish", "es"}, {"Hindi", "hi"}, {"Portuguese", "pt"},
      {"English", "en"}, {"French", "fr"}, {"Thai", "th"},       {"Chinese", "zh"}, {"Russian", "ru"}};
  auto it = codes.find(lang);
  return it == codes.end() ? lang : it->second;
}

struct Instructions {
  std::vector<std::string> ids;
  std::vector<json> kwargs;
};

// instruction_id_list and kwargs of a document or turn; the error names the task and document.
Instructions read_instructions(const json& holder, const std::string& where) {
  Instructions in;
  if (!holder.is_object() || !holder.contains("instruction_id_list") || !holder["instruction_id_list"].is_array())
    throw Error(where + ": needs instruction_id_list: [ids]");
  for (const json& id : holder["instruction_id_list"]) {
    if (!id.is_string()) throw Error(where + ": instruction_id_list holds a non-string");
    in.ids.push_back(id.get<std::string>());
  }
  const json kw = holder.contains("kwargs") ? holder["kwargs"] : json(nullptr);
  if (kw.is_null()) {
    in.kwargs.assign(in.ids.size(), json::object());
  } else {
    if (!kw.is_array() || kw.size() != in.ids.size())
      throw Error(where + ": kwargs must be a list with one entry per instruction (" + std::to_string(in.ids.size()) + ")");
    for (const json& k : kw) {
      if (!k.is_object() && !k.is_null()) throw Error(where + ": each kwargs entry must be an object or null");
      in.kwargs.push_back(k);
    }
  }
  return in;
}

instructions::FollowResult check(const std::string& suite, const Instructions& in, const std::string& prompt,
                                 const std::string& response, const std::string& where) {
  try {
    return instructions::test_following(suite, in.ids, in.kwargs, prompt, response);
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  }
}

void add_follow_fields(json& into, const Instructions& in, const instructions::FollowResult& fr) {
  into["instruction_id_list"] = in.ids;
  into["follow_instruction_list_strict"] = fr.strict;
  into["follow_instruction_list_loose"] = fr.loose;
  into["follow_all_instructions_strict"] = fr.all_strict();
  into["follow_all_instructions_loose"] = fr.all_loose();
}

// The four per-prompt values in lm-eval's process_results form (booleans and lists).
json per_prompt_values(const std::string& metric, const instructions::FollowResult& fr) {
  if (metric == "prompt_level_strict_acc") return fr.all_strict();
  if (metric == "inst_level_strict_acc") return fr.strict;
  if (metric == "prompt_level_loose_acc") return fr.all_loose();
  return fr.loose;
}

Estimate estimate_of(const std::string& metric, const std::vector<FollowRecord>& recs, size_t n_docs) {
  if (metric == "prompt_level_strict_acc") return prompt_level_acc(recs, n_docs, false);
  if (metric == "inst_level_strict_acc") return inst_level_acc(recs, n_docs, false);
  if (metric == "prompt_level_loose_acc") return prompt_level_acc(recs, n_docs, true);
  if (metric == "inst_level_loose_acc") return inst_level_acc(recs, n_docs, true);
  return mean_of({prompt_level_acc(recs, n_docs, false), inst_level_acc(recs, n_docs, false),
                  prompt_level_acc(recs, n_docs, true), inst_level_acc(recs, n_docs, true)});
}

void put(TaskScores& s, const std::string& key, const Estimate& e) {
  s.metrics[key] = e.metric();
  s.metric_order.push_back(key);
}

}  // namespace

namespace {

std::string suite_of(const TaskConfig& t) {
  const std::string task_where = t.file + ": task '" + t.task + "'";
  if (!t.metadata.contains("instruction_suite") || !t.metadata["instruction_suite"].is_string())
    throw Error(task_where + ": process_results: instruction_following needs metadata: {instruction_suite: ifeval|ifbench|multi_if}");
  const std::string suite = t.metadata["instruction_suite"].get<std::string>();
  const std::vector<std::string> suites = instructions::instruction_suites();
  if (std::find(suites.begin(), suites.end(), suite) == suites.end())
    throw Error(task_where + ": metadata.instruction_suite '" + suite + "' is not a suite (ifeval, ifbench, multi_if)");
  return suite;
}

}  // namespace

void check_instruction_ids(const TaskConfig& t, const std::vector<json>& docs, const std::vector<size_t>& ids) {
  const std::string suite = suite_of(t);
  auto check_list = [&](const json& holder, const std::string& where) {
    if (!holder.is_object() || !holder.contains("instruction_id_list") || !holder["instruction_id_list"].is_array()) return;
    for (const json& id : holder["instruction_id_list"])
      if (id.is_string() && !instructions::find_instruction(suite, id.get<std::string>()))
        throw Error(where + ": instruction '" + id.get<std::string>() + "' is not in the " + suite + " suite");
  };
  for (size_t i : ids) {
    if (i >= docs.size()) continue;
    const std::string where = t.file + ": task '" + t.task + "': document " + std::to_string(i);
    if (t.doc_to_turns.empty()) {
      check_list(docs[i], where);
    } else if (docs[i].contains(t.doc_to_turns) && docs[i][t.doc_to_turns].is_array()) {
      for (const json& turn : docs[i][t.doc_to_turns]) check_list(turn, where);
    }
  }
}

TaskScores score_instruction_following(const TaskConfig& t, const std::vector<DocResult>& docs) {
  const std::string task_where = t.file + ": task '" + t.task + "'";
  const std::string suite = suite_of(t);

  TaskScores s;
  s.n = docs.size();
  std::vector<std::string> wanted;
  for (const MetricConfig& m : t.metric_list) {
    if (std::find(std::begin(kMetricNames), std::end(kMetricNames), m.metric) == std::end(kMetricNames))
      throw Error(task_where + ": metric '" + m.metric +
                  "' is not an instruction-following metric (prompt_level_strict_acc, inst_level_strict_acc, "
                  "prompt_level_loose_acc, inst_level_loose_acc, overall_acc)");
    const bool inst = m.metric.rfind("inst_level_", 0) == 0;
    if (inst != (m.aggregation == "agg_inst_level_acc"))
      throw Error(task_where + ": metric '" + m.metric + "' needs aggregation: " + (inst ? "agg_inst_level_acc" : "mean"));
    wanted.push_back(m.metric);
    s.higher_is_better[m.metric] = m.higher_is_better;
  }
  std::set<std::string> ids_used;
  const bool multi = !t.doc_to_turns.empty();

  if (!multi) {
    std::vector<FollowRecord> recs;
    for (size_t k = 0; k < docs.size(); ++k) {
      const DocResult& d = docs[k];
      const std::string where = task_where + ": document " + std::to_string(d.doc_id);
      json line = generation_sample_base(d);
      if (d.truncated) ++s.n_truncated;
      if (d.finish_reason == "length") ++s.n_length;
      const Instructions in = read_instructions(d.doc, where);
      const std::string prompt = d.doc.contains("prompt") && d.doc["prompt"].is_string() ? d.doc["prompt"].get<std::string>() : "";
      const std::string response = if_visible_response(d.response);
      const instructions::FollowResult fr = check(suite, in, prompt, response, where);
      line["filtered_resps"] = json{{kNoFilter, response}};
      add_follow_fields(line, in, fr);
      for (const std::string& m : wanted)
        if (m != "overall_acc") line[m + "," + kNoFilter] = per_prompt_values(m, fr);
      ids_used.insert(in.ids.begin(), in.ids.end());
      recs.push_back({k, fr.strict, fr.loose});
      s.samples.push_back(std::move(line));
    }
    for (const std::string& m : wanted) put(s, m + "," + kNoFilter, estimate_of(m, recs, docs.size()));
  } else {
    // Multi-IF: records per turn, for all languages and per language.
    size_t n_turns = 0;
    for (const DocResult& d : docs) n_turns = std::max(n_turns, d.turns.size());
    std::vector<std::vector<FollowRecord>> all(n_turns);
    std::vector<std::map<std::string, std::vector<FollowRecord>>> by_lang(n_turns);
    std::set<std::string> languages;
    for (size_t k = 0; k < docs.size(); ++k) {
      const DocResult& d = docs[k];
      const std::string where = task_where + ": document " + std::to_string(d.doc_id);
      json line = generation_sample_base(d);
      if (d.truncated) ++s.n_truncated;
      bool capped = false;
      const json& specs = d.doc.contains(t.doc_to_turns) ? d.doc[t.doc_to_turns] : json();
      if (!specs.is_array() || specs.size() != d.turns.size())
        throw Error(where + ": field '" + t.doc_to_turns + "' must list one entry per turn");
      const std::string lang = d.doc.contains("language") && d.doc["language"].is_string() ? d.doc["language"].get<std::string>() : "";
      json turns = json::array();
      for (size_t j = 0; j < d.turns.size(); ++j) {
        const TurnResult& tr = d.turns[j];
        const json& spec = specs[j];
        const std::string turn_where = where + " turn " + std::to_string(j + 1);
        json tj = {{"turn", j + 1}};
        // Scored when the turn has a message and its instruction list was JSON (metrics_gen).
        const bool scored = !tr.skipped && spec.is_object() && spec.contains("instruction_id_list") &&
                            spec["instruction_id_list"].is_array();
        if (tr.skipped) {
          tj["skipped"] = true;
          turns.push_back(tj);
          continue;
        }
        if (tr.truncated) tj["truncated"] = true;
        if (tr.finish_reason == "length") capped = true;
        // The official generation strips each reply (get_inference_batch_vllm) before metrics read it.
        const std::string response = if_visible_response(multi_if_response_text(py_strip(tr.response)));
        tj["response"] = response;
        tj["finish_reason"] = tr.finish_reason;
        tj["prompt_tokens"] = tr.prompt_tokens;
        tj["generated_tokens"] = tr.generated_tokens;
        if (scored) {
          const Instructions in = read_instructions(spec, turn_where);
          // gen_acc_strict/_loose build each checker from its kwargs alone (no prompt).
          const instructions::FollowResult fr = check(suite, in, "", response, turn_where);
          add_follow_fields(tj, in, fr);
          for (const std::string& m : wanted)
            if (m != "overall_acc") line["turn_" + std::to_string(j + 1) + "_" + m + "," + kNoFilter] = per_prompt_values(m, fr);
          ids_used.insert(in.ids.begin(), in.ids.end());
          all[j].push_back({k, fr.strict, fr.loose});
          by_lang[j][lang].push_back({k, fr.strict, fr.loose});
          languages.insert(lang);
        } else {
          tj["scored"] = false;
        }
        turns.push_back(tj);
      }
      if (capped) ++s.n_length;
      line["turns"] = turns;
      line["language"] = lang;
      s.samples.push_back(std::move(line));
    }
    std::vector<std::string> lang_order;
    for (const std::string& l : kMultiIfLanguages)
      if (languages.count(l)) lang_order.push_back(l);
    for (const std::string& l : languages)
      if (std::find(lang_order.begin(), lang_order.end(), l) == lang_order.end()) lang_order.push_back(l);
    const bool want_overall = std::find(wanted.begin(), wanted.end(), "overall_acc") != wanted.end();
    std::vector<Estimate> overall_all;
    std::map<std::string, std::vector<Estimate>> overall_lang;
    json prompts_number = json::object();
    for (size_t j = 0; j < n_turns; ++j) {
      if (all[j].empty()) continue;  // metrics_gen skips languages (and so turns) without rows
      const std::string pre = "turn_" + std::to_string(j + 1) + "_";
      prompts_number[pre + "prompts_number"] = all[j].size();
      for (const std::string& m : wanted)
        if (m != "overall_acc") put(s, pre + m + "," + kNoFilter, estimate_of(m, all[j], docs.size()));
      if (!want_overall) continue;
      overall_all.push_back(estimate_of("overall_acc", all[j], docs.size()));
      put(s, pre + "all_languages_overall," + kNoFilter, overall_all.back());
      for (const std::string& l : lang_order) {
        auto it = by_lang[j].find(l);
        if (it == by_lang[j].end()) continue;
        overall_lang[l].push_back(estimate_of("overall_acc", it->second, docs.size()));
        put(s, pre + l + "_overall," + kNoFilter, overall_lang[l].back());
      }
    }
    // The paper's headline: the mean of the per-turn overall numbers.
    if (want_overall && !overall_all.empty()) {
      put(s, std::string("turn_mean_all_languages_overall,") + kNoFilter, mean_of(overall_all));
      for (const std::string& l : lang_order) put(s, "turn_mean_" + l + "_overall," + kNoFilter, mean_of(overall_lang[l]));
    }
    s.extra["turn_prompts_number"] = prompts_number;
    s.extra["languages"] = lang_order;
    if (t.metadata.contains("label") && t.metadata["label"].is_string()) {
      std::string label = t.metadata["label"].get<std::string>();
      if (lang_order.size() == 1) label += " (" + language_code(lang_order[0]) + ")";
      s.extra["label"] = label;
    }
  }
  // Types whose port differs from the official code (e.g. NLTK punkt replaced): listed so a score
  // that depends on them is read as approximate.
  json approx = json::object();
  for (const std::string& id : ids_used)
    if (const instructions::InstructionType* it = instructions::find_instruction(suite, id))
      if (!it->approximation.empty()) approx[id] = it->approximation;
  s.extra["instruction_suite"] = suite;
  s.extra["approximate_instructions"] = approx;
  if (t.metadata.contains("headline") && t.metadata["headline"].is_string()) s.extra["headline"] = t.metadata["headline"];
  return s;
}

}  // namespace lfmb::eval
