#include "eval/scorers/step_args.h"

#include <algorithm>

#include "core/error.h"

namespace lfmb::eval {

StepArgs::StepArgs(const nlohmann::json& args, std::string owner, std::initializer_list<std::string_view> allowed,
                   std::initializer_list<std::string_view> ignored)
    : args_(args), owner_(std::move(owner)) {
  if (args_.is_null()) return;
  if (!args_.is_object()) throw Error(owner_ + ": arguments must be a mapping, got " + args_.dump());
  for (const auto& item : args_.items()) {
    // A named copy, not a structured binding: clang 14 (the fuzz build) cannot capture bindings.
    const std::string& key = item.key();
    auto is = [&](std::string_view k) { return k == key; };
    if (std::none_of(allowed.begin(), allowed.end(), is) && std::none_of(ignored.begin(), ignored.end(), is)) {
      std::string names;
      for (std::string_view a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
      throw Error(owner_ + ": unknown argument '" + key + "' (accepted: " + (names.empty() ? "none" : names) + ")");
    }
  }
}

const nlohmann::json* StepArgs::find(std::string_view key) const {
  if (!args_.is_object()) return nullptr;
  auto it = args_.find(std::string(key));
  return it == args_.end() || it->is_null() ? nullptr : &*it;
}

void StepArgs::fail(std::string_view key, const std::string& problem) const {
  throw Error(owner_ + ": argument '" + std::string(key) + "' " + problem);
}

std::string StepArgs::string_or(std::string_view key, std::string fallback) const {
  const nlohmann::json* v = find(key);
  if (!v) return fallback;
  if (!v->is_string()) fail(key, "must be a string, got " + v->dump());
  return v->get<std::string>();
}

long StepArgs::integer_or(std::string_view key, long fallback) const {
  const nlohmann::json* v = find(key);
  if (!v) return fallback;
  if (v->is_number_integer()) return v->get<long>();
  if (v->is_string()) {
    const std::string s = v->get<std::string>();
    size_t used = 0;
    try {
      long n = std::stol(s, &used);
      if (used == s.size()) return n;
    } catch (const std::exception&) {
    }
  }
  fail(key, "must be an integer, got " + v->dump());
}

bool StepArgs::flag_or(std::string_view key, bool fallback) const {
  const nlohmann::json* v = find(key);
  if (!v) return fallback;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_number()) return v->get<double>() != 0;  // Python truthiness of a number
  if (v->is_string()) {
    const std::string s = v->get<std::string>();
    if (s == "true" || s == "True") return true;
    if (s == "false" || s == "False") return false;
  }
  fail(key, "must be true or false, got " + v->dump());
}

std::optional<std::vector<std::string>> StepArgs::string_list(std::string_view key) const {
  const nlohmann::json* v = find(key);
  if (!v) return std::nullopt;
  if (!v->is_array()) fail(key, "must be a list of strings, got " + v->dump());
  std::vector<std::string> out;
  for (const auto& e : *v) {
    if (!e.is_string()) fail(key, "must be a list of strings, got element " + e.dump());
    out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace lfmb::eval
