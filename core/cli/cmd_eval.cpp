// lfmb eval: accuracy runs in lm-evaluation-harness's vocabulary. `lfmb eval --model F --tasks
// T,...` or `lfmb eval CONFIG.yaml` (same keys, with underscores, plus per-task settings);
// `lfmb eval merge` combines shards; `lfmb eval score` scores responses made elsewhere.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/cli/command.h"
#include "core/cli/model_args.h"
#include "core/error.h"
#include "core/io/bounded_input.h"
#include "eval/process_docs.h"
#include "eval/run/eval_run.h"
#include "eval/run/run_support.h"
#include "eval/scorers/scorer.h"
#include "eval/task_index.h"

namespace lfmb {

namespace {

using nlohmann::json;

bool parse_on_off(const std::string& v, const std::string& what) {
  if (v == "on" || v == "true" || v == "1") return true;
  if (v == "off" || v == "false" || v == "0") return false;
  throw UsageError(what + ": expected on or off, got '" + v + "'");
}

// lm-eval's --gen_kwargs "temperature=0.7,do_sample=true,until=</s>": values are numbers, true/
// false or text; `until` may repeat to give several stop strings.
json parse_gen_kwargs(const std::string& text, const std::string& where) {
  json out = json::object();
  for (const std::string& item : split_comma_list(text)) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError(where + ": gen_kwargs: expected key=value, got '" + item + "'");
    const std::string k = item.substr(0, eq), v = item.substr(eq + 1);
    if (k != "temperature" && k != "top_p" && k != "top_k" && k != "min_p" && k != "do_sample" && k != "max_gen_toks" && k != "until")
      throw UsageError(where + ": gen_kwargs: unknown key '" + k + "' (temperature, top_p, top_k, min_p, do_sample, max_gen_toks, until)");
    if (k == "until") {
      if (!out.contains("until")) out["until"] = json::array();
      out["until"].push_back(v);
    } else if (k == "do_sample") {
      out[k] = v == "true" || v == "True" || v == "1";
    } else {
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !std::isfinite(x) || x < 0 || x > 1e9)
        throw UsageError(where + ": gen_kwargs: " + k + " expects a non-negative number, got '" + v + "'");
      if (k == "top_k" || k == "max_gen_toks") out[k] = int64_t(x);
      else out[k] = x;
    }
  }
  return out;
}

// One key of an eval config or one flag: the same names (dashes in flags, underscores in YAML).
void apply_setting(eval::TaskSettings& s, const std::string& key, const YAML::Node& v, const std::string& where) {
  try {
    if (key == "limit") s.limit = v.as<int64_t>();
    else if (key == "num_fewshot") s.num_fewshot = v.as<int>();
    else if (key == "max_gen_toks") s.max_gen_toks = v.as<int64_t>();
    else if (key == "apply_chat_template") s.apply_chat_template = v.as<bool>();
    else if (key == "think") s.think = parse_on_off(v.as<std::string>(), where + ": think");
    else if (key == "system") s.system = v.as<std::string>();
    else if (key == "gen_kwargs") s.gen_kwargs = parse_gen_kwargs(v.as<std::string>(), where);
    else throw Error(where + ": unknown key '" + key + "' (limit, num_fewshot, max_gen_toks, apply_chat_template, think, system, gen_kwargs)");
  } catch (const YAML::Exception& e) {
    throw Error(where + ": " + key + ": " + e.msg);
  }
  if (s.limit && *s.limit < 0) throw Error(where + ": limit must be >= 0");
  if (s.num_fewshot && (*s.num_fewshot < 0 || *s.num_fewshot > 64)) throw Error(where + ": num_fewshot must be 0..64");
  if (s.max_gen_toks && (*s.max_gen_toks < 1 || *s.max_gen_toks > (1 << 20))) throw Error(where + ": max_gen_toks must be 1..1048576");
}

json settings_json(const eval::TaskSettings& s) {
  json j = json::object();
  if (s.limit) j["limit"] = *s.limit;
  if (s.num_fewshot) j["num_fewshot"] = *s.num_fewshot;
  if (s.max_gen_toks) j["max_gen_toks"] = *s.max_gen_toks;
  if (s.apply_chat_template) j["apply_chat_template"] = *s.apply_chat_template;
  if (s.think) j["think"] = *s.think ? "on" : "off";
  if (s.system) j["system"] = *s.system;
  if (!s.gen_kwargs.empty()) j["gen_kwargs"] = s.gen_kwargs;
  return j;
}

void parse_shard(const std::string& v, eval::EvalOptions& o) {
  int i = 0, n = 0;
  char extra = 0;
  if (std::sscanf(v.c_str(), "%d/%d%c", &i, &n, &extra) != 2 || n < 1 || i < 1 || i > n || n > 100000)
    throw UsageError("--shard: expected I/N with 1 <= I <= N, got '" + v + "'");
  o.shard_index = i;
  o.shard_count = n;
}

