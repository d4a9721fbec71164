// Q4_0 weights (GGUF blocks as stored) × int8 dynamic activations: per block of 32,
// y += d_w · d_x · Σ (nibble − 8) · q, the integer dot computed exactly in int32.
#pragma once
#include "kernels/matmul_tile.h"

namespace lfmb {

void gemm_q4_0_q8(Isa isa, const Int8Tile& t);

}  // namespace lfmb
