// Whether Python 3.11's json.loads(text) accepts a string (the C scanner of CPython's json
// module, strict=True): any JSON value at the top level, surrounded by ' ', '\t', '\n', '\r';
// also NaN, Infinity and -Infinity; no control characters inside strings; lone surrogate escapes
// ("\ud800") allowed; duplicate keys allowed. Checks only (IFEval's json_format needs no values).
#pragma once
#include <string_view>

namespace lfmb::eval {

// true where json.loads returns, false where it raises ValueError (JSONDecodeError). Nesting
// deeper than Python's default recursion limit raises RecursionError there (the official scorer
// stops); here that is false.
bool py_json_loads_ok(std::string_view text);

}  // namespace lfmb::eval
