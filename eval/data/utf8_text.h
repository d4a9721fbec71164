// UTF-8 checks for dataset text: Python decodes data files with the strict "utf-8" codec, so
// bytes that codec rejects are an error here too; a leading BOM is dropped as "utf-8-sig" does.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace lfmb::eval {

// Offset of the first byte Python's strict UTF-8 decoder rejects (overlong forms, surrogates
// U+D800..U+DFFF, code points above U+10FFFF, truncated sequences), or npos when valid.
size_t find_invalid_utf8(std::string_view text);

// Throws "<name>:<line>: invalid UTF-8 (byte 0x.. at column N)" unless `text` is valid.
void require_utf8(std::string_view text, const std::string& name);

// `text` without a leading UTF-8 byte-order mark (EF BB BF).
std::string_view strip_utf8_bom(std::string_view text);

}  // namespace lfmb::eval
