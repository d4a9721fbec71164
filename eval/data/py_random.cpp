// CPython 3.11's random.Random: Modules/_randommodule.c (MT19937 genrand_uint32, init_genrand,
// init_by_array, random_seed for ints, getrandbits, random_random) and Lib/random.py
// (_randbelow_with_getrandbits, randrange, randint, shuffle, sample).
#include "eval/data/py_random.h"

#include <cmath>
#include <string>
#include <unordered_set>

#include "core/error.h"

namespace lfmb::eval {

namespace {
constexpr int kN = 624;
constexpr int kM = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfu;
constexpr uint32_t kUpperMask = 0x80000000u;
constexpr uint32_t kLowerMask = 0x7fffffffu;

int bit_length(uint64_t n) {
  int k = 0;
  while (n) ++k, n >>= 1;
  return k;
}
}  // namespace

PyRandom::PyRandom(uint64_t s) { seed(s); }

PyRandom PyRandom::from_bigint_words(const std::vector<uint32_t>& words_le) {
  // CPython uses as many words as abs(n) needs (at least one): high zero words are dropped.
  std::vector<uint32_t> key = words_le;
  while (key.size() > 1 && key.back() == 0) key.pop_back();
  if (key.empty()) key.push_back(0);
  PyRandom r;
  r.init_by_array(key);
  return r;
}

void PyRandom::seed(uint64_t s) {
  std::vector<uint32_t> key{static_cast<uint32_t>(s)};
  if (s >> 32) key.push_back(static_cast<uint32_t>(s >> 32));
  init_by_array(key);
}

void PyRandom::init_genrand(uint32_t s) {
  mt_[0] = s;
  for (int i = 1; i < kN; ++i) mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<uint32_t>(i);
  mti_ = kN;
}

void PyRandom::init_by_array(const std::vector<uint32_t>& key) {
  init_genrand(19650218u);
  const size_t len = key.size();
  size_t i = 1, j = 0;
  for (size_t k = (kN > len ? kN : len); k; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525u)) + key[j] + static_cast<uint32_t>(j);
    ++i, ++j;
    if (i >= kN) mt_[0] = mt_[kN - 1], i = 1;
    if (j >= len) j = 0;
  }
  for (size_t k = kN - 1; k; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941u)) - static_cast<uint32_t>(i);
    ++i;
    if (i >= kN) mt_[0] = mt_[kN - 1], i = 1;
  }
  mt_[0] = 0x80000000u;  // MSB set: the initial state is never all zero
  mti_ = kN;
}

uint32_t PyRandom::genrand_uint32() {
  if (mti_ >= kN) {
    int kk = 0;
    uint32_t y;
    for (; kk < kN - kM; ++kk) {
      y = (mt_[kk] & kUpperMask) | (mt_[kk + 1] & kLowerMask);
      mt_[kk] = mt_[kk + kM] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
    }
    for (; kk < kN - 1; ++kk) {
      y = (mt_[kk] & kUpperMask) | (mt_[kk + 1] & kLowerMask);
      mt_[kk] = mt_[kk + (kM - kN)] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
    }
    y = (mt_[kN - 1] & kUpperMask) | (mt_[0] & kLowerMask);
    mt_[kN - 1] = mt_[kM - 1] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
    mti_ = 0;
  }
  uint32_t y = mt_[mti_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

uint64_t PyRandom::getrandbits(int k) {
  if (k < 0 || k > 64) throw Error("PyRandom::getrandbits: k must be in 0..64, got " + std::to_string(k));
  if (k == 0) return 0;
  if (k <= 32) return genrand_uint32() >> (32 - k);
  // CPython fills 32-bit words least significant first; the last word keeps its top bits.
  uint64_t low = genrand_uint32();
  uint64_t high = genrand_uint32() >> (64 - k);
  return low | (high << 32);
}

double PyRandom::random() {
  uint32_t a = genrand_uint32() >> 5, b = genrand_uint32() >> 6;
  return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

uint64_t PyRandom::randbelow(uint64_t n) {
  // Python's loop never ends for n = 0 (getrandbits(0) is 0, never < 0): refuse it.
  if (n == 0) throw Error("PyRandom::randbelow: n must be positive");
  const int k = bit_length(n);
  uint64_t r = getrandbits(k);
  while (r >= n) r = getrandbits(k);
  return r;
}

int64_t PyRandom::randrange(int64_t start, int64_t stop) {
  if (stop <= start)
    throw Error("PyRandom::randrange: empty range (" + std::to_string(start) + ", " + std::to_string(stop) + ")");
  const uint64_t width = static_cast<uint64_t>(stop) - static_cast<uint64_t>(start);
  return static_cast<int64_t>(static_cast<uint64_t>(start) + randbelow(width));
}

int64_t PyRandom::randint(int64_t a, int64_t b) {
  if (b < a) throw Error("PyRandom::randint: empty range (" + std::to_string(a) + ", " + std::to_string(b) + ")");
  if (b == INT64_MAX) throw Error("PyRandom::randint: upper bound too large");
  return randrange(a, b + 1);
}

std::vector<size_t> PyRandom::sample_indices(size_t n, size_t k) {
  if (k > n) throw Error("PyRandom::sample: sample larger than population (" + std::to_string(k) + " > " +
                         std::to_string(n) + ")");
  // Python: setsize = 21, plus 4 ** ceil(log(3k, 4)) when k > 5 (the size of a small set); math.log
  // with a base divides two natural logs in double precision, as done here.
  uint64_t setsize = 21;
  if (k > 5) {
    double e = std::ceil(std::log(static_cast<double>(k) * 3.0) / std::log(4.0));
    setsize = e >= 31 ? UINT64_MAX : setsize + (uint64_t{1} << (2 * static_cast<int>(e)));
  }
  std::vector<size_t> result(k);
  if (n <= setsize) {
    // Pool algorithm: draw from a shrinking list, moving its last live element into the hole.
    std::vector<size_t> pool(n);
    for (size_t i = 0; i < n; ++i) pool[i] = i;
    for (size_t i = 0; i < k; ++i) {
      size_t j = static_cast<size_t>(randbelow(n - i));
      result[i] = pool[j];
      pool[j] = pool[n - i - 1];
    }
  } else {
    // Rejection algorithm: redraw indices already taken.
    std::unordered_set<size_t> selected;
    for (size_t i = 0; i < k; ++i) {
      size_t j = static_cast<size_t>(randbelow(n));
      while (selected.count(j)) j = static_cast<size_t>(randbelow(n));
      selected.insert(j);
      result[i] = j;
    }
  }
  return result;
}

}  // namespace lfmb::eval
