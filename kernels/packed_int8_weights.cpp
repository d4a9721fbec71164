#include "kernels/packed_int8_weights.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/error.h"

namespace lfmb {

size_t PackedInt8Weights::group_bytes(TensorType type, int64_t n_in) {
  const size_t nb = size_t(n_in / 32);
  const size_t quants = nb * (type == TensorType::Q4_0 ? 256 : 512);
  const size_t scales = (nb * kRows * 2 + 63) / 64 * 64;  // keeps every group 64-byte aligned
  return quants + scales;
}

uint64_t PackedInt8Weights::bytes_for(TensorType type, int64_t n_out, int64_t n_in, int64_t n_mats) {
  return uint64_t(n_mats) * uint64_t((n_out + kRows - 1) / kRows) * group_bytes(type, n_in);
}

PackedInt8Weights::PackedInt8Weights(TensorType type, const uint8_t* stored, size_t row_stride, int64_t n_out,
                                     int64_t n_in, int64_t n_mats)
    : type_(type), stored_(stored), row_stride_(row_stride), n_out_(n_out), n_in_(n_in), n_mats_(n_mats) {
  if (type != TensorType::Q4_0 && type != TensorType::Q8_0)
    throw Error("internal: only Q4_0 and Q8_0 weights are packed for the int8 GEMM, not " +
                std::string(tensor_type_name(type)));
  if (n_in % 32 != 0) throw Error("internal: packed int8 weights need whole blocks of 32");
  mem_ = AnonymousMapping(size_t(bytes_for(type, n_out, n_in, n_mats)));  // zero-filled: padding rows stay 0
}

void PackedInt8Weights::pack_group(int64_t mat, int64_t g) {
  const int64_t nb = blocks();
  uint8_t* q = mem_.data() + group_offset(mat, g);
  uint16_t* d = reinterpret_cast<uint16_t*>(q + size_t(nb) * quant_block_bytes());
  const int64_t rows = std::min(kRows, n_out_ - g * kRows);
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t* row = stored_ + (size_t(mat) * size_t(n_out_) + size_t(g * kRows + r)) * row_stride_;
    for (int64_t b = 0; b < nb; ++b) {
      uint8_t* out = q + size_t(b) * quant_block_bytes() + size_t(r) * 4;
      if (type_ == TensorType::Q4_0) {
        const auto& blk = reinterpret_cast<const BlockQ4_0*>(row)[b];
        for (int m = 0; m < 4; ++m) std::memcpy(out + m * 64, blk.qs + 4 * m, 4);
        d[b * kRows + r] = blk.d;
      } else {
        const auto& blk = reinterpret_cast<const BlockQ8_0*>(row)[b];
        for (int m = 0; m < 8; ++m)
          for (int e = 0; e < 4; ++e) out[m * 64 + e] = uint8_t(int(blk.qs[4 * m + e]) + 128);
        d[b * kRows + r] = blk.d;
      }
    }
  }
}

void PackedInt8Weights::pack_all() {
  for (int64_t mat = 0; mat < n_mats_; ++mat)
    for (int64_t g = 0; g < groups(); ++g) pack_group(mat, g);
}

}  // namespace lfmb
