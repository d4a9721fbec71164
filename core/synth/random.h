// Fast, seedable random numbers for synthetic weights. Billions of values are drawn per model,
// so this trades statistical polish for speed: xoshiro256+ for the bits and an Irwin-Hall sum
// for a bell-shaped, unit-variance, bounded (|x| < 3.47) stand-in for a normal distribution.
#pragma once
#include <cstdint>
#include <string_view>

namespace lfmb {

// splitmix64's output function: a bijective scramble that turns nearby inputs (seed, chunk
// index, ...) into unrelated 64-bit values.
inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// FNV-1a: a stable hash of a tensor name (std::hash may differ between library versions).
inline uint64_t hash_name(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ull;
  return h;
}

class Xoshiro256Plus {
 public:
  explicit Xoshiro256Plus(uint64_t seed) {
    // The state must not be all zero; successive splitmix outputs of any seed never are.
    for (auto& w : s_) w = mix64(seed += 0x9e3779b97f4a7c15ull);
  }
  uint64_t next() {
    const uint64_t result = s_[0] + s_[3];
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = (s_[3] << 45) | (s_[3] >> 19);
    return result;
  }

 private:
  uint64_t s_[4];
};

// Approximately N(0, 1) from 64 random bits: the sum of four 16-bit uniforms, centred and
// scaled to unit variance. Exactly zero-mean and symmetric. (xoshiro256+'s weak lowest bits
// only nudge the last 16-bit term by less than 2^-15 of its range.)
inline float approx_normal(uint64_t bits) {
  const int32_t sum = int32_t(bits & 0xffff) + int32_t((bits >> 16) & 0xffff) + int32_t((bits >> 32) & 0xffff) +
                      int32_t(bits >> 48);
  // Each term has variance (65536^2 - 1) / 12, so the sum has std 65536 / sqrt(3) (to 1e-10).
  constexpr float kScale = 1.7320508075688772f / 65536.0f;
  return float(sum - 131070) * kScale;
}

}  // namespace lfmb
