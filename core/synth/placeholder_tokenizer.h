// A stand-in tokenizer for synthetic models: the right vocabulary size and the real special
// tokens, in the GGUF form the real models use (byte-level BPE, "gpt2"), so tokenizer code,
// chat formatting and `lfmb info` run on a synthetic model. Text through it is not meaningful.
#pragma once
#include <string>
#include <vector>

#include "core/model/model_config.h"

namespace lfmb {

class GgufWriter;

struct PlaceholderTokenizer {
  std::string pre;                  // tokenizer.ggml.pre: "lfm2" or "qwen2"
  std::vector<std::string> tokens;  // specials, the 256 byte tokens, then "<synth_N>" fillers
  std::vector<int32_t> token_types; // 3 = control (specials), 1 = normal
  uint32_t bos = 0, eos = 0, pad = 0;
  bool add_bos = false;
};

// Throws lfmb::Error when n_vocab is too small for the specials and the 256 byte tokens.
PlaceholderTokenizer make_placeholder_tokenizer(const ModelConfig& c);
// Sets the tokenizer.ggml.* keys.
void add_tokenizer_metadata(const PlaceholderTokenizer& t, GgufWriter& w);

// GPT-2's byte-level alphabet: the printable character standing for byte b (UTF-8 encoded).
std::string byte_level_token(uint8_t b);

}  // namespace lfmb
