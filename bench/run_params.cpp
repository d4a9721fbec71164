#include "bench/run_params.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "core/cli/option_table.h"
#include "core/error.h"
#include "core/model/sequence_batch.h"

namespace lfmb {

std::string ModelSpec::label() const {
  if (!synthesized()) return std::filesystem::path(path).filename().string();
  std::string t = type;
  for (auto& c : t) c = char(std::toupper(static_cast<unsigned char>(c)));
  return preset + " " + t + " (synth)";
}

nlohmann::json ModelSpec::to_json() const {
  if (!synthesized()) return {{"path", path}};
  return {{"preset", preset}, {"type", type}, {"seed", seed}};
}

nlohmann::json RunParams::to_json() const {
  return {{"model", model.to_json()}, {"backend", backend},     {"dtype", dtype},
          {"threads", threads},       {"n_prompt", n_prompt},   {"n_gen", n_gen},
          {"depth", depth},           {"n_seq", n_seq},           {"repetitions", repetitions}, {"warmup", warmup},
          {"n_batch", n_batch},       {"n_ctx", n_ctx}, {"mmap", mmap}};
}

namespace {

std::string scalar_text(const YAML::Node& n) {
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return "nothing";
}

int as_int(const YAML::Node& n, int lo, int hi) {
  int v = 0;
  bool ok = n.IsScalar();
  if (ok) {
    try {
      v = n.as<int>();
    } catch (const YAML::Exception&) {
      ok = false;
    }
  }
  if (!ok || v < lo || v > hi)
    throw Error("expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " + scalar_text(n));
  return v;
}

// true/false, or 1/0 as llama-bench writes its flags.
bool as_bool(const YAML::Node& n) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
  }
  throw Error("expected true or false, got " + scalar_text(n));
}

std::string as_string(const YAML::Node& n) {
  if (!n.IsScalar()) throw Error("expected a string, got " + scalar_text(n));
  return n.Scalar();
}

// One integer or a list of integers.
std::vector<int> as_int_list(const YAML::Node& n, int lo, int hi) {
  std::vector<int> out;
  if (n.IsSequence()) {
    for (const auto& it : n) out.push_back(as_int(it, lo, hi));
    if (out.empty()) throw Error("expected at least one integer");
  } else {
    out.push_back(as_int(n, lo, hi));
  }
  return out;
}

// A path string, or {preset: NAME, type: q4_0, seed: 1}.
ModelSpec as_model(const YAML::Node& n) {
  ModelSpec m;
  if (n.IsScalar()) {
    m.path = n.Scalar();
    return m;
  }
  if (!n.IsMap()) throw Error("expected a GGUF path or {preset: NAME, type: TYPE, seed: N}, got " + scalar_text(n));
  for (const auto& kv : n) {
    const std::string k = kv.first.Scalar();
    if (k == "preset") m.preset = as_string(kv.second);
    else if (k == "type") m.type = as_string(kv.second);
    else if (k == "seed") m.seed = uint64_t(as_int(kv.second, 0, 1 << 30));
    else if (k == "path") m.path = as_string(kv.second);
    else throw Error("unknown model key '" + k + "' (known: path, preset, type, seed)");
  }
  if (m.path.empty() == m.preset.empty()) throw Error("a model needs exactly one of 'path' or 'preset'");
  return m;
}

}  // namespace

const std::vector<RunField>& run_fields() {
  using Setter = std::function<void(RunParams&, const YAML::Node&)>;
  const auto field = [](const char* key, Setter set, bool list_value = false) {
    return RunField{key, option_def(key).help, std::move(set), list_value};
  };
  static const std::vector<RunField> fields = {
      field("model", [](RunParams& p, const YAML::Node& n) { p.model = as_model(n); }),
      // NAME or NAME:DTYPE (onednn:int8), as on the command line.
      field("backend",
            [](RunParams& p, const YAML::Node& n) {
              const std::string s = as_string(n);
              const size_t colon = s.find(':');
              if (s.empty() || colon == 0 || (colon != std::string::npos && colon + 1 == s.size()))
                throw Error("expected NAME or NAME:DTYPE (e.g. onednn:int8), got '" + s + "'");
              p.backend = s.substr(0, colon);
              if (colon != std::string::npos) p.dtype = s.substr(colon + 1);
            }),
      field("dtype", [](RunParams& p, const YAML::Node& n) { p.dtype = n.IsNull() ? "" : as_string(n); }),
      field("threads", [](RunParams& p, const YAML::Node& n) { p.threads = as_int(n, 0, 1024); }),
      field("n_prompt", [](RunParams& p, const YAML::Node& n) { p.n_prompt = as_int_list(n, 0, 1 << 20); }, true),
      field("n_gen", [](RunParams& p, const YAML::Node& n) { p.n_gen = as_int(n, 0, 1 << 20); }),
      field("depth", [](RunParams& p, const YAML::Node& n) { p.depth = as_int_list(n, 0, 1 << 20); }, true),
      field("n_seq", [](RunParams& p, const YAML::Node& n) { p.n_seq = as_int_list(n, 1, kMaxSequences); }, true),
      field("repetitions", [](RunParams& p, const YAML::Node& n) { p.repetitions = as_int(n, 1, 1000); }),
      field("warmup", [](RunParams& p, const YAML::Node& n) { p.warmup = as_int(n, 0, 100); }),
      field("n_batch", [](RunParams& p, const YAML::Node& n) { p.n_batch = as_int(n, 1, 1 << 16); }),
      field("n_ctx", [](RunParams& p, const YAML::Node& n) { p.n_ctx = as_int(n, 0, 1 << 20); }),
      field("mmap", [](RunParams& p, const YAML::Node& n) { p.mmap = as_bool(n); }),
  };
  return fields;
}

const RunField* find_run_field(const std::string& key) {
  for (const auto& f : run_fields())
    if (key == f.key) return &f;
  return nullptr;
}

std::string run_field_names() {
  std::string s;
  for (const auto& f : run_fields()) s += (s.empty() ? "" : ", ") + f.key;
  return s;
}

}  // namespace lfmb
