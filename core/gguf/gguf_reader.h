// GGUF reader: memory-maps a file, validates every count, length and offset before use, and offers
// typed metadata look-ups. Any problem is an lfmb::Error "FILE: offset N: what is wrong".
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/gguf/gguf_value.h"
#include "core/io/mapped_file.h"
#include "core/gguf/tensor_type.h"

namespace lfmb {

struct GgufTensorInfo {
  std::string name;
  std::vector<int64_t> dims;            // ne0 first (ne0 = contiguous row length)
  uint32_t type_id = 0;                 // GGML type id as stored
  std::optional<TensorType> type;       // set when lfmb can compute with this type
  uint64_t offset = 0;                  // relative to the data section
  int64_t n_elements = 0;
  uint64_t n_bytes = 0;
  const uint8_t* data = nullptr;        // inside the mapping, bounds-checked

  int64_t ne(int i) const { return i < int(dims.size()) ? dims[size_t(i)] : 1; }
};

class GgufFile {
 public:
  explicit GgufFile(const std::string& path);  // maps, parses and validates
  // Parses and validates a GGUF image already in memory (e.g. GgufWriter::write_to_memory);
  // `display_name` is what path() and error messages show.
  GgufFile(std::string display_name, AnonymousMapping image);

  const std::string& path() const { return map_.path(); }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }
  uint64_t file_size() const { return map_.size(); }
  void prefault() const { map_.prefault(); }  // see MappedFile::prefault
  void release_pages(const uint8_t* p, size_t n) const { map_.release_pages(p, n); }  // see MappedFile

  // Metadata in file order.
  const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return kv_; }
  const GgufValue* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }

  // Typed look-ups; throw lfmb::Error naming the file and key when the key is missing or the
  // stored type does not convert (integers convert when the value fits).
  uint32_t get_u32(std::string_view key) const;
  uint64_t get_u64(std::string_view key) const;
  int64_t get_i64(std::string_view key) const;
  float get_f32(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  std::string get_string(std::string_view key) const;
  std::vector<uint32_t> get_u32_array(std::string_view key) const;
  std::vector<int32_t> get_i32_array(std::string_view key) const;
  std::vector<float> get_f32_array(std::string_view key) const;
  std::vector<std::string> get_string_array(std::string_view key) const;

  // Same, with a default when the key is absent (a present key of the wrong type still throws).
  uint32_t get_u32_or(std::string_view key, uint32_t dflt) const;
  float get_f32_or(std::string_view key, float dflt) const;
  bool get_bool_or(std::string_view key, bool dflt) const;
  std::string get_string_or(std::string_view key, std::string dflt) const;

  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* find_tensor(std::string_view name) const;
  const GgufTensorInfo& tensor(std::string_view name) const;  // throws when absent

 private:
  void parse();
  const GgufValue& require(std::string_view key) const;
  [[noreturn]] void type_error(std::string_view key, const GgufValue& v, std::string_view want) const;

  MappedFile map_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<std::pair<std::string, GgufValue>> kv_;
  std::map<std::string, size_t, std::less<>> kv_index_;
  std::vector<GgufTensorInfo> tensors_;
  std::map<std::string, size_t, std::less<>> tensor_index_;
};

// Renders a value for humans (arrays abbreviated after `max_items`).
std::string gguf_value_to_string(const GgufValue& v, size_t max_items = 8);

}  // namespace lfmb
