// Tokenizer throughput on English text (single thread), with the Qwen2 and Llama-3 vocabularies.
// Run: ./build/bench_tokenizer   (needs ../shared/reference/vocab)
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/gguf/gguf_reader.h"
#include "core/tokenizer/tokenizer.h"

namespace {

const char* kParagraph =
    "The committee met on Tuesday to review the quarterly results. Revenue rose by 12 percent, "
    "driven mostly by strong demand in the northern region, while costs stayed roughly flat. "
    "Several members asked whether the growth could last; the finance director said she expected "
    "a slower second half, citing higher shipping prices and a weaker currency. After a short "
    "break, they discussed the new hiring plan, which would add 35 engineers by March. Nobody "
    "objected, although one member wondered aloud if the office had enough desks for everyone.\n";

std::string shared_vocab(const std::string& name) {
  const char* env = std::getenv("LFMB_SHARED_DIR");
  return std::string(env ? env : LFMB_SHARED_DIR_DEFAULT) + "/reference/vocab/" + name;
}

void tokenize_english(benchmark::State& state, const std::string& vocab) {
  const std::string path = shared_vocab(vocab);
  if (!std::filesystem::exists(path)) {
    state.SkipWithError(("missing " + path).c_str());
    return;
  }
  lfmb::Tokenizer tok = lfmb::Tokenizer::from_gguf(lfmb::GgufFile(path));
  std::string text;
  while (text.size() < (2u << 20)) text += kParagraph;  // ~2 MB
  size_t n_tokens = 0;
  for (auto _ : state) {
    auto ids = tok.encode(text);
    n_tokens = ids.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
  state.counters["tokens"] = double(n_tokens);
}

}  // namespace

BENCHMARK_CAPTURE(tokenize_english, qwen2, std::string("ggml-vocab-qwen2.gguf"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(tokenize_english, llama_bpe, std::string("ggml-vocab-llama-bpe.gguf"))->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
