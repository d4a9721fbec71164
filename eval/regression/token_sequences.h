// The --tokens input of `lfmb eval kld` and `lfmb eval diverge`: one sequence of token ids per
// line (separated by spaces, tabs or commas; blank lines skipped), the layout of
// ../shared/reference/sequences.txt.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lfmb::eval {

// Throws lfmb::Error naming the file and line of a bad id; an empty file is an error.
std::vector<std::vector<int32_t>> read_token_sequences(const std::string& path);

}  // namespace lfmb::eval
