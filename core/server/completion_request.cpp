// Follows OpenAI's API reference for the completions and chat completions request bodies (field
// names, types, ranges, null meaning "not given"); no code was ported.
#include "core/server/completion_request.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace lfmb {

namespace {

using nlohmann::json;

// Deepest nesting of arrays and objects, counted before parsing so a body of a million '['
// is refused without building it (nlohmann's parser and destructor would recurse that deep).
size_t json_depth(std::string_view s) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

const char* type_name(const json& v) {
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

[[noreturn]] void bad(const std::string& field, const std::string& what) { throw Error(field + ": " + what); }

// A field given with a value (null counts as not given, as in OpenAI's API).
const json* field(const json& body, const char* name) {
  const auto it = body.find(name);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

double number_in(const json& v, const std::string& name, double lo, double hi) {
  if (!v.is_number()) bad(name, fmt::format("expected a number, got {}", type_name(v)));
  const double x = v.get<double>();
  if (!std::isfinite(x) || x < lo || x > hi) bad(name, fmt::format("must be from {} to {}, got {}", lo, hi, v.dump()));
  return x;
}

// An integer (a float with no fraction, such as 5.0, counts: JSON does not tell them apart).
int64_t integer_in(const json& v, const std::string& name, int64_t lo, int64_t hi) {
  if (!v.is_number()) bad(name, fmt::format("expected an integer, got {}", type_name(v)));
  int64_t x = 0;
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > uint64_t(std::numeric_limits<int64_t>::max())) bad(name, fmt::format("must be from {} to {}, got {}", lo, hi, u));
    x = int64_t(u);
  } else if (v.is_number_integer()) {
    x = v.get<int64_t>();
  } else {
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15)
      bad(name, fmt::format("expected an integer, got {}", v.dump()));
    x = int64_t(d);
  }
  if (x < lo || x > hi) bad(name, fmt::format("must be from {} to {}, got {}", lo, hi, x));
  return x;
}

bool boolean(const json& v, const std::string& name) {
  if (!v.is_boolean()) bad(name, fmt::format("expected a boolean, got {}", type_name(v)));
  return v.get<bool>();
}

std::string text(const json& v, const std::string& name, size_t max_bytes) {
  if (!v.is_string()) bad(name, fmt::format("expected a string, got {}", type_name(v)));
  const std::string& s = v.get_ref<const std::string&>();
  if (s.size() > max_bytes) bad(name, fmt::format("{} bytes exceed the limit of {}", s.size(), max_bytes));
  return s;
}

// A message's content: a string, or an array of parts of which only {"type": "text"} ones are
// understood (images and audio are refused, not dropped).
std::string message_content(const json& v, const std::string& name, size_t max_bytes) {
  if (v.is_string()) return text(v, name, max_bytes);
  if (!v.is_array()) bad(name, fmt::format("expected a string or an array of text parts, got {}", type_name(v)));
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string part = fmt::format("{}[{}]", name, i);
    const json& p = v[i];
    if (!p.is_object()) bad(part, fmt::format("expected an object, got {}", type_name(p)));
    const json* type = field(p, "type");
    if (!type || !type->is_string() || type->get_ref<const std::string&>() != "text")
      bad(part + ".type", "only \"text\" parts are supported");
    const json* t = field(p, "text");
    if (!t) bad(part + ".text", "missing");
    out += text(*t, part + ".text", max_bytes);
    if (out.size() > max_bytes) bad(name, fmt::format("{} bytes exceed the limit of {}", out.size(), max_bytes));
  }
  return out;
}

std::vector<ChatMessage> chat_messages(const json& v, const RequestLimits& lim) {
  if (!v.is_array()) bad("messages", fmt::format("expected an array, got {}", type_name(v)));
  if (v.empty()) bad("messages", "must hold at least one message");
  if (v.size() > lim.max_messages) bad("messages", fmt::format("{} messages exceed the limit of {}", v.size(), lim.max_messages));
  std::vector<ChatMessage> out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string name = fmt::format("messages[{}]", i);
    const json& m = v[i];
    if (!m.is_object()) bad(name, fmt::format("expected an object, got {}", type_name(m)));
    const json* role = field(m, "role");
    if (!role) bad(name + ".role", "missing");
    std::string r = text(*role, name + ".role", 32);
    if (r == "developer") r = "system";  // OpenAI's newer name for the system turn
    if (r != "system" && r != "user" && r != "assistant" && r != "tool")
      bad(name + ".role", "must be system, developer, user, assistant or tool, got '" + r + "'");
    const json* content = field(m, "content");
    if (!content && r != "assistant") bad(name + ".content", "missing");
    out.push_back({r, content ? message_content(*content, name + ".content", lim.max_text_bytes) : "", std::nullopt});
  }
  return out;
}

std::vector<std::string> stop_strings(const json& v, const RequestLimits& lim) {
  std::vector<std::string> out;
  auto one = [&](const json& s, const std::string& name) {
    std::string t = text(s, name, lim.max_stop_bytes);
    if (t.empty()) bad(name, "an empty stop string would stop before the first token");
    out.push_back(std::move(t));
  };
  if (v.is_string()) {
    one(v, "stop");
  } else if (v.is_array()) {
    if (v.size() > lim.max_stop_strings)
      bad("stop", fmt::format("{} stop strings exceed the limit of {}", v.size(), lim.max_stop_strings));
    for (size_t i = 0; i < v.size(); ++i) one(v[i], fmt::format("stop[{}]", i));
  } else {
    bad("stop", fmt::format("expected a string or an array of strings, got {}", type_name(v)));
  }
  return out;
}

