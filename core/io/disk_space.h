// Free-space check before writing a big file, so a full disk is reported up front with the
// size needed instead of as a failed write minutes later.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace lfmb {

// Bytes available to this user on the file system that would hold `path` (a file that need not
// exist yet); nullopt when that cannot be determined (e.g. the directory does not exist).
std::optional<uint64_t> free_bytes_for(const std::string& path);

// Throws lfmb::Error "PATH: needs N GB but only M GB are free on its file system" when short.
void require_free_space(const std::string& path, uint64_t bytes);

// "4.70 GB" (decimal units, as disk sizes are quoted).
std::string format_gb(uint64_t bytes);
// The same with the unit chosen to fit: "4.70 GB", "145.0 kB", "512 B".
std::string format_size(uint64_t bytes);

}  // namespace lfmb
