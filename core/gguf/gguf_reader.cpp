// Checks follow llama.cpp's hardened reader (ggml-org/llama.cpp ggml/src/gguf.cpp, read at 067d44f6c484;
// the brief names de3ff815ea7d, which the search index does not hold) and go further where lfmb can:
// zero dimensions and tensors past the end of the file are errors here too.
#include "core/gguf/gguf_reader.h"

#include <cstring>
#include <limits>
#include <utility>

#include "core/error.h"

namespace lfmb {

std::string_view gguf_type_name(GgufType t) {
  switch (t) {
    case GgufType::UINT8: return "u8";
    case GgufType::INT8: return "i8";
    case GgufType::UINT16: return "u16";
    case GgufType::INT16: return "i16";
    case GgufType::UINT32: return "u32";
    case GgufType::INT32: return "i32";
    case GgufType::FLOAT32: return "f32";
    case GgufType::BOOL: return "bool";
    case GgufType::STRING: return "string";
    case GgufType::ARRAY: return "array";
    case GgufType::UINT64: return "u64";
    case GgufType::INT64: return "i64";
    case GgufType::FLOAT64: return "f64";
  }
  return "?";
}

namespace {

constexpr uint32_t kMaxDims = 4;         // GGML tensors have at most 4 dimensions
constexpr int kMaxArrayDepth = 8;        // nested arrays deeper than this are rejected
constexpr uint64_t kMaxStringBytes = 1ull << 30;
constexpr size_t kMaxTensorName = 63;    // GGML_MAX_NAME (64) including the terminating NUL

// Size in bytes of a scalar value type; 0 for string/array.
size_t scalar_size(GgufType t) {
  switch (t) {
    case GgufType::UINT8: case GgufType::INT8: case GgufType::BOOL: return 1;
    case GgufType::UINT16: case GgufType::INT16: return 2;
    case GgufType::UINT32: case GgufType::INT32: case GgufType::FLOAT32: return 4;
    case GgufType::UINT64: case GgufType::INT64: case GgufType::FLOAT64: return 8;
    default: return 0;
  }
}

bool valid_type(uint32_t t) { return t <= 12; }

// Bounds-checked little-endian cursor over the mapping.
class Cursor {
 public:
  Cursor(const std::string& path, const uint8_t* data, size_t size)
      : path_(path), data_(data), size_(size) {}

  [[noreturn]] void fail(size_t at, const std::string& what) const {
    throw Error(path_ + ": offset " + std::to_string(at) + ": " + what);
  }
  size_t pos() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }

