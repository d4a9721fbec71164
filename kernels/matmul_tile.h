// The common shape of every weight kernel: a tile of y = x · Wᵀ for nw consecutive stored weight
// rows and nx activation rows. Kernels walk the tile in register blocks of RW weight rows × RX
// activation rows, so each weight block loaded from memory is used RX times (prefill) and each
// activation block RW times; with nx = 1 (decode) RW rows run as independent streams.
// Those rows are too short for the hardware prefetcher to ramp up, so the int8 kernels prefetch
// each block at the same place 2·RW rows further on (contiguous data, about one memory latency
// ahead). The AVX2 Q4_0 decode kernel instead takes its RW rows from RW far-apart parts of the
// tile, so each stream is long (see dot_q4_0_q8.cpp).
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/quantize_activations.h"

namespace lfmb {

// Weights: nw rows of a stored GGUF matrix starting at w, w_stride bytes apart.
// Output: y[i · ldy + j] = dot(activation row x0 + i, weight row j), i < nx, j < nw.
struct Int8Tile {
  const uint8_t* w;
  size_t w_stride;
  int64_t nw;
  const QuantizedActivations* a;
  int64_t x0, nx;
  float* y;
  int64_t ldy;
};

// Float activations: nx rows of n floats, ldx apart. For BF16 weights on the vdpbf16ps path the
// activations are also given split as hi + lo bf16 parts (see dot_bf16.h); otherwise null.
struct FloatTile {
  const uint8_t* w;
  size_t w_stride;
  int64_t nw;
  const float* x;
  int64_t ldx;
  int64_t nx;
  int64_t n;
  float* y;
  int64_t ldy;
  const uint16_t* x_hi = nullptr;  // nx × n bf16, same layout as x
  const uint16_t* x_lo = nullptr;
};

// Walks a tile in RW × RX register blocks (remainders with 1-row blocks). K provides
// `template <int RW, int RX> static void block(const Tile&, int64_t w, int64_t x)`.
template <class K, int RW, int RX, class Tile>
void drive_tile(const Tile& t) {
  int64_t w = 0;
  for (; w + RW <= t.nw; w += RW) {
    int64_t x = 0;
    for (; x + RX <= t.nx; x += RX) K::template block<RW, RX>(t, w, x);
    for (; x < t.nx; ++x) K::template block<RW, 1>(t, w, x);
  }
  for (; w < t.nw; ++w) {
    int64_t x = 0;
    for (; x + RX <= t.nx; x += RX) K::template block<1, RX>(t, w, x);
    for (; x < t.nx; ++x) K::template block<1, 1>(t, w, x);
  }
}

}  // namespace lfmb
