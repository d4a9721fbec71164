// Reads a Hugging Face tokenizer.json into a TokenizerSpec: the BPE model's vocab and merges
// (both the "a b" string and the ["a", "b"] array forms), added_tokens (special -> control,
// others -> user-defined), an NFC normalizer, and the pre-tokenizer, recognised by its split
// regex (Qwen2, Llama-3) or a plain ByteLevel pre-tokenizer (GPT-2). Ids may leave at most 1024
// unused ids (a larger id is an error, not a huge allocation). Anything else is an
// lfmb::Error naming the file and the unsupported part.
#pragma once
#include <string>

#include "core/tokenizer/tokenizer.h"

namespace lfmb {

TokenizerSpec tokenizer_spec_from_hf_json(const std::string& path);

}  // namespace lfmb
