// A minimal pickle reader for exactly one pickled Python `str`, the payload of LiveCodeBench's
// compressed `private_test_cases` (LiveCodeBench/LiveCodeBench 28fef95ea8c9,
// lcb_runner/benchmarks/code_generation.py: json.loads(pickle.loads(zlib.decompress(b64decode(s))))).
// Only the opcodes such a pickle uses are accepted: PROTO, FRAME, SHORT_BINUNICODE, BINUNICODE,
// BINUNICODE8, MEMOIZE, STOP. Any other opcode (GLOBAL, REDUCE, ... the ones that make pickle.loads
// run code) is a one-line error, so nothing in a data file can make lfmb execute anything.
#pragma once
#include <string>
#include <string_view>

namespace lfmb::eval {

// The str a pickle holds, as UTF-8. Errors (lfmb::Error, one line): an opcode outside the set
// above, a length past the end of the data, a missing STOP, a stack that is not exactly one str at
// STOP, text that is not UTF-8. As pickle.loads, bytes after STOP are ignored.
std::string unpickle_str(std::string_view data);

}  // namespace lfmb::eval
