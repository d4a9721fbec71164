// GGUF reader and writer: round trips, and every kind of malformed file is a clean error.
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <vector>

#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/gguf/gguf_writer.h"
#include "tests/test_support.h"

using namespace lfmb;

namespace {

// Builds raw GGUF bytes field by field, so tests can break exactly one thing.
struct RawGguf {
  std::vector<uint8_t> b;
  template <typename T>
  RawGguf& put(T v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    b.insert(b.end(), p, p + sizeof v);
    return *this;
  }
  RawGguf& str(const std::string& s) {
    put<uint64_t>(s.size());
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  RawGguf& header(uint32_t version, uint64_t n_tensors, uint64_t n_kv) {
    b.insert(b.end(), {'G', 'G', 'U', 'F'});
    return put(version).put(n_tensors).put(n_kv);
  }
  RawGguf& kv_u32(const std::string& k, uint32_t v) { return str(k).put<uint32_t>(4).put(v); }
  RawGguf& tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type, uint64_t offset) {
    str(name).put<uint32_t>(uint32_t(dims.size()));
    for (auto d : dims) put(d);
    return put(type).put(offset);
  }
  RawGguf& pad_to(size_t align) {
    while (b.size() % align) b.push_back(0);
    return *this;
  }
  RawGguf& zeros(size_t n) {
    b.insert(b.end(), n, 0);
    return *this;
  }
  std::string save() const {
    const std::string p = test::temp_dir() + "/m.gguf";
    test::write_file(p, std::string(b.begin(), b.end()));
    return p;
  }
};

// One valid file: 1 key, one 32-value F32 tensor.
RawGguf valid_file() {
  RawGguf g;
  g.header(3, 1, 1).kv_u32("general.alignment", 32).tensor("t", {32}, 0, 0).pad_to(32).zeros(128);
  return g;
}

std::string gguf_error(const std::string& path) {
  try {
    GgufFile f(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("writer output round-trips every metadata type, nested arrays and tensor data", "[gguf]") {
  GgufWriter w(64);
  w.set("u8", {GgufType::UINT8, uint64_t(200)});
  w.set("i8", {GgufType::INT8, int64_t(-100)});
  w.set("u16", {GgufType::UINT16, uint64_t(60000)});
  w.set("i16", {GgufType::INT16, int64_t(-30000)});
  w.set("u32", GgufValue::u32(4000000000u));
  w.set("i32", GgufValue::i32(-2000000000));
  w.set("u64", GgufValue::u64(1ull << 60));
  w.set("i64", {GgufType::INT64, int64_t(-(1ll << 60))});
  w.set("f32", GgufValue::f32(1.5f));
  w.set("f64", {GgufType::FLOAT64, 2.25});
  w.set("bool", GgufValue::boolean(true));
  w.set("str", GgufValue::str("héllo"));
  w.set("strs", GgufValue::array(GgufType::STRING, {GgufValue::str("a"), GgufValue::str(""), GgufValue::str("ccc")}));
  w.set("nested", GgufValue::array(GgufType::ARRAY, {GgufValue::array(GgufType::UINT32, {GgufValue::u32(1), GgufValue::u32(2)}),
                                                     GgufValue::array(GgufType::UINT32, {})}));
  w.set("ints", GgufValue::array(GgufType::INT32, {GgufValue::i32(-1), GgufValue::i32(7)}));
  w.add_tensor("a", TensorType::F32, {3, 2});
  w.add_tensor("b", TensorType::Q8_0, {64, 3});
  w.add_tensor("c", TensorType::Q4_0, {32});
  const std::string path = test::temp_dir() + "/rt.gguf";
  w.write(path, [](size_t i, const GgufTensorSpec& s, uint8_t* dst) {
    for (uint64_t j = 0; j < s.n_bytes; ++j) dst[j] = uint8_t(i * 31 + j);
  }, 2);
  REQUIRE(std::filesystem::file_size(path) == w.file_size());
  REQUIRE_FALSE(std::filesystem::exists(path + ".part"));

  const GgufFile f(path);
  CHECK(f.version() == 3);
  CHECK(f.alignment() == 64);
  CHECK(f.get_u32("u8") == 200);
  CHECK(f.get_i64("i8") == -100);
  CHECK(f.get_u32("u16") == 60000);
  CHECK(f.get_i64("i16") == -30000);
  CHECK(f.get_u32("u32") == 4000000000u);
  CHECK(f.get_i64("i32") == -2000000000);
  CHECK(f.get_u64("u64") == (1ull << 60));
  CHECK(f.get_i64("i64") == -(1ll << 60));
  CHECK(f.get_f32("f32") == 1.5f);
  CHECK(f.get_f32("f64") == 2.25f);
  CHECK(f.get_bool("bool"));
  CHECK(f.get_string("str") == "héllo");
  CHECK(f.get_string_array("strs") == std::vector<std::string>{"a", "", "ccc"});
  CHECK(f.get_i32_array("ints") == std::vector<int32_t>{-1, 7});
  const auto& nested = std::get<GgufArray>(f.find("nested")->v);
  REQUIRE(nested.items.size() == 2);
  CHECK(std::get<GgufArray>(nested.items[0].v).items.size() == 2);
  CHECK(std::get<uint64_t>(std::get<GgufArray>(nested.items[0].v).items[1].v) == 2);
  CHECK(f.metadata().front().first == "general.alignment");  // file order kept

  REQUIRE(f.tensors().size() == 3);
  const auto& b = f.tensor("b");
  CHECK(b.type == TensorType::Q8_0);
  CHECK(b.dims == std::vector<int64_t>{64, 3});
  CHECK(b.n_bytes == 6 * 34);
  CHECK((b.data - f.tensor("a").data) % 64 == 0);
  for (uint64_t j = 0; j < b.n_bytes; ++j) REQUIRE(b.data[j] == uint8_t(1 * 31 + j));
}

TEST_CASE("typed look-ups name the file and key on a missing key or wrong type", "[gguf]") {
  const std::string path = valid_file().save();
  const GgufFile f(path);
  CHECK_THROWS_WITH(f.get_u32("nope"), Catch::Contains(path) && Catch::Contains("missing metadata key 'nope'"));
  CHECK_THROWS_WITH(f.get_string("general.alignment"), Catch::Contains("'general.alignment' is u32, expected string"));
  CHECK(f.get_u32_or("nope", 7) == 7);
  CHECK_THROWS_WITH(f.tensor("x"), Catch::Contains("missing tensor 'x'"));
}

TEST_CASE("integer look-ups convert only when the value fits", "[gguf]") {
  GgufWriter w;
  w.set("neg", GgufValue::i32(-1));
  w.set("big", GgufValue::u64(1ull << 40));
  const std::string path = test::temp_dir() + "/ints.gguf";
  w.write(path, [](size_t, const GgufTensorSpec&, uint8_t*) {});
  const GgufFile f(path);
  CHECK_THROWS_AS(f.get_u32("neg"), Error);
  CHECK(f.get_i64("neg") == -1);
  CHECK_THROWS_AS(f.get_u32("big"), Error);
  CHECK(f.get_u64("big") == (1ull << 40));
}

TEST_CASE("malformed GGUF files give one clean error naming file, offset and problem", "[gguf]") {
  struct Case {
    const char* what;
    RawGguf file;
    const char* expect;
  };
  std::vector<Case> cases;
  {
    RawGguf g;
    g.b = {'G', 'G', 'U'};
    cases.push_back({"3-byte file", g, "too short"});
  }
  {
    RawGguf g = valid_file();
    g.b[0] = 'X';
    cases.push_back({"bad magic", g, "bad magic"});
  }
  cases.push_back({"version 1", RawGguf().header(1, 0, 0), "version 1 is not supported"});
  cases.push_back({"version 99", RawGguf().header(99, 0, 0), "unsupported GGUF version 99"});
  cases.push_back({"big-endian", RawGguf().header(0x03000000, 0, 0), "big-endian"});
  cases.push_back({"huge tensor count", RawGguf().header(3, 1ull << 62, 0), "tensor count"});
  cases.push_back({"huge kv count", RawGguf().header(3, 0, 1ull << 62), "metadata count"});
  cases.push_back({"huge key length", RawGguf().header(3, 0, 1).put<uint64_t>(1ull << 50).zeros(16), "metadata key length"});
  cases.push_back({"unknown value type", RawGguf().header(3, 0, 1).str("k").put<uint32_t>(77).zeros(8), "unknown value type 77"});
  cases.push_back({"huge array", RawGguf().header(3, 0, 1).str("k").put<uint32_t>(9).put<uint32_t>(4).put<uint64_t>(1ull << 61).zeros(8),
                   "array of"});
  cases.push_back({"bad array element type", RawGguf().header(3, 0, 1).str("k").put<uint32_t>(9).put<uint32_t>(13).put<uint64_t>(1).zeros(8),
                   "array element type 13"});
  cases.push_back({"bool not 0/1", RawGguf().header(3, 0, 1).str("k").put<uint32_t>(7).put<uint8_t>(5).zeros(8), "bool value 5"});
  cases.push_back({"duplicate key", RawGguf().header(3, 0, 2).kv_u32("k", 1).kv_u32("k", 2), "duplicate metadata key 'k'"});
  cases.push_back({"alignment not a power of two", RawGguf().header(3, 0, 1).kv_u32("general.alignment", 24), "not a power of two"});
  cases.push_back({"5 dimensions", RawGguf().header(3, 1, 0).tensor("t", {1, 1, 1, 1, 1}, 0, 0).zeros(64), "5 dimensions"});
  cases.push_back({"zero dimension", RawGguf().header(3, 1, 0).tensor("t", {0}, 0, 0).zeros(64), "invalid or overflowing dimension"});
  cases.push_back({"element count overflow", RawGguf().header(3, 1, 0).tensor("t", {1ull << 32, 1ull << 32}, 0, 0).zeros(64),
                   "invalid or overflowing dimension"});
  cases.push_back({"unknown tensor type", RawGguf().header(3, 1, 0).tensor("t", {32}, 99, 0).zeros(64), "unknown type id 99"});
  cases.push_back({"row not a block multiple", RawGguf().header(3, 1, 0).tensor("t", {33}, 8, 0).zeros(64), "not a multiple of the Q8_0 block size"});
  cases.push_back({"misaligned offset", RawGguf().header(3, 1, 0).tensor("t", {8}, 0, 4).pad_to(32).zeros(64), "not a multiple of the alignment"});
  cases.push_back({"offset past the end", RawGguf().header(3, 1, 0).tensor("t", {32}, 0, 1ull << 40).pad_to(32).zeros(128), "extends past the end"});
  cases.push_back({"offset + size overflows", RawGguf().header(3, 1, 0).tensor("t", {32}, 0, ~uint64_t(31)).pad_to(32).zeros(128), "extends past the end"});
  cases.push_back({"data truncated", RawGguf().header(3, 1, 0).tensor("t", {32}, 0, 0).pad_to(32).zeros(100), "extends past the end"});
  cases.push_back({"duplicate tensor", RawGguf().header(3, 2, 0).tensor("t", {8}, 0, 0).tensor("t", {8}, 0, 32).pad_to(32).zeros(64),
                   "duplicate tensor name 't'"});

  for (auto& c : cases) {
    INFO(c.what);
    const std::string path = c.file.save();
    const std::string err = gguf_error(path);
    CHECK_THAT(err, Catch::Contains(path));
    CHECK_THAT(err, Catch::Contains("offset") || Catch::Contains("general.alignment"));
    CHECK_THAT(err, Catch::Contains(c.expect));
    CHECK(err.find('\n') == std::string::npos);
  }
}

TEST_CASE("every truncation of a real model file is rejected cleanly", "[gguf][reference]") {
  LFMB_REQUIRE_REFERENCE(dir);
  const std::string bytes = test::read_file(dir + "/lfm2moe-q4_0.gguf");
  const GgufFile whole(dir + "/lfm2moe-q4_0.gguf");
  // Every cut inside the header region, then a stride through the tensor data.
  std::vector<size_t> cuts;
  for (size_t n = 0; n < whole.data_offset() + 64; n += 1) cuts.push_back(n);
  for (size_t n = whole.data_offset(); n < bytes.size(); n += 997) cuts.push_back(n);
  cuts.push_back(bytes.size() - 1);
  const std::string path = test::temp_dir() + "/cut.gguf";
  int rejected = 0;
  for (size_t n : cuts) {
    test::write_file(path, bytes.substr(0, n));
    const std::string err = gguf_error(path);
    INFO("cut at " << n);
    REQUIRE_FALSE(err.empty());
    CHECK_THAT(err, Catch::Contains(path));
    ++rejected;
  }
  std::printf("truncation: %d cuts of %zu bytes all rejected\n", rejected, bytes.size());
}

TEST_CASE("a missing file is a clean error", "[gguf]") {
  CHECK_THROWS_WITH(GgufFile("/nonexistent/x.gguf"), Catch::Contains("/nonexistent/x.gguf") && Catch::Contains("cannot open"));
  CHECK_THROWS_WITH(GgufFile(test::temp_dir()), Catch::Contains("not a regular file"));
}

TEST_CASE("GGUF version 2 files are read", "[gguf]") {
  RawGguf g = valid_file();
  g.b[4] = 2;
  const GgufFile f(g.save());
  CHECK(f.version() == 2);
  CHECK(f.tensor("t").n_elements == 32);
}
