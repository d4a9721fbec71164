#include "eval/instructions/kwargs.h"

#include <cmath>

#include "core/error.h"

namespace lfmb::eval::instructions {

namespace {

[[noreturn]] void bad(const InstructionInput& in, const char* key, const std::string& what) {
  throw Error("instruction '" + in.id + "': kwarg '" + key + "' " + what);
}

const nlohmann::json& need(const InstructionInput& in, const char* key) {
  if (!kw_has(in, key)) bad(in, key, "is missing (the official code would draw a random value)");
  return in.kwargs[key];
}

}  // namespace

bool kw_has(const InstructionInput& in, const char* key) {
  return in.kwargs.is_object() && in.kwargs.contains(key) && !in.kwargs[key].is_null();
}

long long kw_int(const InstructionInput& in, const char* key) {
  const nlohmann::json& v = need(in, key);
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    // Python compares 3.0 and 3 as equal: an integral float is that integer.
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return (long long)d;
    bad(in, key, "must be a whole number, not " + v.dump());
  }
  bad(in, key, "must be a number, not " + v.dump());
}

std::optional<long long> kw_int_opt(const InstructionInput& in, const char* key) {
  if (!kw_has(in, key)) return std::nullopt;
  return kw_int(in, key);
}

double kw_number(const InstructionInput& in, const char* key) {
  const nlohmann::json& v = need(in, key);
  if (!v.is_number()) bad(in, key, "must be a number, not " + v.dump());
  return v.get<double>();
}

std::string kw_str(const InstructionInput& in, const char* key) {
  const nlohmann::json& v = need(in, key);
  if (!v.is_string()) bad(in, key, "must be a string, not " + v.dump());
  return v.get<std::string>();
}

std::optional<std::string> kw_str_opt(const InstructionInput& in, const char* key) {
  if (!kw_has(in, key)) return std::nullopt;
  return kw_str(in, key);
}

std::vector<std::string> kw_str_list(const InstructionInput& in, const char* key) {
  const nlohmann::json& v = need(in, key);
  if (!v.is_array()) bad(in, key, "must be a list of strings, not " + v.dump());
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) bad(in, key, "must be a list of strings, not " + v.dump());
    out.push_back(e.get<std::string>());
  }
  return out;
}

void kw_refuse(const InstructionInput& in, const char* key, const std::string& what) {
  bad(in, key, what + " (the official code would draw a random value)");
}

long long kw_count(const InstructionInput& in, const char* key) {
  const long long n = kw_int(in, key);
  if (n < 0) kw_refuse(in, key, "is negative");
  return n;
}

}  // namespace lfmb::eval::instructions
