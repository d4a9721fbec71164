// PyRandom against values computed with CPython 3.11's random.Random (/usr/bin/python3).
#include <catch2/catch.hpp>

#include <cstdint>
#include <numeric>
#include <vector>

#include "core/error.h"
#include "eval/data/py_random.h"

using lfmb::eval::PyRandom;

namespace {

struct SeedCase {
  uint64_t seed;
  double random1;
  uint32_t bits32;
  uint64_t bits64;
  uint32_t bits7;
  uint64_t bits40;
  int64_t randint_1_6, randint_0_9, randrange_big;
  std::vector<int> shuffled10;
  std::vector<size_t> sample_100_5, sample_5_3, sample_1000_30, sample_30_10;
  double random2;
};

// One generator per seed, calls in this order:
//   random(), getrandbits(32), getrandbits(64), getrandbits(7), getrandbits(40), randint(1,6),
//   randint(0,9), randrange(-5,1000000007), shuffle(list(range(10))), sample(range(100),5),
//   sample(range(5),3), sample(range(1000),30), sample(range(30),10), random()
const std::vector<SeedCase> kSeedCases = {
  {0ull, 0.8444218515250481, 3255389356u, 7758176404715800194ull, 5u, 1061968961082ull, 5, 7, 434794713, {2,0,3,8,6,1,9,5,7,4}, {96,12,79,32,68}, {4,1,3}, {101,747,75,920,870,700,338,483,573,103,362,444,323,625,655,934,209,989,565,488,453,886,533,266,63,824,940,561,937,14}, {2,23,26,12,22,21,20,0,19,15}, 0.8280632784038988},
  {1ull, 0.13436424411240122, 3639700191u, 14089154938208861744ull, 8u, 129944532028ull, 4, 7, 507069459, {7,5,2,4,9,0,8,1,3,6}, {89,57,34,92,29}, {4,0,1}, {31,22,26,665,554,9,961,902,390,702,221,992,432,743,29,540,227,782,448,507,566,238,353,236,693,224,779,470,975,296}, {29,0,13,26,17,20,3,5,24,9}, 0.12088995980580641},
  {42ull, 0.6394267984578837, 107420369u, 5073395517033431291ull, 31u, 151282538206ull, 6, 1, 726600534, {3,2,4,9,5,7,0,6,1,8}, {71,25,91,83,89}, {4,3,0}, {459,603,284,828,890,6,777,825,163,714,432,348,159,220,980,781,344,104,94,389,99,367,867,352,618,270,826,44,747,470}, {17,3,12,2,29,9,20,19,11,18}, 0.1922885902566599},
  {1234ull, 0.9664535356921388, 1892932127u, 138193304849869414ull, 11u, 1038999730288ull, 5, 0, 721085791, {3,2,6,4,7,0,8,5,9,1}, {78,59,19,11,23}, {0,4,2}, {498,901,988,255,66,683,554,934,477,70,615,691,91,527,592,47,276,844,569,64,660,309,492,870,363,272,671,955,204,464}, {28,16,21,0,29,2,26,10,4,15}, 0.6573544992308873},
  {12345ull, 0.41661987254534116, 43676229u, 15222373233177589868ull, 102u, 937585518914ull, 3, 3, 290173181, {1,5,4,8,3,0,7,2,6,9}, {78,70,23,45,94}, {0,3,2}, {516,170,151,210,736,79,194,857,349,329,24,469,347,27,990,522,707,762,425,3,6,962,679,891,167,789,594,183,293,101}, {20,13,3,21,18,5,23,12,7,16}, 0.5959983222885908},
  {4294967301ull, 0.15727238718789782, 1213270837u, 11150208843425918570ull, 106u, 386609434369ull, 6, 2, 834945576, {0,6,9,4,1,8,2,3,5,7}, {99,79,97,17,53}, {4,0,2}, {116,379,193,710,638,293,950,587,891,309,440,518,252,555,22,606,236,883,172,615,932,253,24,465,867,249,374,214,195,160}, {14,0,18,19,4,17,2,20,13,25}, 0.11737161223722314},
  {9223372036854775808ull, 0.5534639983914199, 4039908392u, 4464007219575713352ull, 124u, 553412063771ull, 1, 5, 809630600, {6,2,0,7,1,9,3,4,8,5}, {45,70,99,20,93}, {1,2,3}, {679,412,373,343,432,910,708,115,901,966,359,769,280,41,265,574,245,310,877,152,845,652,756,600,390,401,378,198,168,134}, {8,20,12,25,7,5,13,27,28,4}, 0.19139656589498777},
};

}  // namespace

