// Sizes of a model file as `lfmb info` and the throughput roofline see them: parameters, bytes
// per tensor type, and the bytes one decode token must read (the active path).
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "core/model/model_config.h"

namespace lfmb {

class GgufFile;

struct ModelStats {
  int64_t n_params = 0;
  int64_t n_params_active = 0;
  uint64_t weight_bytes = 0;               // all tensor data
  uint64_t decode_bytes_per_token = 0;     // weights read for one token (active experts only)
  std::map<std::string, uint64_t> bytes_per_type;   // "Q4_0" -> bytes
  std::map<std::string, int64_t> tensors_per_type;  // "Q4_0" -> count
};

// Uses the file's real tensors (their stored types) and the config's expert routing.
ModelStats model_stats(const GgufFile& f, const ModelConfig& c);

}  // namespace lfmb
