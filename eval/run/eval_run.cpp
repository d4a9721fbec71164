#include "eval/run/eval_run.h"
#include "eval/run/run_support.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <cstdio>
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
#include "eval/sandbox/sandbox.h"
#include "eval/judge/judge.h"
#include "eval/scorers/creative_writing.h"
#include "eval/scorers/creative_writing_judging.h"
#include "eval/scorers/instruction_following.h"
#include "eval/scoring.h"
#include "eval/task_docs.h"
#include "eval/task_index.h"

namespace lfmb::eval {

namespace fs = std::filesystem;
using nlohmann::json;

std::string run_eval(const EvalOptions& o) {
  if (o.tasks.empty()) throw UsageError("eval: no tasks given (--tasks NAME[,NAME...]; --list shows them)");
  if (o.shard_count < 1 || o.shard_index < 1 || o.shard_index > o.shard_count)
    throw UsageError("--shard: expected I/N with 1 <= I <= N");
  const TaskIndex idx(task_dirs(o.include_paths));
  const std::vector<std::string> leaves = idx.expand(o.tasks);
  const std::string data_dir = o.data_dir.empty() ? default_data_dir() : o.data_dir;

  // Load every task's data before the model, so a missing file fails in a second.
  std::vector<PreparedTask> prepared;
  std::vector<TaskSettings> settings;
  json skipped = json::array();
  for (const std::string& name : leaves) {
    const TaskConfig& t = idx.task(name);
    TaskSettings s = settings_for(o, idx, name);
    if (o.skip_missing_data) {
      try {
        for (const std::string& split : {t.test_split, t.fewshot_split})
          if (!split.empty()) split_file(t, split, data_dir);
      } catch (const Error& e) {
        std::fprintf(stderr, "eval: skipping %s: %s\n", name.c_str(), e.what());
        skipped.push_back({{"task", name}, {"reason", e.what()}});
        continue;
      }
    }
    if (t.process_results == "creative_writing" && !o.judge.configured()) {
      // An LLM-judged task without its judge would generate for hours and then fail: fail now
      // (a config that skips what it cannot run, card.yaml, skips it and lists why).
      const std::string msg = t.task + " needs an LLM judge: pass --judge-url URL --judge-model ID (or --judge-responses FILE.jsonl; config keys judge_url, judge_model, judge_responses)";
      if (o.skip_missing_data) {
        std::fprintf(stderr, "eval: skipping %s: %s\n", name.c_str(), msg.c_str());
        skipped.push_back({{"task", name}, {"reason", msg}});
        continue;
      }
      if (!o.dry_run) throw UsageError(msg);
      std::fprintf(stderr, "eval: warning: %s\n", msg.c_str());
    }
    prepared.push_back(prepare_task(t, data_dir, s.num_fewshot.value_or(t.num_fewshot)));
    if (t.process_results == "creative_writing")  // the rubric files must be there before hours of generation
      cwb::load_rubric((fs::path(data_dir) / t.dataset_path).string(), t.metadata);
    settings.push_back(s);
    // The programs are scored in the code sandbox: without one, fail before hours of generation.
    if (runs_model_code(t) && !o.dry_run) require_sandbox("task '" + name + "' runs model-written code");
    if (t.process_results == "instruction_following") {
      // Unknown instruction ids of the documents this run evaluates fail now, not after the generation.
      const std::vector<size_t> ids = selected_ids(prepared.back().docs.size(), s.limit, o.shard_index, o.shard_count);
      try {
        check_instruction_ids(t, prepared.back().docs, ids);
      } catch (const Error& e) {
        if (!o.dry_run) throw;
        std::fprintf(stderr, "eval: warning: %s\n", e.what());
      }
    }
  }
  if (prepared.empty()) throw Error("eval: no task left to run (all skipped for missing data)");
  if (o.dry_run) {
    std::printf("|task|type|documents|n-shot|chat|max_gen_toks|\n|---|---|---:|---:|---|---:|\n");
    for (size_t i = 0; i < prepared.size(); ++i) {
      const TaskConfig& t = *prepared[i].cfg;
      const size_t n = selected_ids(prepared[i].docs.size(), settings[i].limit, o.shard_index, o.shard_count).size();
      std::printf("|%s|%s|%zu|%d|%s|%s|\n", t.task.c_str(), t.output_type.c_str(), n, prepared[i].num_fewshot,
                  settings[i].apply_chat_template.value_or(false) ? "yes" : "no",
                  t.output_type == "generate_until"
                      ? std::to_string(generation_settings(t, settings[i], o.seed, 0).max_gen_toks).c_str()
                      : "");
    }
    for (const json& s : skipped) std::printf("skipped: %s\n", s["task"].get<std::string>().c_str());
    return "";
  }

  Model model(o.model_path, o.model);
  Tokenizer tok = Tokenizer::from_gguf(model.file());
  const ChatSetup chat = chat_setup(model.file(), o.chat_template, tok);
  const std::string model_sha = sha256_file_hex(o.model_path);

  const DeviceInfo device = detect_device();
  std::string out_dir = o.output_dir;
  if (out_dir.empty()) {
    out_dir = "results/" + device.slug() + "/eval/" + utc_date() + "-" + (o.name.empty() ? "eval" : o.name);
    if (o.shard_count > 1) out_dir += fmt::format("-shard-{}-of-{}", o.shard_index, o.shard_count);
  }
  check_dir_writable(out_dir);
  ResponseCache cache(out_dir + "/cache.sqlite");
  std::unique_ptr<Judge> judge;  // made when a judged task needs it; its replies go into the same cache

  std::unique_ptr<EvalModel> raw_model, chat_model;
  auto eval_model = [&](bool use_chat) -> EvalModel& {
    auto& m = use_chat ? chat_model : raw_model;
    if (!m) m = std::make_unique<EvalModel>(model, tok, use_chat, o.batch_size);
    return *m;
  };

  std::vector<TaskOutcome> outcomes;
  for (size_t ti = 0; ti < prepared.size(); ++ti) {
    const PreparedTask& p = prepared[ti];
    const TaskConfig& t = *p.cfg;
    const TaskSettings& s = settings[ti];
    const bool use_chat = s.apply_chat_template.value_or(false) && chat.tmpl.has_value();
    const std::vector<size_t> ids = selected_ids(p.docs.size(), s.limit, o.shard_index, o.shard_count);
    const size_t upto = ids.empty() ? 0 : ids.back() + 1;
    const auto shots = fewshot_indices(t, upto, p.pool.size(), p.num_fewshot,
                                       !t.fewshot_samples.is_array() && t.fewshot_split == t.test_split,
                                       kFewshotSeed + o.seed);
    EvalProgress progress(t.task, ids.size(), o.progress);
    std::vector<DocResult> done;
    size_t n_cached = 0;
    const auto t0 = std::chrono::steady_clock::now();
    int64_t tokens_before = use_chat ? (chat_model ? chat_model->tokens_processed() : 0)
                                     : (raw_model ? raw_model->tokens_processed() : 0);
    int64_t generated = 0;
    json first_tokens = json::array();
    // What every cached response of this task is keyed by, besides the request itself.
    auto request_key = [&](const std::string& context) -> json {
      return {{"v", 1}, {"model_sha256", model_sha}, {"backend", o.model.backend}, {"dtype", o.model.dtype},
              {"n_ctx", model.options().n_ctx}, {"chat", use_chat}, {"context", context}};
    };
    // The first prompt's first tokens go into the results, and a doubled BOS (chat template plus
    // tokenizer) is refused: it silently changes scores.
    auto check_first_prompt = [&](const std::string& context) {
      if (!first_tokens.empty()) return;
      std::vector<int32_t> enc = eval_model(use_chat).encode_context(context);
      for (size_t i = 0; i < enc.size() && i < 8; ++i) first_tokens.push_back(enc[i]);
      if (tok.bos() && enc.size() >= 2 && enc[0] == *tok.bos() && enc[1] == *tok.bos())
        throw Error(t.task + ": the prompt starts with two BOS tokens (chat template and tokenizer both add one)");
    };
    // Generation records made by a batch ahead of the documents that use them (--batch-size).
    std::map<std::string, json> fresh;
    auto generation_record = [&](const GenerationResult& gr) -> json {
      generated += gr.generated_tokens;
      return {{"text", gr.text},
              {"finish_reason", gr.finish_reason},
              {"prompt_tokens", gr.prompt_tokens},
              {"generated_tokens", gr.generated_tokens},
              {"truncated", gr.truncated}};
    };
    auto generation_key = [&](const std::string& context, const GenerationSettings& g) {
      json key = request_key(context);
      key["kind"] = "generate_until";
      key["generation"] = generation_json(g);
      key["seed"] = g.do_sample ? json(g.seed) : json(nullptr);
      return cache_key(key);
    };
    // One generation request, answered from this run's batch, the cache or the model.
    auto generate_cached = [&](const std::string& context, const GenerationSettings& g, bool& hit) -> json {
      const std::string k = generation_key(context, g);
      hit = false;
      if (auto f = fresh.find(k); f != fresh.end()) {
        json rec = std::move(f->second);
        fresh.erase(f);
        return rec;
      }
      hit = true;
      if (std::optional<json> r = cache.get(k)) return *r;
      hit = false;
      const json rec = generation_record(eval_model(use_chat).generate(context, g));
      cache.put(k, rec);
      return rec;
    };
    // With --batch-size N > 1, the single-prompt generations of the next documents run together
    // (kBatchAhead × N of them per call, so the batch stays full while requests finish); each is
    // cached as soon as the call returns and used when the loop reaches its document.
    constexpr size_t kBatchAhead = 4;
    const bool batched = o.batch_size > 1 && t.output_type == "generate_until" && t.doc_to_turns.empty();
    auto generate_ahead = [&](size_t from) {
      const size_t upto_i = std::min(ids.size(), from + kBatchAhead * size_t(o.batch_size));
      std::vector<std::pair<std::string, GenerationSettings>> requests;
      std::vector<std::string> keys;
      for (size_t j = from; j < upto_i; ++j) {
        const BuiltPrompt b = build_prompt(p, ids[j], shots[ids[j]], s, chat);
        check_first_prompt(b.context);
        const GenerationSettings g = generation_settings(t, s, o.seed, ids[j]);
        const std::string k = generation_key(b.context, g);
        if (fresh.count(k) || cache.get(k) || std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
        requests.push_back({b.context, g});
        keys.push_back(k);
      }
      if (requests.empty()) return;
      const std::vector<GenerationResult> results = eval_model(use_chat).generate_batch(requests);
      for (size_t i = 0; i < results.size(); ++i) {
        json rec = generation_record(results[i]);
        cache.put(keys[i], rec);
        fresh[keys[i]] = std::move(rec);
      }
    };
    for (size_t pos = 0; pos < ids.size(); ++pos) {
      const size_t id = ids[pos];
      if (batched && pos % (kBatchAhead * size_t(o.batch_size)) == 0) generate_ahead(pos);
      DocResult d = doc_skeleton(p, id);
      if (!t.doc_to_turns.empty()) {
        // Multi-turn (Multi-IF): each turn after the earlier turns and the model's own replies.
        const json& specs = turn_specs(t, d.doc, id);
        json args = json::array();
        bool all_cached = true;
        for (size_t j = 0; j < specs.size(); ++j) {
          TurnResult tr;
          const json& m = specs[j].is_object() && specs[j].contains("message") ? specs[j]["message"] : specs[j];
          if (!m.is_object()) {
            tr.skipped = true;
            d.turns.push_back(std::move(tr));
            args.push_back(nullptr);
            continue;
          }
          tr.context = multi_turn_context(p, d, j, s, chat);
          check_first_prompt(tr.context);
          GenerationSettings g = generation_settings(t, s, o.seed, id);
          g.seed += uint64_t(j) * 0x9E3779B97F4A7C15ull;  // each turn its own sampling stream
          bool hit = false;
          apply_turn_response(tr, generate_cached(tr.context, g, hit));
          all_cached = all_cached && hit;
          args.push_back(json::array({tr.context, generation_json(g)}));
          if (tr.truncated) d.truncated = true;
          d.turns.push_back(std::move(tr));
        }
        d.arguments = args;
        if (all_cached) ++n_cached;
        done.push_back(std::move(d));
        progress.update(done.size(), n_cached, done.size() % 16 == 0 || done.size() == ids.size() ? running_score(t, done) : "");
        continue;
      }
      const BuiltPrompt b = build_prompt(p, id, shots[id], s, chat);
      check_first_prompt(b.context);
      if (t.output_type == "multiple_choice") {
        // In chat mode lm-eval drops the target delimiter (the assistant turn starts the answer).
        const std::string delim = use_chat ? "" : t.target_delimiter;
        std::vector<std::string> conts;
        json args = json::array();
        for (const std::string& c : d.choices) {
          conts.push_back(delim + c);
          args.push_back(json::array({b.context, delim + c}));
        }
        d.arguments = args;
        json key = request_key(b.context);
        key["kind"] = "loglikelihood";
        key["continuations"] = conts;
        const std::string k = cache_key(key);
        std::optional<json> r = cache.get(k);
        if (r) {
          ++n_cached;
        } else {
          bool truncated = false;
          const auto lls = eval_model(use_chat).loglikelihood(b.context, conts, &truncated);
          json rec = {{"lls", json::array()}, {"truncated", truncated}};
          for (const auto& x : lls) rec["lls"].push_back(json::array({x.logprob, x.is_greedy, x.n_tokens}));
          cache.put(k, rec);
          r = rec;
        }
        apply_response(d, *r);
      } else {
        const GenerationSettings g = generation_settings(t, s, o.seed, id);
        d.arguments = json::array({b.context, generation_json(g)});
        bool hit = false;
        apply_response(d, generate_cached(b.context, g, hit));
        if (hit) ++n_cached;
        if (t.process_results == "creative_writing") {
          // conversation.py: a piece shorter than 500 characters is generated again, up to 3
          // attempts in all, each with its own seed derived from the document's.
          int attempt = 1;
          while (cwb::too_short(cwb::visible_text(d.response)) && attempt < cwb::kMaxAttempts) {
            ++attempt;
            GenerationSettings ga = g;
            ga.seed = cwb::attempt_seed(g.seed, attempt);
            bool hit = false;
            apply_response(d, generate_cached(b.context, ga, hit));
            d.arguments = json::array({b.context, generation_json(ga)});
          }
          cwb::mark_generation(d, attempt);
        }
      }
      done.push_back(std::move(d));
      progress.update(done.size(), n_cached, done.size() % 16 == 0 || done.size() == ids.size() ? running_score(t, done) : "");
    }
    progress.finish();
    if (t.process_results == "creative_writing") {
      if (!judge) judge = std::make_unique<Judge>(o.judge, &cache);
      cwb::judge_documents(t, done, data_dir, *judge, o.progress);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const int64_t tokens_after = use_chat ? (chat_model ? chat_model->tokens_processed() : 0)
                                          : (raw_model ? raw_model->tokens_processed() : 0);
    TaskOutcome out;
    out.task = &t;
    out.scores = score_task(t, done, data_dir);
    out.num_fewshot = p.num_fewshot;
    out.n_original = p.docs.size();
    out.extra = {{"prompt_mode", use_chat ? chat.mode : (s.apply_chat_template.value_or(false) ? chat.mode : "raw")},
                 {"first_prompt_tokens", first_tokens},
                 {"documents_from_cache", n_cached},
                 {"seconds", seconds},
                 {"model_tokens", tokens_after - tokens_before},
                 {"tokens_per_second", seconds > 0 ? double(tokens_after - tokens_before) / seconds : 0.0},
                 {"generated_tokens", generated},
                 {"documents_per_second", seconds > 0 ? double(ids.size() - n_cached) / seconds : 0.0}};
    if (t.process_results == "creative_writing") out.scores.extra["judge"] = judge_json(o.judge);
    outcomes.push_back(std::move(out));
  }
  const std::vector<GroupOutcome> groups = score_groups(idx, o.tasks, outcomes);

  json config = o.resolved_config;
  config["model_file"] = o.model_path;
  std::error_code size_ec;  // the file was read at load; if it is gone now, the size is unknown (null)
  const uintmax_t model_size = fs::file_size(o.model_path, size_ec);
  config["model_size_bytes"] = size_ec ? json() : json(model_size);
  config["model_sha256"] = model_sha;
  config["architecture"] = model.file().get_string("general.architecture");
  config["backend"] = o.model.backend;
  config["dtype"] = o.model.dtype;
  config["threads"] = o.model.threads;
  config["batch_size"] = o.batch_size;
  config["n_ctx"] = model.options().n_ctx;
  config["seed"] = o.seed;
  config["fewshot_seed"] = kFewshotSeed + o.seed;
  config["shard"] = fmt::format("{}/{}", o.shard_index, o.shard_count);
  config["tasks"] = o.tasks;
  config["skipped_tasks"] = skipped;
  config["data_dir"] = fs::absolute(data_dir).string();
  config["include_paths"] = o.include_paths;
  config["chat_template"] = chat.mode;
  config["lfmb_version"] = "0.1.0";
  config["git_hash"] = build_git_commit();
  config["device"] = device.slug();
  if (o.judge.configured()) config["judge"] = judge_json(o.judge);
  write_eval_folder(out_dir, outcomes, groups, config);
  return out_dir;
}

}  // namespace lfmb::eval