TEST_CASE("PyRandom matches CPython for seeds 0 1 42 1234 12345 2^32+5 2^63", "[eval-choice]") {
  for (const SeedCase& c : kSeedCases) {
    CAPTURE(c.seed);
    PyRandom r(c.seed);
    CHECK(r.random() == c.random1);  // exact: same bits, same arithmetic
    CHECK(r.getrandbits(32) == c.bits32);
    CHECK(r.getrandbits(64) == c.bits64);
    CHECK(r.getrandbits(7) == c.bits7);
    CHECK(r.getrandbits(40) == c.bits40);
    CHECK(r.randint(1, 6) == c.randint_1_6);
    CHECK(r.randint(0, 9) == c.randint_0_9);
    CHECK(r.randrange(-5, 1000000007) == c.randrange_big);
    std::vector<int> x(10);
    std::iota(x.begin(), x.end(), 0);
    r.shuffle(x);
    CHECK(x == c.shuffled10);
    CHECK(r.sample_indices(100, 5) == c.sample_100_5);
    CHECK(r.sample_indices(5, 3) == c.sample_5_3);
    CHECK(r.sample_indices(1000, 30) == c.sample_1000_30);
    CHECK(r.sample_indices(30, 10) == c.sample_30_10);
    CHECK(r.random() == c.random2);
  }
}

TEST_CASE("PyRandom raw words and getrandbits word order", "[eval-choice]") {
  PyRandom r(0);
  CHECK(r.genrand_uint32() == 3626764237u);
  CHECK(r.genrand_uint32() == 1654615998u);
  CHECK(r.genrand_uint32() == 3255389356u);
  // k = 33: the first word is the low 32 bits, the second contributes its top bit.
  PyRandom s(0);
  CHECK(s.getrandbits(33) == 3626764237ull);
  CHECK(s.getrandbits(1) == 1u);
  CHECK(s.getrandbits(0) == 0u);  // consumes nothing
  CHECK(s.getrandbits(63) == 3879088202122200706ull);
  // 700 draws cross a twist of the 624-word state.
  PyRandom t(99);
  for (int i = 0; i < 700; ++i) t.genrand_uint32();
  CHECK(t.genrand_uint32() == 3611642935u);
}

TEST_CASE("PyRandom seeding from big ints and reseeding", "[eval-choice]") {
  // random.Random(2**64 + 7): key [7, 0, 1].
  PyRandom big = PyRandom::from_bigint_words({7, 0, 1});
  CHECK(big.getrandbits(32) == 4134331577u);
  CHECK(big.random() == 0.0848753774706359);
  // High zero words are not part of CPython's key: 2**32+5 as three words equals the uint64 seed.
  PyRandom a = PyRandom::from_bigint_words({5, 1, 0});
  PyRandom b(4294967301ull);
  CHECK(a.random() == b.random());
  // random.Random(-5) seeds with abs(-5); seed() restarts the stream.
  PyRandom c(5);
  CHECK(c.random() == 0.6229016948897019);
  c.seed(5);
  CHECK(c.random() == 0.6229016948897019);
  CHECK(PyRandom::from_bigint_words({}).random() == 0.8444218515250481);  // 0
}

TEST_CASE("PyRandom randint randrange over wide and negative ranges", "[eval-choice]") {
  PyRandom r(3);
  CHECK(r.randint(0, int64_t{1} << 40) == 285805288266);
  CHECK(r.randint(0, int64_t{1} << 40) == 1041975902461);
  CHECK(r.randint(0, int64_t{1} << 40) == 1034389053353);
  CHECK(r.randrange(-10, -3) == -8);
  CHECK_THROWS_AS(r.randrange(4, 4), lfmb::Error);
  CHECK_THROWS_AS(r.randint(2, 1), lfmb::Error);
  CHECK_THROWS_AS(r.randbelow(0), lfmb::Error);
  CHECK_THROWS_AS(r.getrandbits(65), lfmb::Error);
}

TEST_CASE("PyRandom sample switches algorithm at Python's setsize", "[eval-choice]") {
  // k <= 5: setsize 21; k = 6: 21 + 4**ceil(log(18, 4)) = 85. Values from random.Random(7).sample.
  auto s = [](size_t n, size_t k) { return PyRandom(7).sample_indices(n, k); };
  CHECK(s(21, 5) == std::vector<size_t>{10, 4, 12, 1, 2});       // pool
  CHECK(s(22, 5) == std::vector<size_t>{10, 4, 12, 20, 1});      // set rejection
  CHECK(s(85, 6) == std::vector<size_t>{41, 19, 50, 6, 9, 68});  // pool
  CHECK(s(86, 6) == std::vector<size_t>{41, 19, 50, 83, 6, 9});  // set rejection
  CHECK(s(10, 0).empty());
  CHECK(s(7, 7) == std::vector<size_t>{2, 1, 3, 0, 4, 6, 5});
  CHECK_THROWS_AS(s(3, 4), lfmb::Error);
}
