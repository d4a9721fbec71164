// lfmb serve: request parsing (core/server/completion_request), and the server run in-process on
// a tiny synthetic model, spoken to over HTTP with httplib::Client: batched answers equal the same
// requests run alone, OpenAI's response and error shapes, stop strings, streaming, cancellation,
// and the CLI's start and clean stop on SIGTERM.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "core/cli/model_args.h"
#include "core/gguf/gguf_reader.h"
#include "core/server/completion_request.h"
#include "core/server/generation_job.h"
#include "core/server/http_server.h"
#include "tests/test_support.h"

using namespace lfmb;
using namespace lfmb::test;
using nlohmann::json;

namespace {

RequestLimits limits(int64_t n_ctx = 512) {
  RequestLimits l;
  l.n_ctx = n_ctx;
  return l;
}

std::string request_error(const std::string& body, CompletionKind kind = CompletionKind::Text) {
  return error_of([&] { (void)parse_completion_request(body, kind, limits()); });
}

// Polls `cond` for up to 10 s.
template <class F>
bool eventually(F cond) {
  for (int i = 0; i < 1000; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

// A tiny Qwen3-shaped model on disk, once per test process.
const std::string& tiny_model() {
  static const std::string path = [] {
    const std::string p = temp_dir() + "/tiny.gguf";
    const auto r = run_lfmb({"synth", "--preset", "tiny-qwen3", "--type", "q8_0", "--seed", "7", "-o", p});
    REQUIRE(r.exit_code == 0);
    return p;
  }();
  return path;
}

// The server in-process on a free port, serving from its own thread.
struct TestServer {
  std::unique_ptr<Model> model;
  std::unique_ptr<HttpServer> server;
  std::thread thread;
  int port = 0;

  explicit TestServer(int parallel, size_t max_body = size_t(1) << 20) {
    ModelOptions mo = default_model_options();
    mo.threads = 1;
    mo.n_ctx = 512;
    model = std::make_unique<Model>(tiny_model(), mo);
    const GgufFile f(tiny_model());
    Tokenizer tok = Tokenizer::from_gguf(f);
    const std::string bos = tok.bos() ? std::string(tok.token_bytes(*tok.bos())) : "<|startoftext|>";
    ServerOptions o;
    o.port = 0;
    o.parallel = parallel;
    o.model_name = "tiny";
    o.limits.max_body_bytes = max_body;
    server = std::make_unique<HttpServer>(*model, std::move(tok), ChatTemplate(ChatTemplateKind::Qwen3, bos), o);
    port = server->bind();
    thread = std::thread([this] { server->run(); });
  }
  ~TestServer() {
    server->stop();
    thread.join();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(60, 0);
    return c;
  }
  // POST, returning status and parsed body.
  std::pair<int, json> post(const std::string& path, const json& body) const {
    auto c = client();
    auto r = c.Post(path.c_str(), body.dump(), "application/json");
    REQUIRE(r);
    return {r->status, json::parse(r->body)};
  }
};

json completion(const std::string& prompt, int max_tokens) {
  return {{"prompt", prompt}, {"max_tokens", max_tokens}, {"temperature", 0}};
}

void check_openai_error(int status, const json& body, int want_status, const std::string& message_start) {
  CHECK(status == want_status);
  REQUIRE(body.contains("error"));
  CHECK(body["error"]["type"] == "invalid_request_error");
  const std::string m = body["error"]["message"].get<std::string>();
  INFO(m);
  CHECK(m.rfind(message_start, 0) == 0);
}

// The "data: " payloads of a server-sent event stream.
std::vector<std::string> sse_data(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (size_t nl; (nl = body.find("\n\n", pos)) != std::string::npos; pos = nl + 2) {
    const std::string ev = body.substr(pos, nl - pos);
    if (ev.rfind("data: ", 0) == 0) out.push_back(ev.substr(6));
  }
  return out;
}

}  // namespace

TEST_CASE("completion request parsing accepts OpenAI bodies", "[serve]") {
  const CompletionRequest r = parse_completion_request(
      R"({"model": "m", "prompt": "Hi", "max_tokens": 7, "temperature": 0.5, "top_p": 0.9, "top_k": 40,
          "min_p": 0.05, "seed": 42, "stop": ["\n", "END"], "stream": true, "stream_options": {"include_usage": true},
          "n": 1, "user": "ignored", "logprobs": null, "presence_penalty": 0})",
      CompletionKind::Text, limits());
  CHECK(r.model == "m");
  CHECK(r.prompt == "Hi");
  CHECK(r.max_tokens == 7);
  CHECK(r.temperature == 0.5);
  CHECK(r.top_p == 0.9);
  CHECK(r.top_k == 40);
  CHECK(r.min_p == 0.05);
  CHECK(r.seed == 42);
  CHECK(r.stop == std::vector<std::string>{"\n", "END"});
  CHECK(r.stream);
  CHECK(r.include_usage);
  // Defaults (OpenAI's), null as absent, a one-string list as the prompt, 5.0 as an integer.
  const CompletionRequest d =
      parse_completion_request(R"({"prompt": ["x"], "temperature": null, "max_tokens": 5.0, "stop": "s"})",
                               CompletionKind::Text, limits());
  CHECK(d.prompt == "x");
  CHECK(d.temperature == 1.0);
  CHECK(d.max_tokens == 5);
  CHECK(d.stop == std::vector<std::string>{"s"});
  CHECK_FALSE(d.stream);
  CHECK_FALSE(parse_completion_request(R"({"prompt": ""})", CompletionKind::Text, limits()).max_tokens);
  // Chat: roles, text parts joined, developer as system, max_completion_tokens over max_tokens.
  const CompletionRequest c = parse_completion_request(
      R"({"messages": [{"role": "developer", "content": "Be brief."},
                       {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
                       {"role": "assistant", "content": null}, {"role": "user", "content": "c"}],
          "max_tokens": 3, "max_completion_tokens": 9})",
      CompletionKind::Chat, limits());
  REQUIRE(c.messages.size() == 4);
  CHECK(c.messages[0].role == "system");
  CHECK(c.messages[1].content == "ab");
  CHECK(c.messages[2].content == "");
  CHECK(c.max_tokens == 9);
}

