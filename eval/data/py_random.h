// Python's `random.Random`, bit for bit, for the parts the official tools use: MT19937 seeded as
// CPython 3.11 seeds it from a non-negative int (random_seed in Modules/_randommodule.c),
// getrandbits, _randbelow, randrange/randint, random(), shuffle and sample over range(n) (both of
// its algorithms), so seeded shuffles, few-shot draws and random fallbacks match the official
// Python runs exactly. String seeds (version 2: str + sha512) are not supported.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace lfmb::eval {

class PyRandom {
 public:
  explicit PyRandom(uint64_t seed = 0);  // random.Random(int) for non-negative ints < 2^64
  // random.Random(n) for any non-negative int n, given as 32-bit words, least significant first
  // (the key CPython builds from abs(n); an empty list means 0).
  static PyRandom from_bigint_words(const std::vector<uint32_t>& words_le);
  void seed(uint64_t s);  // random.seed(s)

  uint32_t genrand_uint32();
  uint64_t getrandbits(int k);                     // random.getrandbits(k), 0 ≤ k ≤ 64
  double random();                                 // random.random(): 53-bit float in [0, 1)
  uint64_t randbelow(uint64_t n);                  // Random._randbelow, n > 0
  int64_t randrange(int64_t start, int64_t stop);  // random.randrange(start, stop), start < stop
  int64_t randint(int64_t a, int64_t b);           // random.randint(a, b), a ≤ b

  // random.shuffle (3.11): i from len-1 down to 1 swaps x[i] with x[_randbelow(i + 1)].
  template <class T>
  void shuffle(std::vector<T>& x) {
    for (size_t i = x.size(); i-- > 1;) std::swap(x[i], x[static_cast<size_t>(randbelow(i + 1))]);
  }
  // random.sample(range(n), k): the chosen indices in Python's order (its pool algorithm for
  // small n, its set-rejection algorithm otherwise, with the same threshold).
  std::vector<size_t> sample_indices(size_t n, size_t k);

 private:
  void init_genrand(uint32_t s);
  void init_by_array(const std::vector<uint32_t>& key);
  uint32_t mt_[624];
  int mti_ = 625;
};

}  // namespace lfmb::eval
