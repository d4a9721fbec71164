#include "bench/run_validation.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <memory>

#include "backends/registry.h"
#include "core/error.h"
#include "core/io/disk_space.h"
#include "core/gguf/gguf_reader.h"
#include "bench/decode_roofline.h"
#include "core/model/memory_plan.h"
#include "core/model/model_config.h"
#include "core/model/model_validation.h"
#include "core/synth/synthesize.h"

namespace lfmb {

namespace {

// An in-memory model costs its whole image in RAM (no page cache to fall back on), plus what
// the backend converts and the KV cache.
uint64_t synthesized_memory_need(const ModelSynthesizer& synth, TensorType type, const Backend& backend, int64_t n_ctx) {
  const ModelConfig& c = synth.config();
  uint64_t prepared = 0;
  for (const ExpectedTensor& e : expected_tensors(c)) {
    if (!is_backend_weight(e, c)) continue;
    const WeightView v{e.name, synth_tensor_type(e, type), e.dims[0], e.dims.size() > 1 ? e.dims[1] : 1,
                       e.dims.size() > 2 ? e.dims[2] : 1, nullptr};
    prepared += backend.prepared_bytes(v);
  }
  return synth.file_size() + prepared + kv_bytes_read(c, n_ctx);
}

bool known_backend(const std::string& name) {
  const auto& registry = backend_registry();
  return std::any_of(registry.begin(), registry.end(), [&](const BackendEntry& b) { return b.name == name; });
}

}  // namespace

void validate_run(const RunParams& p, const WhereFn& where) { validate_run(p, planned_tests(p), where); }

std::string unavailable_dtype(const RunParams& p) {
  if (p.dtype.empty() || !known_backend(p.backend)) return "";
  const std::vector<std::string> dtypes =
      create_backend(p.backend, BackendOptions{resolved_threads(p.threads), ""})->dtypes();
  if (std::find(dtypes.begin(), dtypes.end(), p.dtype) != dtypes.end()) return "";
  if (dtypes.empty()) return fmt::format("backend '{}' computes on the stored type and takes no dtype", p.backend);
  return fmt::format("backend '{}' has no dtype '{}' (available: {})", p.backend, p.dtype, fmt::join(dtypes, ", "));
}

std::vector<std::string> drop_unavailable_runs(RunConfig& cfg) {
  std::vector<std::string> notes;
  if (!cfg.skip_unavailable) return notes;
  std::vector<RunParams> runs;
  std::vector<std::map<std::string, std::string>> origins;
  for (size_t i = 0; i < cfg.runs.size(); ++i) {
    const std::string why = unavailable_dtype(cfg.runs[i]);
    if (why.empty()) {
      runs.push_back(cfg.runs[i]);
      origins.push_back(cfg.origins[i]);
    } else {
      const RunParams& r = cfg.runs[i];
      notes.push_back(fmt::format("{} | {} {}: {}", r.model.label(), r.backend, r.dtype, why));
    }
  }
  if (runs.empty()) throw Error(cfg.path + ": no run is available on this CPU (" + notes.front() + ")");
  cfg.runs = std::move(runs);
  cfg.origins = std::move(origins);
  return notes;
}

void validate_run(const RunParams& p, const std::vector<TestSpec>& tests, const WhereFn& where) {
  const auto fail = [&](const std::string& key, const std::string& what) { throw Error(where(key) + ": " + what); };

  // Backend and compute type.
  if (!known_backend(p.backend))
    fail("backend", fmt::format("unknown backend '{}' (available: {})", p.backend, available_backend_names()));
  const int threads = resolved_threads(p.threads);
  if (const std::string why = unavailable_dtype(p); !why.empty()) fail("dtype", why);
  std::unique_ptr<Backend> backend;
  try {
    backend = create_backend(p.backend, BackendOptions{threads, p.dtype});
  } catch (const Error& e) {
    fail("backend", e.what());
  }

  // The model's shape, without loading or synthesizing it.
  if (tests.empty()) fail("n_gen", "nothing to measure: every n_prompt is 0 and n_gen is 0");
  const int needed = context_needed(tests);
  const int64_t n_ctx = p.n_ctx > 0 ? p.n_ctx : needed;
  if (p.n_ctx > 0 && p.n_ctx < needed)
    fail("n_ctx", fmt::format("n_ctx {} is shorter than the {} positions the tests need (depth + n_prompt + 1, depth + n_gen)",
                              p.n_ctx, needed));
  for (const TestSpec& t : tests)
    if (t.n_seq > p.n_batch)
      fail("n_seq", fmt::format("{} sequences decoding together exceed n_batch = {} (one step runs a token of each)",
                                t.n_seq, p.n_batch));
  ModelConfig config;
  uint64_t need = 0;
  std::string model_name;
  if (p.model.synthesized()) {
    const SynthPreset* preset = find_synth_preset(p.model.preset);
    if (!preset) fail("model", fmt::format("unknown preset '{}' (presets: {})", p.model.preset, synth_preset_names()));
    const auto type = tensor_type_from_name(p.model.type);
    if (!type) fail("model", fmt::format("unknown weight type '{}' (types: q4_0, q8_0, bf16, f16, f32)", p.model.type));
    const ModelSynthesizer synth(*preset, *type, p.model.seed);
    config = synth.config();
    for (const ExpectedTensor& e : expected_tensors(config))
      if (is_backend_weight(e, config) && !backend->supports(synth_tensor_type(e, *type)))
        fail("model", fmt::format("backend '{}' cannot compute with {} weights", p.backend, p.model.type));
    need = synthesized_memory_need(synth, *type, *backend, n_ctx);
    model_name = p.model.label();
  } else {
    try {
      const GgufFile f(p.model.path);
      config = model_config_from_gguf(f);
      validate_model_tensors(f, config);
      for (const ExpectedTensor& e : expected_tensors(config)) {
        const GgufTensorInfo* t = f.find_tensor(e.name);
        if (t && t->type && is_backend_weight(e, config) && !backend->supports(*t->type))
          fail("model", fmt::format("backend '{}' cannot compute with tensor '{}' of type {}", p.backend, e.name,
                                    ggml_type_name(t->type_id)));
      }
      need = plan_memory(f, config, *backend, n_ctx, p.n_batch).allocated();
    } catch (const Error& e) {
      fail("model", e.what());
    }
    model_name = p.model.path;
  }
  if (config.n_ctx_train > 0 && needed > config.n_ctx_train)
    fail("depth", fmt::format("the tests need {} positions, more than {}'s context of {}", needed, model_name,
                              config.n_ctx_train));
  const uint64_t avail = memory_available();
  if (avail > 0 && need > avail)
    fail("model", fmt::format("{} on {}{} needs {} of memory, {} available", model_name, p.backend,
                              p.dtype.empty() ? "" : " " + p.dtype, format_gib(need), format_gib(avail)));
}

}  // namespace lfmb
