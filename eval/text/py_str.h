// Python str methods the official scorers rely on, with Python's Unicode rules (UTF-8 in and out).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace lfmb::eval {

bool py_isspace(char32_t c);                       // str.isspace() for one code point
std::string py_strip(std::string_view s);           // str.strip(): Unicode whitespace
std::string py_lstrip(std::string_view s);
std::string py_rstrip(std::string_view s);
std::string py_strip_chars(std::string_view s, std::string_view chars);   // str.strip(chars)
std::string py_rstrip_chars(std::string_view s, std::string_view chars);  // str.rstrip(chars)
std::string py_lstrip_chars(std::string_view s, std::string_view chars);  // str.lstrip(chars)
std::vector<std::string> py_split(std::string_view s);                    // str.split(): runs of whitespace
std::vector<std::string> py_split_sep(std::string_view s, std::string_view sep, long maxsplit = -1);  // str.split(sep)
std::string py_lower(std::string_view s);           // str.lower(): full Unicode lowercase
std::string py_upper(std::string_view s);
std::string py_replace(std::string_view s, std::string_view old, std::string_view repl);  // str.replace (all)
bool py_isdigit(std::string_view s);                // str.isdigit(): non-empty, every code point a digit

}  // namespace lfmb::eval