TEST_CASE("completion request parsing names the bad field", "[serve]") {
  CHECK(request_error("{\"prompt\": ") .rfind("body: not valid JSON", 0) == 0);
  CHECK(request_error("[1]") == "body: expected a JSON object, got an array");
  CHECK(request_error("{}") == "prompt: missing");
  CHECK(request_error(R"({"prompt": 5})") == "prompt: expected a string (one prompt), got a number");
  CHECK(request_error(R"({"prompt": ["a", "b"]})") == "prompt: expected a string (one prompt), got an array");
  CHECK(request_error(R"({"prompt": "a", "n": 2})") == "n: only n = 1 is supported");
  CHECK(request_error(R"({"prompt": "a", "max_tokens": 0})") == "max_tokens: must be from 1 to 512, got 0");
  CHECK(request_error(R"({"prompt": "a", "max_tokens": 513})") == "max_tokens: must be from 1 to 512, got 513");
  CHECK(request_error(R"({"prompt": "a", "max_tokens": 2.5})") == "max_tokens: expected an integer, got 2.5");
  CHECK(request_error(R"({"prompt": "a", "max_tokens": "9"})") == "max_tokens: expected an integer, got a string");
  CHECK(request_error(R"({"prompt": "a", "max_tokens": 18446744073709551615})").rfind("max_tokens: must be", 0) == 0);
  CHECK(request_error(R"({"prompt": "a", "temperature": 2.5})") == "temperature: must be from 0 to 2, got 2.5");
  CHECK(request_error(R"({"prompt": "a", "temperature": true})") == "temperature: expected a number, got a boolean");
  CHECK(request_error(R"({"prompt": "a", "top_p": -0.1})") == "top_p: must be from 0 to 1, got -0.1");
  CHECK(request_error(R"({"prompt": "a", "stream": "yes"})") == "stream: expected a boolean, got a string");
  CHECK(request_error(R"({"prompt": "a", "stream_options": {}})") == "stream_options: only allowed with \"stream\": true");
  CHECK(request_error(R"({"prompt": "a", "stop": ["1", "2", "3", "4", "5"]})") ==
        "stop: 5 stop strings exceed the limit of 4");
  CHECK(request_error(R"({"prompt": "a", "stop": ["x", ""]})") ==
        "stop[1]: an empty stop string would stop before the first token");
  CHECK(request_error(R"({"prompt": "a", "stop": 3})") == "stop: expected a string or an array of strings, got a number");
  CHECK(request_error(R"({"prompt": "a", "echo": true})") == "echo: echo is not supported");
  CHECK(request_error(R"({"prompt": "a", "logprobs": 2})") == "logprobs: log probabilities are not supported");
  CHECK(request_error(R"({"prompt": "a", "frequency_penalty": 0.5})") == "frequency_penalty: only 0 is supported");
  CHECK(request_error(R"({"messages": []})") == "messages: belongs to /v1/chat/completions; /v1/completions takes \"prompt\"");
  CHECK(request_error(R"({"messages": []})", CompletionKind::Chat) == "messages: must hold at least one message");
  CHECK(request_error(R"({"messages": [{"role": "robot", "content": "x"}]})", CompletionKind::Chat) ==
        "messages[0].role: must be system, developer, user, assistant or tool, got 'robot'");
  CHECK(request_error(R"({"messages": [{"role": "user"}]})", CompletionKind::Chat) == "messages[0].content: missing");
  CHECK(request_error(R"({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]})", CompletionKind::Chat) ==
        "messages[0].content[0].type: only \"text\" parts are supported");
  CHECK(request_error(R"({"prompt": "a"})", CompletionKind::Chat) ==
        "prompt: belongs to /v1/completions; /v1/chat/completions takes \"messages\"");
  // Sizes: the body, one text, the number of messages, the nesting depth.
  RequestLimits small = limits();
  small.max_body_bytes = 20;
  CHECK(error_of([&] { (void)parse_completion_request(R"({"prompt": "0123456789"})", CompletionKind::Text, small); }) ==
        "body: 24 bytes exceed the limit of 20");
  small = limits();
  small.max_text_bytes = 3;
  CHECK(error_of([&] { (void)parse_completion_request(R"({"prompt": "abcd"})", CompletionKind::Text, small); }) ==
        "prompt: 4 bytes exceed the limit of 3");
  small = limits();
  small.max_messages = 1;
  CHECK(error_of([&] {
          (void)parse_completion_request(R"({"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]})",
                                         CompletionKind::Chat, small);
        }) == "messages: 2 messages exceed the limit of 1");
  CHECK(request_error(R"({"prompt": "a", "x": )" + std::string(40, '[') + std::string(40, ']') + "}") ==
        "body: JSON nested 41 levels deep, the limit is 32");
  // Brackets inside strings do not count as nesting.
  CHECK(parse_completion_request(R"({"prompt": ")" + std::string(100, '[') + "\"}", CompletionKind::Text, limits())
            .prompt.size() == 100);
}

