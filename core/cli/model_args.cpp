#include "core/cli/model_args.h"

#include <charconv>

#include "core/error.h"

namespace lfmb {

std::vector<OptionSpec> model_run_options() {
  return {{"--model,-m", "FILE", "GGUF model file"},
          {"--tokens", "IDS", "token ids separated by spaces or commas"},
          {"--backend", "NAME", "matmul backend (default: reference)"},
          {"--dtype", "T", "compute type of a converting backend (onednn: f32|bf16|int8; see lfmb backends)"},
          {"--threads", "N", "backend threads (default 1)"},
          {"--ctx", "N", "context length (default min(n_ctx_train, 4096))"},
          {"--batch", "N", "prefill chunk length (default 512)"},
          {"--no-mmap", "", "read the file into memory (huge pages) instead of mapping it"},
          {"--verbose", "", "print the memory plan on stderr"}};
}

ModelOptions model_options_from_args(const ParsedArgs& args) {
  ModelOptions o;
  o.backend = args.get_or("--backend", "reference");
  o.dtype = args.get_or("--dtype", "");
  o.mmap = !args.has("--no-mmap");
  o.threads = int(args.get_int("--threads", 1, 1, 1024));
  o.n_ctx = args.get_int("--ctx", 0, 1, 1 << 24);
  o.n_batch = args.get_int("--batch", 512, 1, 1 << 24);
  return o;
}

std::vector<int32_t> parse_token_list(const std::string& text) {
  // Ids are separated by whitespace, or by one comma with optional whitespace around it: "1 5 9",
  // "1,5,9" and "1, 5, 9" are the same list; an empty entry ("1,,2", ",1", "1,") is an error
  // rather than silently dropped.
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  std::vector<int32_t> ids;
  bool comma_pending = false;  // a comma seen since the last id
  size_t i = 0;
  while (i < text.size()) {
    if (space(text[i])) { ++i; continue; }
    if (text[i] == ',') {
      if (ids.empty() || comma_pending)
        throw UsageError("--tokens: empty entry at character " + std::to_string(i + 1));
      comma_pending = true;
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && !(space(text[j]) || text[j] == ',')) ++j;
    int32_t v = 0;
    auto [p, ec] = std::from_chars(text.data() + i, text.data() + j, v);
    if (ec != std::errc() || p != text.data() + j || v < 0)
      throw UsageError("--tokens: '" + text.substr(i, j - i) + "' is not a token id");
    ids.push_back(v);
    comma_pending = false;
    i = j;
  }
  if (comma_pending) throw UsageError("--tokens: empty entry after the last comma");
  if (ids.empty()) throw UsageError("--tokens: no token ids given");
  return ids;
}

}  // namespace lfmb
