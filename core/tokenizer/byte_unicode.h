// GPT-2 byte-level BPE stores every byte as a printable code point (e.g. ' ' -> 'Ġ'), so that
// vocabulary and merge strings never contain raw control bytes. These are the two directions.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace lfmb {

// UTF-8 of the code point standing for byte b.
const std::string& byte_to_unicode(uint8_t b);

// Inverse mapping of a whole vocabulary string; returns false when a code point is not one of
// the 256 byte stand-ins (e.g. a special token written in plain text).
bool unicode_to_bytes(std::string_view mapped, std::string& out);

}  // namespace lfmb
