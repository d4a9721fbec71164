// gzip decompression with zlib's inflate (gzip wrapper only: windowBits 16 + MAX_WBITS), which
// checks each member's CRC-32 and length. Member handling follows CPython v3.11.2 Lib/gzip.py
// (_GzipReader: next member after the end of one, zero padding skipped, EOF before the end of a
// member is an error).
#include "eval/data/gunzip.h"

#include <zlib.h>

#include <algorithm>
#include <fmt/format.h>

#include "core/error.h"

namespace lfmb::eval {

namespace {

// Owns a z_stream so every error path releases zlib's state.
struct Inflater {
  z_stream zs{};
  Inflater(const std::string& name) {
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw Error(fmt::format("{}: zlib could not start inflating", name));
  }
  ~Inflater() { inflateEnd(&zs); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
};

constexpr size_t kInputChunk = size_t{1} << 30;  // avail_in is a 32-bit uInt
constexpr size_t kOutputChunk = size_t{1} << 20;

}  // namespace

std::string gunzip(std::string_view data, const std::string& name, uint64_t max_bytes) {
  std::string out;
  if (data.empty()) return out;  // gzip.decompress(b"") == b""; the readers report the empty file
  Inflater inf(name);
  z_stream& zs = inf.zs;
  size_t in_pos = 0;     // bytes of `data` handed to zlib so far
  uint64_t produced = 0; // bytes of `out` filled
  auto input_left = [&] { return zs.avail_in + (data.size() - in_pos); };
  for (;;) {
    if (zs.avail_in == 0 && in_pos < data.size()) {
      const size_t n = std::min(kInputChunk, data.size() - in_pos);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + in_pos));
      zs.avail_in = static_cast<uInt>(n);
      in_pos += n;
    }
    if (produced == out.size()) {
      // One byte beyond max_bytes is room enough to tell that the data is too large.
      if (produced > max_bytes)
        throw Error(fmt::format("{}: decompressed data is larger than the limit of {} bytes", name, max_bytes));
      // Doubling from a first guess of 4x the input (at most one chunk): a small file costs a
      // small buffer, not a whole zero-filled chunk.
      const uint64_t first = std::min<uint64_t>(kOutputChunk, std::max<uint64_t>(4096, 4 * uint64_t(data.size())));
      const uint64_t grow = std::min<uint64_t>(out.empty() ? first : out.size(), max_bytes + 1 - produced);
      out.resize(out.size() + grow);
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(std::min<uint64_t>(out.size() - produced, kInputChunk));
    const uInt avail_before = zs.avail_out;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    produced += avail_before - zs.avail_out;
    if (rc == Z_STREAM_END) {
      // Another member may follow, after optional zero padding (gzip.py's _read_eof).
      while (input_left() > 0) {
        if (zs.avail_in == 0) {
          const size_t n = std::min(kInputChunk, data.size() - in_pos);
          zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + in_pos));
          zs.avail_in = static_cast<uInt>(n);
          in_pos += n;
        }
        if (*zs.next_in != 0) break;
        ++zs.next_in;
        --zs.avail_in;
      }
      if (input_left() == 0) break;
      if (inflateReset(&zs) != Z_OK) throw Error(fmt::format("{}: zlib could not restart inflating", name));
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR) {
      if (input_left() == 0) throw Error(fmt::format("{}: truncated gzip data", name));
      continue;  // the output was full: the next round grows it
    }
    if (rc == Z_MEM_ERROR) throw Error(fmt::format("{}: out of memory while decompressing", name));
    throw Error(fmt::format("{}: corrupt gzip data ({})", name, zs.msg ? zs.msg : "inflate failed"));
  }
  if (produced > max_bytes)
    throw Error(fmt::format("{}: decompressed data is larger than the limit of {} bytes", name, max_bytes));
  out.resize(produced);
  return out;
}

}  // namespace lfmb::eval
