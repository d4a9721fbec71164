// Response shapes follow OpenAI's API reference for completions, chat completions, their
// streamed chunks and errors; no code was ported.
#include "core/server/http_server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>

#include "core/error.h"

namespace lfmb {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Model text may end in an incomplete character: replaced (U+FFFD), never an exception.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json error_json(const std::string& message, const char* type) {
  return {{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}};
}

void send_error(httplib::Response& res, int status, const std::string& message,
                const char* type = "invalid_request_error") {
  res.status = status;
  res.set_content(dump(error_json(message, type)), "application/json");
}

int64_t unix_now() { return int64_t(std::time(nullptr)); }

}  // namespace

struct HttpServer::Impl {
  HttpServer& s;
  httplib::Server svr;

  explicit Impl(HttpServer& server) : s(server) {
    const size_t threads = size_t(std::max(8, 2 * s.o_.parallel + 4));  // waiting clients hold one each
    svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    svr.set_payload_max_length(s.o_.limits.max_body_bytes);
    svr.set_keep_alive_timeout(2);  // an idle connection delays shutdown at most this long
    svr.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
      if (s.draining_) return send_error(res, 503, "the server is shutting down", "server_error");
      res.set_content(dump({{"status", "ok"}, {"slots", s.scheduler_.slots()}}), "application/json");
    });
    svr.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
      const json model = {{"id", s.o_.model_name}, {"object", "model"}, {"created", unix_now()}, {"owned_by", "lfmb"},
                          {"meta", {{"n_ctx", s.m_.options().n_ctx}, {"n_vocab", s.m_.config().n_vocab}}}};
      res.set_content(dump({{"object", "list"}, {"data", json::array({model})}}), "application/json");
    });
    svr.Post("/v1/completions", [this](const httplib::Request& q, httplib::Response& r) {
      completion(q, r, CompletionKind::Text);
    });
    svr.Post("/v1/chat/completions", [this](const httplib::Request& q, httplib::Response& r) {
      completion(q, r, CompletionKind::Chat);
    });
    // httplib's own refusals (413 from the payload limit, 404, ...) come without a body: give
    // them OpenAI's error shape. Responses that have one (ours) pass unchanged.
    svr.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& q, httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      std::string msg = fmt::format("HTTP status {}", res.status);
      if (res.status == 413) msg = fmt::format("body: larger than the limit of {} bytes", s.o_.limits.max_body_bytes);
      if (res.status == 404) msg = fmt::format("no such endpoint: {} {}", q.method, q.path);
      send_error(res, res.status, msg);
      return httplib::Server::HandlerResponse::Handled;
    }));
    svr.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      std::string msg = "internal error";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        msg = e.what();
      } catch (...) {
      }
      send_error(res, 500, msg, "server_error");
    });
  }

  // The tokens of the request's prompt (the chat template rendered first for a chat request).
  std::vector<int32_t> prompt_tokens(const CompletionRequest& cr) {
    std::lock_guard<std::mutex> lk(s.tok_mu_);
    if (cr.kind == CompletionKind::Text) return s.tok_.encode(cr.prompt, /*add_special=*/true, /*parse_special=*/true);
    if (!s.tmpl_) throw Error("messages: the model has no chat template; use /v1/completions");
    ChatRenderOptions ro;
    ro.add_generation_prompt = true;
    // The template writes the BOS itself, so the tokenizer must not add a second one.
    return s.tok_.encode(s.tmpl_->render(cr.messages, ro), /*add_special=*/false, /*parse_special=*/true);
  }

  void finish_flight() {
    {
      std::lock_guard<std::mutex> lk(s.flight_mu_);
      --s.in_flight_;
    }
    s.flight_cv_.notify_all();
  }

  void completion(const httplib::Request& req, httplib::Response& res, CompletionKind kind) {
    if (req.body.size() > s.o_.limits.max_body_bytes)
      return send_error(res, 413, fmt::format("body: larger than the limit of {} bytes", s.o_.limits.max_body_bytes));
    CompletionRequest cr;
    std::vector<int32_t> ids;
    try {
      cr = parse_completion_request(req.body, kind, s.o_.limits);
      ids = prompt_tokens(cr);
    } catch (const Error& e) {
      return send_error(res, 400, e.what());
    }
    const int64_t n_ctx = s.m_.options().n_ctx;
    const char* field = kind == CompletionKind::Text ? "prompt" : "messages";
    if (ids.empty()) return send_error(res, 400, std::string(field) + ": tokenizes to nothing");
    if (int64_t(ids.size()) >= n_ctx)
      return send_error(res, 400, fmt::format("{}: {} tokens leave no room to generate (n_ctx = {})", field, ids.size(), n_ctx));

    JobSettings js;
    const int64_t prompt_tokens = int64_t(ids.size());
    js.prompt = std::move(ids);
    // Without max_tokens the answer may run to the end of the context; with it, the context still bounds it.
    js.max_new = std::min(cr.max_tokens.value_or(n_ctx), n_ctx - prompt_tokens);
    js.sampling.temperature = float(cr.temperature);
    js.sampling.top_p = float(cr.top_p);
    js.sampling.top_k = cr.top_k;
    js.sampling.min_p = float(cr.min_p);
    js.sampling.seed = cr.seed ? uint64_t(*cr.seed) : uint64_t(std::random_device{}()) << 32 | std::random_device{}();
    js.stop = cr.stop;
    js.stop_ids = s.stop_ids_;
    auto job = std::make_shared<GenerationJob>(s.tok_, std::move(js));

    {
      std::lock_guard<std::mutex> lk(s.flight_mu_);
      if (s.draining_) return send_error(res, 503, "the server is shutting down", "server_error");
      ++s.in_flight_;
    }
    try {
      s.scheduler_.submit(job);
    } catch (const Error& e) {
      finish_flight();
      return send_error(res, 503, e.what(), "server_error");
    }

    const bool chat = kind == CompletionKind::Chat;
    const json head = {{"id", fmt::format("{}-{}", chat ? "chatcmpl" : "cmpl", s.next_id_++)},
                       {"created", unix_now()},
                       {"model", s.o_.model_name}};
    auto usage = [job, prompt_tokens] {
      const int64_t c = job->completion_tokens();
      return json{{"prompt_tokens", prompt_tokens}, {"completion_tokens", c}, {"total_tokens", prompt_tokens + c}};
    };
    // A client that went away: its job ends at the next token.
    auto abandon = [this, job] {
      if (!job->ended() && !job->cancelled()) {
        job->cancel();
        ++s.cancelled_;
      }
    };
    auto release = [this, abandon](bool) {
      abandon();
      finish_flight();
    };

    if (!cr.stream) {
      res.set_chunked_content_provider(
          "application/json",
          [job, head, chat, usage, abandon](size_t, httplib::DataSink& sink) {
            // Until the answer is ready, a space (JSON whitespace) each second tells a closed connection.
            while (!job->wait_end(1000ms))
              if (!sink.write(" ", 1)) {
                abandon();
                return false;
              }
            json body = head;
            if (!job->error().empty()) {
              body = error_json(job->error(), "server_error");
            } else {
              body["object"] = chat ? "chat.completion" : "text_completion";
              json choice = {{"index", 0}, {"logprobs", nullptr}, {"finish_reason", job->finish_reason()}};
              if (chat) choice["message"] = {{"role", "assistant"}, {"content", job->text()}};
              else choice["text"] = job->text();
              body["choices"] = json::array({choice});
              body["usage"] = usage();
            }
            const std::string out = dump(body);
            if (!sink.write(out.data(), out.size())) return false;
            sink.done();
            return true;
          },
          release);
      return;
    }

    auto first = std::make_shared<bool>(true);
    const bool include_usage = cr.include_usage;
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream",
        [job, head, chat, usage, abandon, first, include_usage](size_t, httplib::DataSink& sink) {
          auto event = [&](const json& j) {
            const std::string e = "data: " + dump(j) + "\n\n";
            return sink.write(e.data(), e.size());
          };
          auto chunk = [&](const std::string* text, const json& finish) {
            json c = head;
            c["object"] = chat ? "chat.completion.chunk" : "text_completion";
            json choice = {{"index", 0}, {"logprobs", nullptr}, {"finish_reason", finish}};
            if (chat) choice["delta"] = text ? json{{"content", *text}} : json::object();
            else choice["text"] = text ? *text : std::string();
            c["choices"] = json::array({choice});
            return c;
          };
          bool ok = true;
          if (*first && chat) {
            json c = chunk(nullptr, nullptr);
            c["choices"][0]["delta"] = {{"role", "assistant"}, {"content", ""}};
            ok = event(c);
          }
          *first = false;
          const GenerationJob::Progress p = ok ? job->wait(1000ms) : GenerationJob::Progress{};
          if (ok && !p.text.empty()) ok = event(chunk(&p.text, nullptr));
          else if (ok && !p.ended) ok = sink.write(": keep-alive\n\n", 14);  // SSE comment: tells a closed connection
          if (ok && p.ended) {
            if (!job->error().empty()) {
              ok = event(error_json(job->error(), "server_error"));
            } else {
              ok = event(chunk(nullptr, job->finish_reason()));
              if (ok && include_usage) {
                json u = head;
                u["object"] = chat ? "chat.completion.chunk" : "text_completion";
                u["choices"] = json::array();
                u["usage"] = usage();
                ok = event(u);
              }
            }
            if (ok) ok = sink.write("data: [DONE]\n\n", 14);
            if (ok) {
              sink.done();
              return true;
            }
          }
          if (!ok) abandon();
          return ok;
        },
        release);
  }
};

