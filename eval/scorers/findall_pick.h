// How lm-eval's regex filters read re.findall (lm_eval/filters/extraction.py @4e7e0d47f33b,
// RegexFilter.apply and MultiChoiceRegexFilter's find_match):
//   match = regex.findall(resp); match = match[group_select]  (negative indices count from the end)
//   a tuple (pattern with 2+ groups) -> its first non-empty element.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "eval/text/py_regex.h"

namespace lfmb::eval {

// Both regex filters' default `fallback` (extraction.py: fallback="[invalid]").
inline constexpr const char* kInvalidFallback = "[invalid]";

struct FindallPick {
  bool matched = false;               // findall found something (Python: the list is non-empty)
  std::optional<std::string> value;   // the picked item; nullopt when it is a tuple of empty strings
};

// Throws lfmb::Error naming `owner` when group_select is out of range (Python: IndexError).
FindallPick findall_pick(const PyRegex& re, std::string_view text, long group_select, const std::string& owner);

// Compiled patterns are reused across documents (filters see one document at a time).
const PyRegex& cached_regex(const std::string& pattern);

}  // namespace lfmb::eval
