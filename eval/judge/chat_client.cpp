// The request, reply and retry rules follow EQ-bench/creative-writing-bench utils/api.py @
// e7ab00917c96 (APIClient.generate); the HTTP side is our own libcurl code.
#include "eval/judge/chat_client.h"

#include <curl/curl.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "core/error.h"

namespace lfmb::eval {

using nlohmann::json;

namespace {

constexpr size_t kMaxReplyBytes = size_t(16) << 20;

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t bytes = size * n;
  if (out->size() + bytes > kMaxReplyBytes) return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  out->append(data, bytes);
  return bytes;
}

// One line of at most `max` bytes: newlines and tabs become spaces.
std::string one_line(std::string s, size_t max = 300) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (s.size() > max) s = s.substr(0, max) + "...";
  return s;
}

// The server's own words for an HTTP error: error.message of an OpenAI-style body, else the body.
std::string error_detail(const std::string& body) {
  try {
    const json j = json::parse(body);
    if (j.contains("error")) {
      const json& e = j["error"];
      if (e.is_object() && e.contains("message") && e["message"].is_string()) return one_line(e["message"].get<std::string>());
      if (e.is_string()) return one_line(e.get<std::string>());
    }
  } catch (const json::exception&) {
  }
  return one_line(body, 200);
}

struct Attempt {
  bool ok = false, retry = false;
  long status = 0;
  std::string content, problem;
};

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

json chat_payload(const ChatRequest& req) {
  json p = {{"model", req.model}, {"messages", req.messages}, {"temperature", req.temperature}, {"max_tokens", req.max_tokens}};
  if (req.min_p) p["min_p"] = *req.min_p;
  return p;
}

ChatClient::ChatClient(std::string endpoint, std::string api_key, const JudgeSettings& timing)
    : endpoint_(std::move(endpoint)),
      key_(std::move(api_key)),
      timeout_(timing.timeout_seconds),
      delay_(timing.retry_delay_seconds),
      max_retries_(std::max(1, timing.max_retries)) {
  global_init();
}

std::string ChatClient::complete(const ChatRequest& req) {
  const std::string where = "judge: POST " + redact_url(endpoint_);
  const std::string body = chat_payload(req).dump();
  std::string last;
  attempts_ = 0;
  for (int attempt = 1; attempt <= max_retries_; ++attempt) {
    ++attempts_;
    Attempt a;
    std::string reply;
    CURL* c = curl_easy_init();
    if (!c) throw Error(where + ": curl_easy_init failed");
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    if (!key_.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + key_).c_str());
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_URL, endpoint_.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(timeout_ * 1000));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(std::min(timeout_, 30.0) * 1000));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    const CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
      a.retry = true;
      a.problem = one_line(errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else if (a.status == 429 || a.status >= 500) {
      a.retry = true;
      a.problem = "HTTP " + std::to_string(a.status) + ": " + error_detail(reply);
    } else if (a.status != 200) {
      throw Error(where + ": HTTP " + std::to_string(a.status) + ": " + error_detail(reply));
    } else {
      try {
        const json j = json::parse(reply);
        const json& content = j.at("choices").at(0).at("message").at("content");
        if (!content.is_string()) throw std::runtime_error("content is not a string");
        return content.get<std::string>();
      } catch (const std::exception&) {
        a.retry = true;
        a.problem = "the reply is not a chat completion (no choices[0].message.content): " + one_line(reply, 120);
      }
    }
    last = a.problem;
    if (attempt < max_retries_) {
      const double wait = a.status == 429 ? delay_ * attempt : delay_;
      std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }
  }
  throw Error(where + ": failed after " + std::to_string(max_retries_) + " attempts: " + last);
}

}  // namespace lfmb::eval
