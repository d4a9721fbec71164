// Q4_0 / Q8_0 weights repacked once at load for the prefill GEMM (kernels/gemm_packed_int8.h).
// Rows go in groups of 16 so that one 512-bit register holds the same 4 quants of 16 rows: a VNNI
// dot product (vpdpbusd) against 4 broadcast activation bytes then advances 16 outputs at once,
// and a group's blocks are one sequential run of memory.
//
// One matrix is ceil(n_out / 16) groups; a group is [quants of its nb blocks][their scales]:
//   Q4_0 block: 4 chunks of 64 bytes; lane r (bytes 4r..4r+3) of chunk m holds row r's stored
//     bytes qs[4m..4m+3]: low nibbles are values 4m..4m+3, high nibbles values 16+4m..16+4m+3,
//     unsigned 0..15 (the kernels add −8·Σa per activation block).
//   Q8_0 block: 8 chunks; lane r of chunk m holds row r's values 4m..4m+3 plus 128, as unsigned
//     bytes (vpdpbusd multiplies unsigned by signed bytes; the kernels add −128·Σa).
//   Scales: 16 fp16 per block, row r's at position r, after all the quants (padded to 64 bytes).
// Rows past n_out (the last group's padding) have zero quants and scales.
#pragma once
#include <cstdint>

#include "core/gguf/tensor_type.h"
#include "core/io/anonymous_mapping.h"

namespace lfmb {

class PackedInt8Weights {
 public:
  static constexpr int64_t kRows = 16;  // rows per group

  // Bytes the packed form of n_mats matrices of n_out × n_in takes (type Q4_0 or Q8_0).
  static uint64_t bytes_for(TensorType type, int64_t n_out, int64_t n_in, int64_t n_mats);

  PackedInt8Weights() = default;
  // Allocates the packed form of n_mats stored matrices (rows row_stride bytes apart, matrices
  // n_out rows apart, from `stored`); pack_group() then fills it, one group at a time, so the
  // caller can spread the work over its threads. Throws lfmb::Error for other types.
  PackedInt8Weights(TensorType type, const uint8_t* stored, size_t row_stride, int64_t n_out, int64_t n_in,
                    int64_t n_mats);
  // Packs group g of matrix `mat` (g < groups()).
  void pack_group(int64_t mat, int64_t g);
  // Every group, on the calling thread.
  void pack_all();

  TensorType type() const { return type_; }
  int64_t n_out() const { return n_out_; }
  int64_t n_in() const { return n_in_; }
  int64_t n_mats() const { return n_mats_; }
  int64_t groups() const { return (n_out_ + kRows - 1) / kRows; }
  int64_t blocks() const { return n_in_ / 32; }
  size_t bytes() const { return mem_.size(); }
  // Bytes of one block's quants for all 16 rows (256 for Q4_0, 512 for Q8_0).
  size_t quant_block_bytes() const { return type_ == TensorType::Q4_0 ? 256 : 512; }
  const uint8_t* quants(int64_t mat, int64_t g) const { return mem_.data() + group_offset(mat, g); }
  const uint16_t* scales(int64_t mat, int64_t g) const {
    return reinterpret_cast<const uint16_t*>(quants(mat, g) + size_t(blocks()) * quant_block_bytes());
  }

 private:
  static size_t group_bytes(TensorType type, int64_t n_in);
  size_t group_offset(int64_t mat, int64_t g) const {
    return (size_t(mat) * size_t(groups()) + size_t(g)) * group_bytes(type_, n_in_);
  }

  TensorType type_ = TensorType::Q4_0;
  const uint8_t* stored_ = nullptr;
  size_t row_stride_ = 0;
  int64_t n_out_ = 0, n_in_ = 0, n_mats_ = 0;
  AnonymousMapping mem_;
};

}  // namespace lfmb
