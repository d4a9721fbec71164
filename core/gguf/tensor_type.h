// GGUF tensor types lfmb understands, their block layouts, and row (de)quantisation.
// Block layouts are the standard GGML ones: 32 values per Q8_0 / Q4_0 block with an fp16 scale.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lfmb {

// Values are the GGML type ids stored in GGUF files.
enum class TensorType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q8_0 = 8,
  BF16 = 30,
};

inline constexpr int kQK = 32;  // values per quantised block

struct BlockQ8_0 {
  uint16_t d;       // fp16 scale
  int8_t qs[kQK];   // value = d * qs[i]
};
static_assert(sizeof(BlockQ8_0) == 34);

struct BlockQ4_0 {
  uint16_t d;            // fp16 scale
  uint8_t qs[kQK / 2];   // low nibbles hold values 0..15, high nibbles 16..31; value = d * (q - 8)
};
static_assert(sizeof(BlockQ4_0) == 18);

// nullopt for a GGML type id lfmb does not support.
std::optional<TensorType> tensor_type_from_id(uint32_t id);
// Name of any GGML type id ("q4_K" etc. for ones we do not support, "type 99" if unknown).
std::string ggml_type_name(uint32_t id);
std::string_view tensor_type_name(TensorType t);  // "F32", "Q4_0", ...
// Parses "q4_0", "Q4_0", "f16", "bf16", "f32", "q8_0".
std::optional<TensorType> tensor_type_from_name(std::string_view name);

// Block geometry of any GGML type id, supported or not, so the GGUF reader can bounds-check
// every tensor of a file (a Q4_K model still gets `lfmb info`). False for an unknown id.
bool ggml_type_block(uint32_t id, int64_t* elements, size_t* bytes);

int64_t block_elements(TensorType t);  // 1 for float types, 32 for quantised
size_t block_bytes(TensorType t);      // bytes of one block
// Bytes of a row of n values; n must be a multiple of block_elements(t).
size_t row_bytes(TensorType t, int64_t n);

// Row conversions. n must be a multiple of block_elements(t).
void dequantize_row(TensorType t, const void* src, float* dst, int64_t n);
// Reference quantisation (round to nearest), byte-identical to the common GGUF tooling.
void quantize_row(TensorType t, const float* src, void* dst, int64_t n);

}  // namespace lfmb
