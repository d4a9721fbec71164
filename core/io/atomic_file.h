// Writes a whole file so that readers see either the old file or the complete new one, never a
// half-written one: write to a temporary file beside it, then rename over it.
#pragma once
#include <string>

namespace lfmb {

// Creates missing parent directories. Throws lfmb::Error naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace lfmb
