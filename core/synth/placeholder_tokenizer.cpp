#include "core/synth/placeholder_tokenizer.h"

#include "core/error.h"
#include "core/gguf/gguf_writer.h"

namespace lfmb {

std::string byte_level_token(uint8_t b) {
  // Bytes that are printable Latin-1 stand for themselves; the other 68 take code points 256,
  // 257, ... in byte order (GPT-2's bytes_to_unicode table).
  const auto printable = [](int x) { return (x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255); };
  uint32_t cp = b;
  if (!printable(b)) {
    cp = 256;
    for (int x = 0; x < b; ++x)
      if (!printable(x)) ++cp;
  }
  std::string s;
  if (cp < 0x80) {
    s += char(cp);
  } else {  // all code points here are below 0x800: two UTF-8 bytes
    s += char(0xc0 | (cp >> 6));
    s += char(0x80 | (cp & 0x3f));
  }
  return s;
}

PlaceholderTokenizer make_placeholder_tokenizer(const ModelConfig& c) {
  PlaceholderTokenizer t;
  std::vector<std::string> specials;
  if (c.is_lfm2_family()) {
    // LFM2: BOS <|startoftext|>, EOS <|im_end|> (the end of a chat turn), PAD <|pad|>; BOS added.
    specials = {"<|pad|>", "<|startoftext|>", "<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    t.pre = "lfm2";
    t.bos = 1;
    t.eos = 4;
    t.pad = 0;
    t.add_bos = true;
  } else {
    // Qwen3: BOS and PAD <|endoftext|>, EOS <|im_end|>; no BOS added.
    specials = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    t.pre = "qwen2";
    t.bos = 0;
    t.eos = 2;
    t.pad = 0;
    t.add_bos = false;
  }
  const int64_t needed = int64_t(specials.size()) + 256;
  if (c.n_vocab < needed)
    throw Error("a synthetic " + arch_name(c.arch) + " vocabulary needs at least " + std::to_string(needed) +
                " tokens (specials and 256 bytes), the config has " + std::to_string(c.n_vocab));
  t.tokens.reserve(size_t(c.n_vocab));
  for (auto& s : specials) {
    t.tokens.push_back(std::move(s));
    t.token_types.push_back(3);
  }
  for (int b = 0; b < 256; ++b) {
    t.tokens.push_back(byte_level_token(uint8_t(b)));
    t.token_types.push_back(1);
  }
  while (int64_t(t.tokens.size()) < c.n_vocab) {
    t.tokens.push_back("<synth_" + std::to_string(t.tokens.size()) + ">");
    t.token_types.push_back(1);
  }
  return t;
}

void add_tokenizer_metadata(const PlaceholderTokenizer& t, GgufWriter& w) {
  std::vector<GgufValue> tokens, types;
  tokens.reserve(t.tokens.size());
  types.reserve(t.token_types.size());
  for (const auto& s : t.tokens) tokens.push_back(GgufValue::str(s));
  for (int32_t ty : t.token_types) types.push_back(GgufValue::i32(ty));
  w.set("tokenizer.ggml.model", GgufValue::str("gpt2"));
  w.set("tokenizer.ggml.pre", GgufValue::str(t.pre));
  w.set("tokenizer.ggml.tokens", GgufValue::array(GgufType::STRING, std::move(tokens)));
  w.set("tokenizer.ggml.token_type", GgufValue::array(GgufType::INT32, std::move(types)));
  // No merges: the fillers are never produced by merging, and text is not meaningful anyway.
  w.set("tokenizer.ggml.merges", GgufValue::array(GgufType::STRING, {}));
  w.set("tokenizer.ggml.bos_token_id", GgufValue::u32(t.bos));
  w.set("tokenizer.ggml.eos_token_id", GgufValue::u32(t.eos));
  w.set("tokenizer.ggml.padding_token_id", GgufValue::u32(t.pad));
  w.set("tokenizer.ggml.add_bos_token", GgufValue::boolean(t.add_bos));
}

}  // namespace lfmb