TEST_CASE("fuzz regression: a JSON number beyond a double is an error naming the body", "[serve]") {
  // fuzz_serve_request found nlohmann's out_of_range escaping the parser.
  CHECK(request_error(R"({"prompt": "a", "x": 1e380})") == "body: a number is out of the range of a double");
  CHECK(request_error(R"({"messages": [1e380]})", CompletionKind::Chat) == "body: a number is out of the range of a double");
  CHECK(request_error(R"({"prompt": "a", "temperature": -1e400})") == "body: a number is out of the range of a double");
}

TEST_CASE("serve answers concurrent greedy completions exactly as alone and batches them", "[serve]") {
  TestServer s(4);
  const std::vector<std::string> prompts = {"Hello there", "The quick brown fox jumps over", "1 2 3",
                                            "Once upon a time in a land far away"};
  std::vector<json> batched(prompts.size());
  // Held, the scheduler lets all four queue so they must share decode steps.
  s.server->scheduler().hold(true);
  std::vector<std::thread> clients;
  for (size_t i = 0; i < prompts.size(); ++i)
    clients.emplace_back([&, i] {
      auto c = s.client();
      auto r = c.Post("/v1/completions", completion(prompts[i], 24).dump(), "application/json");
      if (r && r->status == 200) batched[i] = json::parse(r->body);
    });
  REQUIRE(eventually([&] { return s.server->scheduler().queued() == prompts.size(); }));
  s.server->scheduler().hold(false);
  for (auto& t : clients) t.join();
  // The scheduler records a step's counts after the step, maybe after the last answer went out.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const SchedulerStats st = s.server->scheduler().stats();
  int64_t total = 0;
  for (const json& b : batched) {
    REQUIRE(b.contains("choices"));
    total += b["usage"]["completion_tokens"].get<int64_t>();
  }
  CHECK(st.requests == 4);
  CHECK(st.largest_step >= 2);
  CHECK(st.decode_steps < total);
  // Each request again, alone.
  for (size_t i = 0; i < prompts.size(); ++i) {
    const auto [status, alone] = s.post("/v1/completions", completion(prompts[i], 24));
    REQUIRE(status == 200);
    INFO(prompts[i]);
    CHECK(alone["choices"][0]["text"] == batched[i]["choices"][0]["text"]);
    CHECK(alone["choices"][0]["finish_reason"] == batched[i]["choices"][0]["finish_reason"]);
    CHECK(alone["usage"] == batched[i]["usage"]);
  }
  // And on a server of one slot.
  TestServer one(1);
  const auto [status, single] = one.post("/v1/completions", completion(prompts[1], 24));
  REQUIRE(status == 200);
  CHECK(single["choices"][0]["text"] == batched[1]["choices"][0]["text"]);
  CHECK(one.server->scheduler().stats().largest_step == 1);
}

