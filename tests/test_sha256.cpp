// SHA-256 against FIPS 180-2 example vectors and Python hashlib values at the padding edges.
#include <catch2/catch.hpp>
#include <string>

#include "core/hash/sha256.h"

using lfmb::Sha256;
using lfmb::sha256_hex;

namespace {
// Bytes (i*7+3) mod 256, as the hashlib expectations below were computed from.
std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = char((i * 7 + 3) % 256);
  return s;
}
}  // namespace

TEST_CASE("sha256 matches the FIPS example vectors", "[eval-cache]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 handles lengths around the 56 and 64 byte padding edges", "[eval-cache]") {
  // Expected values: hashlib.sha256(bytes((i*7+3)%256 for i in range(n))).hexdigest(), CPython 3.11.
  const std::pair<size_t, const char*> cases[] = {
      {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
      {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
      {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
      {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
      {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
      {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
      {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
      {1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371"},
  };
  for (const auto& [n, want] : cases) {
    INFO("length " << n);
    CHECK(sha256_hex(pattern(n)) == want);
  }
}

TEST_CASE("sha256 streamed in uneven pieces equals the one-shot hash and then restarts", "[eval-cache]") {
  const std::string data = pattern(1000);
  Sha256 h;
  size_t pos = 0;
  for (size_t step = 1; pos < data.size(); step = step * 3 % 71 + 1) {
    const size_t n = std::min(step, data.size() - pos);
    h.update(data.data() + pos, n);
    pos += n;
  }
  CHECK(h.hex_digest() == "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371");
  h.update("abc");  // digest() starts over
  CHECK(h.hex_digest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
