// lfmb generate: continue a prompt. With --tokens, prints the new token ids on one line (greedy
// by default). With --prompt, tokenizes the text (optionally through the model's chat template),
// streams the generated text as it is produced, and ends with a one-line summary on stderr.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>

#include "core/cli/command.h"
#include "core/cli/model_args.h"
#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/model/generate.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/sampler.h"
#include "core/tokenizer/streaming_decoder.h"
#include "core/tokenizer/tokenizer.h"

namespace lfmb {

namespace {

// A number in [lo, hi], or in (lo, hi] when `lo_open` (a value that is divided by, such as the
// repetition penalty, cannot be 0).
float get_float(const ParsedArgs& args, const std::string& name, float dflt, float lo, float hi, bool lo_open = false) {
  const auto v = args.get(name);
  if (!v) return dflt;
  char* end = nullptr;
  const float x = std::strtof(v->c_str(), &end);
  if (v->empty() || *end != '\0' || !(x >= lo && x <= hi) || (lo_open && x == lo))
    throw UsageError(name + " expects a number " + (lo_open ? "above " : "from ") + fmt::format("{}", lo) + " to " +
                     fmt::format("{}", hi) + ", got '" + *v + "'");
  return x;
}

SamplerOptions sampler_options(const ParsedArgs& args) {
  SamplerOptions o = args.has("--lfm2-sampling") ? SamplerOptions::lfm2_recommended() : SamplerOptions{};
  o.temperature = get_float(args, "--temp", o.temperature, 0.0f, 100.0f);
  o.top_k = int32_t(args.get_int("--top-k", o.top_k, 0, 1 << 24));
  o.top_p = get_float(args, "--top-p", o.top_p, 0.0f, 1.0f);
  o.min_p = get_float(args, "--min-p", o.min_p, 0.0f, 1.0f);
  o.repetition_penalty = get_float(args, "--repeat-penalty", o.repetition_penalty, 0.0f, 100.0f, true);
  o.seed = uint64_t(args.get_int("--seed", 0, 0, (1ll << 62)));
  return o;
}

// The chat template: the one the GGUF carries, else the architecture's own.
ChatTemplate chat_template_for(const GgufFile& f, const ModelConfig& c, const Tokenizer& tok) {
  if (f.has("tokenizer.chat_template")) return ChatTemplate::from_gguf(f);
  const std::string bos = tok.bos() ? std::string(tok.token_bytes(*tok.bos())) : "<|startoftext|>";
  return ChatTemplate(c.arch == Arch::QWEN3 ? ChatTemplateKind::Qwen3 : ChatTemplateKind::Lfm2, bos);
}

int run_text_generation(const ParsedArgs& args, const Model& model, int64_t n) {
  const GgufFile f(*args.get("--model"));
  Tokenizer tok = Tokenizer::from_gguf(f);
  const std::string prompt = *args.get("--prompt");
  std::vector<int32_t> ids;
  if (args.has("--chat")) {
    std::vector<ChatMessage> messages;
    if (args.has("--system")) messages.push_back({"system", *args.get("--system"), std::nullopt});
    messages.push_back({"user", prompt, std::nullopt});
    ChatRenderOptions ro;
    ro.enable_thinking = !args.has("--no-think");
    // The template writes the BOS itself, so the tokenizer must not add a second one.
    ids = tok.encode(chat_template_for(f, model.config(), tok).render(messages, ro), false, true);
  } else {
    ids = tok.encode(prompt, true, true);
  }
  if (ids.empty()) throw Error("generate: the prompt tokenizes to nothing");

  StopCondition stop;
  if (tok.eos()) stop.stop_ids.push_back(*tok.eos());
  if (auto im_end = tok.find_token("<|im_end|>")) stop.stop_ids.push_back(*im_end);
  stop.stop_strings = args.all("--stop");
  Sampler sampler(sampler_options(args));
  for (int32_t t : ids) sampler.accept(t);
  StreamingDecoder text(tok);

  using clock = std::chrono::steady_clock;
  Session s(model);
  const auto t0 = clock::now();
  std::vector<float> logits = s.prefill_last(ids);
  const auto t1 = clock::now();
  const int64_t n_vocab = model.config().n_vocab;
  std::string produced;
  size_t printed = 0;
  int64_t generated = 0;
  const float* last = logits.data();
  auto t_decode_end = t1;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t id = sampler.sample(last, size_t(n_vocab));
    sampler.accept(id);
    ++generated;
    if (stop.is_stop_token(id)) break;
    produced += text.push(id);
    const size_t cut = stop.find_stop_string(produced);
    if (cut != std::string::npos) produced.resize(cut);
    // Hold back the last few bytes while a stop string could still be forming.
    size_t hold = 0;
    for (const auto& ss : stop.stop_strings) hold = std::max(hold, ss.size());
    const size_t safe = cut != std::string::npos ? produced.size() : (produced.size() > hold ? produced.size() - hold : 0);
    if (safe > printed) {
      std::fwrite(produced.data() + printed, 1, safe - printed, stdout);
      std::fflush(stdout);
      printed = safe;
    }
    if (cut != std::string::npos || i + 1 == n) break;
    logits = s.decode(id);
    last = logits.data();
    t_decode_end = clock::now();
  }
  if (stop.find_stop_string(produced) == std::string::npos) produced += text.flush();
  if (printed < produced.size()) std::fwrite(produced.data() + printed, 1, produced.size() - printed, stdout);
  std::fputc('\n', stdout);
  const double pre_s = std::chrono::duration<double>(t1 - t0).count();
  const double dec_s = std::chrono::duration<double>(t_decode_end - t1).count();
  const int64_t decode_steps = std::max<int64_t>(generated - 1, 0);
  fmt::print(stderr, "prompt {} tokens, generated {} tokens | prefill {:.2f} tok/s, decode {:.2f} tok/s\n", ids.size(),
             generated, pre_s > 0 ? double(ids.size()) / pre_s : 0.0,
             dec_s > 0 ? double(decode_steps) / dec_s : 0.0);
  return 0;
}

int run_generate(const ParsedArgs& args) {
  if (!args.has("--model")) throw UsageError("generate: --model is required");
  if (args.has("--tokens") == args.has("--prompt")) throw UsageError("generate: give exactly one of --tokens or --prompt");
  if (args.has("--chat") && !args.has("--prompt")) throw UsageError("generate: --chat needs --prompt");
  const int64_t n = args.get_int(canonical_flag("n_gen"), std::stoll(option_def("n_gen").default_value), 0, 1 << 24);
  (void)sampler_options(args);  // usage errors before the (slow) model load
  for (const std::string& s : args.all("--stop"))
    if (s.empty()) throw UsageError("--stop: an empty stop string would stop before the first token");
  if (args.has("--tokens")) (void)parse_token_list(*args.get("--tokens"));
  const Model model(*args.get("--model"), model_options_from_args(args, kCmdGenerate));
  if (args.has("--verbose")) fmt::print(stderr, "{}\n", model.memory_plan().describe());
  if (args.has("--prompt")) return run_text_generation(args, model, n);

  const std::vector<int32_t> tokens = parse_token_list(*args.get("--tokens"));
  Session s(model);
  Sampler sampler(sampler_options(args));
  for (int32_t t : tokens) sampler.accept(t);
  std::string line;
  generate(s, tokens, n,
           [&](const float* logits, int64_t n_vocab) {
             const int32_t id = sampler.sample(logits, size_t(n_vocab));
             sampler.accept(id);
             return id;
           },
           [&](int32_t t) {
             if (!line.empty()) line += ' ';
             line += std::to_string(t);
             return true;
           });
  fmt::print("{}\n", line);
  return 0;
}

}  // namespace

