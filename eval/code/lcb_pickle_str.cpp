// Opcode values and argument layouts: CPython 3.11 Lib/pickletools.py (the opcode table; read for
// facts, not copied). Followed for which opcodes a pickled str uses: pickle.dumps(str, protocol
// 2..5) as LiveCodeBench's dataset was written (lcb_runner/benchmarks/code_generation.py @28fef95ea8c9).
#include "eval/code/lcb_pickle_str.h"

#include <cstdint>
#include <optional>

#include <fmt/format.h>

#include "core/error.h"
#include "eval/data/utf8_text.h"

namespace lfmb::eval {

namespace {

constexpr unsigned char kProto = 0x80, kFrame = 0x95, kShortBinUnicode = 0x8c, kBinUnicode = 'X',
                        kBinUnicode8 = 0x8d, kMemoize = 0x94, kStop = '.';

uint64_t read_le(std::string_view d, size_t pos, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t(static_cast<unsigned char>(d[pos + i])) << (8 * i);
  return v;
}

}  // namespace

std::string unpickle_str(std::string_view d) {
  std::optional<std::string> top;  // the stack: at most one str ever (a second push is refused)
  size_t pos = 0;
  auto need = [&](uint64_t n, const char* what) {
    if (n > d.size() - pos)
      throw Error(fmt::format("pickle: {} at byte {} needs {} bytes, {} left (truncated)", what, pos, n, d.size() - pos));
  };
  auto push = [&](uint64_t len, const char* what) {
    need(len, what);
    if (top) throw Error(fmt::format("pickle: a second value at byte {} (only one str is accepted)", pos));
    std::string s(d.substr(pos, size_t(len)));
    // pickle decodes with "surrogatepass"; a lone surrogate cannot reach JSON text we use, so it is refused.
    if (find_invalid_utf8(s) != std::string_view::npos) throw Error(fmt::format("pickle: the str at byte {} is not UTF-8", pos));
    top = std::move(s);
    pos += size_t(len);
  };
  while (pos < d.size()) {
    const unsigned char op = static_cast<unsigned char>(d[pos]);
    const size_t at = pos++;
    switch (op) {
      case kProto:
        need(1, "PROTO");
        if (static_cast<unsigned char>(d[pos]) < 2 || static_cast<unsigned char>(d[pos]) > 5)
          throw Error(fmt::format("pickle: unsupported protocol {} at byte {}", int(static_cast<unsigned char>(d[pos])), at));
        ++pos;
        break;
      case kFrame: {
        need(8, "FRAME");
        const uint64_t n = read_le(d, pos, 8);
        pos += 8;
        if (n > d.size() - pos) throw Error(fmt::format("pickle: FRAME at byte {} of {} bytes, {} left (truncated)", at, n, d.size() - pos));
        break;
      }
      case kShortBinUnicode:
        need(1, "SHORT_BINUNICODE");
        push(static_cast<unsigned char>(d[pos++]), "SHORT_BINUNICODE");
        break;
      case kBinUnicode: {
        need(4, "BINUNICODE");
        const uint64_t n = read_le(d, pos, 4);
        pos += 4;
        push(n, "BINUNICODE");
        break;
      }
      case kBinUnicode8: {
        need(8, "BINUNICODE8");
        const uint64_t n = read_le(d, pos, 8);
        pos += 8;
        push(n, "BINUNICODE8");
        break;
      }
      case kMemoize:
        if (!top) throw Error(fmt::format("pickle: MEMOIZE at byte {} with an empty stack", at));
        break;
      case kStop:
        if (!top) throw Error(fmt::format("pickle: STOP at byte {} with an empty stack", at));
        return std::move(*top);
      default:
        throw Error(fmt::format("pickle: opcode 0x{:02x} at byte {} is not accepted (only a pickled str: PROTO FRAME "
                                "SHORT_BINUNICODE BINUNICODE BINUNICODE8 MEMOIZE STOP)", int(op), at));
    }
  }
  throw Error("pickle: no STOP opcode (truncated)");
}

}  // namespace lfmb::eval
