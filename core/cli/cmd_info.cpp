// lfmb info FILE.gguf [--json]: what a model file holds, for humans or scripts.
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/cli/command.h"
#include "core/gguf/gguf_reader.h"
#include "core/model/model_config.h"
#include "core/model/model_stats.h"
#include "core/model/model_validation.h"

namespace lfmb {

namespace {

std::string human_bytes(uint64_t b) {
  if (b >= (1ull << 30)) return fmt::format("{:.2f} GiB", double(b) / double(1ull << 30));
  if (b >= (1ull << 20)) return fmt::format("{:.2f} MiB", double(b) / double(1ull << 20));
  if (b >= 1024) return fmt::format("{:.2f} KiB", double(b) / 1024.0);
  return fmt::format("{} B", b);
}

std::string human_count(int64_t n) {
  if (n >= 1000000000) return fmt::format("{:.2f}B", double(n) / 1e9);
  if (n >= 1000000) return fmt::format("{:.2f}M", double(n) / 1e6);
  if (n >= 1000) return fmt::format("{:.2f}K", double(n) / 1e3);
  return std::to_string(n);
}

std::string layer_kind(const ModelConfig& c, int64_t il) {
  std::string k = c.layer_is_attention[size_t(il)] ? "attn" : "conv";
  return k + (c.layer_is_moe(il) ? "+moe" : "+ffn");
}

nlohmann::json hyperparameters_json(const ModelConfig& c) {
  nlohmann::json h = {{"n_vocab", c.n_vocab},     {"n_embd", c.n_embd},         {"n_layer", c.n_layer},
                      {"n_ff", c.n_ff},           {"n_head", c.n_head},         {"n_head_kv", c.n_head_kv},
                      {"head_dim", c.head_dim},   {"n_ctx_train", c.n_ctx_train}, {"rope_theta", c.rope_theta},
                      {"rms_eps", c.rms_eps},     {"tied_output", c.tied_output}};
  if (c.is_lfm2_family()) h["conv_l"] = c.conv_l;
  if (c.arch == Arch::LFM2MOE) {
    h["n_expert"] = c.n_expert;
    h["n_expert_used"] = c.n_expert_used;
    h["n_ff_expert"] = c.n_ff_expert;
    h["n_dense_lead"] = c.n_dense_lead;
  }
  return h;
}

nlohmann::json tokenizer_json(const GgufFile& f) {
  nlohmann::json t = nlohmann::json::object();
  if (!f.has("tokenizer.ggml.model")) return t;
  t["model"] = f.get_string("tokenizer.ggml.model");
  t["pre"] = f.get_string_or("tokenizer.ggml.pre", "default");
  if (const GgufValue* v = f.find("tokenizer.ggml.tokens"); v && v->type == GgufType::ARRAY)
    t["n_tokens"] = std::get<GgufArray>(v->v).items.size();
  if (const GgufValue* v = f.find("tokenizer.ggml.merges"); v && v->type == GgufType::ARRAY)
    t["n_merges"] = std::get<GgufArray>(v->v).items.size();
  for (const char* k : {"bos_token_id", "eos_token_id", "padding_token_id"})
    if (f.has(std::string("tokenizer.ggml.") + k)) t[k] = f.get_u32(std::string("tokenizer.ggml.") + k);
  t["add_bos_token"] = f.get_bool_or("tokenizer.ggml.add_bos_token", false);
  t["chat_template"] = f.has("tokenizer.chat_template");
  return t;
}

int run_info(const ParsedArgs& args) {
  const std::string path = args.positional()[0];
  const GgufFile f(path);
  // The same validation the model loader runs, so info never describes a file logits refuses;
  // only what depends on the backend and the machine is left, and the output says so.
  const ModelConfig c = model_config_from_gguf(f);
  std::vector<const GgufTensorInfo*> uncomputable;
  validate_model_tensors(f, c, &uncomputable);
  std::map<std::string, int> uncomputable_types;
  for (const GgufTensorInfo* t : uncomputable) uncomputable_types[ggml_type_name(t->type_id)] += 1;
  std::string runnable_note;  // empty when logits/generate/run accept the file (backend and memory permitting)
  for (const auto& [type, n] : uncomputable_types)
    runnable_note += fmt::format("{}{} tensors of type {}", runnable_note.empty() ? "" : ", ", n, type);
  if (!runnable_note.empty())
    runnable_note = "NOT RUNNABLE: " + runnable_note + ", which lfmb cannot compute with (logits, generate, run and eval refuse this file)";
  const ModelStats s = model_stats(f, c);

  if (args.has("--json")) {
    nlohmann::json j;
    j["file"] = path;
    j["file_size"] = f.file_size();
    j["gguf_version"] = f.version();
    j["architecture"] = arch_name(c.arch);
    j["name"] = c.name;
    j["n_layers"] = c.n_layer;
    j["hyperparameters"] = hyperparameters_json(c);
    nlohmann::json layers = nlohmann::json::array();
    for (int64_t il = 0; il < c.n_layer; ++il)
      layers.push_back({{"index", il},
                        {"mixer", c.layer_is_attention[size_t(il)] ? "attention" : "shortconv"},
                        {"ffn", c.layer_is_moe(il) ? "moe" : "dense"}});
    j["layers"] = layers;
    j["n_params"] = s.n_params;
    j["n_params_active"] = s.n_params_active;
    j["weight_bytes"] = s.weight_bytes;
    j["decode_bytes_per_token"] = s.decode_bytes_per_token;
    j["bytes_per_type"] = s.bytes_per_type;
    j["tokenizer"] = tokenizer_json(f);
    nlohmann::json tensors = nlohmann::json::array();
    for (const auto& t : f.tensors())
      tensors.push_back({{"name", t.name}, {"type", ggml_type_name(t.type_id)}, {"dims", t.dims}, {"bytes", t.n_bytes}});
    j["tensors"] = tensors;
    j["validation"] = {{"checked", "GGUF structure and tensor layout, hyperparameters, every expected tensor's "
                                   "presence, shape and type"},
                       {"not_checked", kChecksLeftToModelLoad},
                       {"runnable", runnable_note.empty()},
                       {"uncomputable_types", uncomputable_types}};
    fmt::print("{}\n", j.dump(2));
    return 0;
  }

  fmt::print("file:          {} ({}, GGUF v{})\n", path, human_bytes(f.file_size()), f.version());
  fmt::print("validated:     structure, hyperparameters, all {} expected tensors (not checked: {})\n",
             expected_tensors(c).size(), kChecksLeftToModelLoad);
  if (!runnable_note.empty()) fmt::print("runnable:      {}\n", runnable_note);
  fmt::print("architecture:  {}{}\n", arch_name(c.arch), c.name.empty() ? "" : "  (" + c.name + ")");
  fmt::print("parameters:    {} total, {} active per token\n", human_count(s.n_params), human_count(s.n_params_active));
  fmt::print("weights:       {}", human_bytes(s.weight_bytes));
  for (const auto& [type, bytes] : s.bytes_per_type)
    fmt::print("  {}: {} in {} tensors", type, human_bytes(bytes), s.tensors_per_type.at(type));
  fmt::print("\ndecode reads:  {} of weights per token (active path)\n", human_bytes(s.decode_bytes_per_token));
  fmt::print("\nhyperparameters:\n");
  const nlohmann::json hp = hyperparameters_json(c);
  for (const auto& [k, v] : hp.items()) fmt::print("  {:<14} {}\n", k, v.dump());
  fmt::print("\nlayers ({}):\n", c.n_layer);
  for (int64_t il = 0; il < c.n_layer; ++il) fmt::print("  {:>3} {}\n", il, layer_kind(c, il));
  const nlohmann::json tok = tokenizer_json(f);
  fmt::print("\ntokenizer:     {}\n", tok.empty() ? "none" : tok.dump());
  if (args.has("--tensors")) {
    fmt::print("\ntensors ({}):\n", f.tensors().size());
    for (const auto& t : f.tensors()) {
      std::string dims;
      for (int64_t d : t.dims) dims += (dims.empty() ? "" : " x ") + std::to_string(d);
      fmt::print("  {:<40} {:<6} {:<24} {}\n", t.name, ggml_type_name(t.type_id), dims, human_bytes(t.n_bytes));
    }
  }
  return 0;
}

}  // namespace

Command info_command() {
  return {{"info",
           "lfmb info FILE.gguf [--json] [--tensors]",
           "Show a GGUF model's architecture, hyperparameters, layer layout, parameter counts and sizes.",
           {{"--json", "", "print one JSON object (for scripts)"},
            {"--tensors", "", "also list every tensor (always included with --json)"}},
           1,
           1},
          run_info};
}

}  // namespace lfmb
