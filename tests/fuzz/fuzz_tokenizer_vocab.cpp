// Fuzz target: a byte-level BPE vocabulary as a GGUF carries it (tokenizer.ggml.*), read by
// Tokenizer::from_gguf, then encoding and decoding fuzzed text with it.
// Input: one flags byte, then NUL-separated fields: pre-tokenizer name, tokens (one per line, an
// optional "3\t" / "4\t" prefix makes it Control / UserDefined), merges (one per line), text.
// Flags: bit 0 = append the 256 byte tokens (a vocabulary without them is refused, so most inputs
// want them), bit 1 = add_bos_token with BOS = token 0, bit 2 = give no token_type array.
// Checked beyond "no crash": when every token is Normal, decode(encode(text)) == text.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/gguf/gguf_reader.h"
#include "core/gguf/gguf_writer.h"
#include "core/tokenizer/byte_unicode.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/fuzz/support.h"

using namespace lfmb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  const auto fields = fuzz::split_fields(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), '\0');
  auto field = [&](size_t i) { return i < fields.size() ? fields[i] : std::string_view(); };

  std::vector<GgufValue> tokens, types, merges;
  bool all_normal = true;
  if (!field(1).empty()) {
    for (std::string_view line : fuzz::split_fields(field(1), '\n')) {
      int32_t type = int32_t(TokenType::Normal);
      if (line.size() >= 2 && line[1] == '\t' && (line[0] == '3' || line[0] == '4')) {
        type = line[0] - '0';
        line.remove_prefix(2);
        all_normal = false;
      }
      tokens.push_back(GgufValue::str(std::string(line)));
      types.push_back(GgufValue::i32(type));
    }
  }
  if (flags & 1)
    for (int b = 0; b < 256; ++b) {
      tokens.push_back(GgufValue::str(byte_to_unicode(uint8_t(b))));
      types.push_back(GgufValue::i32(int32_t(TokenType::Normal)));
    }
  if (!field(2).empty())
    for (std::string_view line : fuzz::split_fields(field(2), '\n')) merges.push_back(GgufValue::str(std::string(line)));

  GgufWriter w;
  w.set("tokenizer.ggml.model", GgufValue::str("gpt2"));
  w.set("tokenizer.ggml.pre", GgufValue::str(std::string(field(0))));
  w.set("tokenizer.ggml.tokens", GgufValue::array(GgufType::STRING, std::move(tokens)));
  if (!(flags & 4)) w.set("tokenizer.ggml.token_type", GgufValue::array(GgufType::INT32, std::move(types)));
  w.set("tokenizer.ggml.merges", GgufValue::array(GgufType::STRING, std::move(merges)));
  if (flags & 2) {
    w.set("tokenizer.ggml.bos_token_id", GgufValue::u32(0));
    w.set("tokenizer.ggml.add_bos_token", GgufValue::boolean(true));
  }
  const std::string text(field(3));

  fuzz::expect_only_lfmb_errors([&] {
    GgufFile f("fuzz.gguf", w.write_to_memory([](size_t, const GgufTensorSpec&, uint8_t*) {}));
    Tokenizer tok = Tokenizer::from_gguf(f);
    const std::vector<int32_t> ids = tok.encode(text, false, true);
    const std::string back = tok.decode(ids, true);
    if (all_normal && back != text) {
      std::fprintf(stderr, "lfmb fuzz: decode(encode(text)) differs from text\n");
      std::abort();
    }
    (void)tok.decode(tok.encode(text, true, false), false);
  });
  return 0;
}
