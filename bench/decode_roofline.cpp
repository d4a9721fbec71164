#include "bench/decode_roofline.h"

#include "core/model/memory_plan.h"
#include "core/model/model.h"
#include "core/model/model_config.h"

namespace lfmb {

uint64_t decode_weight_bytes(const Model& m) {
  const ModelConfig& c = m.config();
  uint64_t bytes = 0;
  for (const ExpectedTensor& e : expected_tensors(c)) {
    const GgufTensorInfo* t = m.file().find_tensor(e.name);
    if (!t || !t->type) continue;
    uint64_t b = t->n_bytes;
    if (is_backend_weight(e, c)) {
      const uint64_t prepared = m.backend().prepared_bytes(WeightView{t->name, *t->type, t->ne(0), t->ne(1), t->ne(2), t->data});
      if (prepared > 0) b = prepared;
    } else if (e.role == TensorRole::Embedding) {
      b = t->n_bytes / uint64_t(c.n_vocab);  // a lookup reads one row
    } else {
      b = uint64_t(t->n_elements) * 4;  // read into float32 at load
    }
    if (e.role == TensorRole::ExpertMatrix) b = b / uint64_t(c.n_expert) * uint64_t(c.n_expert_used);
    bytes += b;
  }
  return bytes;
}

uint64_t prefill_macs_per_token(const Model& m) {
  const ModelConfig& c = m.config();
  uint64_t macs = 0;
  for (const ExpectedTensor& e : expected_tensors(c)) {
    if (!is_backend_weight(e, c) || e.role == TensorRole::Output || e.role == TensorRole::Embedding) continue;
    uint64_t n = uint64_t(e.n_elements());
    if (e.role == TensorRole::ExpertMatrix) n = n / uint64_t(c.n_expert) * uint64_t(c.n_expert_used);
    macs += n;
  }
  return macs;
}

uint64_t kv_bytes_read(const ModelConfig& c, int64_t position) {
  int64_t n_attn = 0;
  for (bool a : c.layer_is_attention) n_attn += a;
  return uint64_t(n_attn) * uint64_t(position) * uint64_t(2 * c.n_head_kv * c.head_dim) * 4;
}

}  // namespace lfmb
