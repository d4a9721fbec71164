// Dynamic int8 quantisation of float activation rows, per block of 32 values, for the Q4_0/Q8_0
// weight kernels: scale d = max|x| / 127 stored rounded to fp16 (as Q8_0 blocks and llama.cpp's
// x86 activation path do), q = round-to-nearest-even(x · 127 / max|x|). Every ISA path produces
// byte-identical output, so the int8 kernels compute exactly the same quantised math everywhere.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/cpu_features.h"

namespace lfmb {

struct QuantizedActivations {
  int64_t n_rows = 0;
  int64_t n = 0;                 // values per row, a multiple of 32
  std::vector<int8_t> qs;        // n_rows × n
  std::vector<float> d;          // n_rows × n/32 block scales (fp16-exact values)
  // −8 · Σ q over each block: the AVX-512 Q4_0 kernel multiplies the unsigned nibbles (0..15) and
  // adds this to get Σ (nibble − 8) · q exactly, saving the signed conversion per weight block
  // (the AVX2 kernel subtracts 8 · q per lane instead, as the reference engine does).
  std::vector<int32_t> q4_bias;

  int64_t blocks_per_row() const { return n / 32; }
  void resize(int64_t rows, int64_t values);  // keeps capacity for reuse across calls
  const int8_t* row_qs(int64_t r) const { return qs.data() + r * n; }
  const float* row_d(int64_t r) const { return d.data() + r * blocks_per_row(); }
  const int32_t* row_bias(int64_t r) const { return q4_bias.data() + r * blocks_per_row(); }
  // Copies row `src_row` of `src` into row `dst_row` (used to gather the tokens of one expert).
  void copy_row_from(const QuantizedActivations& src, int64_t src_row, int64_t dst_row);
};

// Quantises row r of out from n floats at x (n a multiple of 32).
void quantize_activation_row(Isa isa, const float* x, QuantizedActivations& out, int64_t r);
// Resizes out to n_rows × n and quantises every row (x is row-major with n values per row).
void quantize_activations(Isa isa, const float* x, int64_t n_rows, int64_t n, QuantizedActivations& out);

}  // namespace lfmb
