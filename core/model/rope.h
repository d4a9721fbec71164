// Rotary position embedding, NeoX layout (Su et al. 2021; the "rotate halves" variant): dimension
// i is paired with i + head_dim/2 and rotated by pos · theta^(−2i/head_dim).
#pragma once
#include <cstdint>

namespace lfmb {

// Rotates n_heads heads of head_dim values at `v` in place for position pos.
void rope_neox(float* v, int64_t n_heads, int64_t head_dim, int64_t pos, float theta);

}  // namespace lfmb
