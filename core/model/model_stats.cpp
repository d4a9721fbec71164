#include "core/model/model_stats.h"

#include "core/gguf/gguf_reader.h"

namespace lfmb {

ModelStats model_stats(const GgufFile& f, const ModelConfig& c) {
  ModelStats s;
  for (const auto& t : f.tensors()) {
    const std::string type = ggml_type_name(t.type_id);
    s.bytes_per_type[type] += t.n_bytes;
    s.tensors_per_type[type] += 1;
    s.weight_bytes += t.n_bytes;
    s.n_params += t.n_elements;
    // Expert stacks (ne2 = n_expert) are read only for the experts a token is routed to.
    const bool experts = c.n_expert > 0 && t.dims.size() == 3 && t.ne(2) == c.n_expert &&
                         t.name.find("_exps.") != std::string::npos;
    if (experts) {
      s.n_params_active += t.n_elements / c.n_expert * c.n_expert_used;
      s.decode_bytes_per_token += t.n_bytes / uint64_t(c.n_expert) * uint64_t(c.n_expert_used);
    } else {
      s.n_params_active += t.n_elements;
      // The embedding table is read one row per token unless it doubles as the LM head.
      const bool embd_lookup_only = t.name == "token_embd.weight" && !c.tied_output;
      s.decode_bytes_per_token += embd_lookup_only ? t.n_bytes / uint64_t(c.n_vocab) : t.n_bytes;
    }
  }
  return s;
}

}  // namespace lfmb
