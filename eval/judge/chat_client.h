// An OpenAI-compatible chat-completions client over HTTP(S) (libcurl): POST {endpoint} with
// {"model", "messages", "temperature", "max_tokens"[, "min_p"]}, reply choices[0].message.content.
// Retries as creative-writing-bench's utils/api.py (@e7ab00917c96) does: up to max_retries
// attempts; 429 waits retry_delay * attempt, timeouts, connection failures, 5xx and malformed
// replies wait retry_delay; other HTTP errors (401, 400, 404 ...) fail at once. Every failure is
// one line naming the endpoint (credentials removed) and the cause; the API key is never in it.
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "eval/judge/judge_settings.h"

namespace lfmb::eval {

struct ChatRequest {
  std::string model;
  nlohmann::json messages = nlohmann::json::array();
  double temperature = 0;
  int max_tokens = 1000;
  std::optional<double> min_p;
};

class ChatClient {
 public:
  // endpoint: the full POST address; api_key "" sends no Authorization header.
  ChatClient(std::string endpoint, std::string api_key, const JudgeSettings& timing);
  // The reply's choices[0].message.content; throws lfmb::Error (one line) after the last attempt.
  std::string complete(const ChatRequest& req);
  int attempts_made() const { return attempts_; }  // of the last complete() call

 private:
  std::string endpoint_, key_;
  double timeout_, delay_;
  int max_retries_;
  int attempts_ = 0;
};

// The payload complete() posts (for tests and the recorded mode's documentation).
nlohmann::json chat_payload(const ChatRequest& req);

}  // namespace lfmb::eval
