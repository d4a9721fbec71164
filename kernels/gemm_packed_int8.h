// The int8 GEMM for Q4_0 / Q8_0 weights (prefill, decode and batched decode): y = x · Wᵀ over
// weights repacked in groups of 16 rows (kernels/packed_int8_weights.h) and int8 activations
// (kernels/quantize_activations.h). Per block of 32 the integer dot is exact in int32 (vpdpbusd,
// or maddubs + madd without VNNI), then scaled by d_w · d_x and accumulated in float block after
// block, as the tile kernels (matmul_tile) compute it. Every register block does the same steps per
// output, so an output does not depend on which other rows or groups share the call.
#pragma once
#include <cstdint>
#include <string_view>

#include "kernels/cpu_features.h"
#include "kernels/packed_int8_weights.h"
#include "kernels/quantize_activations.h"

namespace lfmb {

// Instruction paths, each a kernel of its own: 512-bit AVX-512 VNNI; 256-bit AVX-VNNI; 256-bit
// AVX2 (maddubs + madd); portable C++.
enum class Int8GemmPath { Scalar, Avx2, AvxVnni, Avx512Vnni };

// The path an ISA level uses on this CPU: avx512 → Avx512Vnni; avx2 → AvxVnni when the CPU has it,
// else Avx2; scalar → Scalar.
Int8GemmPath int8_gemm_path(Isa isa);
bool int8_gemm_path_supported(Int8GemmPath p);
std::string_view int8_gemm_path_name(Int8GemmPath p);  // "avx512-vnni", "avx-vnni", "avx2", "scalar"

// y[i · ldy + j] = dot(activation row x0 + i, weight row 16·g0 + j) for i < nx and every row j of
// groups [g0, g1) of matrix `mat` that exists (< n_out). `a` must be quantised from rows of n_in values.
void gemm_packed_int8(Int8GemmPath path, const PackedInt8Weights& w, int64_t mat, int64_t g0, int64_t g1,
                      const QuantizedActivations& a, int64_t x0, int64_t nx, float* y, int64_t ldy);

}  // namespace lfmb
