// BF16 weights × float32 activations. On CPUs with AVX-512 BF16 the products run on vdpbf16ps:
// each activation is split into two bf16 terms, x ≈ hi + lo with hi = bf16(x), lo = bf16(x − hi),
// which leaves a relative error ≤ 2⁻¹⁸ per product (float-level accuracy for a float model) while
// two vdpbf16ps cost no more than one fp32 FMA per value. Elsewhere weights are widened to float.
#pragma once
#include "kernels/matmul_tile.h"

namespace lfmb {

// Fills hi/lo (count values each) from x, for FloatTile::x_hi / x_lo.
void split_bf16(const float* x, int64_t count, uint16_t* hi, uint16_t* lo);

// Uses t.x_hi/t.x_lo when has_bf16_dot(isa) (they must be set then), t.x otherwise.
void gemm_bf16(Isa isa, const FloatTile& t);

}  // namespace lfmb
