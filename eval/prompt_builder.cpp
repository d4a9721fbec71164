#include "eval/prompt_builder.h"

#include "core/error.h"
#include "eval/data/py_random.h"
#include "eval/text/py_str.h"

namespace lfmb::eval {

using nlohmann::json;

namespace {

bool ends_with_space(const std::string& s) {
  if (s.empty()) return false;
  // Python str.isspace on the last code point; the ASCII set covers what prompts end with, and
  // py_strip decides for the rest.
  return py_rstrip(s).size() != s.size();
}
bool starts_with_space(const std::string& s) { return !s.empty() && py_lstrip(s).size() != s.size(); }

// lm_eval/api/utils.py maybe_delimit: join with the delimiter unless either side has whitespace
// at the boundary.
std::string maybe_delimit(const std::string& prefix, const std::string& suffix, const std::string& delim) {
  if (prefix.empty()) return suffix;
  if (suffix.empty()) return prefix;
  return (ends_with_space(prefix) || starts_with_space(suffix)) ? prefix + suffix : prefix + delim + suffix;
}

std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

}  // namespace

TaskPrompts::TaskPrompts(const TaskConfig& t)
    : t_(t),
      text_(t.doc_to_text, t.file + ": " + t.task + ": doc_to_text"),
      target_(t.doc_to_target.empty() ? std::string("{{''}}") : t.doc_to_target, t.file + ": " + t.task + ": doc_to_target") {
  if (t.doc_to_choice.is_string())
    choice_template_.emplace(t.doc_to_choice.get<std::string>(), t.file + ": " + t.task + ": doc_to_choice");
  if (!t.fewshot_doc_to_target.empty())
    fewshot_target_.emplace(t.fewshot_doc_to_target, t.file + ": " + t.task + ": fewshot_config.doc_to_target");
  if (!t.description.empty()) description_.emplace(t.description, t.file + ": " + t.task + ": description");
}

std::string TaskPrompts::text(const json& doc) const { return text_.render(doc); }

std::string TaskPrompts::description(const json& doc) const { return description_ ? description_->render(doc) : ""; }

std::vector<std::string> TaskPrompts::choices(const json& doc) const {
  json v = choice_template_ ? choice_template_->evaluate(doc) : t_.doc_to_choice;
  if (!v.is_array()) throw Error(t_.file + ": " + t_.task + ": doc_to_choice did not give a list");
  std::vector<std::string> out;
  for (const json& c : v) out.push_back(value_text(c));
  return out;
}

// lm-eval: a target that renders to digits is an index when the task has choices; a text target
// of a multiple-choice task is looked up among the choices.
int TaskPrompts::gold_index(const json& doc) const {
  const json v = target_.evaluate(doc);
  const std::vector<std::string> c = choices(doc);
  long long idx = -1;
  if (v.is_number_integer()) {
    idx = v.get<long long>();
  } else {
    const std::string s = value_text(v);
    if (!s.empty() && py_isdigit(s)) {
      try {
        idx = std::stoll(s);
      } catch (const std::exception&) {  // beyond 64 bits, or digits stoll does not read (Unicode, superscripts)
        throw Error(t_.file + ": " + t_.task + ": target '" + s + "' is not a usable choice index");
      }
    } else {
      for (size_t i = 0; i < c.size(); ++i)
        if (c[i] == s) idx = (long long)i;
      if (idx < 0) throw Error(t_.file + ": " + t_.task + ": target '" + s + "' is not one of the choices");
    }
  }
  if (idx < 0 || idx >= (long long)c.size())
    throw Error(t_.file + ": " + t_.task + ": target index " + std::to_string(idx) + " outside the " +
                std::to_string(c.size()) + " choices");
  return int(idx);
}

std::string TaskPrompts::target(const json& doc) const {
  if (t_.output_type == "multiple_choice") return choices(doc).at(size_t(gold_index(doc)));
  return value_text(target_.evaluate(doc));
}

std::string TaskPrompts::fewshot_answer(const json& doc) const {
  if (fewshot_target_) return value_text(fewshot_target_->evaluate(doc));
  return target(doc);
}

std::vector<PromptMessage> TaskPrompts::messages(const json& doc, const std::vector<const json*>& fewshot,
                                                 const std::string& system_instruction) const {
  std::vector<PromptMessage> out;
  const std::string system = maybe_delimit(system_instruction, description(doc), t_.fewshot_delimiter);
  if (!system.empty()) out.push_back({"system", system, ""});
  for (const json* ex : fewshot) {
    const std::string a = fewshot_answer(*ex);
    const bool has_answer = !a.empty();
    out.push_back({"user", text(*ex), has_answer ? t_.target_delimiter : ""});
    if (has_answer) out.push_back({"assistant", a, t_.fewshot_delimiter});
  }
  out.push_back({"user", text(doc), ""});
  if (!t_.gen_prefix.empty()) {
    // lm-eval requires_delimiter: neither side has whitespace at the join.
    const std::string& q = out.back().content;
    const bool needs = !q.empty() && !ends_with_space(q) && !starts_with_space(t_.gen_prefix);
    out.back().delimiter = needs ? t_.target_delimiter : "";
    out.push_back({"assistant", t_.gen_prefix, ""});
  }
  return out;
}

std::string plain_text(const std::vector<PromptMessage>& messages) {
  std::string s;
  for (const PromptMessage& m : messages) s += m.content + m.delimiter;
  return s;
}

std::vector<ChatMessage> chat_messages(const std::vector<PromptMessage>& messages) {
  std::vector<ChatMessage> out;
  for (const PromptMessage& m : messages) out.push_back({m.role, m.content, std::nullopt});
  return out;
}

std::vector<std::vector<size_t>> fewshot_indices(const TaskConfig& t, size_t n_docs, size_t pool_size, int n,
                                                 bool same_split, uint64_t fewshot_seed) {
  std::vector<std::vector<size_t>> out(n_docs);
  if (n <= 0) return out;
  const size_t need = size_t(n) + (same_split ? 1 : 0);
  if (pool_size < need)
    throw Error(t.file + ": " + t.task + ": " + std::to_string(n) + "-shot needs " + std::to_string(need) +
                " few-shot documents, the pool has " + std::to_string(pool_size));
  PyRandom rnd(fewshot_seed);
  for (size_t d = 0; d < n_docs; ++d) {
    std::vector<size_t> drawn;
    if (t.fewshot_sampler == "first_n") {
      for (size_t i = 0; i < pool_size && drawn.size() < size_t(n); ++i)
        if (!(same_split && i == d)) drawn.push_back(i);
    } else {
      for (size_t i : rnd.sample_indices(pool_size, need))
        if (!(same_split && i == d) && drawn.size() < size_t(n)) drawn.push_back(i);
    }
    out[d] = std::move(drawn);
  }
  return out;
}

}  // namespace lfmb::eval
