// One place a task asks its LLM judge: a recorded reply (--judge-responses FILE.jsonl, keyed by
// the sha256 of the judge prompt), else the run's response cache (cache.sqlite: a killed run does
// not ask again), else the endpoint (ChatClient), whose reply is cached at once.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "eval/judge/chat_client.h"
#include "eval/judge/judge_settings.h"

namespace lfmb::eval {

class ResponseCache;

// Recorded replies: JSON Lines, each {"prompt_sha256": HEX, "response": TEXT}; a samples file of
// an earlier run works too (its "judge_prompt_sha256" and "judge_reply" fields; its lines without
// them, pieces that were not judged, are passed over). Throws
// lfmb::Error naming FILE:LINE for a line without them.
std::map<std::string, std::string> read_recorded_judge_replies(const std::string& path);

class Judge {
 public:
  // Throws lfmb::Error when nothing is configured. cache may be null (nothing cached).
  Judge(JudgeSettings s, ResponseCache* cache);
  ~Judge();

  struct Reply {
    std::string text;    // the judge's reply as it came (choices[0].message.content)
    std::string sha256;  // of the prompt
    std::string source;  // "recorded", "cache" or "api"
  };
  // temperature, max_tokens and min_p as the task asks (they are part of the cache key).
  Reply ask(const std::string& prompt, double temperature, int max_tokens, std::optional<double> min_p);

  const JudgeSettings& settings() const { return s_; }
  size_t api_calls() const { return api_calls_; }

 private:
  JudgeSettings s_;
  ResponseCache* cache_;
  std::map<std::string, std::string> recorded_;
  std::unique_ptr<ChatClient> client_;
  size_t api_calls_ = 0;
};

}  // namespace lfmb::eval
