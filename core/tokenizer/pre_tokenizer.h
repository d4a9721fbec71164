// Splits text into the "words" that BPE merges within, using each model family's regex.
// PCRE2 in UTF + UCP mode gives \p{L}, \p{N} and \s their full Unicode meaning.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lfmb {

enum class PreTokenizerKind { Gpt2, Llama3, Qwen2 };

// Maps a `tokenizer.ggml.pre` name to its split rule; throws lfmb::Error listing the supported
// names for anything else. `lfm2` and `llama-bpe` share the Llama-3 pattern.
PreTokenizerKind pre_tokenizer_from_name(const std::string& name, const std::string& file);
std::string supported_pre_tokenizers();

class PreTokenizer {
 public:
  explicit PreTokenizer(PreTokenizerKind kind);
  ~PreTokenizer();
  PreTokenizer(const PreTokenizer&) = delete;
  PreTokenizer& operator=(const PreTokenizer&) = delete;

  // Calls emit(word) for each piece, in order; the pieces concatenate back to `text`.
  // `text` must be valid UTF-8. Not thread-safe (reuses one match buffer).
  template <class F>
  void split(std::string_view text, F&& emit) {
    size_t pos = 0;
    while (pos < text.size()) {
      auto [start, end] = next_match(text, pos);
      if (start > pos) emit(text.substr(pos, start - pos));  // bytes no alternative matched
      if (end == start) break;
      emit(text.substr(start, end - start));
      pos = end;
    }
  }

 private:
  // [start, end) of the next match at or after pos; (size, size) when there is none.
  std::pair<size_t, size_t> next_match(std::string_view text, size_t pos);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lfmb
