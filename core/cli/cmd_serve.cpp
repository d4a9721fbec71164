// lfmb serve: an OpenAI-compatible HTTP server (core/server/http_server.h) over one model, its
// requests decoded together by continuous batching (--parallel slots). SIGINT or SIGTERM stops
// it: new requests get 503, those in flight finish and are sent, then it exits 0 (a second signal
// ends it at once).
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/cli/command.h"
#include "core/cli/model_args.h"
#include "core/cli/stop_signals.h"
#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/server/http_server.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"

namespace lfmb {

namespace {

// The chat template: the one the GGUF carries, else the architecture's own (as lfmb generate --chat).
ChatTemplate serve_chat_template(const GgufFile& f, const ModelConfig& c, const Tokenizer& tok) {
  if (f.has("tokenizer.chat_template")) return ChatTemplate::from_gguf(f);
  const std::string bos = tok.bos() ? std::string(tok.token_bytes(*tok.bos())) : "<|startoftext|>";
  return ChatTemplate(c.arch == Arch::QWEN3 ? ChatTemplateKind::Qwen3 : ChatTemplateKind::Lfm2, bos);
}

int run_serve(const ParsedArgs& args) {
  if (!args.has("--model")) throw UsageError("serve: --model is required");
  ServerOptions o;
  o.host = args.get_or("--host", "127.0.0.1");
  o.port = int(args.get_int("--port", 8080, 0, 65535));
  o.parallel = int(args.get_int("--parallel", 4, 1, 256));
  o.limits.max_body_bytes = size_t(args.get_int("--max-body-bytes", 1 << 20, 1024, 1ll << 30));
  const std::string path = *args.get("--model");
  o.model_name = args.get_or("--alias", std::filesystem::path(path).stem().string());

  const Model model(path, model_options_from_args(args, kCmdGenerate));
  if (args.has("--verbose")) fmt::print(stderr, "{}\n", model.memory_plan().describe());
  const GgufFile f(path);
  Tokenizer tok = Tokenizer::from_gguf(f);
  std::optional<ChatTemplate> tmpl = serve_chat_template(f, model.config(), tok);
  HttpServer server(model, std::move(tok), std::move(tmpl), o);
  const int port = server.bind();

  StopSignals signals;
  std::atomic<bool> done{false};
  // Signal handlers may only record the signal; this thread turns it into a clean stop.
  std::thread watcher([&] {
    while (!done) {
      if (const int sig = stop_signal()) {
        fmt::print(stderr, "lfmb serve: {}, finishing the requests in flight\n", signal_name(sig));
        server.stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  fmt::print(stderr, "lfmb serve: listening on http://{}:{} ({} slots)\n", o.host, port, o.parallel);
  server.run();
  done = true;
  watcher.join();
  server.stop();
  return 0;
}

}  // namespace

Command serve_command() {
  std::vector<OptionSpec> opts;
  for (OptionSpec& s : model_run_options(kCmdGenerate, /*with_tokens=*/false))
    if (s.name.rfind("--n-gen", 0) != 0) opts.push_back(std::move(s));  // requests give max_tokens
  opts.push_back({"--host", "HOST", "address to listen on (default 127.0.0.1)", false, ""});
  opts.push_back({"--port", "N", "port to listen on (default 8080; 0 = any free port)", false, ""});
  opts.push_back({"--parallel,-np", "N", "requests decoded together (slots, each a KV cache of --ctx-size; default 4)", false, ""});
  opts.push_back({"--max-body-bytes", "N", "largest request body accepted (default 1048576; larger: 413)", false, ""});
  opts.push_back({"--alias", "NAME", "model id in /v1/models and responses (default: the file name without .gguf)", false, ""});
  return {{"serve",
           "lfmb serve -m F.gguf [--host 127.0.0.1] [--port 8080] [--parallel N] [--max-body-bytes N] [--ctx-size N] "
           "[--backend NAME[:DTYPE]] [-t N]",
           "OpenAI-compatible HTTP server: POST /v1/completions, /v1/chat/completions (\"stream\": true for "
           "server-sent events), GET /v1/models, /health; --parallel requests decode together (continuous batching).",
           opts, 0, 0},
          run_serve};
}

}  // namespace lfmb
