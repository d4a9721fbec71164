// GGUF metadata values: the 13 value types of the format, arrays nested to any depth.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lfmb {

enum class GgufType : uint32_t {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6,
  BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
};

std::string_view gguf_type_name(GgufType t);  // "u32", "string", "array", ...

struct GgufValue;

struct GgufArray {
  GgufType elem_type = GgufType::UINT8;
  std::vector<GgufValue> items;
};

struct GgufValue {
  GgufType type = GgufType::UINT8;
  // Integers are held widened (signed in i64, unsigned in u64); the type says what the file had.
  std::variant<uint64_t, int64_t, double, bool, std::string, GgufArray> v;

  static GgufValue u32(uint32_t x) { return {GgufType::UINT32, uint64_t(x)}; }
  static GgufValue u64(uint64_t x) { return {GgufType::UINT64, x}; }
  static GgufValue i32(int32_t x) { return {GgufType::INT32, int64_t(x)}; }
  static GgufValue f32(float x) { return {GgufType::FLOAT32, double(x)}; }
  static GgufValue boolean(bool x) { return {GgufType::BOOL, x}; }
  static GgufValue str(std::string x) { return {GgufType::STRING, std::move(x)}; }
  static GgufValue array(GgufType elem, std::vector<GgufValue> items) {
    return {GgufType::ARRAY, GgufArray{elem, std::move(items)}};
  }
};

}  // namespace lfmb
