#include "core/gguf/tensor_type.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/gguf/half.h"

namespace lfmb {

std::optional<TensorType> tensor_type_from_id(uint32_t id) {
  switch (id) {
    case 0: return TensorType::F32;
    case 1: return TensorType::F16;
    case 2: return TensorType::Q4_0;
    case 8: return TensorType::Q8_0;
    case 30: return TensorType::BF16;
    default: return std::nullopt;
  }
}

std::string ggml_type_name(uint32_t id) {
  // Names of the GGML types that exist, so an unsupported file gets a useful message.
  static const char* const kNames[] = {
      "F32",  "F16",  "Q4_0", "Q4_1", "Q4_2", "Q4_3", "Q5_0",    "Q5_1",    "Q8_0",   "Q8_1",
      "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS",  "IQ3_XXS", "IQ1_S",
      "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32",  "I64",     "F64",    "IQ1_M",
      "BF16", "Q4_0_4_4", "Q4_0_4_8", "Q4_0_8_8", "TQ1_0", "TQ2_0"};
  if (id < sizeof(kNames) / sizeof(kNames[0])) return kNames[id];
  return "type " + std::to_string(id);
}

bool ggml_type_block(uint32_t id, int64_t* elements, size_t* bytes) {
  // {values per block, bytes per block} for GGML type ids 0..35; {0, 0} marks ids no longer used.
  static const struct { int64_t n; size_t b; } kBlocks[] = {
      {1, 4},     {1, 2},     {32, 18},   {32, 20},   {0, 0},     {0, 0},     {32, 22},
      {32, 24},   {32, 34},   {32, 36},   {256, 84},  {256, 110}, {256, 144}, {256, 176},
      {256, 210}, {256, 292}, {256, 66},  {256, 74},  {256, 98},  {256, 50},  {32, 18},
      {256, 110}, {256, 82},  {256, 136}, {1, 1},     {1, 2},     {1, 4},     {1, 8},
      {1, 8},     {256, 56},  {1, 2},     {0, 0},     {0, 0},     {0, 0},     {256, 54},
      {256, 66}};
  if (id >= sizeof(kBlocks) / sizeof(kBlocks[0]) || kBlocks[id].n == 0) return false;
  *elements = kBlocks[id].n;
  *bytes = kBlocks[id].b;
  return true;
}

std::string_view tensor_type_name(TensorType t) {
  switch (t) {
    case TensorType::F32: return "F32";
    case TensorType::F16: return "F16";
    case TensorType::Q4_0: return "Q4_0";
    case TensorType::Q8_0: return "Q8_0";
    case TensorType::BF16: return "BF16";
  }
  return "?";
}

std::optional<TensorType> tensor_type_from_name(std::string_view name) {
  std::string s(name);
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (s == "f32") return TensorType::F32;
  if (s == "f16") return TensorType::F16;
  if (s == "bf16") return TensorType::BF16;
  if (s == "q8_0") return TensorType::Q8_0;
  if (s == "q4_0") return TensorType::Q4_0;
  return std::nullopt;
}

int64_t block_elements(TensorType t) {
  return (t == TensorType::Q4_0 || t == TensorType::Q8_0) ? kQK : 1;
}

size_t block_bytes(TensorType t) {
  switch (t) {
    case TensorType::F32: return 4;
    case TensorType::F16: return 2;
    case TensorType::BF16: return 2;
    case TensorType::Q8_0: return sizeof(BlockQ8_0);
    case TensorType::Q4_0: return sizeof(BlockQ4_0);
  }
  return 0;
}

size_t row_bytes(TensorType t, int64_t n) {
  return size_t(n / block_elements(t)) * block_bytes(t);
}

static void check_multiple(TensorType t, int64_t n) {
  if (n % block_elements(t) != 0)
    throw Error("row of " + std::to_string(n) + " values is not a multiple of the " +
                std::string(tensor_type_name(t)) + " block size");
}

void dequantize_row(TensorType t, const void* src, float* dst, int64_t n) {
  check_multiple(t, n);
  switch (t) {
    case TensorType::F32:
      std::memcpy(dst, src, size_t(n) * 4);
      return;
    case TensorType::F16: {
      const auto* s = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = f16_to_f32(s[i]);
      return;
    }
    case TensorType::BF16: {
      const auto* s = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(s[i]);
      return;
    }
    case TensorType::Q8_0: {
      const auto* b = static_cast<const BlockQ8_0*>(src);
      for (int64_t i = 0; i < n / kQK; ++i) {
        const float d = f16_to_f32(b[i].d);
        for (int j = 0; j < kQK; ++j) dst[i * kQK + j] = d * float(b[i].qs[j]);
      }
      return;
    }
    case TensorType::Q4_0: {
      const auto* b = static_cast<const BlockQ4_0*>(src);
      for (int64_t i = 0; i < n / kQK; ++i) {
        const float d = f16_to_f32(b[i].d);
        for (int j = 0; j < kQK / 2; ++j) {
          dst[i * kQK + j] = d * float((b[i].qs[j] & 0x0f) - 8);
          dst[i * kQK + j + kQK / 2] = d * float((b[i].qs[j] >> 4) - 8);
        }
      }
      return;
    }
  }
}

// Q8_0: scale = max|x| / 127, q = round(x / scale).
static void quantize_row_q8_0(const float* x, BlockQ8_0* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[i * kQK + j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_f16(d);
    for (int j = 0; j < kQK; ++j) y[i].qs[j] = int8_t(std::roundf(x[i * kQK + j] * id));
  }
}

// Q4_0: the value of largest magnitude maps to -8; scale = that value / -8; q = clamp(x/scale + 8.5).
static void quantize_row_q4_0(const float* x, BlockQ4_0* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i) {
    const float* xb = x + i * kQK;
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kQK; ++j) {
      if (std::fabs(xb[j]) > amax) {
        amax = std::fabs(xb[j]);
        max = xb[j];
      }
    }
    const float d = max / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_f16(d);
    for (int j = 0; j < kQK / 2; ++j) {
      const uint8_t lo = uint8_t(std::min(15, int(int8_t(xb[j] * id + 8.5f))));
      const uint8_t hi = uint8_t(std::min(15, int(int8_t(xb[j + kQK / 2] * id + 8.5f))));
      y[i].qs[j] = uint8_t(lo | (hi << 4));
    }
  }
}

void quantize_row(TensorType t, const float* src, void* dst, int64_t n) {
  check_multiple(t, n);
  switch (t) {
    case TensorType::F32:
      std::memcpy(dst, src, size_t(n) * 4);
      return;
    case TensorType::F16: {
      auto* d = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) d[i] = f32_to_f16(src[i]);
      return;
    }
    case TensorType::BF16: {
      auto* d = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) d[i] = f32_to_bf16(src[i]);
      return;
    }
    case TensorType::Q8_0: quantize_row_q8_0(src, static_cast<BlockQ8_0*>(dst), n); return;
    case TensorType::Q4_0: quantize_row_q4_0(src, static_cast<BlockQ4_0*>(dst), n); return;
  }
}

}  // namespace lfmb
