// Fuzz target: a Hugging Face tokenizer.json (core/tokenizer/hf_tokenizer_json), read from a file
// as `lfmb tokenize --tokenizer-json` does, then the tokenizer built from it encoding and decoding
// a fixed text that reaches the pre-tokenizer, merges, added tokens and NFC normalisation.
#include <string>

#include "core/tokenizer/hf_tokenizer_json.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/fuzz/support.h"

using namespace lfmb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path =
      fuzz::write_input_file("tokenizer.json", std::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::expect_only_lfmb_errors([&] {
    Tokenizer tok(tokenizer_spec_from_hf_json(path));
    const std::string text = "<|im_start|>user\nHello world's 12345 caf\xc3\xa9 e\xcc\x81 \xe4\xbd\xa0\xe5\xa5\xbd!\n\n<|im_end|>";
    const std::vector<int32_t> ids = tok.encode(text, true, true);
    (void)tok.decode(ids, true);
    (void)tok.decode(ids, false);
    (void)tok.encode(text, false, false);
  });
  return 0;
}
