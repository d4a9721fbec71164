// Follows LiveCodeBench/LiveCodeBench 28fef95ea8c9 lcb_runner/benchmarks/code_generation.py
// (CodeGenerationProblem.__post_init__, get_evaluation_sample); base64 as CPython 3.11
// binascii.a2b_base64 in non-strict mode; zlib.decompress as CPython's zlibmodule.
#include "eval/code/lcb_tests.h"

#include <array>
#include <climits>

#include <fmt/format.h>
#include <zlib.h>

#include "core/error.h"
#include "eval/code/lcb_pickle_str.h"

namespace lfmb::eval {

using nlohmann::json;

std::string py_b64decode(std::string_view text) {
  static const std::array<int8_t, 256> value = [] {
    std::array<int8_t, 256> v{};
    v.fill(-1);
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) v[static_cast<unsigned char>(a[i])] = int8_t(i);
    return v;
  }();
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);  // bounded by the input, which the caller bounded
  uint32_t acc = 0;
  int quad = 0;     // characters of the current 4-character quantum
  int pads = 0;     // padding characters seen in the current quantum
  size_t ndata = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '=') {
      // Padding before the quantum's third character is skipped (binascii's non-strict mode).
      if (quad < 2) continue;
      if (quad == 3 || ++pads == 2) return out;  // the quantum is complete: the data ends here
      continue;
    }
    const int v = value[c];
    if (v < 0) continue;
    if (pads) throw Error("base64: Incorrect padding");
    acc = (acc << 6) | uint32_t(v);
    ++ndata;
    // Each byte is emitted as soon as its bits are in (after characters 2, 3 and 4 of a quantum).
    if (++quad == 4) {
      out.push_back(char(acc & 0xff));
      acc = 0;
      quad = 0;
    } else if (quad == 2) {
      out.push_back(char((acc >> 4) & 0xff));
    } else if (quad == 3) {
      out.push_back(char((acc >> 2) & 0xff));
    }
  }
  if (quad == 1)
    throw Error(fmt::format("base64: number of data characters ({}) cannot be 1 more than a multiple of 4", ndata));
  if (quad != 0) throw Error("base64: Incorrect padding");
  return out;
}

std::string zlib_inflate(std::string_view data, uint64_t max_bytes) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) throw Error("zlib: cannot initialise inflate");
  std::string out;
  std::array<char, 1 << 16> buf;
  size_t pos = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (z.avail_in == 0 && pos < data.size()) {
      const size_t n = std::min<size_t>(data.size() - pos, UINT_MAX);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + pos));
      z.avail_in = uInt(n);
      pos += n;
    }
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = uInt(buf.size());
    rc = inflate(&z, Z_NO_FLUSH);
    const size_t got = buf.size() - z.avail_out;
    if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && got > 0)) {
      const std::string msg = z.msg ? z.msg : (rc == Z_BUF_ERROR ? "incomplete or truncated stream" : "error");
      inflateEnd(&z);
      throw Error(fmt::format("zlib: Error {} while decompressing data: {}", rc, msg));
    }
    if (out.size() + got > max_bytes) {
      inflateEnd(&z);
      throw Error(fmt::format("zlib: decompressed data exceeds the cap of {} bytes", max_bytes));
    }
    out.append(buf.data(), got);
    if (rc == Z_BUF_ERROR && got == 0) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) throw Error("zlib: Error -5 while decompressing data: incomplete or truncated stream");
  return out;
}

std::vector<LcbTest> parse_lcb_tests(std::string_view text, const std::string& what) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw Error(what + ": not JSON");
  if (!j.is_array()) throw Error(what + ": expected a JSON list of tests");
  std::vector<LcbTest> tests;
  tests.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    const json& t = j[i];
    const std::string at = fmt::format("{}[{}]", what, i);
    if (!t.is_object()) throw Error(at + ": expected an object {input, output, testtype}");
    for (const char* k : {"input", "output", "testtype"})
      if (!t.contains(k) || !t[k].is_string()) throw Error(at + ": '" + k + "' must be a string");
    const std::string& type = t["testtype"].get_ref<const std::string&>();
    if (type != "stdin" && type != "functional") throw Error(at + ": testtype '" + type + "' (stdin, functional)");
    tests.push_back({t["input"].get<std::string>(), t["output"].get<std::string>(), type == "functional"});
  }
  return tests;
}

std::vector<LcbTest> decode_private_tests(std::string_view field, const LcbDecodeLimits& limits) {
  if (field.size() > limits.max_encoded_bytes)
    throw Error(fmt::format("private_test_cases: {} bytes, more than the cap of {}", field.size(), limits.max_encoded_bytes));
  // json.loads first, as LiveCodeBench (its bare except falls through to the compressed form).
  if (json::accept(field)) return parse_lcb_tests(field, "private_test_cases");
  std::string pickled;
  try {
    pickled = zlib_inflate(py_b64decode(field), limits.max_inflated_bytes);
  } catch (const Error& e) {
    throw Error(std::string("private_test_cases: neither JSON nor base64/zlib: ") + e.what());
  }
  std::string text;
  try {
    text = unpickle_str(pickled);
  } catch (const Error& e) {
    throw Error(std::string("private_test_cases: ") + e.what());
  }
  return parse_lcb_tests(text, "private_test_cases (decoded)");
}

json lcb_grader_sample(const json& row, const LcbDecodeLimits& limits) {
  const std::string qid = row.contains("question_id") ? (row["question_id"].is_string() ? row["question_id"].get<std::string>()
                                                                                          : row["question_id"].dump())
                                                      : "?";
  try {
    auto str = [&](const char* k) -> const std::string& {
      if (!row.contains(k) || !row[k].is_string()) throw Error(std::string("'") + k + "' must be a string");
      return row[k].get_ref<const std::string&>();
    };
    std::vector<LcbTest> tests = parse_lcb_tests(str("public_test_cases"), "public_test_cases");
    std::vector<LcbTest> priv = decode_private_tests(str("private_test_cases"), limits);
    tests.insert(tests.end(), std::make_move_iterator(priv.begin()), std::make_move_iterator(priv.end()));
    const json meta = json::parse(str("metadata"), nullptr, false);
    if (meta.is_discarded() || !meta.is_object()) throw Error("metadata: expected a JSON object");
    json sample = {{"inputs", json::array()}, {"outputs", json::array()}, {"fn_name", nullptr}};
    if (meta.contains("func_name")) sample["fn_name"] = meta["func_name"];
    for (LcbTest& t : tests) {
      sample["inputs"].push_back(std::move(t.input));
      sample["outputs"].push_back(std::move(t.output));
    }
    return sample;
  } catch (const Error& e) {
    throw Error("livecodebench problem " + qid + ": " + e.what());
  }
}

}  // namespace lfmb::eval
