// Reads a whole text input (config, tokenizer.json, result file, text to tokenize) with a size
// limit checked before memory grows past it: a regular file by its size, a FIFO or character
// device (/dev/stdin, /dev/zero) by reading at most one byte past the limit. A directory or a
// missing file is an error. Every error is one lfmb::Error line naming the path.
#pragma once
#include <cstdint>
#include <string>

namespace lfmb {

// Default limits of the inputs lfmb reads whole (README "Limits").
inline constexpr uint64_t kMaxConfigBytes = 16ull << 20;      // YAML configs and task files
inline constexpr uint64_t kMaxTokenizeBytes = 64ull << 20;    // lfmb tokenize --file
inline constexpr uint64_t kMaxTokenizerJsonBytes = 512ull << 20;
inline constexpr uint64_t kMaxResultFileBytes = 4ull << 30;   // result JSON and samples files

// `raise_hint`, when not empty, ends the too-large message (e.g. "raise it with --max-bytes N").
std::string read_bounded_input(const std::string& path, uint64_t max_bytes, const std::string& raise_hint = "");

}  // namespace lfmb