// OpenAI fields this server does not implement: refused when they ask for something, so a client
// never gets an answer made without what it asked for.
void refuse_unsupported(const json& body) {
  if (const json* v = field(body, "n"); v && integer_in(*v, "n", 1, 128) != 1) bad("n", "only n = 1 is supported");
  if (const json* v = field(body, "best_of"); v && integer_in(*v, "best_of", 1, 128) != 1)
    bad("best_of", "only best_of = 1 is supported");
  if (const json* v = field(body, "echo"); v && boolean(*v, "echo")) bad("echo", "echo is not supported");
  if (const json* v = field(body, "logprobs"); v && !(v->is_boolean() && !v->get<bool>()) && !(v->is_number() && *v == 0))
    bad("logprobs", "log probabilities are not supported");
  if (const json* v = field(body, "top_logprobs"); v && !(v->is_number() && *v == 0))
    bad("top_logprobs", "log probabilities are not supported");
  if (const json* v = field(body, "suffix"); v && !(v->is_string() && v->get_ref<const std::string&>().empty()))
    bad("suffix", "suffix is not supported");
  for (const char* name : {"presence_penalty", "frequency_penalty"})
    if (const json* v = field(body, name); v && number_in(*v, name, -2.0, 2.0) != 0.0)
      bad(name, "only 0 is supported");
  if (const json* v = field(body, "logit_bias"); v && !(v->is_object() && v->empty()))
    bad("logit_bias", "logit_bias is not supported");
  if (const json* v = field(body, "tools"); v && !(v->is_array() && v->empty())) bad("tools", "tools are not supported");
  if (const json* v = field(body, "response_format")) {
    const json* t = v->is_object() ? field(*v, "type") : nullptr;
    if (!t || *t != "text") bad("response_format", "only {\"type\": \"text\"} is supported");
  }
}

}  // namespace

CompletionRequest parse_completion_request(std::string_view body, CompletionKind kind, const RequestLimits& lim) {
  if (body.size() > lim.max_body_bytes)
    throw Error(fmt::format("body: {} bytes exceed the limit of {}", body.size(), lim.max_body_bytes));
  if (const size_t d = json_depth(body); d > lim.max_json_depth)
    throw Error(fmt::format("body: JSON nested {} levels deep, the limit is {}", d, lim.max_json_depth));
  json j;
  try {
    j = json::parse(body);
  } catch (const json::parse_error& e) {
    throw Error(fmt::format("body: not valid JSON (error at byte {})", e.byte));
  } catch (const json::out_of_range&) {
    // nlohmann refuses a number beyond a double (1e400) this way (found by fuzz_serve_request).
    throw Error("body: a number is out of the range of a double");
  }
  if (!j.is_object()) throw Error(fmt::format("body: expected a JSON object, got {}", type_name(j)));

  CompletionRequest r;
  r.kind = kind;
  if (const json* v = field(j, "model")) r.model = text(*v, "model", 256);
  if (kind == CompletionKind::Text) {
    if (field(j, "messages")) bad("messages", "belongs to /v1/chat/completions; /v1/completions takes \"prompt\"");
    const json* p = field(j, "prompt");
    if (!p) bad("prompt", "missing");
    // A list of one string is the same prompt; several prompts in one request are not supported.
    if (p->is_array() && p->size() == 1 && (*p)[0].is_string()) p = &(*p)[0];
    if (!p->is_string()) bad("prompt", fmt::format("expected a string (one prompt), got {}", type_name(*p)));
    r.prompt = text(*p, "prompt", lim.max_text_bytes);
  } else {
    if (field(j, "prompt")) bad("prompt", "belongs to /v1/completions; /v1/chat/completions takes \"messages\"");
    const json* m = field(j, "messages");
    if (!m) bad("messages", "missing");
    r.messages = chat_messages(*m, lim);
  }
  // Chat's newer name wins when both are given.
  for (const char* name : {"max_tokens", "max_completion_tokens"})
    if (const json* v = field(j, name)) r.max_tokens = integer_in(*v, name, 1, std::max<int64_t>(lim.n_ctx, 1));
  if (const json* v = field(j, "temperature")) r.temperature = number_in(*v, "temperature", 0.0, 2.0);
  if (const json* v = field(j, "top_p")) r.top_p = number_in(*v, "top_p", 0.0, 1.0);
  if (const json* v = field(j, "top_k")) r.top_k = int32_t(integer_in(*v, "top_k", 0, 1 << 24));
  if (const json* v = field(j, "min_p")) r.min_p = number_in(*v, "min_p", 0.0, 1.0);
  if (const json* v = field(j, "seed"))
    r.seed = integer_in(*v, "seed", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  if (const json* v = field(j, "stop")) r.stop = stop_strings(*v, lim);
  if (const json* v = field(j, "stream")) r.stream = boolean(*v, "stream");
  if (const json* v = field(j, "stream_options")) {
    if (!v->is_object()) bad("stream_options", fmt::format("expected an object, got {}", type_name(*v)));
    if (!r.stream) bad("stream_options", "only allowed with \"stream\": true");
    if (const json* u = field(*v, "include_usage")) r.include_usage = boolean(*u, "stream_options.include_usage");
  }
  refuse_unsupported(j);
  return r;
}

}  // namespace lfmb
