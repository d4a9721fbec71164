// lfmb serve's HTTP layer (cpp-httplib): an OpenAI-compatible subset over one model.
//   POST /v1/completions        {"prompt": ...}    -> text_completion
//   POST /v1/chat/completions   {"messages": ...}  -> chat.completion (the model's chat template)
//   GET  /v1/models, GET /health
// "stream": true answers with server-sent events (data: {chunk}, ..., data: [DONE]). Errors are
// OpenAI's shape {"error": {"message", "type", "param", "code"}}: 400 for a bad request, 413 for
// an oversized body, 404 for an unknown path, 503 while shutting down. Generation runs on the
// Scheduler's one thread; a handler thread waits for its job and notices a client that went away
// when a write fails (streams write an SSE comment, whole answers a space of JSON whitespace, each
// second while waiting), which cancels the job at its next token.
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/model/model.h"
#include "core/server/completion_request.h"
#include "core/server/scheduler.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"

namespace lfmb {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;          // 0: any free port (bind() returns it)
  int parallel = 4;         // sequences decoded together
  std::string model_name;   // the id /v1/models lists and responses carry
  RequestLimits limits;     // limits.n_ctx is set from the model
};

class HttpServer {
 public:
  HttpServer(const Model& m, Tokenizer tok, std::optional<ChatTemplate> tmpl, ServerOptions o);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket; returns the port (an lfmb::Error when it cannot bind).
  int bind();
  // Serves until stop(); call bind() first.
  void run();
  // Refuses new completions (503), waits for those in flight to finish and be sent, then ends run().
  void stop();

  Scheduler& scheduler() { return scheduler_; }
  int64_t cancelled_requests() const { return cancelled_; }

 private:
  struct Impl;  // the httplib server and the handlers (httplib.h stays out of this header)

  const Model& m_;
  Tokenizer tok_;
  std::mutex tok_mu_;  // Tokenizer::encode is not const (it caches)
  std::optional<ChatTemplate> tmpl_;
  ServerOptions o_;
  std::vector<int32_t> stop_ids_;
  Scheduler scheduler_;
  std::unique_ptr<Impl> impl_;

  std::mutex flight_mu_;
  std::condition_variable flight_cv_;
  int in_flight_ = 0;
  std::atomic<bool> draining_{false};
  std::atomic<int64_t> cancelled_{0};
  std::atomic<int64_t> next_id_{1};
};

}  // namespace lfmb
