// Follows LiveCodeBench/LiveCodeBench 28fef95ea8c9 lcb_runner/utils/extraction_utils.py extract_code.
#include "eval/code/lcb_extract.h"

#include <vector>

namespace lfmb::eval {

std::string lcb_extract_code(std::string_view response) {
  // str.split("\n"): every "\n" separates (no other line breaks), empty pieces kept.
  std::vector<std::string_view> lines;
  for (size_t start = 0;;) {
    const size_t nl = response.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(response.substr(start));
      break;
    }
    lines.push_back(response.substr(start, nl - start));
    start = nl + 1;
  }
  std::vector<size_t> fences;
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i].find("```") != std::string_view::npos) fences.push_back(i);
  if (fences.size() < 2) return "";
  const size_t first = fences[fences.size() - 2] + 1, last = fences.back();
  std::string out;
  for (size_t i = first; i < last; ++i) {
    if (i > first) out += '\n';
    out += lines[i];
  }
  return out;
}

}  // namespace lfmb::eval
