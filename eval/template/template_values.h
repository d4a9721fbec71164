// Python's view of JSON values for the template engine: str() and repr() as Jinja2 prints them,
// truthiness, equality and ordering, and the few str operations templates call, counted in code
// points as Python counts them. Internal to eval/template/.
//
// Followed: CPython 3.11 semantics (float repr, str.isspace, str.isprintable, list/str repr), as
// Jinja2 3.1 applies them when it prints `{{ value }}` (str(value)).
//
// The str helpers here (strip, split, lower, upper) are a private minimal copy: eval/text/py_str.h
// has no implementation in this branch yet. Deviation: lower()/upper() use utf8proc's simple
// one-to-one case mapping (Python's full mapping turns 'ß'.upper() into 'SS' and handles final
// sigma); once py_str.cpp lands these should call it.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb::eval::tmpl {

// UTF-8 <-> code points; throws lfmb::Error (message without location) on invalid UTF-8.
std::u32string utf8_decode(std::string_view s);
std::string utf8_encode(std::u32string_view s);
std::string utf8_encode(char32_t c);
size_t utf8_length(std::string_view s);

bool py_space(char32_t c);                    // str.isspace() for one code point
std::string strip_ws(std::string_view s, bool left, bool right);
std::string strip_chars(std::string_view s, std::string_view chars, bool left, bool right);
std::vector<std::string> split_ws(std::string_view s, long maxsplit);
std::vector<std::string> split_sep(std::string_view s, std::string_view sep, long maxsplit);
std::string replace_all(std::string_view s, std::string_view old, std::string_view repl, long count);
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);

// Python repr(float): shortest round-trip digits, exponent form below 1e-4 and from 1e16.
std::string float_repr(double v);
// str(value) and repr(value) for JSON values as Python values (null -> None, bool -> True/False).
// Objects are refused (throws lfmb::Error without location): nlohmann::json sorts keys, so the
// printed dict would not be Python's insertion-ordered one.
std::string py_str(const nlohmann::json& v);
std::string py_repr(const nlohmann::json& v);
// Python's type name for messages ('int', 'str', 'list', 'dict', 'NoneType', ...).
std::string py_type(const nlohmann::json& v);

bool py_truthy(const nlohmann::json& v);
bool py_equal(const nlohmann::json& a, const nlohmann::json& b);
// Python a < b; throws lfmb::Error (no location) when Python raises TypeError.
bool py_less(const nlohmann::json& a, const nlohmann::json& b);
bool is_number(const nlohmann::json& v);   // int, float or bool (bool is an int in Python)

}  // namespace lfmb::eval::tmpl
