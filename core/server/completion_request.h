// The body of an OpenAI-style completion request (POST /v1/completions and /v1/chat/completions),
// parsed and checked before anything touches the model: every field is type- and range-checked
// and every size is bounded, so a bad request ends in one lfmb::Error naming the field (the
// server answers 400 with it). Field names and ranges follow OpenAI's API reference (temperature
// 0..2, top_p 0..1, at most 4 stop strings, n = 1 only here); top_k and min_p are llama-server's
// extensions. Nothing here depends on the model, so the parser is fuzzed alone
// (tests/fuzz/fuzz_serve_request.cpp).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tokenizer/chat_template.h"

namespace lfmb {

enum class CompletionKind {
  Text,  // /v1/completions: "prompt"
  Chat,  // /v1/chat/completions: "messages"
};

struct RequestLimits {
  size_t max_body_bytes = size_t(1) << 20;   // the whole JSON body
  size_t max_text_bytes = size_t(256) << 10;  // one prompt or message content
  size_t max_messages = 256;
  size_t max_stop_strings = 4;                // as OpenAI
  size_t max_stop_bytes = 256;                // one stop string
  size_t max_json_depth = 32;                 // nesting of arrays and objects in the body
  int64_t n_ctx = 4096;                       // max_tokens may not exceed it
};

struct CompletionRequest {
  CompletionKind kind = CompletionKind::Text;
  std::string model;                  // echoed back; the server runs its one model whatever it says
  std::string prompt;                 // Text
  std::vector<ChatMessage> messages;  // Chat (roles system | user | assistant | tool)
  std::optional<int64_t> max_tokens;  // absent: until the context is full or the model ends
  double temperature = 1.0;           // OpenAI's default; 0 = greedy
  double top_p = 1.0;
  int32_t top_k = 0;                  // 0 = off
  double min_p = 0.0;                 // 0 = off
  std::optional<int64_t> seed;
  std::vector<std::string> stop;
  bool stream = false;
  bool include_usage = false;         // stream_options.include_usage: a last chunk with usage
};

// Parses `body` as the request of `kind`; an lfmb::Error naming the field when it is not valid.
CompletionRequest parse_completion_request(std::string_view body, CompletionKind kind, const RequestLimits& limits);

}  // namespace lfmb
