// gzip decompression of a whole in-memory file (zlib), bounded in output size, with one-line
// errors naming the file. Follows Python's gzip.decompress: members may be concatenated and
// zero padding after a member is skipped; anything else after a member is an error.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace lfmb::eval {

// The decompressed bytes of `data` (the contents of file `name`); an error when they would
// exceed max_bytes, when the stream ends early, or when it is not gzip or fails its checks.
std::string gunzip(std::string_view data, const std::string& name, uint64_t max_bytes);

}  // namespace lfmb::eval
