// Q4_0 weights (GGUF blocks as stored) × int8 dynamic activations: per block of 32,
// y += d_w · d_x · Σ (nibble − 8) · q, the integer dot computed exactly in int32.
#pragma once
#include "kernels/matmul_tile.h"

namespace lfmb {

void gemm_q4_0_q8(Isa isa, const Int8Tile& t);

// Whether the avx512 path's one-row (decode) kernel uses the byte-permute/GFNI variant, which it
// does when the CPU has AVX512-VBMI and GFNI; tests switch it off to check the plain variant too.
bool q4_0_vbmi_decode_available();
void set_q4_0_vbmi_decode(bool enabled);

}  // namespace lfmb
