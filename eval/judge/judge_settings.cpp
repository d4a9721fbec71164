#include "eval/judge/judge_settings.h"

#include <cstdlib>

namespace lfmb::eval {

std::string chat_completions_endpoint(const std::string& url) {
  std::string u = url;
  while (!u.empty() && u.back() == '/') u.pop_back();
  const std::string tail = "/chat/completions";
  if (u.size() >= tail.size() && u.compare(u.size() - tail.size(), tail.size(), tail) == 0) return u;
  return u + tail;
}

std::string redact_url(const std::string& url) {
  std::string u = url.substr(0, url.find_first_of("?#"));
  const size_t scheme = u.find("://");
  const size_t host = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t path = u.find('/', host);
  const size_t at = u.rfind('@', path == std::string::npos ? std::string::npos : path);
  if (at != std::string::npos && at >= host) u.erase(host, at + 1 - host);
  return u;
}

nlohmann::json judge_json(const JudgeSettings& s) {
  nlohmann::json j = nlohmann::json::object();
  if (!s.model.empty()) j["model"] = s.model;
  if (!s.url.empty()) j["url"] = redact_url(chat_completions_endpoint(s.url));
  if (!s.responses_file.empty()) j["responses_file"] = s.responses_file;
  std::string env;
  if (!s.url.empty() && !judge_api_key(&env).empty()) j["api_key_env"] = env;
  return j;
}

std::string judge_api_key(std::string* from_env) {
  for (const char* name : {"LFMB_JUDGE_API_KEY", "OPENAI_API_KEY"}) {
    const char* v = std::getenv(name);
    if (v && *v) {
      if (from_env) *from_env = name;
      return v;
    }
  }
  if (from_env) from_env->clear();
  return "";
}

}  // namespace lfmb::eval
