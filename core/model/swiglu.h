// SwiGLU (Shazeer 2020): h = silu(gate) ⊙ up, the non-linearity of the dense FFN.
#pragma once
#include <cstdint>

namespace lfmb {

// gate := silu(gate) ⊙ up over n values.
void swiglu_inplace(float* gate, const float* up, int64_t n);

}  // namespace lfmb
