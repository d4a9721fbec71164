// Hyperparameters and layer layout of the supported architectures (lfm2, lfm2moe, qwen3), read
// from GGUF metadata, and the list of tensors each architecture expects. The synthesizer, the
// model loader and `lfmb info` all use this one description.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lfmb {

class GgufFile;
class GgufWriter;

enum class Arch { LFM2, LFM2MOE, QWEN3 };
std::string arch_name(Arch a);  // "lfm2", "lfm2moe", "qwen3"
inline const char* kSupportedArchitectures = "lfm2, lfm2moe, qwen3";

struct ModelConfig {
  Arch arch = Arch::LFM2;
  std::string name;             // general.name
  int64_t n_vocab = 0;
  int64_t n_embd = 0;           // hidden size
  int64_t n_layer = 0;
  int64_t n_ff = 0;             // dense FFN width
  int64_t n_head = 0;
  int64_t n_head_kv = 0;        // of the attention layers
  int64_t head_dim = 0;         // attention.key_length (= n_embd / n_head unless given)
  int64_t n_ctx_train = 0;      // context_length
  float rope_theta = 10000.0f;
  float rms_eps = 1e-5f;
  int64_t conv_l = 0;           // short-conv kernel length (LFM2)
  int64_t n_expert = 0;         // MoE (lfm2moe)
  int64_t n_expert_used = 0;
  int64_t n_ff_expert = 0;
  int64_t n_dense_lead = 0;     // leading dense layers before MoE ones
  bool tied_output = true;      // LM head = token_embd (no output.weight)

  std::vector<bool> layer_is_attention;  // per layer: attention, else short conv (LFM2) 
  bool layer_is_moe(int64_t il) const { return arch == Arch::LFM2MOE && il >= n_dense_lead; }
  bool is_lfm2_family() const { return arch != Arch::QWEN3; }
};

// Documented limits on what a GGUF may declare (README "Limits"): checked before anything is
// sized from them. Counts far above any published model, low enough that every product of two
// or three of them stays inside int64.
namespace model_limits {
inline constexpr uint64_t kMaxLayers = 65536;       // and never more than the file's tensors allow
inline constexpr uint64_t kMaxDim = 1u << 24;       // embedding, feed-forward, head and vocabulary sizes
inline constexpr uint64_t kMaxHeads = 65536;        // attention heads
inline constexpr uint64_t kMaxExperts = 65536;      // MoE experts
inline constexpr uint64_t kMaxConvLength = 4096;    // short-conv kernel length
inline constexpr uint64_t kMaxContext = 1u << 30;   // context_length
}  // namespace model_limits

// Reads and validates the config (every count bounded, every float finite and in range, the
// block count against the tensors present); errors name the file and the key and list what is supported.
ModelConfig model_config_from_gguf(const GgufFile& f);
// Writes the metadata keys that model_config_from_gguf reads (the inverse).
void model_config_to_gguf(const ModelConfig& c, GgufWriter& w);

// What a tensor is for: synthesis (how to initialise it), type choice (which ones stay F32 in
// quantised files) and parameter accounting.
enum class TensorRole { Embedding, Norm, Matrix, ConvKernel, Router, RouterBias, ExpertMatrix, Output };

struct ExpectedTensor {
  std::string name;
  std::vector<int64_t> dims;  // ne0 first
  TensorRole role;
  int64_t layer = -1;         // -1 for global tensors
  int64_t n_elements() const;
  // Norms, conv kernels, the router and its bias stay F32 in quantised files.
  bool stays_f32() const;
  int64_t fan_in() const { return dims[0]; }
};

// Every tensor a file of this config must contain, in file order.
std::vector<ExpectedTensor> expected_tensors(const ModelConfig& c);

// Parameter counts. Active = used for one decode token: all non-expert weights plus
// n_expert_used of n_expert experts in each MoE layer (embedding counted once when tied).
int64_t count_params(const ModelConfig& c);
int64_t count_active_params(const ModelConfig& c);

}  // namespace lfmb
