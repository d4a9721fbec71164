#include "core/model/model_validation.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/gguf/gguf_reader.h"

namespace lfmb {

namespace {

std::string dims_str(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

}  // namespace

std::vector<const GgufTensorInfo*> validate_model_tensors(const GgufFile& f, const ModelConfig& c,
                                                          std::vector<const GgufTensorInfo*>* uncomputable) {
  std::vector<const GgufTensorInfo*> out;
  for (const ExpectedTensor& e : expected_tensors(c)) {
    const GgufTensorInfo* t = f.find_tensor(e.name);
    if (!t) throw Error(fmt::format("{}: missing tensor '{}'", f.path(), e.name));
    std::vector<int64_t> have = t->dims;
    while (have.size() > e.dims.size() && have.back() == 1) have.pop_back();
    if (have != e.dims)
      throw Error(fmt::format("{}: tensor '{}' has shape {}, expected {}", f.path(), e.name, dims_str(t->dims),
                              dims_str(e.dims)));
    if (!t->type && uncomputable) {
      uncomputable->push_back(t);
      out.push_back(t);
      continue;
    }
    if (!t->type)
      throw Error(fmt::format("{}: tensor '{}' has type {} (GGML id {}), which lfmb cannot compute with", f.path(),
                              e.name, ggml_type_name(t->type_id), t->type_id));
    if (e.stays_f32() && *t->type != TensorType::F32)
      throw Error(fmt::format("{}: tensor '{}' must be F32", f.path(), e.name));
    out.push_back(t);
  }
  return out;
}

}  // namespace lfmb
