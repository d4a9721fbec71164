#include "core/tokenizer/tokenizer.h"

#include <algorithm>
#include <cstdlib>
#include <utf8proc.h>

#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/tokenizer/byte_unicode.h"
#include "core/tokenizer/hf_tokenizer_json.h"

namespace lfmb {

namespace {

uint64_t pair_key(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

bool is_special(TokenType t) { return t == TokenType::Control || t == TokenType::UserDefined; }

// Returns the offset of the first invalid byte, or npos.
size_t first_invalid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    utf8proc_int32_t cp;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                    utf8proc_ssize_t(s.size() - i), &cp);
    if (n <= 0) return i;
    i += size_t(n);
  }
  return std::string_view::npos;
}

}  // namespace

Tokenizer::Tokenizer(TokenizerSpec spec) : spec_(std::move(spec)) {
  const std::string& src = spec_.source;
  if (spec_.tokens.empty()) throw Error(src + ": tokenizer has no tokens");
  if (spec_.types.empty()) spec_.types.assign(spec_.tokens.size(), TokenType::Normal);
  if (spec_.types.size() != spec_.tokens.size())
    throw Error(src + ": token_type has " + std::to_string(spec_.types.size()) + " entries for " +
                std::to_string(spec_.tokens.size()) + " tokens");
  const auto n = int32_t(spec_.tokens.size());
  for (auto* id : {&spec_.bos, &spec_.eos, &spec_.pad})
    if (*id && (**id < 0 || **id >= n)) throw Error(src + ": special token id " + std::to_string(**id) + " out of range");

  const PreTokenizerKind kind = pre_tokenizer_from_name(spec_.pre, src);
  ignore_merges_ = kind == PreTokenizerKind::Llama3;
  pre_tokenizer_ = std::make_unique<PreTokenizer>(kind);

  token_index_.reserve(spec_.tokens.size());
  decoded_.resize(spec_.tokens.size());
  for (int32_t id = 0; id < n; ++id) {
    const std::string& t = spec_.tokens[size_t(id)];
    token_index_.emplace(t, id);  // first id wins on duplicates
    // Special tokens are stored as plain text; everything else in the byte-mapped form.
    if (is_special(spec_.types[size_t(id)]) || !unicode_to_bytes(t, decoded_[size_t(id)])) decoded_[size_t(id)] = t;
    if (is_special(spec_.types[size_t(id)]) && !t.empty()) specials_by_first_byte_[uint8_t(t[0])].push_back(id);
  }
  for (auto& list : specials_by_first_byte_)
    std::stable_sort(list.begin(), list.end(), [&](int32_t a, int32_t b) {
      return spec_.tokens[size_t(a)].size() > spec_.tokens[size_t(b)].size();
    });
  for (int b = 0; b < 256; ++b) {
    auto it = token_index_.find(byte_to_unicode(uint8_t(b)));
    if (it == token_index_.end())
      throw Error(src + ": vocabulary lacks the byte token for 0x" + std::to_string(b) + " (not a byte-level BPE vocabulary)");
    byte_token_[b] = it->second;
  }

  merge_.reserve(spec_.merges.size());
  for (size_t rank = 0; rank < spec_.merges.size(); ++rank) {
    const std::string& m = spec_.merges[rank];
    const size_t sp = m.find(' ', 1);  // halves are byte-mapped, so the only space is the separator
    if (sp == std::string::npos) throw Error(src + ": malformed merge #" + std::to_string(rank) + " '" + m + "'");
    const std::string left = m.substr(0, sp), right = m.substr(sp + 1);
    auto l = token_index_.find(left), r = token_index_.find(right), c = token_index_.find(left + right);
    if (l == token_index_.end() || r == token_index_.end() || c == token_index_.end()) continue;  // unusable merge
    merge_.emplace(pair_key(l->second, r->second), std::pair{int32_t(rank), c->second});
  }
}

Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::from_gguf(const GgufFile& f) {
  TokenizerSpec s;
  s.source = f.path();
  if (!f.has("tokenizer.ggml.model")) throw Error(f.path() + ": no tokenizer (tokenizer.ggml.model missing)");
  const std::string model = f.get_string("tokenizer.ggml.model");
  if (model != "gpt2")
    throw Error(f.path() + ": tokenizer model '" + model + "' is not supported (only byte-level BPE 'gpt2')");
  s.tokens = f.get_string_array("tokenizer.ggml.tokens");
  if (f.has("tokenizer.ggml.token_type"))
    for (int32_t t : f.get_i32_array("tokenizer.ggml.token_type")) s.types.push_back(TokenType(t));
  if (f.has("tokenizer.ggml.merges")) s.merges = f.get_string_array("tokenizer.ggml.merges");
  s.pre = f.get_string_or("tokenizer.ggml.pre", "default");
  if (f.has("tokenizer.ggml.bos_token_id")) s.bos = int32_t(f.get_u32("tokenizer.ggml.bos_token_id"));
  if (f.has("tokenizer.ggml.eos_token_id")) s.eos = int32_t(f.get_u32("tokenizer.ggml.eos_token_id"));
  if (f.has("tokenizer.ggml.padding_token_id")) s.pad = int32_t(f.get_u32("tokenizer.ggml.padding_token_id"));
  s.add_bos = f.get_bool_or("tokenizer.ggml.add_bos_token", false) && s.bos.has_value();
  return Tokenizer(std::move(s));
}

