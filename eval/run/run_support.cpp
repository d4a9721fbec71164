#include "eval/run/run_support.h"

#include <fmt/format.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include "bench/device_info.h"
#include "core/error.h"
#include "core/io/digest.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"
#include "eval/data/table_reader.h"
#include "eval/prompt_builder.h"
#include "eval/run/eval_model.h"
#include "eval/run/eval_progress.h"
#include "eval/run/response_cache.h"
#include "eval/run/results_writer.h"
#include "eval/scoring.h"
#include "eval/task_docs.h"
#include "eval/task_index.h"
#include "eval/text/py_str.h"

namespace lfmb::eval {

namespace fs = std::filesystem;
using nlohmann::json;

std::string utc_date() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
  return buf;
}

std::vector<std::string> task_dirs(const std::vector<std::string>& include_paths) {
  std::vector<std::string> d = {default_tasks_dir()};
  d.insert(d.end(), include_paths.begin(), include_paths.end());
  return d;
}

// The settings of one leaf task: the task's own entry, else its group's, else the run's.
TaskSettings settings_for(const EvalOptions& o, const TaskIndex& idx, const std::string& leaf) {
  TaskSettings s = o.defaults;
  auto apply = [&](const TaskSettings& p) {
    if (p.limit) s.limit = p.limit;
    if (p.num_fewshot) s.num_fewshot = p.num_fewshot;
    if (p.max_gen_toks) s.max_gen_toks = p.max_gen_toks;
    if (p.apply_chat_template) s.apply_chat_template = p.apply_chat_template;
    if (p.think) s.think = p.think;
    if (p.system) s.system = p.system;
    for (const auto& [k, v] : p.gen_kwargs.items()) s.gen_kwargs[k] = v;
  };
  for (const auto& [name, p] : o.per_task) {
    if (name == leaf) continue;
    const auto leaves = idx.expand({name});
    if (std::find(leaves.begin(), leaves.end(), leaf) != leaves.end()) apply(p);
  }
  if (auto it = o.per_task.find(leaf); it != o.per_task.end()) apply(it->second);
  return s;
}


PreparedTask prepare_task(const TaskConfig& t, const std::string& data_dir, int num_fewshot) {
  PreparedTask p;
  p.cfg = &t;
  p.prompts = std::make_unique<TaskPrompts>(t);
  p.docs = load_split_docs(t, t.test_split, data_dir);
  p.num_fewshot = num_fewshot;
  if (num_fewshot > 0 && !t.fewshot_samples.is_array() && t.fewshot_split.empty())
    throw Error(t.file + ": task '" + t.task + "' has no few-shot examples (no fewshot_split or fewshot_config.samples); use --num-fewshot 0");
  if (num_fewshot > 0) {
    if (t.fewshot_samples.is_array()) {
      p.pool = t.fewshot_samples.get<std::vector<json>>();
    } else if (t.fewshot_split == t.test_split) {
      p.pool = p.docs;
    } else {
      p.pool = load_split_docs(t, t.fewshot_split, data_dir);
    }
  }
  return p;
}

// The documents this run evaluates: the first `limit` of the split (lm-eval --limit), then those
// of this shard (doc_id % N == I - 1).
std::vector<size_t> selected_ids(size_t n_docs, std::optional<int64_t> limit, int shard_i, int shard_n) {
  size_t n = n_docs;
  if (limit && *limit >= 0) n = std::min(n, size_t(*limit));
  std::vector<size_t> ids;
  for (size_t i = 0; i < n; ++i)
    if (int(i % size_t(shard_n)) == shard_i - 1) ids.push_back(i);
  return ids;
}


ChatSetup chat_setup(const GgufFile& f, const std::string& override_family, const Tokenizer& tok) {
  ChatSetup c;
  const std::string bos = tok.bos() ? std::string(tok.token_bytes(*tok.bos())) : "<|startoftext|>";
  if (override_family == "lfm2") {
    c.tmpl.emplace(ChatTemplateKind::Lfm2, bos);
  } else if (override_family == "qwen3") {
    c.tmpl.emplace(ChatTemplateKind::Qwen3, bos);
  } else if (!override_family.empty()) {
    throw UsageError("--chat-template: '" + override_family + "' is not a template family (lfm2, qwen3)");
  } else if (f.has("tokenizer.chat_template")) {
    c.tmpl.emplace(ChatTemplate::from_gguf(f));
  }
  if (c.tmpl) c.mode = c.tmpl->kind() == ChatTemplateKind::Lfm2 ? "chat (lfm2 template)" : "chat (qwen3 template)";
  else c.mode = "raw (the model has no chat template)";
  return c;
}


