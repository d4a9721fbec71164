#include "eval/process_docs.h"

#include <algorithm>
#include <functional>
#include <map>

#include "core/error.h"
#include "eval/data/py_random.h"
#include "eval/scorers/math_boxed.h"
#include "eval/text/py_str.h"

namespace lfmb::eval {

using nlohmann::json;

namespace {

using StepFn = std::function<std::vector<json>(std::vector<json>, const json& args, const std::string& where)>;

std::string as_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

const json& field(const json& doc, const std::string& name, const std::string& where) {
  if (!doc.is_object() || !doc.contains(name)) throw Error(where + ": a document has no field '" + name + "'");
  return doc[name];
}

std::string arg_str(const json& args, const char* key, const std::string& where) {
  if (!args.contains(key) || !args[key].is_string()) throw Error(where + ": needs " + key + ": NAME");
  return args[key].get<std::string>();
}

// Keeps the documents whose field equals `value` (or one of a list of values), compared as text:
// MMLU-Pro's per-category tasks, MATH's per-subject tasks, GSMPlus's perturbation types.
std::vector<json> filter_eq(std::vector<json> docs, const json& args, const std::string& where) {
  const std::string f = arg_str(args, "field", where);
  if (!args.contains("value")) throw Error(where + ": filter_eq needs value:");
  std::vector<std::string> wanted;
  if (args["value"].is_array())
    for (const json& v : args["value"]) wanted.push_back(as_text(v));
  else
    wanted.push_back(as_text(args["value"]));
  if (args.contains("negate") && !args["negate"].is_boolean()) throw Error(where + ": negate: expected true or false");
  const bool negate = args.value("negate", false);
  std::vector<json> out;
  for (json& d : docs) {
    const std::string v = as_text(field(d, f, where));
    const bool hit = std::find(wanted.begin(), wanted.end(), v) != wanted.end();
    if (hit != negate) out.push_back(std::move(d));
  }
  return out;
}

// doc[into] = [doc[f] for f in fields]: MMLU's CSV columns choice0..choice3 → choices.
std::vector<json> collect_list(std::vector<json> docs, const json& args, const std::string& where) {
  const std::string into = arg_str(args, "into", where);
  if (!args.contains("fields") || !args["fields"].is_array()) throw Error(where + ": collect_list needs fields: [...]");
  for (json& d : docs) {
    json list = json::array();
    for (const json& f : args["fields"]) {
      if (!f.is_string()) throw Error(where + ": collect_list fields: expected a list of field names");
      list.push_back(field(d, f.get<std::string>(), where));
    }
    d[into] = list;
  }
  return docs;
}

// A text field holding an integer becomes a JSON integer (CSV answers "0".."3" → index).
std::vector<json> to_int(std::vector<json> docs, const json& args, const std::string& where) {
  const std::string f = arg_str(args, "field", where);
  for (json& d : docs) {
    const json& v = field(d, f, where);
    if (v.is_number_integer()) continue;
    const std::string s = as_text(v);
    size_t used = 0;
    long long x = 0;
    try {
      x = std::stoll(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != s.size()) throw Error(where + ": field '" + f + "' is not an integer: '" + s + "'");
    d[f] = x;
  }
  return docs;
}

// doc[name] = value for every document (e.g. the subject of an MMLU file, the MGSM language).
std::vector<json> add_field(std::vector<json> docs, const json& args, const std::string& where) {
  const std::string name = arg_str(args, "name", where);
  if (!args.contains("value")) throw Error(where + ": add_field needs value:");
  for (json& d : docs) d[name] = args["value"];
  return docs;
}

// GPQA: the four answers in simple-evals' order (gpqa_eval.py @ee3b0318d8d1: [correct, incorrect
// 1..3] permuted by random.Random(seed).sample(range(4), 4), one draw per question in file order),
// as raw_choice1..4 (simple-evals' prompt), choice1..4 after lm-eval's gpqa preprocess() (strip,
// " [title]" -> ". ", double spaces -> one), answer "(X)" (lm-eval), answer_letter "X" and the
// permutation itself, so every run records the order it used.
std::vector<json> gpqa_choices(std::vector<json> docs, const json& args, const std::string& where) {
  if (args.contains("seed") && !args["seed"].is_number_integer()) throw Error(where + ": seed: expected an integer");
  PyRandom rng(uint64_t(args.value("seed", 0)));
  auto preprocess = [](const std::string& text) {
    std::string t = py_strip(text);
    t = py_replace(t, " [title]", ". ");
    return py_replace(t, "  ", " ");
  };
  for (json& d : docs) {
    const std::vector<size_t> perm = rng.sample_indices(4, 4);
    const std::string raw[4] = {as_text(field(d, "Correct Answer", where)), as_text(field(d, "Incorrect Answer 1", where)),
                                as_text(field(d, "Incorrect Answer 2", where)), as_text(field(d, "Incorrect Answer 3", where))};
    size_t correct = 0;
    json p = json::array();
    for (size_t i = 0; i < 4; ++i) {
      d["raw_choice" + std::to_string(i + 1)] = raw[perm[i]];
      d["choice" + std::to_string(i + 1)] = preprocess(raw[perm[i]]);
      if (perm[i] == 0) correct = i;
      p.push_back(perm[i]);
    }
    d["permutation"] = p;
    d["answer"] = std::string("(") + char('A' + correct) + ")";
    d["answer_letter"] = std::string(1, char('A' + correct));
  }
  return docs;
}

// doc[into] = remove_boxed(last_boxed_only_string(doc[from])): the MATH gold answer from its
// solution (lm-eval hendrycks_math / leaderboard math process_docs). A solution without a
// readable \boxed{} is an error naming the document.
std::vector<json> boxed_answer_step(std::vector<json> docs, const json& args, const std::string& where) {
  const std::string from = arg_str(args, "from", where), into = arg_str(args, "into", where);
  for (size_t i = 0; i < docs.size(); ++i) {
    const std::optional<std::string> a = boxed_answer(as_text(field(docs[i], from, where)));
    if (!a) throw Error(where + ": document " + std::to_string(i) + " has no \\boxed{} answer in '" + from + "'");
    docs[i][into] = *a;
  }
  return docs;
}

// Multi-IF's CSV row → doc[into] = [{message, instruction_id_list, kwargs}] for turns 1..N
// (facebookresearch Multi-IF metrics.py reformat_prompt / metrics_gen, as in zeppombal/Multi-IF):
// turn_{t}_prompt is a JSON message {"role", "content"}, or "None" / empty for a turn that does
// not exist (message null: neither generated nor scored); turn_{t}_instruction_id_list is a JSON
// list (not JSON: the turn is generated but not scored, instruction_id_list null, as metrics_gen's
// `except: continue`); turn_{t}_kwargs is a JSON list of JSON-encoded objects.
std::vector<json> multi_if_turns(std::vector<json> docs, const json& args, const std::string& where) {
  const std::string into = arg_str(args, "into", where);
  if (!args.contains("turns") || !args["turns"].is_number_integer() || args["turns"].get<int>() < 1 ||
      args["turns"].get<int>() > 16)
    throw Error(where + ": multi_if_turns needs turns: N (1 to 16)");
  const int n = args["turns"].get<int>();
  for (size_t i = 0; i < docs.size(); ++i) {
    const std::string at = where + ": document " + std::to_string(i);
    json turns = json::array();
    for (int t = 1; t <= n; ++t) {
      const std::string pre = "turn_" + std::to_string(t) + "_";
      const std::string prompt = as_text(field(docs[i], pre + "prompt", at));
      json turn = {{"message", nullptr}, {"instruction_id_list", nullptr}, {"kwargs", nullptr}};
      if (prompt != "None" && !prompt.empty()) {
        const json msg = json::parse(prompt, nullptr, false);
        if (!msg.is_object() || !msg.contains("role") || !msg.contains("content") || !msg["role"].is_string() ||
            !msg["content"].is_string())
          throw Error(at + ": " + pre + "prompt is not a JSON message {\"role\", \"content\"}");
        turn["message"] = msg;
        const json ids = json::parse(as_text(field(docs[i], pre + "instruction_id_list", at)), nullptr, false);
        if (ids.is_array()) {
          turn["instruction_id_list"] = ids;
          const json kws = json::parse(as_text(field(docs[i], pre + "kwargs", at)), nullptr, false);
          if (!kws.is_array()) throw Error(at + ": " + pre + "kwargs is not a JSON list");
          json parsed = json::array();
          for (const json& k : kws) {
            const json o = k.is_string() ? json::parse(k.get<std::string>(), nullptr, false) : k;
            if (!o.is_object()) throw Error(at + ": " + pre + "kwargs: an entry is not a JSON-encoded object");
            parsed.push_back(o);
          }
          turn["kwargs"] = parsed;
        }
      }
      turns.push_back(turn);
    }
    docs[i][into] = turns;
  }
  return docs;
}

// Creative Writing v3 (EQ-bench/creative-writing-bench @ e7ab00917c96 core/benchmark.py): every
// prompt once per iteration i = 1..iterations, with seed_modifiers[(i-1) % len] put for each
// "<SEED>" of writing_prompt (str.replace); a prompt without seed modifiers is skipped, as there.
// Documents go iteration by iteration (all prompts of iteration 1 first), so doc_id of iteration 1
// stays the same whatever the iteration count and --limit 32 is one full iteration.
// Each document: prompt_id (the data's key), category, title, base_prompt (the template as
// stored: the judge sees it), seed_modifier, iteration, prompt (what the model gets) and key
// "<prompt_id>:<iteration>".
std::vector<json> creative_writing_iterations(std::vector<json> docs, const json& args, const std::string& where) {
  if (!args.contains("iterations") || !args["iterations"].is_number_integer() || args["iterations"].get<int64_t>() < 1 ||
      args["iterations"].get<int64_t>() > 1000)
    throw Error(where + ": needs iterations: N (1..1000)");
  const int64_t iterations = args["iterations"].get<int64_t>();
  const std::string key_field = args.value("key_field", std::string("key"));
  std::vector<json> out;
  for (int64_t i = 1; i <= iterations; ++i) {
    for (const json& d : docs) {
      const json& mods = field(d, "seed_modifiers", where);
      if (!mods.is_array()) throw Error(where + ": seed_modifiers must be a list");
      if (mods.empty()) continue;
      const json& tmpl = field(d, "writing_prompt", where);
      if (!tmpl.is_string()) throw Error(where + ": writing_prompt must be a string");
      const json& mod = mods[size_t((i - 1) % int64_t(mods.size()))];
      if (!mod.is_string()) throw Error(where + ": seed_modifiers must be strings");
      const std::string pid = as_text(field(d, key_field, where));
      json doc = {{"prompt_id", pid},
                  {"category", d.value("category", json(nullptr))},
                  {"title", d.value("title", json(nullptr))},
                  {"base_prompt", tmpl},
                  {"seed_modifier", mod},
                  {"iteration", i},
                  {"prompt", py_replace(tmpl.get<std::string>(), "<SEED>", mod.get<std::string>())},
                  {"key", pid + ":" + std::to_string(i)}};
      out.push_back(std::move(doc));
    }
  }
  return out;
}

const std::map<std::string, StepFn>& registry() {
  static const std::map<std::string, StepFn> r = {
      {"filter_eq", filter_eq},
      {"collect_list", collect_list},
      {"to_int", to_int},
      {"add_field", add_field},
      {"gpqa_choices", gpqa_choices},
      {"boxed_answer", boxed_answer_step},
      {"multi_if_turns", multi_if_turns},
      {"creative_writing_iterations", creative_writing_iterations},
  };
  return r;
}

}  // namespace

std::vector<json> apply_process_docs(const TaskConfig& t, std::vector<json> docs) {
  for (const ProcessDocsStep& s : t.process_docs) {
    const std::string where = t.file + ": task '" + t.task + "': process_docs " + s.function;
    auto it = registry().find(s.function);
    if (it == registry().end()) {
      std::string known;
      for (const auto& [n, f] : registry()) known += (known.empty() ? "" : ", ") + n;
      throw Error(t.file + ": task '" + t.task + "': unknown process_docs function '" + s.function + "' (" + known + ")");
    }
    docs = it->second(std::move(docs), s.args.is_null() ? json::object() : s.args, where);
  }
  return docs;
}

std::vector<std::string> process_docs_names() {
  std::vector<std::string> out;
  for (const auto& [n, f] : registry()) out.push_back(n);
  return out;
}

}  // namespace lfmb::eval
