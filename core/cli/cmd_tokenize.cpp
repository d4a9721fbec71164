// lfmb tokenize (--model F.gguf | --tokenizer tokenizer.json) (--text T | --file F [--max-bytes N]) [--json] [--no-special]: shows how a
// model's tokenizer splits text, one output line per input (per line with --file).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "core/cli/command.h"
#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/io/bounded_input.h"
#include "core/tokenizer/tokenizer.h"

namespace lfmb {

namespace {

// A piece as a JSON string: shows spaces and control bytes unambiguously; invalid UTF-8
// (a token holding part of a character) is shown as \xNN escapes.
std::string quoted_piece(std::string_view bytes) {
  std::string s = "\"";
  for (unsigned char c : bytes) {
    if (c == '"' || c == '\\') { s += '\\'; s += char(c); }
    else if (c == '\n') s += "\\n";
    else if (c == '\r') s += "\\r";
    else if (c == '\t') s += "\\t";
    else if (c < 0x20 || c == 0x7f) s += fmt::format("\\x{:02x}", c);
    else s += char(c);
  }
  // Replace bytes that do not form valid UTF-8 by escapes so the terminal shows something honest.
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = uint8_t(s[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (uint8_t(s[i + k]) & 0xC0) == 0x80;
    if (ok) { out.append(s, i, len); i += len; }
    else { out += fmt::format("\\x{:02x}", c); ++i; }
  }
  return out + "\"";
}

std::string format_line(const Tokenizer& tok, const std::vector<int32_t>& ids, bool json) {
  if (json) return nlohmann::json{{"ids", ids}}.dump();
  std::string line;
  for (int32_t id : ids) {
    if (!line.empty()) line += ' ';
    line += fmt::format("{}:{}", id, quoted_piece(tok.token_bytes(id)));
  }
  return line;
}

int run_tokenize(const ParsedArgs& args) {
  if (args.has("--model") == args.has("--tokenizer"))
    throw UsageError("tokenize: give exactly one of --model F.gguf or --tokenizer tokenizer.json");
  if (args.has("--text") == args.has("--file")) throw UsageError("tokenize: give exactly one of --text or --file");
  if (args.has("--max-bytes") && !args.has("--file")) throw UsageError("tokenize: --max-bytes applies to --file only");
  const uint64_t max_bytes = uint64_t(args.get_int("--max-bytes", int64_t(kMaxTokenizeBytes), 1, 1ll << 40));
  // The input is read (and bounded) before the tokenizer loads, so a bad --file fails fast.
  const std::string path = args.get_or("--file", "");
  const std::string file_text = path.empty() ? "" : read_bounded_input(path, max_bytes, "raise it with --max-bytes N");
  Tokenizer tok = args.has("--model") ? Tokenizer::from_gguf(GgufFile(*args.get("--model")))
                                      : Tokenizer::from_hf_json(*args.get("--tokenizer"));
  const bool parse_special = !args.has("--no-special");
  const bool json = args.has("--json");

  if (auto text = args.get("--text")) {
    fmt::print("{}\n", format_line(tok, tok.encode(*text, false, parse_special), json));
    return 0;
  }
  // Tokenize everything first so a bad line fails before anything is printed.
  std::vector<std::string> lines;
  size_t n = 0;
  for (size_t pos = 0; pos < file_text.size();) {  // lines as std::getline gives them
    size_t nl = file_text.find('\n', pos);
    if (nl == std::string::npos) nl = file_text.size();
    const std::string line = file_text.substr(pos, nl - pos);
    pos = nl + 1;
    ++n;
    try {
      lines.push_back(format_line(tok, tok.encode(line, false, parse_special), json));
    } catch (const Error& e) {
      throw Error(path + ":" + std::to_string(n) + ": " + e.what());
    }
  }
  for (const auto& l : lines) fmt::print("{}\n", l);
  return 0;
}

}  // namespace

Command tokenize_command() {
  return {{"tokenize",
           "lfmb tokenize (--model F.gguf | --tokenizer tokenizer.json) (--text T | --file F [--max-bytes N]) [--json] [--no-special]",
           "Show the token ids and pieces a model's tokenizer gives for text (no BOS added).",
           {{"--model", "FILE", "GGUF file whose tokenizer to use"},
            {"--tokenizer", "FILE", "Hugging Face tokenizer.json to use instead of a GGUF"},
            {"--text", "TEXT", "text to tokenize"},
            {"--file", "FILE", "tokenize each line of FILE; one output line per input line"},
            {"--max-bytes", "N", "largest --file accepted, in bytes (default 64 MiB)"},
            {"--json", "", "print {\"ids\": [...]} per input"},
            {"--no-special", "", "treat control tokens such as <|im_start|> as plain text"}},
           0,
           0},
          run_tokenize};
}

}  // namespace lfmb
