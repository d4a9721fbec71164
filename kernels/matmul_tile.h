// The common shape of every weight kernel: a tile of y = x · Wᵀ for nw consecutive stored weight
// rows and nx activation rows. Kernels walk the tile in register blocks of RW weight rows × RX
// activation rows, so each weight block loaded from memory is used RX times (prefill) and each
// activation block RW times; with nx = 1 (decode) RW rows run as independent streams.
// Those rows are too short for the hardware prefetcher to ramp up, so the int8 kernels prefetch
// each block at the same place 2·RW rows further on (contiguous data, about one memory latency
// ahead). The AVX2 int8 decode kernels (Q4_0, Q8_0) instead use DecodeStreams below.
#pragma once
#include <xmmintrin.h>

#include <algorithm>
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

// The kernels prefetch rows ahead of the rows they compute, so a tile's first rows would be
// demand misses: decode splits each matrix into many tiles (threads × tasks, and the MoE's experts),
// so that start-up latency recurs. Ask for those rows all at once instead (measured: one-row
// expert_gate_up 28–32 → 35–41 GB/s, alternating runs on a busy host).
inline void prefetch_rows(const Int8Tile& t, int64_t first, int64_t rows) {
  rows = std::min(rows, t.nw - first);
  for (int64_t r = first; r < first + rows; ++r)
    for (size_t off = 0; off < t.w_stride; off += 64)
      _mm_prefetch(reinterpret_cast<const char*>(t.w + size_t(r) * t.w_stride + off), _MM_HINT_T0);
}

// Decode's row order for the AVX2 int8 kernels (one activation row: every weight byte is used
// once, so the speed is how well the reads keep memory busy). The 4 rows of a register block come
// from the tile's 4 quarters — rows r, r + q, r + 2q, r + 3q — so each stream walks its quarter in
// address order, a run the hardware prefetchers follow, topped up by a software prefetch `ahead`
// bytes (1.5 rows) further along each stream; the last nw mod 4 rows follow one by one. (4
// adjacent rows instead are 4 runs of one row each: the prefetchers never ramp up and only the
// software prefetch keeps reads in flight. Measured, alternating builds: Q4_0 expert_gate_up at
// one row 1.44–1.69 → 1.22–1.37× a streaming read, Q8_0 1.17–1.38 → 0.87–1.14× in bench_kernels;
// LFM2-8B-A1B Q4_0 tg32 19.0 → 20.5–21.0 t/s in `lfmb bench`.)
struct DecodeStreams {
  static constexpr int kStreams = 4;
  int64_t q;     // rows per stream: block r holds rows r + j·q, r < q
  size_t ahead;  // prefetch distance within a stream, bytes

  // Also asks for each stream's first rows, which the in-loop prefetch starts past.
  explicit DecodeStreams(const Int8Tile& t) : q(t.nw / kStreams), ahead(3 * t.w_stride / 2) {
    for (int64_t j = 0; j < (q > 0 ? kStreams : 0); ++j) prefetch_rows(t, j * q, std::min<int64_t>(2, q));
  }
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
