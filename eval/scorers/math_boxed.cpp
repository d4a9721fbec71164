// Follows EleutherAI/lm-evaluation-harness @4e7e0d47f33b, lm_eval/tasks/hendrycks_math/utils.py
// (last_boxed_only_string, remove_boxed). Byte-wise work is exact here: the markers are ASCII and
// ASCII bytes never occur inside a UTF-8 multi-byte sequence.
#include "eval/scorers/math_boxed.h"

#include "eval/text/py_str.h"

namespace lfmb::eval {

std::optional<std::string> last_boxed_only_string(std::string_view text) {
  // The official code checks for "\boxed " before it looks at the rfind result.
  constexpr std::string_view kBoxedSpace = "\\boxed ";
  size_t idx = text.rfind("\\boxed");
  if (text.find(kBoxedSpace) != std::string_view::npos) {
    std::string after = py_split_sep(text, kBoxedSpace).back();
    return std::string(kBoxedSpace) + py_split_sep(after, "$").front();
  }
  if (idx == std::string_view::npos) {
    idx = text.rfind("\\fbox");
    if (idx == std::string_view::npos) return std::nullopt;
  }
  int open = 0;
  for (size_t i = idx; i < text.size(); ++i) {
    if (text[i] == '{') ++open;
    if (text[i] == '}') {
      --open;
      if (open == 0) return std::string(text.substr(idx, i + 1 - idx));
    }
  }
  return std::nullopt;  // no '}' brings the count back to zero
}

std::optional<std::string> remove_boxed(std::string_view s) {
  constexpr std::string_view kSpace = "\\boxed ";
  if (s.find(kSpace) != std::string_view::npos) {
    if (!s.starts_with(kSpace)) return std::nullopt;  // assert s[:len(left)] == left
    return std::string(s.substr(kSpace.size()));
  }
  constexpr std::string_view kBrace = "\\boxed{";
  if (!s.starts_with(kBrace) || !s.ends_with('}')) return std::nullopt;  // the two asserts
  return std::string(s.substr(kBrace.size(), s.size() - kBrace.size() - 1));
}

std::optional<std::string> boxed_answer(std::string_view text) {
  std::optional<std::string> boxed = last_boxed_only_string(text);
  if (!boxed) return std::nullopt;
  return remove_boxed(*boxed);
}

FilterInfo boxed_filter() {
  return {"boxed", [](const std::string& text, const FilterContext&) { return boxed_answer(text); },
          "lm-eval tasks/hendrycks_math/utils.py remove_boxed(last_boxed_only_string) @4e7e0d47"};
}

}  // namespace lfmb::eval
