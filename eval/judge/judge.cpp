#include "eval/judge/judge.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/io/digest.h"
#include "eval/data/table_reader.h"
#include "eval/run/response_cache.h"

namespace lfmb::eval {

using nlohmann::json;

std::map<std::string, std::string> read_recorded_judge_replies(const std::string& path) {
  std::map<std::string, std::string> out;
  const std::vector<json> lines = read_jsonl(path);
  for (size_t i = 0; i < lines.size(); ++i) {
    const json& l = lines[i];
    // A samples line of a piece that was not judged (a failed generation) has no reply to record.
    if (l.is_object() && l.contains("resps") && !l.contains("judge_prompt_sha256")) continue;
    const char* key = l.contains("prompt_sha256") ? "prompt_sha256" : "judge_prompt_sha256";
    const char* val = l.contains("response") && !l.contains("judge_reply") ? "response" : "judge_reply";
    if (!l.is_object() || !l.contains(key) || !l[key].is_string() || !l.contains(val) || !l[val].is_string())
      throw Error(fmt::format("{}:{}: a recorded judge reply needs \"prompt_sha256\" and \"response\" (strings)", path, i + 1));
    out[l[key].get<std::string>()] = l[val].get<std::string>();
  }
  return out;
}

Judge::Judge(JudgeSettings s, ResponseCache* cache) : s_(std::move(s)), cache_(cache) {
  if (!s_.configured())
    throw UsageError("no judge configured: pass --judge-url URL --judge-model ID (or --judge-responses FILE.jsonl)");
  if (!s_.responses_file.empty()) recorded_ = read_recorded_judge_replies(s_.responses_file);
  if (!s_.url.empty()) {
    if (s_.model.empty()) throw UsageError("--judge-url needs --judge-model ID");
    client_ = std::make_unique<ChatClient>(chat_completions_endpoint(s_.url), judge_api_key(), s_);
  }
}

Judge::~Judge() = default;

Judge::Reply Judge::ask(const std::string& prompt, double temperature, int max_tokens, std::optional<double> min_p) {
  Reply r;
  r.sha256 = sha256_hex(prompt);
  if (auto it = recorded_.find(r.sha256); it != recorded_.end()) {
    r.text = it->second;
    r.source = "recorded";
    return r;
  }
  if (!client_)
    throw Error("judge: no recorded reply for the judge prompt with sha256 " + r.sha256 + " in " + s_.responses_file +
                " (pass --judge-url URL --judge-model ID to ask the judge)");
  const json key_parts = {{"v", 1},        {"kind", "judge"},           {"judge_model", s_.model},
                          {"prompt_sha256", r.sha256}, {"temperature", temperature}, {"max_tokens", max_tokens},
                          {"min_p", min_p ? json(*min_p) : json(nullptr)}};
  const std::string key = cache_key(key_parts);
  if (cache_)
    if (std::optional<json> hit = cache_->get(key)) {
      r.text = hit->at("text").get<std::string>();
      r.source = "cache";
      return r;
    }
  ChatRequest req;
  req.model = s_.model;
  req.messages = json::array({{{"role", "user"}, {"content", prompt}}});
  req.temperature = temperature;
  req.max_tokens = max_tokens;
  req.min_p = min_p;
  r.text = client_->complete(req);
  ++api_calls_;
  r.source = "api";
  if (cache_) cache_->put(key, {{"text", r.text}});
  return r;
}

}  // namespace lfmb::eval
