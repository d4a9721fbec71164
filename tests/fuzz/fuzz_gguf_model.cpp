// Fuzz target: a GGUF image parsed from memory (core/gguf/gguf_reader), then everything a model
// file goes through before it computes: metadata printing (lfmb info), the model config and its
// validation (core/model/model_config), the expected tensor list and parameter counts, the tokenizer
// and chat template from the metadata, and, when all that passes, the model load on the reference
// backend (tensor checks, memory plan) and one decode step.
// The image ends exactly at the end of the input: bytes after it up to the page end are poisoned
// so that ASan reports any read past the file, which the page-granular mapping would hide.
#include <sanitizer/asan_interface.h>
#include <unistd.h>

#include <cstring>

#include "core/gguf/gguf_reader.h"
#include "core/model/model.h"
#include "core/model/model_config.h"
#include "core/tokenizer/chat_template.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/fuzz/support.h"

using namespace lfmb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const size_t page = size_t(sysconf(_SC_PAGESIZE));
  const size_t mapped = (size + page - 1) / page * page;
  AnonymousMapping image(size);
  if (size) std::memcpy(image.data(), data, size);
  uint8_t* const tail = image.data() ? image.data() + size : nullptr;
  const size_t tail_len = mapped - size;
  if (tail_len) ASAN_POISON_MEMORY_REGION(tail, tail_len);

  fuzz::expect_only_lfmb_errors([&] {
    GgufFile f("fuzz.gguf", std::move(image));
    for (const auto& [key, value] : f.metadata()) (void)gguf_value_to_string(value);
    fuzz::expect_only_lfmb_errors([&] {
      Tokenizer tok = Tokenizer::from_gguf(f);
      const std::vector<int32_t> ids = tok.encode("Hello <|im_start|>user\n", true, true);
      (void)tok.decode(ids);
    });
    fuzz::expect_only_lfmb_errors([&] {
      const ChatTemplate t = ChatTemplate::from_gguf(f);
      (void)t.render({{"user", "hi", std::nullopt}});
    });
    const ModelConfig c = model_config_from_gguf(f);
    (void)expected_tensors(c);
    (void)count_params(c);
    (void)count_active_params(c);

    ModelOptions o;
    o.backend = "reference";
    o.threads = 1;
    o.n_ctx = 8;
    o.n_batch = 4;
    o.memory_limit = 64ull << 20;  // a fuzzed shape must not reserve more than this
    Model m(std::move(f), o);
    Session s(m);
    (void)s.decode(0);
  });
  // The mapping is gone; its tail's shadow must not stay poisoned for whatever is mapped there next.
  if (tail_len) ASAN_UNPOISON_MEMORY_REGION(tail, tail_len);
  return 0;
}