  void need(size_t n, const char* what) const {
    if (n > remaining())
      fail(pos_, std::string("file ends while reading ") + what + " (needs " + std::to_string(n) +
                     " bytes, " + std::to_string(remaining()) + " left)");
  }
  template <typename T>
  T read(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string read_string(const char* what) {
    const size_t at = pos_;
    const uint64_t n = read<uint64_t>(what);
    if (n > kMaxStringBytes || n > remaining())
      fail(at, std::string(what) + " length " + std::to_string(n) + " exceeds the " +
                   std::to_string(remaining()) + " bytes left in the file");
    std::string s(reinterpret_cast<const char*>(data_ + pos_), size_t(n));
    pos_ += size_t(n);
    return s;
  }

 private:
  const std::string& path_;
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

GgufValue read_value(Cursor& c, GgufType t, int depth);

GgufValue read_scalar(Cursor& c, GgufType t) {
  switch (t) {
    case GgufType::UINT8: return {t, uint64_t(c.read<uint8_t>("u8 value"))};
    case GgufType::INT8: return {t, int64_t(c.read<int8_t>("i8 value"))};
    case GgufType::UINT16: return {t, uint64_t(c.read<uint16_t>("u16 value"))};
    case GgufType::INT16: return {t, int64_t(c.read<int16_t>("i16 value"))};
    case GgufType::UINT32: return {t, uint64_t(c.read<uint32_t>("u32 value"))};
    case GgufType::INT32: return {t, int64_t(c.read<int32_t>("i32 value"))};
    case GgufType::UINT64: return {t, c.read<uint64_t>("u64 value")};
    case GgufType::INT64: return {t, c.read<int64_t>("i64 value")};
    case GgufType::FLOAT32: return {t, double(c.read<float>("f32 value"))};
    case GgufType::FLOAT64: return {t, c.read<double>("f64 value")};
    case GgufType::BOOL: {
      const size_t at = c.pos();
      const uint8_t b = c.read<uint8_t>("bool value");
      if (b > 1) c.fail(at, "bool value " + std::to_string(b) + " is neither 0 nor 1");
      return {t, b == 1};
    }
    default: return {};
  }
}

GgufValue read_value(Cursor& c, GgufType t, int depth) {
  if (t == GgufType::STRING) return {t, c.read_string("string value")};
  if (t != GgufType::ARRAY) return read_scalar(c, t);
  const size_t at = c.pos();
  if (depth >= kMaxArrayDepth) c.fail(at, "arrays nested deeper than " + std::to_string(kMaxArrayDepth));
  const uint32_t et = c.read<uint32_t>("array element type");
  if (!valid_type(et)) c.fail(at, "array element type " + std::to_string(et) + " is not a GGUF type");
  const uint64_t n = c.read<uint64_t>("array length");
  // Every element takes at least 1 byte (8 for strings and arrays): check before allocating.
  const uint64_t min_elem = scalar_size(GgufType(et)) ? scalar_size(GgufType(et)) : 8;
  if (n > c.remaining() / min_elem)
    c.fail(at, "array of " + std::to_string(n) + " elements cannot fit in the " +
                   std::to_string(c.remaining()) + " bytes left in the file");
  GgufArray arr;
  arr.elem_type = GgufType(et);
  arr.items.reserve(size_t(n));
  for (uint64_t i = 0; i < n; ++i) arr.items.push_back(read_value(c, arr.elem_type, depth + 1));
  return {GgufType::ARRAY, std::move(arr)};
}

bool is_unsigned(GgufType t) {
  return t == GgufType::UINT8 || t == GgufType::UINT16 || t == GgufType::UINT32 || t == GgufType::UINT64;
}
bool is_signed(GgufType t) {
  return t == GgufType::INT8 || t == GgufType::INT16 || t == GgufType::INT32 || t == GgufType::INT64;
}

// Integer value as i128-ish pair; returns false when v is not an integer.
bool as_integer(const GgufValue& v, bool* negative, uint64_t* magnitude) {
  if (is_unsigned(v.type)) {
    *negative = false;
    *magnitude = std::get<uint64_t>(v.v);
    return true;
  }
  if (is_signed(v.type)) {
    const int64_t x = std::get<int64_t>(v.v);
    *negative = x < 0;
    *magnitude = x < 0 ? uint64_t(0) - uint64_t(x) : uint64_t(x);
    return true;
  }
  return false;
}

}  // namespace

GgufFile::GgufFile(const std::string& path) : map_(path) { parse(); }

GgufFile::GgufFile(std::string display_name, AnonymousMapping image)
    : map_(std::move(display_name), std::move(image)) {
  parse();
}

void GgufFile::parse() {
  const std::string& path = map_.path();
  Cursor c(path, map_.data(), map_.size());
  if (map_.size() < 4 || std::memcmp(map_.data(), "GGUF", 4) != 0) {
    if (map_.size() < 4) c.fail(0, "file is " + std::to_string(map_.size()) + " bytes, too short for a GGUF header");
    c.fail(0, "bad magic: not a GGUF file");
  }
  c.read<uint32_t>("magic");
  version_ = c.read<uint32_t>("version");
  if (version_ == 1) c.fail(4, "GGUF version 1 is not supported (versions 2 and 3 are)");
  if (version_ != 2 && version_ != 3) {
    if ((version_ & 0xffff) == 0) c.fail(4, "big-endian GGUF files are not supported");
    c.fail(4, "unsupported GGUF version " + std::to_string(version_) + " (versions 2 and 3 are supported)");
  }
  const uint64_t n_tensors = c.read<uint64_t>("tensor count");
  const uint64_t n_kv = c.read<uint64_t>("metadata count");
  // Smallest possible entries: a key/value is 8+4+1 bytes, a tensor info 8+4+8+4+8.
  if (n_kv > c.remaining() / 13) c.fail(16, "metadata count " + std::to_string(n_kv) + " cannot fit in the file");
  if (n_tensors > c.remaining() / 32) c.fail(8, "tensor count " + std::to_string(n_tensors) + " cannot fit in the file");

  kv_.reserve(size_t(n_kv));
  for (uint64_t i = 0; i < n_kv; ++i) {
    const size_t at = c.pos();
    std::string key = c.read_string("metadata key");
    if (key.empty()) c.fail(at, "metadata key " + std::to_string(i) + " is empty");
    const size_t type_at = c.pos();
    const uint32_t t = c.read<uint32_t>("metadata value type");
    if (!valid_type(t)) c.fail(type_at, "key '" + key + "' has unknown value type " + std::to_string(t));
    GgufValue v = read_value(c, GgufType(t), 0);
    if (kv_index_.count(key)) c.fail(at, "duplicate metadata key '" + key + "'");
    kv_index_.emplace(key, kv_.size());
    kv_.emplace_back(std::move(key), std::move(v));
  }

  if (const GgufValue* a = find("general.alignment")) {
    if (a->type != GgufType::UINT32) throw Error(path + ": general.alignment must be u32, is " + std::string(gguf_type_name(a->type)));
    alignment_ = std::get<uint64_t>(a->v);
    if (alignment_ == 0 || (alignment_ & (alignment_ - 1)) != 0)
      throw Error(path + ": general.alignment " + std::to_string(alignment_) + " is not a power of two");
  }

  tensors_.reserve(size_t(n_tensors));
  for (uint64_t i = 0; i < n_tensors; ++i) {
    const size_t at = c.pos();
    GgufTensorInfo ti;
    ti.name = c.read_string("tensor name");
    if (ti.name.empty() || ti.name.size() > kMaxTensorName)
      c.fail(at, "tensor " + std::to_string(i) + " name is " + std::to_string(ti.name.size()) +
                     " bytes (1 to " + std::to_string(kMaxTensorName) + " allowed)");
    const uint32_t nd = c.read<uint32_t>("tensor dimension count");
    if (nd == 0 || nd > kMaxDims)
      c.fail(at, "tensor '" + ti.name + "' has " + std::to_string(nd) + " dimensions (1 to 4 allowed)");
    int64_t n = 1;
    for (uint32_t d = 0; d < nd; ++d) {
      const uint64_t ne = c.read<uint64_t>("tensor dimension");
      if (ne == 0 || ne > uint64_t(std::numeric_limits<int64_t>::max()) ||
          __builtin_mul_overflow(n, int64_t(ne), &n))
        c.fail(at, "tensor '" + ti.name + "' has an invalid or overflowing dimension " + std::to_string(ne));
      ti.dims.push_back(int64_t(ne));
    }
    ti.n_elements = n;
    const size_t type_at = c.pos();
    ti.type_id = c.read<uint32_t>("tensor type");
    int64_t blk_n = 0;
    size_t blk_b = 0;
    if (!ggml_type_block(ti.type_id, &blk_n, &blk_b))
      c.fail(type_at, "tensor '" + ti.name + "' has unknown type id " + std::to_string(ti.type_id));
    ti.type = tensor_type_from_id(ti.type_id);
    if (ti.dims[0] % blk_n != 0)
      c.fail(at, "tensor '" + ti.name + "' row length " + std::to_string(ti.dims[0]) + " is not a multiple of the " +
                     ggml_type_name(ti.type_id) + " block size " + std::to_string(blk_n));
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(uint64_t(n / blk_n), uint64_t(blk_b), &bytes))
      c.fail(at, "tensor '" + ti.name + "' size overflows");
    ti.n_bytes = bytes;
    const size_t off_at = c.pos();
    ti.offset = c.read<uint64_t>("tensor offset");
    if (ti.offset % alignment_ != 0)
      c.fail(off_at, "tensor '" + ti.name + "' data offset " + std::to_string(ti.offset) +
                         " is not a multiple of the alignment " + std::to_string(alignment_));
    if (tensor_index_.count(ti.name)) c.fail(at, "duplicate tensor name '" + ti.name + "'");
    tensor_index_.emplace(ti.name, tensors_.size());
    tensors_.push_back(std::move(ti));
  }

