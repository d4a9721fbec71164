// Byte-level BPE tokenizer (GPT-2 family: LFM2, Qwen2/3, Llama-3), loaded from GGUF metadata or a
// Hugging Face tokenizer.json.
//
//   GgufFile f("model.gguf");
//   Tokenizer tok = Tokenizer::from_gguf(f);
//   std::vector<int32_t> ids = tok.encode(text, /*add_special=*/true, /*parse_special=*/true);
//   std::string back = tok.decode(ids);
//
// encode(): special/added tokens are matched first (longest first), the rest is split by the
// pre-tokenizer regex and each word is merged by rank. decode() is byte-exact.
// One Tokenizer must not be used by two threads at once (it reuses scratch buffers).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/tokenizer/pre_tokenizer.h"

namespace lfmb {

class GgufFile;

// GGUF token types (tokenizer.ggml.token_type).
enum class TokenType : int32_t { Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct TokenizerSpec {
  std::string source;                      // file name, for error messages
  std::vector<std::string> tokens;         // byte-mapped strings (GPT-2 form)
  std::vector<TokenType> types;            // same length as tokens (Normal when unknown)
  std::vector<std::string> merges;         // "left right", highest priority first
  std::string pre = "default";             // pre-tokenizer name
  std::optional<int32_t> bos, eos, pad;
  bool add_bos = false;
  bool normalize_nfc = false;              // tokenizer.json "normalizer": NFC (applied outside special tokens)
};

class Tokenizer {
 public:
  explicit Tokenizer(TokenizerSpec spec);
  Tokenizer(Tokenizer&&) noexcept;
  ~Tokenizer();

  static Tokenizer from_gguf(const GgufFile& f);
  // From a Hugging Face tokenizer.json (see hf_tokenizer_json.h for what is understood).
  static Tokenizer from_hf_json(const std::string& path);

  // add_special: prepend BOS when the vocabulary asks for it (add_bos_token).
  // parse_special: recognise control tokens such as <|im_start|> written in the text; user-defined
  // added tokens are always recognised. Throws lfmb::Error on invalid UTF-8.
  std::vector<int32_t> encode(std::string_view text, bool add_special = false, bool parse_special = true);

  // Exact bytes of the ids; control tokens are written as their text only when `special`.
  std::string decode(const std::vector<int32_t>& ids, bool special = true) const;
  // Bytes of one token (may be part of a UTF-8 character).
  std::string_view token_bytes(int32_t id) const;
  const std::string& token_text(int32_t id) const { return spec_.tokens.at(size_t(id)); }
  std::optional<int32_t> find_token(std::string_view text) const;  // by vocabulary (byte-mapped) text

  size_t n_vocab() const { return spec_.tokens.size(); }
  TokenType type(int32_t id) const { return spec_.types.at(size_t(id)); }
  std::optional<int32_t> bos() const { return spec_.bos; }
  std::optional<int32_t> eos() const { return spec_.eos; }
  std::optional<int32_t> pad() const { return spec_.pad; }
  bool add_bos() const { return spec_.add_bos; }
  const std::string& pre() const { return spec_.pre; }

 private:
  void encode_plain(std::string_view text, std::vector<int32_t>& out);
  void encode_word(std::string_view word, std::vector<int32_t>& out);

  TokenizerSpec spec_;
  bool ignore_merges_ = false;  // Llama-3 family: a whole word found in the vocabulary is one token
  std::unique_ptr<PreTokenizer> pre_tokenizer_;
  std::unordered_map<std::string, int32_t> token_index_;
  std::vector<std::string> decoded_;  // raw bytes per id
  int32_t byte_token_[256];
  // (left id, right id) -> (rank, merged id)
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merge_;
  // Special tokens by first byte, longest first, for matching in the raw text.
  std::vector<int32_t> specials_by_first_byte_[256];
  std::string mapped_;          // scratch: byte-mapped word
  std::vector<int32_t> symbols_;  // scratch: ids being merged
  std::string normalized_;        // scratch: NFC text
};

}  // namespace lfmb
