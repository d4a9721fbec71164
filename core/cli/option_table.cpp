#include "core/cli/option_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "bench/device_info.h"
#include "core/error.h"

namespace lfmb {

namespace {

// llama-bench's GPU and offload flags: accepted so its command lines run unchanged, and ignored
// with a note, since lfmb computes on the CPU only.
constexpr const char* kCpuOnly = "lfmb runs on the CPU";

std::vector<std::string> split_flags(const std::string& flags) {
  std::vector<std::string> out;
  size_t start = 0;
  while (!flags.empty()) {
    const size_t comma = flags.find(',', start);
    out.push_back(flags.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string commands_text(unsigned c) {
  std::string s;
  for (const auto& [bit, name] : std::vector<std::pair<unsigned, const char*>>{
           {kCmdBench, "bench"}, {kCmdRun, "run"}, {kCmdLogits, "logits"}, {kCmdGenerate, "generate"}, {kCmdEval, "eval"}})
    if (c & bit) s += (s.empty() ? "" : ", ") + std::string(name);
  return s;
}

std::string cell(std::string s) {
  // A markdown table cell: pipes escaped, never empty.
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out.empty() ? "" : out;
}

}  // namespace

const std::vector<OptionDef>& option_table() {
  static const std::vector<OptionDef> table = {
      // What runs: model, backend, compute type, threads.
      {"model", "--model,-m", "FILE", "GGUF path, or {preset: NAME, type: q4_0|q8_0|bf16|f16|f32, seed: N}", "none (required)",
       "", "the model: a GGUF file, or (YAML, bench --preset) a preset synthesized in memory with seeded random weights",
       kCmdAll, true, true},
      {"preset", "--preset", "NAME[:TYPE]", "string", "", "",
       "a synthesized model instead of a file, e.g. lfm2-8b-a1b:q4_0 (TYPE defaults to q4_0; `lfmb synth --list`)",
       kCmdBench, false, true},
      {"backend", "--backend", "NAME[:DTYPE]", "string", "native", "",
       "matmul backend (`lfmb backends`); NAME:DTYPE also sets the compute type, e.g. onednn:int8", kCmdAll, true, true},
      {"dtype", "--dtype", "T", "string", "\"\" (the backend's default)", "",
       "compute type of a backend that converts weights (onednn: f32|bf16|int8); bench: applies to the backends given "
       "without :DTYPE, skipping (with a note) those that lack it",
       kCmdAll, true, true},
      {"threads", "--threads,-t", "N", "integer", "0 (all logical processors)", "threads", "backend threads", kCmdAll,
       true, true},
      // What is measured (bench, run).
      {"n_prompt", "--n-prompt,-p", "N", "integer or list of integers", "512", "tokens",
       "prompt length of each prefill test (ppN); 0 = none", kCmdBench | kCmdRun, true, true},
      {"n_gen", "--n-gen,-n", "N", "integer", "128", "tokens",
       "bench/run: tokens decoded by the decode test (tgN), 0 = none; generate: most tokens to generate", kCmdBench | kCmdRun | kCmdGenerate,
       true, true},
      {"depth", "--n-depth,-d", "N", "integer or list of integers", "0", "tokens",
       "context filled (untimed) before each test: `tg128 @ d4096`", kCmdBench | kCmdRun, true, true},
      {"n_seq", "--sequences,-npl", "N", "integer or list of integers", "1", "sequences",
       "decode tests: sequences decoding together, one token each per forward step (`tg128 x8`); t/s is their "
       "aggregate, as llama-batched-bench's S_TG", kCmdBench | kCmdRun, true, true},
      {"prompt_gen", "--prompt-gen,-pg", "PP,TG", "two integers", "", "tokens",
       "prefill PP tokens then decode TG in one timed test (t/s over PP + TG)", kCmdBench, false, true},
      {"repetitions", "--repetitions,-r", "N", "integer", "5", "repetitions", "measured repetitions per test",
       kCmdBench | kCmdRun, true},
      {"warmup", "--warmup", "N", "integer", "1", "repetitions", "unmeasured warm-up repetitions per test",
       kCmdBench | kCmdRun, true},
      {"no_warmup", "--no-warmup", "", "flag", "", "", "same as --warmup 0", kCmdBench | kCmdRun},
      // How the model runs.
      {"n_batch", "--batch-size,-b,--batch", "N", "integer", "512", "tokens",
       "prefill chunk: tokens per forward pass; -b NAME (not a number) names a backend instead (eval: lm-eval's "
       "--batch_size, the generation requests decoded together; its prefill chunk is the config key n_batch)",
       kCmdBench | kCmdRun | kCmdLogits | kCmdGenerate, true, true},
      {"n_ctx", "--ctx-size,-c,--ctx", "N", "integer", "0 (automatic)", "tokens",
       "context length; 0: bench/run just enough for the longest test, logits/generate/eval min(n_ctx_train, 4096)",
       kCmdAll, true, true},
      {"mmap", "--mmap,-mmp", "0|1", "true|false (or 1|0)", "1 (true)", "",
       "GGUF files: 1 = memory-map (page cache), 0 = read into memory on huge pages (llama-bench's --mmap 0)", kCmdAll,
       true, true},
      {"no_mmap", "--no-mmap", "", "flag", "", "", "same as --mmap 0", kCmdAll},
      {"max_combinations", "--max-combinations", "N", "integer", "10000", "tests",
       "largest number of runs, and of tests over all runs, a sweep may expand to", kCmdBench | kCmdRun},
      // What is printed.
      {"verbose", "--verbose,-v", "", "flag", "", "", "print each model's memory plan (mapped weights, backend copies, "
       "KV cache, scratch) on stderr", kCmdAll},
      {"progress", "--progress", "", "flag", "", "", "progress line on stderr (the default; kept for older scripts)",
       kCmdBench | kCmdRun},
      {"no_progress", "--no-progress", "", "flag", "", "", "no progress line on stderr", kCmdBench | kCmdRun | kCmdEval},
      {"output_format", "--output,-o", "FMT", "md|json|jsonl|csv", "md", "", "output format on stdout (llama-bench's -o)",
       kCmdBench},
      {"output_file", "--out,-o", "FILE", "path", "none (required)", "", "output JSON {\"n_vocab\": N, \"logits\": [[...], ...]}",
       kCmdLogits},
      {"output_dir", "--out,-o", "DIR", "path", "runs (untracked; --save: results)", "",
       "write the .json + .csv under DIR/<device>/, never over an existing file (a -2, -3, ... name instead)", kCmdRun},
      {"save", "--save", "", "flag", "", "", "write the .json + .csv under results/<device>/ (the tracked results folder)",
       kCmdRun},
      // llama-bench flags that have no meaning here: accepted, ignored with a note.
      {"n_gpu_layers", "--n-gpu-layers,-ngl", "N", "integer", "", "", "llama-bench's GPU offload", kCmdAll, false, false,
       kCpuOnly},
      {"flash_attn", "--flash-attn,-fa", "0|1", "0|1", "", "", "llama-bench's flash attention switch", kCmdAll, false,
       false, "lfmb has one attention implementation"},
      {"split_mode", "--split-mode,-sm", "MODE", "string", "", "", "llama-bench's multi-GPU split", kCmdAll, false, false,
       kCpuOnly},
      {"main_gpu", "--main-gpu,-mg", "I", "integer", "", "", "llama-bench's main GPU", kCmdAll, false, false, kCpuOnly},
      {"tensor_split", "--tensor-split,-ts", "A/B/...", "string", "", "", "llama-bench's per-GPU split", kCmdAll, false,
       false, kCpuOnly},
      {"no_kv_offload", "--no-kv-offload,-nkvo", "0|1", "0|1", "", "", "llama-bench's KV offload switch", kCmdAll, false,
       false, kCpuOnly},
      {"device", "--device,-dev", "DEV", "string", "", "", "llama-bench's device list", kCmdAll, false, false, kCpuOnly},
      {"n_ubatch", "--ubatch-size,-ub", "N", "integer", "", "tokens", "llama-bench's physical batch", kCmdAll, false, false,
       "lfmb prefills in chunks of --batch-size and has no separate physical batch"},
      {"cache_type_k", "--cache-type-k,-ctk", "T", "string", "", "", "llama-bench's K cache type", kCmdAll, false, false,
       "lfmb's KV cache is f32"},
      {"cache_type_v", "--cache-type-v,-ctv", "T", "string", "", "", "llama-bench's V cache type", kCmdAll, false, false,
       "lfmb's KV cache is f32"},
  };
  return table;
}

const OptionDef& option_def(const std::string& key) {
  for (const auto& o : option_table())
    if (o.key == key) return o;
  throw std::logic_error("option_def: no option '" + key + "'");
}

std::string canonical_flag(const std::string& key) { return split_flags(option_def(key).flags).at(0); }

std::vector<OptionSpec> vocabulary_options(VocabCommand command) {
  std::vector<OptionSpec> out;
  for (const auto& o : option_table()) {
    if (!(o.commands & command) || o.flags.empty()) continue;
    OptionSpec s;
    s.name = o.flags;
    s.value_name = o.value_name;
    std::string help = o.help;
    if (!o.ignored.empty()) help = "accepted and ignored: " + o.ignored;
    else if (!o.default_value.empty() && o.value_name.size()) help += " (default " + o.default_value + ")";
    s.help = help;
    // bench combines repeated list flags; run turns each into a --set; the others take one value.
    s.repeatable = (command == kCmdBench && o.list) || (command == kCmdRun && o.yaml);
    s.ignored = o.ignored;
    out.push_back(std::move(s));
  }
  return out;
}

BackendChoice parse_backend_choice(const std::string& text, const std::string& flag) {
  const size_t colon = text.find(':');
  BackendChoice c{text.substr(0, colon), colon == std::string::npos ? "" : text.substr(colon + 1)};
  if (c.backend.empty() || (colon != std::string::npos && (c.dtype.empty() || c.dtype.find(':') != std::string::npos)))
    throw UsageError(flag + ": expected NAME or NAME:DTYPE (e.g. onednn:int8), got '" + text + "'");
  return c;
}

BatchOrBackend split_batch_or_backend(const std::vector<std::string>& items) {
  BatchOrBackend out;
  for (const auto& s : items) (is_number(s) ? out.batch_sizes : out.backends).push_back(s);
  return out;
}

std::string config_reference_markdown() {
  std::string s =
      "# Run configs and the option vocabulary\n\n"
      "<!-- Generated from core/cli/option_table.cpp by `lfmb run --help-config`; "
      "tests/test_vocab.cpp checks that this file matches. Do not edit by hand. -->\n\n"
      "A run config (`lfmb run CONFIG.yaml`, examples in `configs/`) is a YAML mapping with these sections:\n\n"
      "| section | type | meaning |\n|---|---|---|\n"
      "| `name` | string | names the result files (`<date>-<name>.json`); letters, digits, `-`, `_`, `.`; default: the file's base name |\n"
      "| `description` | string | one line saying what the config measures |\n"
      "| `run` | mapping of run keys | values for every run |\n"
      "| `sweep` | mapping from run keys to lists | every combination of the lists is run, first key outermost |\n"
      "| `exclude` | list of mappings of run keys | combinations to skip (all listed keys must match) |\n"
      "| `skip_unavailable` | true\\|false | skip, with a note, runs whose backend lacks the dtype on this CPU; default false |\n\n"
      "## Run keys\n\n"
      "Each key may appear under `run:` or `sweep:`, and on the command line as `--set key=value` (YAML value; "
      "`--set key=a,b,c` or `[a, b, c]` gives a list: it replaces a swept key's list, sweeps a single-valued key, or is "
      "the value of a list key) or as the flag shown (`lfmb run CONFIG -t 2` = `--set threads=2`).\n\n"
      "| key | flag | type | default | unit | meaning |\n|---|---|---|---|---|---|\n";
  for (const auto& o : option_table()) {
    if (!o.yaml) continue;
    s += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", o.key, o.flags.empty() ? "" : "`" + split_flags(o.flags)[0] + "`",
                     cell(o.type), cell(o.default_value), cell(o.unit), cell(o.help));
  }
  s += "\n## Command-line options shared by bench, run, logits, generate and eval\n\n"
       "The same flag means the same setting, with the same default and unit, in every command that takes it. "
       "Aliases are llama-bench's names and lfmb's older ones. In `bench`, the flags marked as lists take comma lists "
       "and may repeat; every combination is measured (llama-bench's rule).\n\n"
       "| flag | aliases | value | default | unit | commands | meaning |\n|---|---|---|---|---|---|---|\n";
  for (const auto& o : option_table()) {
    if (o.flags.empty()) continue;
    const auto names = split_flags(o.flags);
    std::string aliases;
    for (size_t i = 1; i < names.size(); ++i) aliases += (aliases.empty() ? "`" : ", `") + names[i] + "`";
    std::string meaning = o.ignored.empty() ? o.help : o.help + ": accepted and ignored with a note (" + o.ignored + ")";
    if (o.list) meaning += " (bench: list)";
    s += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} |\n", names[0], aliases, cell(o.value_name),
                     cell(o.default_value), cell(o.unit), commands_text(o.commands), cell(meaning));
  }
  s += "\nSizes are printed in binary units (KiB, MiB, GiB: powers of 1024); bandwidth in GB/s (10^9 bytes per "
       "second, as memory bandwidth is quoted).\n";
  return s;
}

std::string version_text() {
#ifndef LFMB_VERSION
#define LFMB_VERSION "unknown"
#endif
  return fmt::format("lfmb {} (commit {})", LFMB_VERSION, build_git_commit());
}

bool is_number(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace lfmb
