// Python's view of JSON values for the template engine: str() and repr() as Jinja2 prints them,
// truthiness, equality and ordering. Internal to eval/template/. The str methods templates call
// (strip, split, replace, lower, upper with Python's full case mapping, len, ...) are
// eval/text/py_str.h.
//
// Followed: CPython 3.11 semantics (float repr, str.isprintable, list/str repr), as Jinja2 3.1
// applies them when it prints `{{ value }}` (str(value)).
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace lfmb::eval::tmpl {

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