TEST_CASE("serve returns OpenAI shapes with usage and finish reasons", "[serve]") {
  TestServer s(2);
  // Text completion: the budget runs out -> length, and the counts add up.
  auto [status, r] = s.post("/v1/completions", completion("The quick brown fox", 6));
  REQUIRE(status == 200);
  CHECK(r["object"] == "text_completion");
  CHECK(r["model"] == "tiny");
  CHECK(r["id"].get<std::string>().rfind("cmpl-", 0) == 0);
  CHECK(r["created"].is_number_integer());
  REQUIRE(r["choices"].size() == 1);
  CHECK(r["choices"][0]["index"] == 0);
  CHECK(r["choices"][0]["finish_reason"] == "length");
  CHECK(r["usage"]["completion_tokens"] == 6);
  const GgufFile f(tiny_model());
  Tokenizer tok = Tokenizer::from_gguf(f);
  const int64_t prompt_tokens = int64_t(tok.encode("The quick brown fox", true, true).size());
  CHECK(r["usage"]["prompt_tokens"] == prompt_tokens);
  CHECK(r["usage"]["total_tokens"] == prompt_tokens + 6);

  // A stop string taken from the middle of the greedy answer: the answer ends right before it.
  auto [st2, longer] = s.post("/v1/completions", completion("The quick brown fox", 30));
  REQUIRE(st2 == 200);
  const std::string full = longer["choices"][0]["text"];
  INFO(full);
  REQUIRE(full.size() >= 8);
  // Two or more bytes starting and ending on character boundaries.
  auto boundary = [&](size_t i) { return i >= full.size() || (static_cast<unsigned char>(full[i]) & 0xC0) != 0x80; };
  size_t from = full.size() / 2, to = from + 2;
  while (!boundary(from)) --from;
  while (!boundary(to)) ++to;
  const std::string stop = full.substr(from, to - from);
  const size_t at = full.find(stop);
  json body = completion("The quick brown fox", 30);
  body["stop"] = json::array({"never-in-there", stop});
  auto [st3, stopped] = s.post("/v1/completions", body);
  REQUIRE(st3 == 200);
  CHECK(stopped["choices"][0]["text"] == full.substr(0, at));
  CHECK(stopped["choices"][0]["finish_reason"] == "stop");
  CHECK(stopped["usage"]["completion_tokens"].get<int64_t>() < 30);

  // Chat: the rendered template's tokens count as the prompt.
  const json messages = json::array({{{"role", "system"}, {"content", "Be brief."}}, {{"role", "user"}, {"content", "Hi!"}}});
  auto [st4, chat] = s.post("/v1/chat/completions", {{"messages", messages}, {"max_tokens", 5}, {"temperature", 0}});
  REQUIRE(st4 == 200);
  CHECK(chat["object"] == "chat.completion");
  CHECK(chat["id"].get<std::string>().rfind("chatcmpl-", 0) == 0);
  CHECK(chat["choices"][0]["message"]["role"] == "assistant");
  CHECK(chat["choices"][0]["message"]["content"].is_string());
  const std::string bos = tok.bos() ? std::string(tok.token_bytes(*tok.bos())) : "<|startoftext|>";
  const std::string rendered = ChatTemplate(ChatTemplateKind::Qwen3, bos)
                                   .render({{"system", "Be brief.", std::nullopt}, {"user", "Hi!", std::nullopt}}, {});
  CHECK(chat["usage"]["prompt_tokens"] == int64_t(tok.encode(rendered, false, true).size()));
  const int64_t completion_tokens = chat["usage"]["completion_tokens"];
  CHECK(completion_tokens <= 5);
  CHECK(chat["choices"][0]["finish_reason"] == (completion_tokens == 5 ? "length" : "stop"));
}

