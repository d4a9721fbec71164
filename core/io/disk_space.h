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

// Throws lfmb::Error "PATH: needs N GiB but only M GiB are free on its file system" when short.
void require_free_space(const std::string& path, uint64_t bytes);

// Sizes are printed in binary units everywhere in lfmb (README "Units"): "4.38 GiB".
std::string format_gib(uint64_t bytes);
// The same with the unit chosen to fit: "4.38 GiB", "323.6 MiB", "145.0 KiB", "512 B".
std::string format_size(uint64_t bytes);

}  // namespace lfmb
