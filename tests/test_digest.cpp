// SHA-256 (FIPS 180-2 appendix vectors) and MD5 (RFC 1321 §A.5 suite); other values from
// Python's hashlib.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "core/error.h"
#include "core/io/digest.h"
#include "test_support.h"

using namespace lfmb;

TEST_CASE("SHA-256 known vectors", "[eval-choice]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(sha256_hex("Ünïcødé 答案") ==
        "2c34159daae788339072c1b0e55aae5924ba3b98b5cb50d1d772aef54b02bf53");
}

TEST_CASE("MD5 RFC 1321 test suite", "[eval-choice]") {
  CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(md5_hex("a") == "0cc175b9c0f1b6a831c399e269772661");
  CHECK(md5_hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(md5_hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
  CHECK(md5_hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
  CHECK(md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
        "d174ab98d277d9f5a5611c2c9f419d9f");
  CHECK(md5_hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890") ==
        "57edf4a22be3c955ac49da2e2107b67a");
  CHECK(md5_hex("Ünïcødé 答案") == "22609e14b7f8418fe5b547ea431d30a5");
}

TEST_CASE("Digest padding at block-boundary lengths", "[eval-choice]") {
  // 55 and 56 bytes straddle the one-block padding limit, 64 and 120 the block and two-block edges.
  struct Case { size_t n; const char* sha; const char* md5; };
  const Case cases[] = {
      {55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072", "04364420e25c512fd958a70738aa8f72"},
      {56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e", "668a72d5ba17f08e62dabcafad6db14b"},
      {63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2", "7dc2ca208106a2f703567bdff99d8981"},
      {64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c", "c1bb4f81d892b2d57947682aeb252456"},
      {119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c", "ab347a5f68c8a443cfcddc633f12c24f"},
      {120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98", "fb98667f98096de92620b64f46e1c5b5"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.n);
    CHECK(sha256_hex(std::string(c.n, 'x')) == c.sha);
    CHECK(md5_hex(std::string(c.n, 'x')) == c.md5);
  }
}

TEST_CASE("Digests streamed in uneven pieces equal one-shot digests", "[eval-choice]") {
  std::string data;
  for (size_t i = 0; i < 5000; ++i) data += static_cast<char>((i * 31 + 7) % 251);
  Sha256 s;
  Md5 m;
  size_t pos = 0;
  for (size_t step = 1; pos < data.size(); step = step * 3 % 197 + 1) {
    size_t n = std::min(step, data.size() - pos);
    s.update(data.data() + pos, n);
    m.update(std::string_view(data).substr(pos, n));
    pos += n;
  }
  CHECK(s.hex_finish() == sha256_hex(data));
  CHECK(m.hex_finish() == md5_hex(data));
  CHECK_THROWS_AS(s.update("x"), Error);
  CHECK_THROWS_AS(m.finish(), Error);
}

TEST_CASE("File digests read larger-than-buffer files", "[eval-choice]") {
  // 2 MiB + 1007 bytes: two full 1 MiB reads and a partial one.
  std::string data;
  for (size_t i = 0; i < 2 * 1024 * 1024 + 1007; ++i) data += static_cast<char>((i * 31 + 7) % 251);
  const std::string path = test::temp_dir() + "/digest_input.bin";
  std::ofstream(path, std::ios::binary) << data;
  CHECK(sha256_file_hex(path) == "d758457b730faba3b75313106c67cabcc5324128a3e7ad784132c73bdac82468");
  CHECK(md5_file_hex(path) == "d3f78c45823ca7a059465eea4810fa92");
  try {
    sha256_file_hex(path + ".missing");
    FAIL("no error for a missing file");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("digest_input.bin.missing") != std::string::npos);
  }
}