// lm-eval's --batch_size, a whole number here ("auto" is not offered: memory is checked instead).
int parse_batch_size(const std::string& v, const std::string& where) {
  char* end = nullptr;
  errno = 0;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || n < 1 || n > 4096)
    throw UsageError(where + ": expected a whole number from 1 to 4096, got '" + v + "'");
  return int(n);
}

void load_config(const std::string& path, eval::EvalOptions& o) {
  YAML::Node root;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(path + ": eval config not found");
  const std::string text = read_bounded_input(path, kMaxConfigBytes);
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(path + ":" + std::to_string(e.mark.line + 1) + ": bad YAML: " + e.msg);
  }
  if (!root.IsMap()) throw Error(path + ": an eval config is a YAML mapping");
  o.name = std::filesystem::path(path).stem().string();
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    const std::string where = path + ":" + std::to_string(kv.first.Mark().line + 1);
    try {
      if (key == "model") o.model_path = v.as<std::string>();
      else if (key == "name") o.name = v.as<std::string>();
      else if (key == "description") continue;
      else if (key == "backend") {
        const BackendChoice c = parse_backend_choice(v.as<std::string>(), where + ": backend");
        o.model.backend = c.backend;
        if (!c.dtype.empty()) o.model.dtype = c.dtype;
      } else if (key == "dtype") o.model.dtype = v.as<std::string>();
      else if (key == "threads") o.model.threads = v.as<int>();
      // The run-config names (docs/config.md); `ctx` is eval's older name for n_ctx.
      else if (key == "n_ctx" || key == "ctx") o.model.n_ctx = v.as<int64_t>();
      else if (key == "n_batch") o.model.n_batch = v.as<int64_t>();
      else if (key == "mmap") o.model.mmap = v.as<bool>();
      else if (key == "seed") o.seed = v.as<uint64_t>();
      else if (key == "batch_size") o.batch_size = parse_batch_size(v.as<std::string>(), where + ": batch_size");
      else if (key == "data_dir") o.data_dir = v.as<std::string>();
      else if (key == "output") o.output_dir = v.as<std::string>();
      else if (key == "chat_template") o.chat_template = v.as<std::string>();
      else if (key == "shard") parse_shard(v.as<std::string>(), o);
      else if (key == "skip_missing_data") o.skip_missing_data = v.as<bool>();
      else if (key == "judge_url") o.judge.url = v.as<std::string>();
      else if (key == "judge_model") o.judge.model = v.as<std::string>();
      else if (key == "judge_responses") o.judge.responses_file = v.as<std::string>();
      else if (key == "include_path") o.include_paths = v.IsSequence() ? v.as<std::vector<std::string>>() : std::vector<std::string>{v.as<std::string>()};
      else if (key == "tasks") {
        if (!v.IsSequence()) throw Error(where + ": tasks: expected a list");
        for (const YAML::Node& e : v) {
          if (e.IsScalar()) {
            o.tasks.push_back(e.as<std::string>());
            continue;
          }
          if (!e.IsMap() || !e["task"]) throw Error(where + ": each task entry is a name or {task: NAME, ...}");
          const std::string name = e["task"].as<std::string>();
          o.tasks.push_back(name);
          eval::TaskSettings s;
          for (const auto& tkv : e) {
            const std::string tk = tkv.first.as<std::string>();
            if (tk == "task" || tk == "note") continue;
            apply_setting(s, tk, tkv.second, path + ":" + std::to_string(tkv.first.Mark().line + 1));
          }
          o.per_task[name] = s;
        }
      } else {
        apply_setting(o.defaults, key, v, where);
      }
    } catch (const YAML::Exception& e) {
      throw Error(where + ": " + key + ": " + e.msg);
    }
  }
}

