// Python str methods the official scorers and the template engine rely on, with Python's Unicode
// rules (UTF-8 in and out). The one place for Python str semantics in eval/.
//
// Text is UTF-8; a byte that does not start valid UTF-8 counts as one character of its own that is
// not whitespace, not a digit and has no case (model output and data files are valid UTF-8; this
// only keeps stray bytes from being lost).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lfmb::eval {

// Characters (code points).
size_t py_len(std::string_view s);                       // len(s)
std::vector<std::string> py_chars(std::string_view s);    // list(s): each character's UTF-8 bytes
// [ord(c) for c in s]; a stray byte b reads as U+DC00 + b, as Python's surrogateescape decodes it.
std::u32string py_ords(std::string_view s);
// chr(c).encode("utf-8"); throws lfmb::Error beyond U+10FFFF and for surrogates U+D800..U+DFFF.
std::string py_chr(char32_t c);

bool py_isspace(char32_t c);                        // str.isspace() for one code point
bool py_isdecimal(char32_t c);                      // str.isdecimal() for one code point (int()'s digits)
bool py_isdigit(std::string_view s);                // str.isdigit(): non-empty, every code point a digit

std::string py_strip(std::string_view s);           // str.strip(): Unicode whitespace
std::string py_lstrip(std::string_view s);
std::string py_rstrip(std::string_view s);
std::string py_strip_chars(std::string_view s, std::string_view chars);   // str.strip(chars)
std::string py_rstrip_chars(std::string_view s, std::string_view chars);  // str.rstrip(chars)
std::string py_lstrip_chars(std::string_view s, std::string_view chars);  // str.lstrip(chars)

// str.split(None, maxsplit): runs of whitespace separate; after maxsplit splits (negative: no
// limit) the rest, from its first non-space character to the end, is the last item.
std::vector<std::string> py_split(std::string_view s, long maxsplit = -1);
// str.split(sep, maxsplit); throws lfmb::Error "empty separator" (Python's ValueError) for sep "".
std::vector<std::string> py_split_sep(std::string_view s, std::string_view sep, long maxsplit = -1);

std::string py_lower(std::string_view s);           // str.lower(): full Unicode lowercase, final sigma
std::string py_upper(std::string_view s);           // str.upper(): full Unicode uppercase ('ß' -> "SS")
// str.replace(old, new, count): the first `count` occurrences (negative: all).
std::string py_replace(std::string_view s, std::string_view old, std::string_view repl, long count = -1);

// added for instruction checkers (w-ifeval)
bool py_isupper(std::string_view s);  // str.isupper(): a cased character, none lowercase or titlecase
bool py_islower(std::string_view s);  // str.islower(): a cased character, none uppercase or titlecase

}  // namespace lfmb::eval

// added for instruction checkers (w-ifb-nlp)
namespace lfmb::eval {

// str.isalpha() / str.isalnum() for one code point, as CPython 3.11 decides them (Unicode 14.0:
// isalpha = general category L*, isalnum = L* or N*). A stray byte (U+DC00 + b) is neither.
bool py_isalpha(char32_t c);
bool py_isalnum(char32_t c);
// str.count(sub): non-overlapping occurrences; an empty sub counts len(s) + 1, as Python does.
size_t py_count(std::string_view s, std::string_view sub);

}  // namespace lfmb::eval

// added for instruction checkers (w-ifb-format)
namespace lfmb::eval {

// unicodedata.normalize("NFKD", s), by utf8proc (Unicode 15.0): equal to CPython 3.11's for every
// code point but the 62 compatibility letters U+1E030..U+1E06D that Unicode 15.0 added.
std::string py_nfkd(std::string_view s);
// int(s) for a string of decimal digits (any script's Nd digits, as int() accepts); s must satisfy
// every code point py_isdecimal. Throws lfmb::Error otherwise or beyond 18 digits.
long long py_int_decimal(std::string_view s);

}  // namespace lfmb::eval
