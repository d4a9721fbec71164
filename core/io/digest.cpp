// SHA-256 after FIPS 180-4 §4.1.2, §4.2.2, §5.1.1, §6.2; MD5 after RFC 1321 §3.
#include "core/io/digest.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#include "core/error.h"

namespace lfmb {

namespace {

uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

// First 32 bits of the fractional parts of the cube roots of the first 64 primes.
constexpr uint32_t kSha256K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// MD5: per-round left rotations, and T[i] = floor(2^32 * |sin(i + 1)|) (RFC 1321 §3.4).
constexpr int kMd5Shift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                               5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                               4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                               6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

const std::array<uint32_t, 64>& md5_table() {
  static const std::array<uint32_t, 64> t = [] {
    std::array<uint32_t, 64> v{};
    for (int i = 0; i < 64; ++i) v[i] = static_cast<uint32_t>(std::floor(std::fabs(std::sin(i + 1.0)) * 4294967296.0));
    return v;
  }();
  return t;
}

// Buffers input into 64-byte blocks for either hash.
template <class Compress>
void absorb(uint8_t* buf, size_t& buf_len, uint64_t& total, const uint8_t* p, size_t n, Compress compress) {
  total += n;
  if (buf_len) {
    size_t take = std::min(n, 64 - buf_len);
    std::memcpy(buf + buf_len, p, take);
    buf_len += take, p += take, n -= take;
    if (buf_len < 64) return;
    compress(buf);
    buf_len = 0;
  }
  for (; n >= 64; p += 64, n -= 64) compress(p);
  std::memcpy(buf, p, n);
  buf_len = n;
}

template <class Hasher>
std::string file_hex(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
  Hasher h;
  std::vector<uint8_t> block(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, block.data(), block.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      throw Error(path + ": cannot read: " + std::strerror(e));
    }
    if (n == 0) break;
    h.update(block.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  return h.hex_finish();
}

}  // namespace

std::string to_hex(const uint8_t* bytes, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s(2 * n, '0');
  for (size_t i = 0; i < n; ++i) s[2 * i] = digits[bytes[i] >> 4], s[2 * i + 1] = digits[bytes[i] & 15];
  return s;
}

// ---- SHA-256 ----

Sha256::Sha256()
    : h_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19} {}

void Sha256::compress(const uint8_t* b) {
  uint32_t w[64];
  for (int t = 0; t < 16; ++t)
    w[t] = uint32_t(b[4 * t]) << 24 | uint32_t(b[4 * t + 1]) << 16 | uint32_t(b[4 * t + 2]) << 8 | b[4 * t + 3];
  for (int t = 16; t < 64; ++t) {
    uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = h_[0], b_ = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
  for (int t = 0; t < 64; ++t) {
    uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kSha256K[t] + w[t];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b_) ^ (a & c) ^ (b_ & c));
    h = g, g = f, f = e, e = d + t1, d = c, c = b_, b_ = a, a = t1 + t2;
  }
  h_[0] += a, h_[1] += b_, h_[2] += c, h_[3] += d, h_[4] += e, h_[5] += f, h_[6] += g, h_[7] += h;
}

void Sha256::update(std::string_view data) { update(data.data(), data.size()); }

void Sha256::update(const void* data, size_t size) {
  if (finished_) throw Error("Sha256::update after finish");
  absorb(buf_, buf_len_, total_, static_cast<const uint8_t*>(data), size, [this](const uint8_t* b) { compress(b); });
}

std::array<uint8_t, 32> Sha256::finish() {
  if (finished_) throw Error("Sha256::finish called twice");
  // Padding: 0x80, zeros to 56 mod 64, then the message length in bits, big-endian.
  const uint64_t bits = total_ * 8;
  uint8_t pad[72] = {0x80};
  size_t pad_len = (buf_len_ < 56 ? 56 : 120) - buf_len_;
  for (int i = 0; i < 8; ++i) pad[pad_len + i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  update(pad, pad_len + 8);
  finished_ = true;
  std::array<uint8_t, 32> out{};
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<uint8_t>(h_[i] >> (24 - 8 * j));
  return out;
}

std::string Sha256::hex_finish() {
  auto d = finish();
  return to_hex(d.data(), d.size());
}

// ---- MD5 ----

Md5::Md5() : s_{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476} {}

void Md5::compress(const uint8_t* b) {
  const auto& T = md5_table();
  uint32_t x[16];
  for (int i = 0; i < 16; ++i)
    x[i] = uint32_t(b[4 * i]) | uint32_t(b[4 * i + 1]) << 8 | uint32_t(b[4 * i + 2]) << 16 | uint32_t(b[4 * i + 3]) << 24;
  uint32_t a = s_[0], bb = s_[1], c = s_[2], d = s_[3];
  for (int i = 0; i < 64; ++i) {
    uint32_t f;
    int k;
    if (i < 16) f = (bb & c) | (~bb & d), k = i;
    else if (i < 32) f = (bb & d) | (c & ~d), k = (5 * i + 1) & 15;
    else if (i < 48) f = bb ^ c ^ d, k = (3 * i + 5) & 15;
    else f = c ^ (bb | ~d), k = (7 * i) & 15;
    uint32_t next = bb + rotl(a + f + x[k] + T[i], kMd5Shift[i]);
    a = d, d = c, c = bb, bb = next;
  }
  s_[0] += a, s_[1] += bb, s_[2] += c, s_[3] += d;
}

void Md5::update(std::string_view data) { update(data.data(), data.size()); }

void Md5::update(const void* data, size_t size) {
  if (finished_) throw Error("Md5::update after finish");
  absorb(buf_, buf_len_, total_, static_cast<const uint8_t*>(data), size, [this](const uint8_t* b) { compress(b); });
}

std::array<uint8_t, 16> Md5::finish() {
  if (finished_) throw Error("Md5::finish called twice");
  // As SHA-256's padding, but the bit length is little-endian.
  const uint64_t bits = total_ * 8;
  uint8_t pad[72] = {0x80};
  size_t pad_len = (buf_len_ < 56 ? 56 : 120) - buf_len_;
  for (int i = 0; i < 8; ++i) pad[pad_len + i] = static_cast<uint8_t>(bits >> (8 * i));
  update(pad, pad_len + 8);
  finished_ = true;
  std::array<uint8_t, 16> out{};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<uint8_t>(s_[i] >> (8 * j));
  return out;
}

std::string Md5::hex_finish() {
  auto d = finish();
  return to_hex(d.data(), d.size());
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex_finish();
}

std::string md5_hex(std::string_view data) {
  Md5 h;
  h.update(data);
  return h.hex_finish();
}

std::string sha256_file_hex(const std::string& path) { return file_hex<Sha256>(path); }
std::string md5_file_hex(const std::string& path) { return file_hex<Md5>(path); }

}  // namespace lfmb