int run_eval_cmd(const ParsedArgs& args) {
  if (args.has("--list")) {
    const eval::TaskIndex idx(eval::task_dirs(args.all("--include-path")));
    for (const std::string& n : idx.names()) std::printf("%s%s\n", n.c_str(), idx.is_group(n) ? "  (group)" : "");
    return 0;
  }
  eval::EvalOptions o;
  o.model = default_model_options();  // the option table's defaults, as bench and run have them
  if (!args.positional().empty()) load_config(args.positional()[0], o);
  if (args.has("--model")) o.model_path = *args.get("--model");
  if (o.model_path.empty() && !args.has("--dry-run"))
    throw UsageError("eval: --model FILE.gguf is required (or model: in the config)");
  // Model options: the config's, then the flags.
  apply_model_flags(args, o.model, kCmdEval);
  // -b / --batch-size: a number is lm-eval's batch size, a name the backend (lfmb's older -b).
  const BatchOrBackend bb = split_batch_or_backend(args.all("--batch-size"));
  if (bb.batch_sizes.size() > 1 || bb.backends.size() > 1) throw UsageError("--batch-size given twice");
  if (!bb.batch_sizes.empty()) o.batch_size = parse_batch_size(bb.batch_sizes[0], "--batch-size");
  if (!bb.backends.empty()) {
    if (args.has(canonical_flag("backend"))) throw UsageError("--backend given twice (-b NAME is a backend too)");
    const BackendChoice c = parse_backend_choice(bb.backends[0], "--backend");
    o.model.backend = c.backend;
    if (!c.dtype.empty()) o.model.dtype = c.dtype;
  }
  o.model.threads = resolve_thread_count(o.model.threads);
  if (args.has("--tasks")) {
    o.tasks = split_comma_list(*args.get("--tasks"));
    std::map<std::string, eval::TaskSettings> keep;
    for (const std::string& t : o.tasks)
      if (o.per_task.count(t)) keep[t] = o.per_task[t];
    o.per_task = keep;
  }
  auto flag = [&](const char* name, const char* key) {
    if (auto v = args.get(name)) apply_setting(o.defaults, key, YAML::Node(*v), std::string(name));
  };
  flag("--limit", "limit");
  flag("--num-fewshot", "num_fewshot");
  flag("--max-gen-toks", "max_gen_toks");
  flag("--system", "system");
  flag("--think", "think");
  flag("--gen-kwargs", "gen_kwargs");
  if (args.has("--apply-chat-template")) o.defaults.apply_chat_template = true;
  if (args.has("--seed")) o.seed = uint64_t(args.get_int("--seed", 0, 0, (1ll << 62)));
  if (args.has("--data-dir")) o.data_dir = *args.get("--data-dir");
  if (args.has("--output")) o.output_dir = *args.get("--output");
  if (args.has("--chat-template")) o.chat_template = *args.get("--chat-template");
  if (args.has("--shard")) parse_shard(*args.get("--shard"), o);
  for (const std::string& p : args.all("--include-path")) o.include_paths.push_back(p);
  o.progress = !args.has(canonical_flag("no_progress"));
  if (args.has("--skip-missing-data")) o.skip_missing_data = true;
  if (args.has("--judge-url")) o.judge.url = *args.get("--judge-url");
  if (args.has("--judge-model")) o.judge.model = *args.get("--judge-model");
  if (args.has("--judge-responses")) o.judge.responses_file = *args.get("--judge-responses");
  if (!o.judge.url.empty() && o.judge.model.empty()) throw UsageError("eval: --judge-url needs --judge-model ID");
  o.dry_run = args.has("--dry-run");
  if (o.name.empty()) o.name = "eval";

  json per_task = json::object();
  for (const auto& [n, s] : o.per_task) per_task[n] = settings_json(s);
  o.resolved_config = {{"settings", settings_json(o.defaults)}, {"per_task", per_task}, {"name", o.name}};
  const std::string dir = eval::run_eval(o);
  if (o.dry_run) return 0;
  std::fprintf(stderr, "eval: wrote %s/results.json, samples_*.jsonl, results.md\n", dir.c_str());
  std::ifstream md(dir + "/results.md");
  std::printf("%s", std::string(std::istreambuf_iterator<char>(md), {}).c_str());
  return 0;
}

int run_merge_cmd(const ParsedArgs& args) {
  const std::string out = args.get_or("--output", "");
  if (out.empty()) throw UsageError("eval merge: --output DIR is required");
  const std::string dir = eval::merge_eval(args.positional(), out);
  std::fprintf(stderr, "eval merge: wrote %s\n", dir.c_str());
  return 0;
}

int run_score_cmd(const ParsedArgs& args) {
  eval::ScoreOptions so;
  so.task = args.get_or("--task", "");
  so.responses_path = args.get_or("--responses", "");
  if (so.task.empty() || so.responses_path.empty()) throw UsageError("eval score: --task T and --responses R.jsonl are required");
  so.output_dir = args.get_or("--output", "");
  so.data_dir = args.get_or("--data-dir", "");
  so.include_paths = args.all("--include-path");
  so.judge.url = args.get_or("--judge-url", "");
  so.judge.model = args.get_or("--judge-model", "");
  so.judge.responses_file = args.get_or("--judge-responses", "");
  if (!so.judge.url.empty() && so.judge.model.empty()) throw UsageError("eval score: --judge-url needs --judge-model ID");
  so.progress = !args.has(canonical_flag("no_progress"));
  const std::string dir = eval::score_offline(so);
  std::fprintf(stderr, "eval score: wrote %s\n", dir.c_str());
  std::ifstream md(dir + "/results.md");
  std::printf("%s", std::string(std::istreambuf_iterator<char>(md), {}).c_str());
  return 0;
}