TEST_CASE("serve rejects bad requests with OpenAI errors and keeps serving", "[serve]") {
  TestServer s(2, 4096);
  auto c = s.client();
  auto raw = c.Post("/v1/completions", "{\"prompt\": ", "application/json");
  REQUIRE(raw);
  check_openai_error(raw->status, json::parse(raw->body), 400, "body: not valid JSON");
  auto [a, ra] = s.post("/v1/completions", {{"prompt", 7}});
  check_openai_error(a, ra, 400, "prompt: expected a string");
  auto [b, rb] = s.post("/v1/completions", {{"prompt", "x"}, {"temperature", "hot"}});
  check_openai_error(b, rb, 400, "temperature: expected a number");
  auto [n2, rn] = s.post("/v1/completions", {{"prompt", "x"}, {"n", 2}});
  check_openai_error(n2, rn, 400, "n: only n = 1");
  auto [z, rz] = s.post("/v1/completions", {{"prompt", "x"}, {"max_tokens", 0}});
  check_openai_error(z, rz, 400, "max_tokens: must be from 1 to 512");
  auto [big, rbig] = s.post("/v1/completions", {{"prompt", "x"}, {"max_tokens", 513}});
  check_openai_error(big, rbig, 400, "max_tokens: must be from 1 to 512");
  auto [m, rm] = s.post("/v1/chat/completions", {{"messages", "hi"}});
  check_openai_error(m, rm, 400, "messages: expected an array");
  // A prompt longer than the context.
  std::string longp;
  for (int i = 0; i < 600; ++i) longp += " a";
  auto [l, rl] = s.post("/v1/completions", completion(longp, 4));
  check_openai_error(l, rl, 400, "prompt: ");
  // Bodies over --max-body-bytes: 413, from httplib's limit (Content-Length) and the same shape.
  auto over = c.Post("/v1/completions", json{{"prompt", std::string(5000, 'a')}}.dump(), "application/json");
  REQUIRE(over);
  check_openai_error(over->status, json::parse(over->body), 413, "body: larger than the limit of 4096 bytes");
  auto missing = c.Get("/v1/nothing");
  REQUIRE(missing);
  check_openai_error(missing->status, json::parse(missing->body), 404, "no such endpoint: GET /v1/nothing");
  // Still serving.
  auto [ok, rok] = s.post("/v1/completions", completion("Hello", 3));
  CHECK(ok == 200);
  CHECK(rok["usage"]["completion_tokens"].get<int64_t>() <= 3);
}

