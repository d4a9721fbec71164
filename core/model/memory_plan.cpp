#include "core/model/memory_plan.h"

#include "backends/backend.h"
#include "core/gguf/gguf_reader.h"
#include "core/model/model_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace lfmb {

namespace {
std::string mib(uint64_t b) { return fmt::format("{:.2f} MiB", double(b) / double(1 << 20)); }
}  // namespace

std::string MemoryPlan::describe() const {
  return fmt::format(
      "memory plan: weights mapped {}, backend-prepared {}, small tensors {}, KV cache {}, conv state {}, "
      "scratch {}; allocated total {}",
      mib(weights_mapped), mib(backend_prepared), mib(small_tensors), mib(kv_cache), mib(conv_state), mib(scratch),
      mib(allocated()));
}

bool is_backend_weight(const ExpectedTensor& e, const ModelConfig& c) {
  return e.role == TensorRole::Matrix || e.role == TensorRole::ExpertMatrix || e.role == TensorRole::Output ||
         (e.role == TensorRole::Embedding && c.tied_output);
}

MemoryPlan plan_memory(const GgufFile& f, const ModelConfig& c, const Backend& backend, int64_t n_ctx, int64_t n_batch) {
  MemoryPlan plan;
  for (const ExpectedTensor& e : expected_tensors(c)) {
    const GgufTensorInfo* t = f.find_tensor(e.name);
    if (!t || !t->type) continue;
    if (e.role == TensorRole::Embedding) plan.weights_mapped += t->n_bytes;  // rows looked up in place
    if (is_backend_weight(e, c)) {
      WeightView v{t->name, *t->type, t->ne(0), t->ne(1), t->ne(2), t->data};
      const uint64_t owned = backend.prepared_bytes(v);
      plan.backend_prepared += owned;
      if (owned == 0 && e.role != TensorRole::Embedding) plan.weights_mapped += t->n_bytes;
    } else if (e.role != TensorRole::Embedding) {
      plan.small_tensors += uint64_t(t->n_elements) * 4;
    }
  }
  int64_t n_attn = 0, n_conv = 0;
  for (int64_t il = 0; il < c.n_layer; ++il) (c.layer_is_attention[size_t(il)] ? n_attn : n_conv)++;
  plan.kv_cache = uint64_t(n_attn) * uint64_t(n_ctx) * uint64_t(2 * c.n_head_kv * c.head_dim) * 4;
  plan.conv_state = uint64_t(n_conv) * uint64_t(std::max<int64_t>(c.conv_l - 1, 0) * c.n_embd) * 4;
  // Per token in a chunk: residual, normed input and output (n_embd each) plus a few buffers of
  // the widest intermediate (in_proj, q, FFN, logits).
  const int64_t widest = std::max({3 * c.n_embd, c.n_head * c.head_dim, c.n_ff, c.n_vocab, 2 * c.n_ff_expert});
  plan.scratch = uint64_t(std::min(n_batch, n_ctx)) * uint64_t(6 * c.n_embd + 3 * widest) * 4;
  return plan;
}

uint64_t memory_available() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream ss(line.substr(13));
    uint64_t kb = 0;
    ss >> kb;
    return kb * 1024;
  }
  return 0;
}

}  // namespace lfmb
