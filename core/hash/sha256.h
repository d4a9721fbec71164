// SHA-256 (FIPS 180-4): content hashes for model files and for the eval response cache's keys.
// Written from the standard; streaming, so a multi-GB model file need not sit in memory.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lfmb {

class Sha256 {
 public:
  Sha256() { reset(); }
  void update(const void* data, size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Finishes the hash of everything given so far, then starts over.
  std::array<uint8_t, 32> digest();
  std::string hex_digest();  // lowercase, 64 characters
  void reset();

 private:
  void compress(const uint8_t* block);
  std::array<uint32_t, 8> state_{};
  std::array<uint8_t, 64> block_{};
  size_t block_len_ = 0;
  uint64_t total_bytes_ = 0;
};

// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace lfmb
