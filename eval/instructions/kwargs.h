// Reading an instruction's kwargs as the official build_description does: a missing or null key
// is "not given" (the official code then draws a random default; lfmb refuses instead, since a
// random argument makes the score irreproducible), counts may be floats holding integers (IFBench
// data has 3.0), and a wrong type is a one-line lfmb::Error naming the instruction and the key.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "eval/instructions/instruction.h"

namespace lfmb::eval::instructions {

bool kw_has(const InstructionInput& in, const char* key);  // present and not null
// An integer (JSON integer, or a float with an integral value, as Python's int comparisons see it).
long long kw_int(const InstructionInput& in, const char* key);
std::optional<long long> kw_int_opt(const InstructionInput& in, const char* key);
double kw_number(const InstructionInput& in, const char* key);
std::string kw_str(const InstructionInput& in, const char* key);
std::optional<std::string> kw_str_opt(const InstructionInput& in, const char* key);
std::vector<std::string> kw_str_list(const InstructionInput& in, const char* key);

// A value the official code would replace with a random draw (negative count, empty list, out of
// range): the one-line error, naming the instruction and the key.
[[noreturn]] void kw_refuse(const InstructionInput& in, const char* key, const std::string& what);
// `if self._x is None or self._x < 0: random`: a count, a negative one refused like a missing one.
long long kw_count(const InstructionInput& in, const char* key);

}  // namespace lfmb::eval::instructions