TEST_CASE("serve answers health and models", "[serve]") {
  TestServer s(3);
  auto c = s.client();
  auto h = c.Get("/health");
  REQUIRE(h);
  CHECK(h->status == 200);
  CHECK(json::parse(h->body)["status"] == "ok");
  CHECK(json::parse(h->body)["slots"] == 3);
  auto m = c.Get("/v1/models");
  REQUIRE(m);
  CHECK(m->status == 200);
  const json j = json::parse(m->body);
  CHECK(j["object"] == "list");
  REQUIRE(j["data"].size() == 1);
  CHECK(j["data"][0]["id"] == "tiny");
  CHECK(j["data"][0]["object"] == "model");
  CHECK(j["data"][0]["meta"]["n_ctx"] == 512);
}

TEST_CASE("serve streams server-sent events with the same text", "[serve]") {
  TestServer s(2);
  auto [st, whole] = s.post("/v1/completions", completion("Once upon a time", 20));
  REQUIRE(st == 200);
  json body = completion("Once upon a time", 20);
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};
  auto c = s.client();
  auto r = c.Post("/v1/completions", body.dump(), "application/json");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "text/event-stream");
  const std::vector<std::string> events = sse_data(r->body);
  REQUIRE(events.size() >= 3);
  CHECK(events.back() == "[DONE]");
  std::string text, finish;
  json usage;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    const json e = json::parse(events[i]);
    CHECK(e["object"] == "text_completion");
    if (e.contains("usage")) {
      usage = e["usage"];
      continue;
    }
    text += e["choices"][0]["text"].get<std::string>();
    if (!e["choices"][0]["finish_reason"].is_null()) finish = e["choices"][0]["finish_reason"];
  }
  CHECK(text == whole["choices"][0]["text"]);
  CHECK(finish == whole["choices"][0]["finish_reason"]);
  CHECK(usage == whole["usage"]);

  // Chat: a first delta with the role, then content deltas, a last one with the finish reason.
  const json chat = {{"messages", json::array({{{"role", "user"}, {"content", "Hi"}}})},
                     {"max_tokens", 8},
                     {"temperature", 0},
                     {"stream", true}};
  auto rc = c.Post("/v1/chat/completions", chat.dump(), "application/json");
  REQUIRE(rc);
  const std::vector<std::string> ce = sse_data(rc->body);
  REQUIRE(ce.size() >= 3);
  CHECK(ce.back() == "[DONE]");
  const json first = json::parse(ce.front());
  CHECK(first["object"] == "chat.completion.chunk");
  CHECK(first["choices"][0]["delta"]["role"] == "assistant");
  const json last = json::parse(ce[ce.size() - 2]);
  CHECK(last["choices"][0]["delta"] == json::object());
  CHECK(last["choices"][0]["finish_reason"].is_string());
  auto [st2, chat_whole] = s.post("/v1/chat/completions", json{{"messages", chat["messages"]}, {"max_tokens", 8}, {"temperature", 0}});
  std::string streamed;
  for (size_t i = 1; i + 2 < ce.size(); ++i) streamed += json::parse(ce[i])["choices"][0]["delta"]["content"].get<std::string>();
  CHECK(streamed == chat_whole["choices"][0]["message"]["content"]);
}