  // The data section starts at the next multiple of the alignment.
  data_offset_ = (uint64_t(c.pos()) + alignment_ - 1) / alignment_ * alignment_;
  if (!tensors_.empty() && data_offset_ > map_.size())
    c.fail(c.pos(), "file ends before the tensor data section at offset " + std::to_string(data_offset_));
  // Tensor data must lie inside the file and be laid out as every GGUF writer does (and as
  // llama.cpp's gguf.cpp requires): in tensor-info order, each at the previous one's end rounded
  // up to the alignment. This rejects overlapping, reordered and gapped data alike.
  uint64_t expected = 0;
  const GgufTensorInfo* prev = nullptr;
  for (auto& ti : tensors_) {
    uint64_t begin = 0, end = 0;
    if (__builtin_add_overflow(data_offset_, ti.offset, &begin) || __builtin_add_overflow(begin, ti.n_bytes, &end) ||
        end > map_.size())
      throw Error(path + ": offset " + std::to_string(data_offset_ + ti.offset) + ": tensor '" + ti.name + "' (" +
                  std::to_string(ti.n_bytes) + " bytes) extends past the end of the file (" +
                  std::to_string(map_.size()) + " bytes); the file is truncated or corrupt");
    if (ti.offset != expected) {
      const std::string after = prev ? "tensor '" + prev->name + "'" : "the start of the data section";
      const std::string how = ti.offset < expected ? "overlaps or comes before " + after
                                                   : "leaves a gap after " + after;
      throw Error(path + ": offset " + std::to_string(data_offset_ + ti.offset) + ": tensor '" + ti.name +
                  "' data starts at data offset " + std::to_string(ti.offset) + ", expected " +
                  std::to_string(expected) + " (it " + how + "); the file is corrupt");
    }
    // end <= file size, so the padded end cannot overflow.
    expected = (ti.offset + ti.n_bytes + alignment_ - 1) / alignment_ * alignment_;
    prev = &ti;
    ti.data = map_.data() + begin;
  }
}

const GgufValue* GgufFile::find(std::string_view key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kv_[it->second].second;
}

const GgufValue& GgufFile::require(std::string_view key) const {
  const GgufValue* v = find(key);
  if (!v) throw Error(path() + ": missing metadata key '" + std::string(key) + "'");
  return *v;
}

void GgufFile::type_error(std::string_view key, const GgufValue& v, std::string_view want) const {
  std::string have(gguf_type_name(v.type));
  if (v.type == GgufType::ARRAY) have = "array of " + std::string(gguf_type_name(std::get<GgufArray>(v.v).elem_type));
  throw Error(path() + ": metadata key '" + std::string(key) + "' is " + have + ", expected " + std::string(want));
}

namespace {
template <typename T>
bool integer_fits(const GgufValue& v, T* out) {
  bool neg = false;
  uint64_t mag = 0;
  if (!as_integer(v, &neg, &mag)) return false;
  if (neg) {
    if constexpr (std::is_signed_v<T>) {
      if (mag > uint64_t(std::numeric_limits<T>::max()) + 1) return false;
      *out = T(-int64_t(mag - 1) - 1);
      return true;
    }
    return false;
  }
  if (mag > uint64_t(std::numeric_limits<T>::max())) return false;
  *out = T(mag);
  return true;
}
}  // namespace

uint32_t GgufFile::get_u32(std::string_view key) const {
  const GgufValue& v = require(key);
  uint32_t x = 0;
  if (!integer_fits(v, &x)) type_error(key, v, "an integer that fits in u32");
  return x;
}
uint64_t GgufFile::get_u64(std::string_view key) const {
  const GgufValue& v = require(key);
  uint64_t x = 0;
  if (!integer_fits(v, &x)) type_error(key, v, "an integer that fits in u64");
  return x;
}
int64_t GgufFile::get_i64(std::string_view key) const {
  const GgufValue& v = require(key);
  int64_t x = 0;
  if (!integer_fits(v, &x)) type_error(key, v, "an integer that fits in i64");
  return x;
}
float GgufFile::get_f32(std::string_view key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::FLOAT32 && v.type != GgufType::FLOAT64) type_error(key, v, "f32");
  return float(std::get<double>(v.v));
}
bool GgufFile::get_bool(std::string_view key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::BOOL) type_error(key, v, "bool");
  return std::get<bool>(v.v);
}
std::string GgufFile::get_string(std::string_view key) const {
  const GgufValue& v = require(key);
  if (v.type != GgufType::STRING) type_error(key, v, "string");
  return std::get<std::string>(v.v);
}

