// F16 weights × float32 activations: weights widened with F16C (vcvtph2ps), float FMA.
#pragma once
#include "kernels/matmul_tile.h"

namespace lfmb {

void gemm_f16(Isa isa, const FloatTile& t);

}  // namespace lfmb
