// Reads the YAML keys of one filter step or metric (FilterContext::args / MetricContext::args) the
// way lm-eval passes them to Python: as constructor keyword arguments, so an unknown key is an
// error (Python raises TypeError) and a missing key takes the constructor's default.
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb::eval {

class StepArgs {
 public:
  // `owner` names the step in error messages, e.g. "filter regex". `allowed` are the keyword
  // arguments; `ignored` are keys lm-eval itself consumes before the call (e.g. "function").
  StepArgs(const nlohmann::json& args, std::string owner, std::initializer_list<std::string_view> allowed,
           std::initializer_list<std::string_view> ignored = {});

  std::string string_or(std::string_view key, std::string fallback) const;
  long integer_or(std::string_view key, long fallback) const;  // a JSON integer or a string holding one
  bool flag_or(std::string_view key, bool fallback) const;     // a JSON bool, number, or "true"/"false"
  std::optional<std::vector<std::string>> string_list(std::string_view key) const;  // absent or null: nullopt

 private:
  const nlohmann::json* find(std::string_view key) const;
  [[noreturn]] void fail(std::string_view key, const std::string& problem) const;
  const nlohmann::json& args_;
  std::string owner_;
};

}  // namespace lfmb::eval
