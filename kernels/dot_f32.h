// F32 weights × float32 activations.
#pragma once
#include "kernels/matmul_tile.h"

namespace lfmb {

void gemm_f32(Isa isa, const FloatTile& t);

}  // namespace lfmb