BuiltPrompt build_prompt(const PreparedTask& p, size_t doc_id, const std::vector<size_t>& shots, const TaskSettings& s,
                         const ChatSetup& chat) {
  std::vector<const json*> fs;
  for (size_t i : shots) fs.push_back(&p.pool.at(i));
  const std::vector<PromptMessage> msgs = p.prompts->messages(p.docs[doc_id], fs, s.system.value_or(""));
  BuiltPrompt b;
  if (s.apply_chat_template.value_or(false) && chat.tmpl) {
    ChatRenderOptions ro;
    ro.add_generation_prompt = p.cfg->gen_prefix.empty();
    ro.enable_thinking = s.think.value_or(true);
    b.context = chat.tmpl->render(chat_messages(msgs), ro);
  } else {
    b.context = plain_text(msgs);
  }
  return b;
}

GenerationSettings generation_settings(const TaskConfig& t, const TaskSettings& s, uint64_t seed, size_t doc_id) {
  GenerationSettings g;
  json k = t.generation_kwargs;
  for (const auto& [key, v] : s.gen_kwargs.items()) k[key] = v;  // --gen-kwargs wins, as in lm-eval
  if (k.contains("until"))
    for (const json& u : k["until"]) g.until.push_back(u.get<std::string>());
  g.max_gen_toks = k.value("max_gen_toks", int64_t(256));
  if (s.max_gen_toks) g.max_gen_toks = *s.max_gen_toks;
  g.do_sample = k.value("do_sample", false);
  g.temperature = k.value("temperature", 0.0);
  g.top_p = k.value("top_p", 1.0);
  g.top_k = int32_t(k.value("top_k", 0));
  g.min_p = k.value("min_p", 0.0);
  // SplitMix-style mix: each document has its own stream, whatever runs before it.
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + doc_id + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  g.seed = z ^ (z >> 31);
  return g;
}

json generation_json(const GenerationSettings& g) {
  return {{"until", g.until},       {"max_gen_toks", g.max_gen_toks}, {"do_sample", g.do_sample},
          {"temperature", g.temperature}, {"top_p", g.top_p}, {"top_k", g.top_k}, {"min_p", g.min_p}};
}

// The targets and choices of a document (independent of the model).
DocResult doc_skeleton(const PreparedTask& p, size_t doc_id) {
  DocResult d;
  d.doc_id = doc_id;
  d.doc = p.docs[doc_id];
  if (p.cfg->output_type == "multiple_choice") {
    d.choices = p.prompts->choices(d.doc);
    d.gold = p.prompts->gold_index(d.doc);
  }
  d.target = p.prompts->target(d.doc);
  return d;
}

// Fills the model's side of a DocResult from a cached (or fresh) response record.
void apply_response(DocResult& d, const json& r) {
  if (r.contains("lls")) {
    d.lls.clear();
    for (const json& x : r["lls"]) d.lls.push_back({x[0].get<double>(), x[1].get<bool>(), x[2].get<int64_t>()});
  } else {
    d.response = r.at("text").get<std::string>();
    d.finish_reason = r.at("finish_reason").get<std::string>();
    d.prompt_tokens = r.value("prompt_tokens", int64_t(0));
    d.generated_tokens = r.value("generated_tokens", int64_t(0));
  }
  d.truncated = r.value("truncated", false);
}

void apply_turn_response(TurnResult& tr, const json& r) {
  tr.response = r.at("text").get<std::string>();
  tr.finish_reason = r.at("finish_reason").get<std::string>();
  tr.prompt_tokens = r.value("prompt_tokens", int64_t(0));
  tr.generated_tokens = r.value("generated_tokens", int64_t(0));
  tr.truncated = r.value("truncated", false);
}

const json& turn_specs(const TaskConfig& t, const json& doc, size_t doc_id) {
  if (!doc.is_object() || !doc.contains(t.doc_to_turns) || !doc[t.doc_to_turns].is_array() || doc[t.doc_to_turns].empty())
    throw Error(t.file + ": task '" + t.task + "': document " + std::to_string(doc_id) + " has no list '" +
                t.doc_to_turns + "' of turns (doc_to_turns)");
  return doc[t.doc_to_turns];
}

