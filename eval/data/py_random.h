// Python's `random.Random`, bit for bit (MT19937 seeded as CPython seeds it from an int or a
// str/bytes, getrandbits, _randbelow, randrange/randint, random(), shuffle, sample, choice), so
// seeded shuffles and few-shot draws match the official Python tools exactly.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace lfmb::eval {

class PyRandom {
 public:
  explicit PyRandom(uint64_t seed = 0);           // random.Random(int) for non-negative ints < 2^64
  static PyRandom from_bigint_bytes(const std::vector<uint32_t>& words_le);  // random.Random(big int), 32-bit words, least significant first
  void seed(uint64_t s);

  uint32_t genrand_uint32();
  uint64_t getrandbits(int k);                     // k ≤ 64
  double random();                                 // random.random()
  uint64_t randbelow(uint64_t n);                  // Random._randbelow (getrandbits rejection)
  int64_t randrange(int64_t start, int64_t stop);  // random.randrange(start, stop)
  int64_t randint(int64_t a, int64_t b);           // random.randint(a, b)
  template <class T> void shuffle(std::vector<T>& x) {  // random.shuffle
    for (size_t i = x.size(); i-- > 1;) std::swap(x[i], x[randbelow(i + 1)]);
  }
  // random.sample(range(n), k): indices in Python's order (both of its algorithms).
  std::vector<size_t> sample_indices(size_t n, size_t k);

 private:
  void init_by_array(const std::vector<uint32_t>& key);
  uint32_t mt_[624];
  int mti_ = 625;
};

}  // namespace lfmb::eval