std::optional<int32_t> Tokenizer::find_token(std::string_view text) const {
  auto it = token_index_.find(std::string(text));
  if (it == token_index_.end()) return std::nullopt;
  return it->second;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_special, bool parse_special) {
  if (const size_t bad = first_invalid_utf8(text); bad != std::string_view::npos)
    throw Error("tokenizer: input is not valid UTF-8 (byte offset " + std::to_string(bad) + ")");
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 2);
  if (add_special && spec_.add_bos) out.push_back(*spec_.bos);

  // Special tokens cut the text into plain fragments; they are matched leftmost, longest first.
  size_t plain_start = 0, i = 0;
  while (i < text.size()) {
    int32_t found = -1;
    for (int32_t id : specials_by_first_byte_[uint8_t(text[i])]) {
      if (!parse_special && spec_.types[size_t(id)] == TokenType::Control) continue;
      const std::string& t = spec_.tokens[size_t(id)];
      if (text.compare(i, t.size(), t) == 0) { found = id; break; }
    }
    if (found < 0) { ++i; continue; }
    encode_plain(text.substr(plain_start, i - plain_start), out);
    out.push_back(found);
    i += spec_.tokens[size_t(found)].size();
    plain_start = i;
  }
  encode_plain(text.substr(plain_start), out);
  return out;
}

void Tokenizer::encode_plain(std::string_view text, std::vector<int32_t>& out) {
  if (text.empty()) return;
  if (spec_.normalize_nfc) {
    utf8proc_uint8_t* nfc = nullptr;
    const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), utf8proc_ssize_t(text.size()), &nfc,
                                utf8proc_option_t(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    if (n < 0) throw Error(std::string("tokenizer: NFC normalisation failed: ") + utf8proc_errmsg(n));
    normalized_.assign(reinterpret_cast<const char*>(nfc), size_t(n));
    std::free(nfc);
    text = normalized_;
  }
  pre_tokenizer_->split(text, [&](std::string_view word) { encode_word(word, out); });
}

void Tokenizer::encode_word(std::string_view word, std::vector<int32_t>& out) {
  if (ignore_merges_) {
    mapped_.clear();
    for (char c : word) mapped_ += byte_to_unicode(uint8_t(c));
    if (auto it = token_index_.find(mapped_); it != token_index_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  symbols_.clear();
  for (char c : word) symbols_.push_back(byte_token_[uint8_t(c)]);
  // Repeatedly apply the best-ranked adjacent merge (leftmost on ties). Words are short, so a
  // linear scan per merge beats maintaining a heap.
  while (symbols_.size() > 1) {
    int32_t best_rank = INT32_MAX, best_id = -1;
    size_t best_pos = 0;
    for (size_t k = 0; k + 1 < symbols_.size(); ++k) {
      auto it = merge_.find(pair_key(symbols_[k], symbols_[k + 1]));
      if (it != merge_.end() && it->second.first < best_rank) {
        best_rank = it->second.first;
        best_id = it->second.second;
        best_pos = k;
      }
    }
    if (best_id < 0) break;
    symbols_[best_pos] = best_id;
    symbols_.erase(symbols_.begin() + std::ptrdiff_t(best_pos) + 1);
  }
  out.insert(out.end(), symbols_.begin(), symbols_.end());
}

std::string_view Tokenizer::token_bytes(int32_t id) const { return decoded_.at(size_t(id)); }

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool special) const {
  std::string s;
  for (int32_t id : ids) {
    if (id < 0 || size_t(id) >= decoded_.size()) throw Error("tokenizer: token id " + std::to_string(id) + " out of range");
    if (!special && spec_.types[size_t(id)] == TokenType::Control) continue;
    s += decoded_[size_t(id)];
  }
  return s;
}

}  // namespace lfmb