namespace {

// A turn's user message, or nullopt for a skipped turn.
std::optional<ChatMessage> turn_message(const json& spec) {
  const json& m = spec.is_object() && spec.contains("message") ? spec["message"] : spec;
  if (!m.is_object() || !m.contains("content") || !m["content"].is_string()) return std::nullopt;
  return ChatMessage{m.value("role", std::string("user")), m["content"].get<std::string>(), std::nullopt};
}

}  // namespace

std::string multi_turn_context(const PreparedTask& p, const DocResult& d, size_t upto, const TaskSettings& s,
                               const ChatSetup& chat) {
  const json& specs = turn_specs(*p.cfg, d.doc, d.doc_id);
  std::vector<ChatMessage> msgs;
  if (s.system && !s.system->empty()) msgs.push_back({"system", *s.system, std::nullopt});
  for (size_t j = 0; j <= upto && j < specs.size(); ++j) {
    const std::optional<ChatMessage> m = turn_message(specs[j]);
    if (!m) continue;
    msgs.push_back(*m);
    if (j < upto) {
      if (j >= d.turns.size()) throw Error("multi_turn_context: turn " + std::to_string(j + 1) + " has no reply yet");
      // Multi-IF keeps the reply as generated and stripped (get_inference_batch_vllm's .strip()).
      msgs.push_back({"assistant", py_strip(d.turns[j].response), std::nullopt});
    }
  }
  if (s.apply_chat_template.value_or(false) && chat.tmpl) {
    ChatRenderOptions ro;
    ro.add_generation_prompt = true;
    ro.enable_thinking = s.think.value_or(true);
    return chat.tmpl->render(msgs, ro);
  }
  std::string text;
  for (const ChatMessage& m : msgs) text += (text.empty() ? "" : "\n\n") + m.content;
  return text;
}

std::vector<GroupOutcome> score_groups(const TaskIndex& idx, const std::vector<std::string>& names,
                                       const std::vector<TaskOutcome>& tasks) {
  std::map<std::string, std::pair<std::map<std::string, MetricValue>, size_t>> known;  // name -> metrics, n
  for (const TaskOutcome& t : tasks) known[t.task->task] = {t.scores.metrics, t.scores.n};
  std::vector<GroupOutcome> out;
  for (const std::string& gname : idx.groups_of(names)) {
    const GroupConfig& g = idx.group(gname);
    GroupOutcome go;
    go.group = gname;
    for (const std::string& sub : g.tasks) {
      if (!known.count(sub)) continue;
      go.subtasks.push_back(sub);
      go.n += known[sub].second;
    }
    if (go.subtasks.empty()) continue;
    for (const GroupConfig::Aggregate& a : g.aggregate_metric_list) {
      const std::string key = a.metric + "," + a.filter;
      std::vector<MetricValue> vals;
      std::vector<size_t> sizes;
      // lm-eval aggregates the subtasks that report the metric.
      for (const std::string& sub : go.subtasks) {
        auto it = known[sub].first.find(key);
        if (it == known[sub].first.end()) continue;
        vals.push_back(it->second);
        sizes.push_back(known[sub].second);
      }
      if (vals.empty())
        throw Error(g.file + ": group '" + gname + "' aggregates '" + key + "', which none of its tasks reports");
      go.metrics[key] = aggregate_group(vals, sizes, a.weight_by_size);
      go.metric_order.push_back(key);
    }
    known[gname] = {go.metrics, go.n};
    out.push_back(std::move(go));
  }
  return out;
}

std::string running_score(const TaskConfig& t, const std::vector<DocResult>& done) {
  if (done.empty()) return "";
  // Code benchmarks run every program in the sandbox to score (seconds per document): only once,
  // after the generation, not on each progress update.
  if (runs_model_code(t)) return "";
  const TaskScores s = score_task(t, done);
  if (s.metric_order.empty()) return "";
  const std::string& key = s.metric_order.front();
  return fmt::format("{} {:.3f}", key, s.metrics.at(key).value);
}

void check_dir_writable(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir, ec)) throw Error(dir + ": cannot create the output folder: " + ec.message());
}

}  // namespace lfmb::eval
