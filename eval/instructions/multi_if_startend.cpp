// Multi-IF's own startend:quotation: IFEval's QuotationChecker also accepting the Chinese “…” and the
// Japanese 「…」 quotes. Ported from facebookresearch Multi-IF ifeval.py QuotationChecker, read in
// zeppombal/Multi-IF ifeval.py @c6252a1f: value.strip(), then len(value) > 1 (code points) and the
// first and last characters are a matching pair.
#include <string>

#include "eval/instructions/families.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::instructions {

namespace {

bool quoted(const std::string& response) {
  const std::u32string v = py_ords(py_strip(response));
  if (v.size() <= 1) return false;
  const char32_t first = v.front(), last = v.back();
  return (first == U'"' && last == U'"') || (first == U'\u201C' && last == U'\u201D') ||
         (first == U'\u300C' && last == U'\u300D');
}

}  // namespace

std::vector<InstructionType> multi_if_startend() {
  InstructionType t;
  t.id = "startend:quotation";
  t.source = "facebookresearch Multi-IF ifeval.py QuotationChecker (zeppombal/Multi-IF @c6252a1f)";
  t.build = [](const InstructionInput&) -> Checker { return [](const std::string& r) { return quoted(r); }; };
  return {t};
}

}  // namespace lfmb::eval::instructions
