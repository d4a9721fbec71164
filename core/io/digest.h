// SHA-256 (FIPS 180-4) and MD5 (RFC 1321) hex digests of strings and files, streamed in blocks so
// a multi-gigabyte model file needs no more memory than a read buffer: model hashes in results,
// document hashes, cache keys, and the md5-seeded option shuffles of the official GPQA tools.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lfmb {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  void update(const void* data, size_t size);
  std::array<uint8_t, 32> finish();  // pads and returns the digest; the object is then spent
  std::string hex_finish();          // finish() as lowercase hex (hashlib's hexdigest())

 private:
  void compress(const uint8_t* block);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;  // bytes
  bool finished_ = false;
};

class Md5 {
 public:
  Md5();
  void update(std::string_view data);
  void update(const void* data, size_t size);
  std::array<uint8_t, 16> finish();
  std::string hex_finish();

 private:
  void compress(const uint8_t* block);
  uint32_t s_[4];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
  bool finished_ = false;
};

std::string sha256_hex(std::string_view data);
std::string md5_hex(std::string_view data);
// Whole file, read in 1 MiB blocks. Throws lfmb::Error naming the path when it cannot be read.
std::string sha256_file_hex(const std::string& path);
std::string md5_file_hex(const std::string& path);

std::string to_hex(const uint8_t* bytes, size_t n);  // lowercase

}  // namespace lfmb
