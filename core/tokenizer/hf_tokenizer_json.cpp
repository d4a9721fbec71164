#include "core/tokenizer/hf_tokenizer_json.h"

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/io/bounded_input.h"

namespace lfmb {

namespace {

using nlohmann::json;

// Gaps between the vocab's and the added tokens' ids that are accepted (filled with unused
// placeholders): real files have none or a few.
constexpr int64_t kMaxUnusedIds = 1024;

// Which split rule a Split pre-tokenizer's regex is. The patterns are compared by their
// distinctive parts: how digits are grouped and the letter rule shared by Qwen2 and Llama-3.
// A token id: an integer of JSON (a float such as 1e20 would be undefined behaviour to convert).
int64_t token_id(const json& v, const std::string& path) {
  if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)))
    throw Error(path + ": token id " + v.dump() + " is not an integer id");
  return v.get<int64_t>();
}

std::string pre_from_split_regex(const std::string& re, const std::string& path) {
  const bool llama_letters = re.find(R"([^\r\n\p{L}\p{N}]?\p{L}+)") != std::string::npos;
  if (llama_letters && re.find(R"(\p{N}{1,3})") != std::string::npos) return "llama-bpe";
  if (llama_letters && re.find(R"(|\p{N}|)") != std::string::npos) return "qwen2";
  throw Error(path + ": unsupported pre-tokenizer split pattern '" + re + "'");
}

std::string pre_from_json(const json& pt, const std::string& path) {
  if (pt.is_null()) throw Error(path + ": no pre_tokenizer (byte-level BPE needs one)");
  const std::string type = pt.value("type", "");
  if (type == "ByteLevel") {
    if (pt.value("use_regex", true)) return "gpt2";
    throw Error(path + ": ByteLevel pre-tokenizer without a split regex is not supported");
  }
  if (type == "Sequence") {
    std::string pre;
    bool byte_level = false;
    for (const json& p : pt.at("pretokenizers")) {
      const std::string t = p.value("type", "");
      if (t == "Split") {
        const json& pattern = p.at("pattern");
        if (!pattern.contains("Regex")) throw Error(path + ": Split pre-tokenizer with a plain string pattern is not supported");
        if (p.value("behavior", "") != "Isolated" || p.value("invert", false))
          throw Error(path + ": Split pre-tokenizer behaviour other than Isolated is not supported");
        pre = pre_from_split_regex(pattern.at("Regex").get<std::string>(), path);
      } else if (t == "ByteLevel") {
        if (p.value("use_regex", true)) pre = "gpt2";
        byte_level = true;
      } else {
        throw Error(path + ": unsupported pre-tokenizer '" + t + "'");
      }
    }
    if (!byte_level || pre.empty()) throw Error(path + ": pre-tokenizer sequence is not byte-level BPE");
    return pre;
  }
  throw Error(path + ": unsupported pre-tokenizer '" + type + "'");
}

}  // namespace

TokenizerSpec tokenizer_spec_from_hf_json(const std::string& path) {
  const std::string text = read_bounded_input(path, kMaxTokenizerJsonBytes);
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(path + ": not valid JSON (" + e.what() + ")");
  }
  try {
    TokenizerSpec s;
    s.source = path;
    const json& model = j.at("model");
    if (model.value("type", "") != "BPE") throw Error(path + ": model type '" + model.value("type", "") + "' is not BPE");

    // Ids may have gaps between the vocab and the added tokens: size by the largest id.
    int64_t max_id = -1;
    for (auto it = model.at("vocab").begin(); it != model.at("vocab").end(); ++it) max_id = std::max<int64_t>(max_id, token_id(it.value(), path));
    const json added = j.value("added_tokens", json::array());
    for (const json& t : added) max_id = std::max<int64_t>(max_id, token_id(t.at("id"), path));
    if (max_id < 0) throw Error(path + ": empty vocabulary");
    // Ids are nearly contiguous in real files; a stray huge id must not size the vocabulary.
    const int64_t n_entries = int64_t(model.at("vocab").size() + added.size());
    if (max_id >= n_entries + kMaxUnusedIds)
      throw Error(path + ": token id " + std::to_string(max_id) + " leaves more than " + std::to_string(kMaxUnusedIds) +
                  " ids unused (" + std::to_string(n_entries) + " tokens)");
    s.tokens.resize(size_t(max_id + 1));
    s.types.assign(size_t(max_id + 1), TokenType::Unused);
    for (auto it = model.at("vocab").begin(); it != model.at("vocab").end(); ++it) {
      const auto id = token_id(it.value(), path);
      if (id < 0) throw Error(path + ": negative token id for '" + it.key() + "'");
      s.tokens[size_t(id)] = it.key();
      s.types[size_t(id)] = TokenType::Normal;
    }
    for (size_t id = 0; id < s.tokens.size(); ++id)
      if (s.types[id] == TokenType::Unused) s.tokens[id] = "<|lfmb_unused_" + std::to_string(id) + "|>";
    for (const json& t : added) {
      const int64_t signed_id = token_id(t.at("id"), path);
      if (signed_id < 0) throw Error(path + ": negative id for added token " + t.value("content", json("?")).dump());
      const auto id = size_t(signed_id);
      s.tokens[id] = t.at("content").get<std::string>();
      s.types[id] = t.value("special", false) ? TokenType::Control : TokenType::UserDefined;
    }
    // Unused placeholders must never match text: mark them Unused (not special) so they are skipped.

    for (const json& m : model.value("merges", json::array())) {
      if (m.is_string()) s.merges.push_back(m.get<std::string>());
      else if (m.is_array() && m.size() == 2) s.merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
      else throw Error(path + ": malformed merge entry " + m.dump());
    }

    const json& norm = j.contains("normalizer") ? j["normalizer"] : json();
    if (!norm.is_null()) {
      if (norm.value("type", "") == "NFC") s.normalize_nfc = true;
      else throw Error(path + ": unsupported normalizer '" + norm.value("type", "") + "' (supported: NFC)");
    }
    s.pre = pre_from_json(j.contains("pre_tokenizer") ? j["pre_tokenizer"] : json(), path);
    // Whole-word lookup (ignore_merges) follows the pre-tokenizer here, as in llama.cpp; a file
    // asking for it with another pre-tokenizer would get different ids: refuse it.
    const bool ignore_merges = model.value("ignore_merges", false);
    if (ignore_merges && s.pre != "llama-bpe")
      throw Error(path + ": ignore_merges=" + (ignore_merges ? "true" : "false") + " is not supported with pre-tokenizer " + s.pre);
    return s;
  } catch (const json::exception& e) {
    throw Error(path + ": unexpected tokenizer.json structure (" + e.what() + ")");
  }
}

Tokenizer Tokenizer::from_hf_json(const std::string& path) { return Tokenizer(tokenizer_spec_from_hf_json(path)); }

}  // namespace lfmb
