// Language identification for language:response_language (and Multi-IF's language checks): the
// official code calls langdetect.detect(text), which returns an ISO 639-1 code ("en", "zh-cn",
// "zh-tw", ...) and raises LangDetectException on text with no letters (the checkers then count
// the instruction as followed). lfmb uses CLD2 (libcld2, Debian) and maps its result to the code
// langdetect would return.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace lfmb::eval::instructions {

// langdetect.detect(text); nullopt where langdetect raises (no detectable features).
std::optional<std::string> detect_language(std::string_view text);

}  // namespace lfmb::eval::instructions
