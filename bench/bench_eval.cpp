// Speed of accuracy runs on the full-size synthetic models (Q4_0, native backend): documents per
// second for MMLU (loglikelihood, 5-shot, the four choices sharing one pass over the context) and
// generated tokens per second for GSM8K (5-shot prompt, greedy). The prompts are the real tasks'
// (eval/tasks, ../shared/datasets); the weights are random, so only the speed means anything.
//
//   build/bench_eval                                   # both models, both tasks
//   build/bench_eval --benchmark_filter='mmlu.*qwen3'  # one
// Env: LFMB_BENCH_THREADS (default: all cores), LFMB_BENCH_DOCS (documents per run, default 4).
//
// Counters: docs_per_s / gen_tok_per_s; model_tokens_per_doc (tokens the model processed per
// document) against context_tokens_per_doc (the prompt's length): about equal when the context
// runs once for all four choices, four times larger if it ran per choice.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include "core/gguf/gguf_reader.h"
#include "core/model/model.h"
#include "core/synth/synthesize.h"
#include "core/tokenizer/tokenizer.h"
#include "eval/prompt_builder.h"
#include "eval/run/eval_model.h"
#include "eval/task_docs.h"
#include "eval/task_index.h"

namespace {

using nlohmann::json;

int bench_threads() {
  const char* e = std::getenv("LFMB_BENCH_THREADS");
  return e ? std::atoi(e) : int(std::max(1u, std::thread::hardware_concurrency()));
}

size_t bench_docs() {
  const char* e = std::getenv("LFMB_BENCH_DOCS");
  return e ? size_t(std::max(1, std::atoi(e))) : 4;
}

struct LoadedModel {
  std::unique_ptr<lfmb::Model> model;
  std::unique_ptr<lfmb::Tokenizer> tok;
};

// One model per preset for the whole process (synthesizing LFM2-8B-A1B takes ~20 s).
LoadedModel& model_for(const std::string& preset) {
  static std::map<std::string, LoadedModel> cache;
  auto it = cache.find(preset);
  if (it != cache.end()) return it->second;
  std::unique_ptr<lfmb::GgufFile> image = lfmb::synthesize_in_memory(preset, lfmb::TensorType::Q4_0, 1, bench_threads());
  lfmb::ModelOptions o;
  o.backend = "native";
  o.threads = bench_threads();
  o.n_ctx = 4096;
  LoadedModel m;
  m.tok = std::make_unique<lfmb::Tokenizer>(lfmb::Tokenizer::from_gguf(*image));
  m.model = std::make_unique<lfmb::Model>(std::move(*image), o);
  return cache.emplace(preset, std::move(m)).first->second;
}

// The first `n` documents of a task with their few-shot prompts, built as `lfmb eval` builds them.
struct Prompts {
  std::vector<std::string> contexts;
  std::vector<std::vector<std::string>> choices;
};

Prompts task_prompts(const std::string& task, int shots, size_t n) {
  static const lfmb::eval::TaskIndex idx({lfmb::eval::default_tasks_dir()});
  const lfmb::eval::TaskConfig& t = idx.task(task);
  const std::string data = lfmb::eval::default_data_dir();
  const auto docs = lfmb::eval::load_split_docs(t, t.test_split, data);
  const auto pool = t.fewshot_samples.is_array() ? t.fewshot_samples.get<std::vector<json>>()
                                                 : lfmb::eval::load_split_docs(t, t.fewshot_split, data);
  lfmb::eval::TaskPrompts p(t);
  const auto draws = lfmb::eval::fewshot_indices(t, n, pool.size(), shots, false, 1234);
  Prompts out;
  for (size_t i = 0; i < n && i < docs.size(); ++i) {
    std::vector<const json*> fs;
    for (size_t k : draws[i]) fs.push_back(&pool[k]);
    out.contexts.push_back(lfmb::eval::plain_text(p.messages(docs[i], fs, "")));
    if (t.output_type == "multiple_choice") {
      std::vector<std::string> conts;
      for (const std::string& c : p.choices(docs[i])) conts.push_back(t.target_delimiter + c);
      out.choices.push_back(conts);
    }
  }
  return out;
}

bool have_data(benchmark::State& state) {
  if (std::filesystem::exists(lfmb::eval::default_data_dir() + "/mmlu")) return true;
  state.SkipWithError(("missing " + lfmb::eval::default_data_dir() + " (set LFMB_DATA_DIR)").c_str());
  return false;
}

void mmlu_loglikelihood(benchmark::State& state, const std::string& preset) {
  if (!have_data(state)) return;
  LoadedModel& m = model_for(preset);
  const Prompts p = task_prompts("mmlu_high_school_geography", 5, bench_docs());
  lfmb::eval::EvalModel em(*m.model, *m.tok, false);
  size_t docs = 0, ctx_tokens = 0;
  const int64_t tokens_before = em.tokens_processed();
  for (auto _ : state) {
    for (size_t i = 0; i < p.contexts.size(); ++i) {
      auto r = em.loglikelihood(p.contexts[i], p.choices[i]);
      benchmark::DoNotOptimize(r.data());
      ctx_tokens += em.encode_context(p.contexts[i]).size();
      ++docs;
    }
  }
  const double model_tokens = double(em.tokens_processed() - tokens_before);
  state.counters["docs_per_s"] = benchmark::Counter(double(docs), benchmark::Counter::kIsRate);
  state.counters["context_tokens_per_doc"] = double(ctx_tokens) / double(docs);
  state.counters["model_tokens_per_doc"] = model_tokens / double(docs);
}

void gsm8k_generate(benchmark::State& state, const std::string& preset) {
  if (!have_data(state)) return;
  LoadedModel& m = model_for(preset);
  const Prompts p = task_prompts("gsm8k", 5, bench_docs());
  lfmb::eval::EvalModel em(*m.model, *m.tok, false);
  lfmb::eval::GenerationSettings g;
  g.max_gen_toks = 32;  // random weights never stop by themselves: every document generates 32
  int64_t generated = 0, prompt = 0;
  double gen_seconds = 0;
  for (auto _ : state) {
    for (const std::string& ctx : p.contexts) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto r = em.generate(ctx, g);
      gen_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      generated += r.generated_tokens;
      prompt += r.prompt_tokens;
    }
  }
  state.counters["gen_tok_per_s"] = double(generated) / gen_seconds;  // prompt prefill included
  state.counters["prompt_tokens_per_doc"] = double(prompt) / double(p.contexts.size() * state.iterations());
  state.counters["generated_per_doc"] = double(generated) / double(p.contexts.size() * state.iterations());
}

}  // namespace

BENCHMARK_CAPTURE(mmlu_loglikelihood, qwen3_1_7b, std::string("qwen3-1.7b"))->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK_CAPTURE(mmlu_loglikelihood, lfm2_8b_a1b, std::string("lfm2-8b-a1b"))->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK_CAPTURE(gsm8k_generate, qwen3_1_7b, std::string("qwen3-1.7b"))->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK_CAPTURE(gsm8k_generate, lfm2_8b_a1b, std::string("lfm2-8b-a1b"))->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK_MAIN();
