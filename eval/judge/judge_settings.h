// Which LLM judge a task asks (`--judge-url URL --judge-model ID`, or `--judge-responses FILE` for
// replies recorded earlier), and how. An LLM-judged score means nothing without the judge named, so
// results.json records judge_json(): the model id and the URL without credentials. The API key is
// read from the environment only (never an option, never written anywhere).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace lfmb::eval {

struct JudgeSettings {
  std::string url;             // OpenAI-compatible base (…/v1) or the full …/chat/completions address
  std::string model;           // the judge's model id as the endpoint names it
  std::string responses_file;  // recorded replies (JSONL keyed by the judge prompt's sha256)
  double timeout_seconds = 240;    // per request (creative-writing-bench utils/api.py's request_timeout)
  int max_retries = 3;             // attempts per request (api.py's max_retries)
  double retry_delay_seconds = 5;  // backoff unit: 429 waits delay * attempt, other retries delay (api.py)

  bool configured() const { return !responses_file.empty() || (!url.empty() && !model.empty()); }
};

// POST address: `url` itself when it ends in /chat/completions, else url + "/chat/completions".
std::string chat_completions_endpoint(const std::string& url);
// The URL without user:password@ and without ?query / #fragment (where keys sometimes travel).
std::string redact_url(const std::string& url);
// For results.json: {"model", "url" (redacted), "responses_file", "api_key_env"} (set fields only).
nlohmann::json judge_json(const JudgeSettings& s);
// LFMB_JUDGE_API_KEY, else OPENAI_API_KEY, else "" (no Authorization header); and which one it was.
std::string judge_api_key(std::string* from_env = nullptr);

}  // namespace lfmb::eval
