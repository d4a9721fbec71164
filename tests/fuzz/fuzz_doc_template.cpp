// Fuzz target: the eval prompt template engine (eval/template/doc_template: lm-eval's Jinja2
// subset), parsed and then rendered and evaluated over a small document.
// Input: the template source; when it holds a NUL byte, the part after it is the document as JSON
// (used when it parses to an object; otherwise the built-in document below).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "eval/template/doc_template.h"
#include "tests/fuzz/support.h"

using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const json fallback = json::parse(R"({
    "question": "What is 2+3?\n", "answer": "#### 5", "choices": ["four", "five", "six"], "label": 1,
    "n": 3, "x": -2.5, "big": 9223372036854775807, "t": true, "none": null, "empty": "", "list": [],
    "nested": {"a": [1, [2, 3]], "b": {"c": "d"}}, "uni": "caf\u00e9 \u00df \u4f60"})");
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  const std::string source(in.substr(0, nul));
  json doc = fallback;
  if (nul != std::string_view::npos) {
    json parsed = json::parse(in.substr(nul + 1), nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) doc = std::move(parsed);
  }
  lfmb::fuzz::expect_only_lfmb_errors([&] {
    const lfmb::eval::DocTemplate t(source, "fuzz");
    lfmb::fuzz::expect_only_lfmb_errors([&] { (void)t.render(doc); });
    lfmb::fuzz::expect_only_lfmb_errors([&] { (void)t.evaluate(doc); });
  });
  return 0;
}