TEST_CASE("serve drops the request of a client that went away", "[serve]") {
  TestServer s(2);
  // Held, the request waits in the queue; the server's keep-alive comment (after a second) is the
  // first byte the client gets, and it hangs up on it; the next write fails and cancels the job.
  s.server->scheduler().hold(true);
  httplib::Request req;
  req.method = "POST";
  req.path = "/v1/completions";
  req.body = json{{"prompt", "Hello"}, {"temperature", 0}, {"stream", true}, {"max_tokens", 500}}.dump();
  req.set_header("Content-Type", "application/json");
  req.content_receiver = [](const char*, size_t, uint64_t, uint64_t) { return false; };
  auto c = s.client();
  (void)c.send(req);
  REQUIRE(eventually([&] { return s.server->cancelled_requests() == 1; }));
  s.server->scheduler().hold(false);
  // Released, the cancelled job ends without running a token; the server still answers.
  auto [ok, r] = s.post("/v1/completions", completion("Hello", 2));
  CHECK(ok == 200);
  // The scheduler records a step's counts after the step, maybe after the answer went out.
  const int64_t want = r["usage"]["prompt_tokens"].get<int64_t>() + 1;  // the prompt, then one decode step
  CHECK(eventually([&] { return s.server->scheduler().stats().tokens == want; }));
  CHECK(s.server->scheduler().stats().tokens == want);
  CHECK(s.server->scheduler().stats().requests == 1);
}

TEST_CASE("a generation job stops at the next token once cancelled", "[serve]") {
  const GgufFile f(tiny_model());
  const Tokenizer tok = Tokenizer::from_gguf(f);
  JobSettings js;
  js.prompt = {1, 2};
  js.max_new = 10;
  GenerationJob job(tok, js);
  CHECK(job.on_token(65));
  job.cancel();
  CHECK_FALSE(job.on_token(66));  // what SequenceBatch hears: the request leaves its slot
  job.on_end(SequenceEnd::Stopped);
  CHECK(job.ended());
  CHECK(job.finish_reason() == "stop");
  CHECK(job.completion_tokens() == 1);
  CHECK(job.text() == std::string(tok.token_bytes(65)));
}

TEST_CASE("serve finishes requests in flight when stopped", "[serve]") {
  auto s = std::make_unique<TestServer>(2);
  s->server->scheduler().hold(true);
  json answer;
  std::thread client([&] {
    auto c = s->client();
    auto r = c.Post("/v1/completions", completion("Hello", 5).dump(), "application/json");
    if (r && r->status == 200) answer = json::parse(r->body);
  });
  REQUIRE(eventually([&] { return s->server->scheduler().queued() == 1; }));
  // stop() releases the held scheduler, waits for the answer to be sent, then ends run().
  s->server->stop();
  client.join();
  REQUIRE(answer.contains("choices"));
  CHECK(answer["usage"]["completion_tokens"].get<int64_t>() >= 1);
  s->thread.join();
  s->thread = std::thread([] {});
}

TEST_CASE("lfmb serve listens and exits 0 on SIGTERM", "[serve]") {
  const std::string log = temp_dir() + "/serve.log";
  write_file(log, "");
  const std::string model = tiny_model();
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    execl(LFMB_BINARY, LFMB_BINARY, "serve", "-m", model.c_str(), "--port", "0", "-np", "2", "-t", "1", "-c",
          "256", static_cast<char*>(nullptr));
    _exit(127);
  }
  int port = 0;
  const std::regex listening(R"(lfmb serve: listening on http://127\.0\.0\.1:(\d+) \(2 slots\))");
  const bool up = eventually([&] {
    std::smatch m;
    const std::string text = read_file(log);
    if (!std::regex_search(text, m, listening)) return false;
    port = std::stoi(m[1]);
    return true;
  });
  if (up) {
    httplib::Client c("127.0.0.1", port);
    auto h = c.Get("/health");
    REQUIRE(h);
    CHECK(h->status == 200);
    auto r = c.Post("/v1/completions", completion("Hi", 3).dump(), "application/json");
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  kill(pid, SIGTERM);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  INFO(read_file(log));
  REQUIRE(up);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