// The table's model options (core/cli/option_table.h), then eval's own, in lm-eval's names.
std::vector<OptionSpec> eval_options() {
  std::vector<OptionSpec> opts = {{"--model,-m", "FILE", "GGUF model file"},
                                  {"--tasks", "LIST", "task or group names, comma-separated (--list shows them)"},
                                  {"--list", "", "list the tasks and groups and exit"}};
  for (OptionSpec& o : model_run_options(kCmdEval, false))
    if (o.name != canonical_flag("model") + ",-m") opts.push_back(std::move(o));
  const std::vector<OptionSpec> own = {
            {"--limit", "N", "the first N documents of each task (per subtask of a group), as lm-eval"},
            {"--num-fewshot", "K", "few-shot examples (default: the task's num_fewshot)"},
            {"--batch-size,-b", "N", "lm-eval's --batch_size: generation requests decoded together, continuous batching (default 1; answers are the same with any N on the native and reference backends); -b NAME names the backend", true},
            {"--seed", "S", "sampling seed; few-shot draws use 1234 + S (default 0, lm-eval's)"},
            {"--max-gen-toks", "N", "generation cap (default: the task's generation_kwargs)"},
            {"--apply-chat-template", "", "render prompts through the model's chat template (few-shot as multi-turn)"},
            {"--chat-template", "FAMILY", "lfm2 | qwen3: template family for a GGUF that carries none"},
            {"--system", "TEXT", "system instruction"},
            {"--gen-kwargs", "K=V,...", "override generation_kwargs (temperature, top_p, top_k, min_p, do_sample, max_gen_toks, until)"},
            {"--think", "on|off", "thinking on or off in the chat template (Qwen3 /no_think = off)"},
            {"--data-dir", "DIR", "datasets folder (default $LFMB_DATA_DIR, then ../shared/datasets)"},
            {"--include-path", "DIR", "extra folder of task YAML files", true},
            {"--output", "DIR", "output folder (default results/<device>/eval/<date>-<name>/)"},
            {"--shard", "I/N", "evaluate the documents with doc_id % N == I - 1"},
            {"--dry-run", "", "resolve the tasks, settings and data; print the plan; load no model"},
            {"--skip-missing-data", "", "skip (and list) tasks whose data file is absent instead of failing"},
            {"--judge-url", "URL", "OpenAI-compatible endpoint of the LLM judge (…/v1); key from $LFMB_JUDGE_API_KEY or $OPENAI_API_KEY"},
            {"--judge-model", "ID", "the judge's model id (recorded in results.json)"},
            {"--judge-responses", "FILE", "judge replies recorded earlier (JSONL keyed by the judge prompt's sha256)"}};
  opts.insert(opts.end(), own.begin(), own.end());
  return opts;
}

}  // namespace

Command eval_command() {
  return {{"eval",
           "lfmb eval [CONFIG.yaml] --model F.gguf --tasks T[,T...] [options]   (also: lfmb eval merge, lfmb eval score)",
           "Accuracy runs over benchmark tasks (lm-eval task YAML); writes results.json, samples_<task>.jsonl, results.md.",
           eval_options(),
           0,
           1},
          run_eval_cmd};
}

Command eval_merge_command() {
  return {{"eval merge", "lfmb eval merge DIR1 ... DIRN --output DIR",
           "Combine the shard folders of one eval run into the folder the unsharded run writes.",
           {{"--output", "DIR", "merged output folder"}},
           1,
           100000},
          run_merge_cmd};
}

Command eval_score_command() {
  return {{"eval score", "lfmb eval score --task T --responses R.jsonl [--output DIR] [--data-dir DIR] [--judge-url URL --judge-model ID | --judge-responses FILE]",
           "Score responses produced elsewhere (lines: response + doc_id, id or inline target).",
           {{"--task", "T", "task name"},
            {"--responses", "FILE", "JSON Lines of responses"},
            {"--output", "DIR", "output folder (default results/offline/<date>-<task>/)"},
            {"--data-dir", "DIR", "datasets folder"},
            {"--include-path", "DIR", "extra folder of task YAML files", true},
            {"--judge-url", "URL", "OpenAI-compatible endpoint of the LLM judge (…/v1)"},
            {"--judge-model", "ID", "the judge's model id"},
            {"--judge-responses", "FILE", "judge replies recorded earlier (JSONL keyed by the judge prompt's sha256)"}},
           0,
           0},
          run_score_cmd};
}

}  // namespace lfmb
