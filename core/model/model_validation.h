// The one check that a GGUF holds the model its metadata describes: every tensor the config
// expects, with the expected shape and a type lfmb computes with. The model loader, `lfmb info`,
// `lfmb bench` and run validation all call it, so no command accepts a file another rejects.
#pragma once
#include <vector>

#include "core/model/model_config.h"

namespace lfmb {

class GgufFile;
struct GgufTensorInfo;

// The tensors of expected_tensors(c), in that order; throws lfmb::Error naming the file and the
// first missing, misshapen or unsupported tensor. With `uncomputable` given, a tensor whose type
// lfmb cannot compute with (Q4_K, ...) is listed there instead of being an error: `lfmb info`
// inspects such files and says plainly that they cannot be run.
std::vector<const GgufTensorInfo*> validate_model_tensors(const GgufFile& f, const ModelConfig& c,
                                                          std::vector<const GgufTensorInfo*>* uncomputable = nullptr);

// What validate_model_tensors (with model_config_from_gguf and the GGUF reader) does not check:
// the parts that depend on the backend and the machine, checked when a model is loaded.
inline constexpr const char* kChecksLeftToModelLoad = "backend support for each weight type, memory";

}  // namespace lfmb
