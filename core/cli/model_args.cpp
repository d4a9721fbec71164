#include "core/cli/model_args.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include "core/error.h"

namespace lfmb {

std::vector<OptionSpec> model_run_options(VocabCommand command, bool with_tokens) {
  std::vector<OptionSpec> opts = vocabulary_options(command);
  if (with_tokens) opts.push_back({"--tokens", "IDS", "token ids separated by spaces or commas"});
  return opts;
}

int resolve_thread_count(int threads) {
  return threads > 0 ? threads : std::max(1, int(std::thread::hardware_concurrency()));
}

ModelOptions default_model_options() {
  ModelOptions o;
  o.backend = option_def("backend").default_value;  // "native"
  o.threads = resolve_thread_count(0);              // the table's default: 0 = all logical processors
  o.n_batch = 512;
  o.n_ctx = 0;
  o.mmap = true;
  return o;
}

void apply_model_flags(const ParsedArgs& args, ModelOptions& o, VocabCommand command) {
  const std::string batch_flag = canonical_flag("n_batch");
  const bool has_n_batch = (option_def("n_batch").commands & command) != 0;
  const BatchOrBackend bb = split_batch_or_backend(has_n_batch ? args.all(batch_flag) : std::vector<std::string>{});
  std::vector<std::string> backends = bb.backends;
  for (const auto& b : args.all(canonical_flag("backend"))) backends.push_back(b);
  if (backends.size() > 1) throw UsageError("--backend given twice (-b NAME is a backend too)");
  if (args.has(canonical_flag("dtype"))) o.dtype = *args.get(canonical_flag("dtype"));
  if (!backends.empty()) {
    const BackendChoice c = parse_backend_choice(backends[0], "--backend");
    o.backend = c.backend;
    if (!c.dtype.empty()) {
      if (args.has(canonical_flag("dtype")) && o.dtype != c.dtype)
        throw UsageError("--backend " + backends[0] + " and --dtype " + o.dtype + " disagree");
      o.dtype = c.dtype;
    }
  }
  if (bb.batch_sizes.size() > 1) throw UsageError(batch_flag + " given twice");
  if (!bb.batch_sizes.empty()) {
    const long long v = std::stoll(bb.batch_sizes[0].substr(0, 12));
    if (v < 1 || v > (1 << 24)) throw UsageError(batch_flag + " expects an integer from 1 to 16777216, got '" + bb.batch_sizes[0] + "'");
    o.n_batch = v;
  }
  if (args.has(canonical_flag("threads"))) o.threads = resolve_thread_count(int(args.get_int(canonical_flag("threads"), 0, 0, 1024)));
  if (args.has(canonical_flag("n_ctx"))) o.n_ctx = args.get_int(canonical_flag("n_ctx"), 0, 0, 1 << 24);
  if (args.has(canonical_flag("mmap"))) o.mmap = args.get_int(canonical_flag("mmap"), 1, 0, 1) != 0;
  if (args.has(canonical_flag("no_mmap"))) o.mmap = false;
}

ModelOptions model_options_from_args(const ParsedArgs& args, VocabCommand command) {
  ModelOptions o = default_model_options();
  apply_model_flags(args, o, command);
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