HttpServer::HttpServer(const Model& m, Tokenizer tok, std::optional<ChatTemplate> tmpl, ServerOptions o)
    : m_(m), tok_(std::move(tok)), tmpl_(std::move(tmpl)), o_(std::move(o)), scheduler_(m, o_.parallel) {
  o_.limits.n_ctx = m.options().n_ctx;
  if (tok_.eos()) stop_ids_.push_back(*tok_.eos());
  if (auto im_end = tok_.find_token("<|im_end|>")) stop_ids_.push_back(*im_end);
  // A client that closes its connection must not end the process: writes to it fail instead.
  std::signal(SIGPIPE, SIG_IGN);
  impl_ = std::make_unique<Impl>(*this);
}

HttpServer::~HttpServer() { stop(); }

int HttpServer::bind() {
  if (o_.port == 0) {
    const int port = impl_->svr.bind_to_any_port(o_.host);
    if (port <= 0) throw Error(fmt::format("lfmb serve: cannot listen on {} (any port)", o_.host));
    return port;
  }
  if (!impl_->svr.bind_to_port(o_.host, o_.port))
    throw Error(fmt::format("lfmb serve: cannot listen on {}:{} (in use, or not an address of this machine)", o_.host, o_.port));
  return o_.port;
}

void HttpServer::run() {
  if (draining_) return;
  impl_->svr.listen_after_bind();
}

void HttpServer::stop() {
  scheduler_.hold(false);  // a held scheduler would never finish the requests in flight
  {
    std::unique_lock<std::mutex> lk(flight_mu_);
    draining_ = true;
    flight_cv_.wait(lk, [&] { return in_flight_ == 0; });
  }
  impl_->svr.stop();
  scheduler_.stop();
}

}  // namespace lfmb