namespace {
const GgufArray* array_of(const GgufValue& v) { return v.type == GgufType::ARRAY ? &std::get<GgufArray>(v.v) : nullptr; }
}  // namespace

std::vector<uint32_t> GgufFile::get_u32_array(std::string_view key) const {
  const GgufValue& v = require(key);
  const GgufArray* a = array_of(v);
  std::vector<uint32_t> out;
  if (!a) type_error(key, v, "array of integers");
  for (const auto& it : a->items) {
    uint32_t x = 0;
    if (!integer_fits(it, &x)) type_error(key, v, "array of integers that fit in u32");
    out.push_back(x);
  }
  return out;
}
std::vector<int32_t> GgufFile::get_i32_array(std::string_view key) const {
  const GgufValue& v = require(key);
  const GgufArray* a = array_of(v);
  std::vector<int32_t> out;
  if (!a) type_error(key, v, "array of integers");
  for (const auto& it : a->items) {
    int32_t x = 0;
    if (!integer_fits(it, &x)) type_error(key, v, "array of integers that fit in i32");
    out.push_back(x);
  }
  return out;
}
std::vector<float> GgufFile::get_f32_array(std::string_view key) const {
  const GgufValue& v = require(key);
  const GgufArray* a = array_of(v);
  if (!a || (a->elem_type != GgufType::FLOAT32 && a->elem_type != GgufType::FLOAT64)) type_error(key, v, "array of f32");
  std::vector<float> out;
  for (const auto& it : a->items) out.push_back(float(std::get<double>(it.v)));
  return out;
}
std::vector<std::string> GgufFile::get_string_array(std::string_view key) const {
  const GgufValue& v = require(key);
  const GgufArray* a = array_of(v);
  if (!a || a->elem_type != GgufType::STRING) type_error(key, v, "array of string");
  std::vector<std::string> out;
  out.reserve(a->items.size());
  for (const auto& it : a->items) out.push_back(std::get<std::string>(it.v));
  return out;
}