Command generate_command() {
  std::vector<OptionSpec> opts = model_run_options(kCmdGenerate);
  opts.push_back({"--prompt", "TEXT", "text prompt (tokenized with the model's vocabulary)"});
  opts.push_back({"--chat", "", "wrap the prompt as a user turn in the model's chat template"});
  opts.push_back({"--system", "TEXT", "system message for --chat"});
  opts.push_back({"--no-think", "", "Qwen3 chat: thinking off (empty <think> block)"});
  opts.push_back({"--temp", "T", "temperature (default 0 = greedy)"});
  opts.push_back({"--top-k", "K", "keep the K most likely tokens (0 = off)"});
  opts.push_back({"--top-p", "P", "nucleus sampling (1 = off)"});
  opts.push_back({"--min-p", "P", "drop tokens below P x the top probability (0 = off)"});
  opts.push_back({"--repeat-penalty", "R", "repetition penalty (1 = off)"});
  opts.push_back({"--lfm2-sampling", "", "LFM2's recommended settings: temp 0.3, min_p 0.15, repeat penalty 1.05"});
  opts.push_back({"--seed", "N", "sampling seed (default 0); same seed, same output"});
  opts.push_back({"--stop", "TEXT", "stop when this text appears (repeatable)", true});
  return {{"generate",
           "lfmb generate -m F.gguf (--prompt TEXT [--chat] [--system TEXT] | --tokens \"1 5 9\") [-n N] "
           "[sampling flags] [--backend NAME[:DTYPE]] [-t N]",
           "Continue a prompt. With --prompt, streams text and ends with a summary line (prompt/generated tokens, "
           "prefill and decode tok/s) on stderr; with --tokens, prints the new token ids on one line.",
           opts, 0, 0},
          run_generate};
}

}  // namespace lfmb
