#define PCRE2_CODE_UNIT_WIDTH 8
#include "core/tokenizer/pre_tokenizer.h"

#include <pcre2.h>

#include "core/error.h"

namespace lfmb {

namespace {

// The split patterns as the models' tokenizer.json files declare them.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr const char* kLlama3Pattern =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// Qwen2 differs from Llama-3 only in splitting numbers into single digits.
constexpr const char* kQwen2Pattern =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

}  // namespace

std::string supported_pre_tokenizers() { return "default, gpt2, llama-bpe, lfm2, qwen2"; }

PreTokenizerKind pre_tokenizer_from_name(const std::string& name, const std::string& file) {
  if (name == "default" || name == "gpt2" || name.empty()) return PreTokenizerKind::Gpt2;
  if (name == "llama-bpe" || name == "lfm2") return PreTokenizerKind::Llama3;
  if (name == "qwen2") return PreTokenizerKind::Qwen2;
  throw Error(file + ": unsupported pre-tokenizer '" + name + "' (supported: " + supported_pre_tokenizers() + ")");
}

struct PreTokenizer::Impl {
  pcre2_code* code = nullptr;
  pcre2_match_data* match = nullptr;
};

PreTokenizer::PreTokenizer(PreTokenizerKind kind) : impl_(std::make_unique<Impl>()) {
  const char* pattern = kind == PreTokenizerKind::Gpt2    ? kGpt2Pattern
                        : kind == PreTokenizerKind::Llama3 ? kLlama3Pattern
                                                           : kQwen2Pattern;
  int err = 0;
  PCRE2_SIZE err_off = 0;
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern), PCRE2_ZERO_TERMINATED,
                              PCRE2_UTF | PCRE2_UCP, &err, &err_off, nullptr);
  if (!impl_->code) throw Error("internal: pre-tokenizer pattern does not compile");
  pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE);  // optional speed-up; falls back to the interpreter
  impl_->match = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
}

PreTokenizer::~PreTokenizer() {
  pcre2_match_data_free(impl_->match);
  pcre2_code_free(impl_->code);
}

std::pair<size_t, size_t> PreTokenizer::next_match(std::string_view text, size_t pos) {
  // The caller validated UTF-8 once for the whole text, so skip PCRE2's per-call check.
  const int rc = pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), pos,
                             PCRE2_NO_UTF_CHECK, impl_->match, nullptr);
  if (rc < 0) return {text.size(), text.size()};
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(impl_->match);
  return {size_t(ov[0]), size_t(ov[1])};
}

}  // namespace lfmb