uint32_t GgufFile::get_u32_or(std::string_view key, uint32_t dflt) const { return has(key) ? get_u32(key) : dflt; }
float GgufFile::get_f32_or(std::string_view key, float dflt) const { return has(key) ? get_f32(key) : dflt; }
bool GgufFile::get_bool_or(std::string_view key, bool dflt) const { return has(key) ? get_bool(key) : dflt; }
std::string GgufFile::get_string_or(std::string_view key, std::string dflt) const {
  return has(key) ? get_string(key) : dflt;
}

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const GgufTensorInfo& GgufFile::tensor(std::string_view name) const {
  const GgufTensorInfo* t = find_tensor(name);
  if (!t) throw Error(path() + ": missing tensor '" + std::string(name) + "'");
  return *t;
}

std::string gguf_value_to_string(const GgufValue& v, size_t max_items) {
  switch (v.type) {
    case GgufType::STRING: return "\"" + std::get<std::string>(v.v) + "\"";
    case GgufType::BOOL: return std::get<bool>(v.v) ? "true" : "false";
    case GgufType::FLOAT32:
    case GgufType::FLOAT64: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", std::get<double>(v.v));
      return buf;
    }
    case GgufType::ARRAY: {
      const auto& a = std::get<GgufArray>(v.v);
      std::string s = "[";
      for (size_t i = 0; i < a.items.size() && i < max_items; ++i) {
        if (i) s += ", ";
        s += gguf_value_to_string(a.items[i], max_items);
      }
      if (a.items.size() > max_items) s += ", ... (" + std::to_string(a.items.size()) + " items)";
      return s + "]";
    }
    default:
      if (is_signed(v.type)) return std::to_string(std::get<int64_t>(v.v));
      return std::to_string(std::get<uint64_t>(v.v));
  }
}

}  // namespace lfmb
