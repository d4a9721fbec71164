// Issue 16 item 2: every count, length and dimension read from a file or config is bounded before
// memory is reserved, and values that cannot be right are one-line errors naming the file and key.
// Crafted GGUFs are the tiny synthetic models with one metadata value replaced (or their bytes
// patched); CLI runs go through a child with a 1 GiB address-space limit, so an attempt to
// allocate gigabytes fails the test instead of the machine.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <thread>

#include "bench/run_config.h"
#include "core/error.h"
#include "core/gguf/gguf_reader.h"
#include "core/gguf/gguf_writer.h"
#include "core/io/bounded_input.h"
#include "core/model/model_config.h"
#include "core/model/model_validation.h"
#include "core/synth/synthesize.h"
#include "tests/test_support.h"

using namespace lfmb;

namespace {

// A tiny synthetic model as a GgufWriter (metadata + tensor list) and its filler.
struct Tiny {
  ModelSynthesizer synth;
  GgufWriter writer;
  explicit Tiny(const std::string& preset)
      : synth(*find_synth_preset(preset), TensorType::F32, 1), writer(synth.writer()) {}
  GgufWriter::FillFn fill() const {
    return [this](size_t i, const GgufTensorSpec&, uint8_t* dst) { synth.fill(i, dst); };
  }
  std::string save(const std::string& name) const {
    const std::string path = test::temp_dir() + "/" + name;
    writer.write(path, fill());
    return path;
  }
  // The config error of this model read from memory ("" when it loads and validates).
  std::string config_error() const {
    try {
      const GgufFile f("<crafted>", writer.write_to_memory(fill()));
      validate_model_tensors(f, model_config_from_gguf(f));
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
};

// AddressSanitizer reserves terabytes of shadow address space, so `ulimit -v` stops an ASan build
// before main(); there the same 1 GiB bound is ASan's own: no single allocation above it, and the
// process is killed when its resident memory passes 1.5 GiB.
#if defined(__SANITIZE_ADDRESS__)
#define LFMB_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LFMB_TEST_ASAN 1
#endif
#endif
#ifdef LFMB_TEST_ASAN
constexpr const char* kMemoryLimit =
    "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}max_allocation_size_mb=1024:hard_rss_limit_mb=1536\" exec \"$@\"";
#else
constexpr const char* kMemoryLimit = "ulimit -v 1048576 && exec \"$@\"";
#endif

// Runs lfmb under a 1 GiB memory limit; also returns the wall time.
struct LimitedRun {
  test::RunResult r;
  double seconds = 0;
};
LimitedRun run_lfmb_limited(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/bin/sh", "-c", kMemoryLimit, "sh", LFMB_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto t0 = std::chrono::steady_clock::now();
  LimitedRun out;
  out.r = test::run_process(argv);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

size_t count_lines(const std::string& s) { return size_t(std::count(s.begin(), s.end(), '\n')); }

// An error run: exit code, exactly one stderr line holding every `needle`, nothing on stdout.
void check_one_line_error(const test::RunResult& r, int code, const std::vector<std::string>& needles) {
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == code);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.out.empty());
  for (const auto& n : needles) CHECK_THAT(r.err, Catch::Contains(n));
}

// Byte position of tensor `name`'s data-offset field in a GGUF image (after its name, dims, type).
size_t offset_field(const std::string& bytes, const GgufTensorInfo& t) {
  std::string rec(8, '\0');
  const uint64_t len = t.name.size();
  std::memcpy(rec.data(), &len, 8);
  rec += t.name;
  const size_t at = bytes.find(rec);
  REQUIRE(at != std::string::npos);
  return at + rec.size() + 4 + 8 * t.dims.size() + 4;
}

}  // namespace

TEST_CASE("bounds: the synthetic tiny models validate (the baseline of every crafted file)", "[bounds]") {
  for (const char* p : {"tiny-qwen3", "tiny-lfm2", "tiny-lfm2moe"}) {
    INFO(p);
    CHECK(Tiny(p).config_error().empty());
  }
}

TEST_CASE("bounds: block_count beyond the tensors present fails before per-layer memory", "[bounds]") {
  struct Case {
    uint32_t n;
    const char* expect;
  };
  // tiny-qwen3 has 2 layers and 24 tensors: 11 layers pass the count check but lack blk.10.
  for (const Case c : {Case{11, "has no tensor 'blk.10.attn_norm.weight'"}, Case{1000, "but the file has only 24 tensors"},
                       Case{100000000, "above lfmb's limit of 65536"}, Case{4294967295u, "above lfmb's limit of 65536"}}) {
    INFO(c.n);
    Tiny t("tiny-qwen3");
    t.writer.set("qwen3.block_count", GgufValue::u32(c.n));
    const std::string err = t.config_error();
    CHECK_THAT(err, Catch::Contains("<crafted>: ") && Catch::Contains("'qwen3.block_count'") && Catch::Contains(c.expect));
    CHECK(err.find('\n') == std::string::npos);
  }
}

TEST_CASE("bounds: block_count 100000000 and 2^32-1 fail fast in info logits and generate under a 1 GiB limit",
          "[bounds][cli]") {
  for (uint32_t n : {100000000u, 4294967295u}) {
    Tiny t("tiny-qwen3");
    t.writer.set("qwen3.block_count", GgufValue::u32(n));
    const std::string path = t.save("blocks.gguf");
    const std::string out = test::temp_dir() + "/logits.bin";
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"info", path},
             {"info", path, "--json"},
             {"logits", "--model", path, "--tokens", "1 2", "--out", out},
             {"generate", "--model", path, "--tokens", "1 2", "-n", "2"}}) {
      INFO(args[0] << " block_count " << n);
      const LimitedRun run = run_lfmb_limited(args);
      check_one_line_error(run.r, 1, {path, "qwen3.block_count", std::to_string(n)});
      CHECK(run.seconds < 30.0);  // fails fast; generous for a loaded 2-core machine
    }
    CHECK_FALSE(std::filesystem::exists(out));
  }
}

TEST_CASE("bounds: counts and dimensions above the documented limits name the key", "[bounds]") {
  struct Case {
    const char* preset;
    const char* key;
    uint32_t value;
    const char* expect;
  };
  const uint32_t big = 4294967295u;
  const std::vector<Case> cases = {
      {"tiny-qwen3", "qwen3.embedding_length", big, "above lfmb's limit of 16777216"},
      {"tiny-qwen3", "qwen3.feed_forward_length", 1u << 31, "above lfmb's limit of 16777216"},
      {"tiny-qwen3", "qwen3.attention.head_count", big, "above lfmb's limit of 65536"},
      {"tiny-qwen3", "qwen3.attention.head_count", 0, "must be positive"},
      {"tiny-qwen3", "qwen3.attention.key_length", big, "above lfmb's limit of 16777216"},
      {"tiny-qwen3", "qwen3.vocab_size", big, "above lfmb's limit of 16777216"},
      {"tiny-qwen3", "qwen3.context_length", big, "above lfmb's limit of 1073741824"},
      {"tiny-qwen3", "qwen3.attention.head_count_kv", 3, "does not divide head_count"},
      {"tiny-qwen3", "qwen3.attention.head_count_kv", 1000, "does not divide head_count"},
      {"tiny-lfm2", "lfm2.shortconv.l_cache", big, "above lfmb's limit of 4096"},
      {"tiny-lfm2moe", "lfm2moe.expert_count", big, "above lfmb's limit of 65536"},
      {"tiny-lfm2moe", "lfm2moe.expert_used_count", 0, "must be positive"},
      {"tiny-lfm2moe", "lfm2moe.expert_feed_forward_length", big, "above lfmb's limit of 16777216"},
  };
  for (const Case& c : cases) {
    INFO(c.key << " = " << c.value);
    Tiny t(c.preset);
    t.writer.set(c.key, GgufValue::u32(c.value));
    const std::string err = t.config_error();
    CHECK_THAT(err, Catch::Contains("<crafted>: "));
    CHECK_THAT(err, Catch::Contains(c.expect));
    // Every message names the key (head_count_kv by its own name).
    const std::string key = c.key;
    CHECK_THAT(err, Catch::Contains(key.substr(key.find('.') + 1)));
  }
}

TEST_CASE("bounds: a dimension within the limits but unlike the tensors is refused by the shape check", "[bounds]") {
  // feed_forward_length 1,000,000 is allowed by the limit, but blk.0.ffn_gate.weight is 64 x 128.
  Tiny t("tiny-qwen3");
  t.writer.set("qwen3.feed_forward_length", GgufValue::u32(1000000));
  CHECK_THAT(t.config_error(), Catch::Contains("tensor 'blk.0.ffn_gate.weight' has shape [64, 128], expected [64, 1000000]"));
  Tiny m("tiny-lfm2moe");
  m.writer.set("lfm2moe.expert_count", GgufValue::u32(9));
  CHECK_THAT(m.config_error(), Catch::Contains("ffn_gate_inp.weight' has shape"));
}

TEST_CASE("bounds: non-finite or out-of-range epsilon and RoPE base are one-line errors naming the key", "[bounds]") {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  for (float eps : {inf, -inf, nan, 0.0f, -1e-6f, 1.0f, 5.0f}) {
    INFO("eps " << eps);
    Tiny t("tiny-qwen3");
    t.writer.set("qwen3.attention.layer_norm_rms_epsilon", GgufValue::f32(eps));
    const std::string err = t.config_error();
    CHECK_THAT(err, Catch::Contains("'qwen3.attention.layer_norm_rms_epsilon'") && Catch::Contains("expected a finite number"));
    CHECK(err.find('\n') == std::string::npos);
  }
  for (float base : {nan, 0.0f, -1.0f, 1.0f, 0.5f, inf}) {
    INFO("base " << base);
    Tiny t("tiny-lfm2");
    t.writer.set("lfm2.rope.freq_base", GgufValue::f32(base));
    CHECK_THAT(t.config_error(), Catch::Contains("'lfm2.rope.freq_base'") && Catch::Contains("RoPE base"));
  }
  // A float64 too large for f32 becomes inf: refused too.
  Tiny t("tiny-qwen3");
  t.writer.set("qwen3.rope.freq_base", GgufValue{GgufType::FLOAT64, 1e300});
  CHECK_THAT(t.config_error(), Catch::Contains("'qwen3.rope.freq_base' is inf"));
  // Ordinary values pass.
  Tiny ok("tiny-qwen3");
  ok.writer.set("qwen3.rope.freq_base", GgufValue::f32(1000000.0f));
  ok.writer.set("qwen3.attention.layer_norm_rms_epsilon", GgufValue::f32(1e-6f));
  CHECK(ok.config_error().empty());
}

TEST_CASE("bounds: rms_eps inf is refused by logits with exit 1 and no output file", "[bounds][cli]") {
  Tiny t("tiny-qwen3");
  t.writer.set("qwen3.attention.layer_norm_rms_epsilon", GgufValue::f32(std::numeric_limits<float>::infinity()));
  const std::string path = t.save("eps.gguf");
  const std::string out = test::temp_dir() + "/l.bin";
  const auto r = test::run_lfmb({"logits", "--model", path, "--tokens", "1 2", "--out", out});
  check_one_line_error(r, 1, {path, "qwen3.attention.layer_norm_rms_epsilon", "is inf"});
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("bounds: overlapping reordered or gapped tensor data is refused", "[bounds][gguf]") {
  const std::string path = Tiny("tiny-qwen3").save("layout.gguf");
  const std::string bytes = test::read_file(path);
  const GgufFile f(path);
  const auto& ts = f.tensors();
  REQUIRE(ts.size() > 3);
  auto patched = [&](const std::function<void(std::string&)>& edit) {
    std::string b = bytes;
    edit(b);
    const std::string p = test::temp_dir() + "/patched.gguf";
    test::write_file(p, b);
    return p;
  };
  auto set_offset = [&](std::string& b, const GgufTensorInfo& t, uint64_t off) {
    std::memcpy(b.data() + offset_field(b, t), &off, 8);
  };
  struct Case {
    const char* what;
    std::string file;
    std::string expect;
  };
  std::vector<Case> cases;
  cases.push_back({"every tensor at offset 0", patched([&](std::string& b) {
                     for (const auto& t : ts) set_offset(b, t, 0);
                   }),
                   "tensor '" + ts[1].name + "' data starts at data offset 0, expected " +
                       std::to_string(ts[1].offset) + " (it overlaps or comes before tensor '" + ts[0].name + "')"});
  cases.push_back({"two tensors swapped", patched([&](std::string& b) {
                     set_offset(b, ts[1], ts[2].offset);
                     set_offset(b, ts[2], ts[1].offset);
                   }),
                   "tensor '" + ts[1].name + "' data starts at data offset " + std::to_string(ts[2].offset) +
                       ", expected " + std::to_string(ts[1].offset) + " (it leaves a gap after tensor '" + ts[0].name + "')"});
  cases.push_back({"a tensor moved one alignment back into its predecessor", patched([&](std::string& b) {
                     set_offset(b, ts[3], ts[3].offset - 32);
                   }),
                   "(it overlaps or comes before tensor '" + ts[2].name + "')"});
  cases.push_back({"the last tensor past the end", patched([&](std::string& b) { b.resize(b.size() - 1); }),
                   "tensor '" + ts.back().name + "'"});
  for (const Case& c : cases) {
    INFO(c.what);
    const auto r = test::run_lfmb({"info", c.file});
    check_one_line_error(r, 1, {c.file, c.expect});
  }
  // The unpatched file is fine.
  CHECK(test::run_lfmb({"info", path}).exit_code == 0);
}

TEST_CASE("bounds: an empty metadata key and an over-long tensor name are refused like llama.cpp does", "[bounds][gguf]") {
  const std::string dir = test::temp_dir();
  std::string b = "GGUF";
  auto put32 = [&](uint32_t v) { b.append(reinterpret_cast<const char*>(&v), 4); };
  auto put64 = [&](uint64_t v) { b.append(reinterpret_cast<const char*>(&v), 8); };
  put32(3), put64(0), put64(1), put64(0), put32(4), put32(7);
  test::write_file(dir + "/k.gguf", b);
  CHECK_THROWS_WITH(GgufFile(dir + "/k.gguf"), Catch::Contains("metadata key 0 is empty"));

  b = "GGUF";
  const std::string name(64, 'n');
  put32(3), put64(1), put64(0), put64(name.size());
  b += name;
  put32(1), put64(32), put32(0), put64(0);
  b.append(256, '\0');
  test::write_file(dir + "/n.gguf", b);
  CHECK_THROWS_WITH(GgufFile(dir + "/n.gguf"), Catch::Contains("name is 64 bytes (1 to 63 allowed)"));
}

TEST_CASE("bounds: lfmb info validates every tensor and says what it left to model load", "[bounds][cli]") {
  // A file info used to print but logits refused: a tensor of the wrong shape.
  Tiny t("tiny-qwen3");
  const std::string good = t.save("good.gguf");
  auto r = test::run_lfmb({"info", good});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("validated:     structure, hyperparameters, all 24 expected tensors (not checked: "
                                    "backend support for each weight type, memory)"));
  r = test::run_lfmb({"info", good, "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("\"not_checked\": \"backend support for each weight type, memory\""));

  t.writer.set("qwen3.feed_forward_length", GgufValue::u32(96));
  const std::string bad = t.save("bad.gguf");
  const std::string out = test::temp_dir() + "/l.bin";
  const auto info = test::run_lfmb({"info", bad});
  const auto logits = test::run_lfmb({"logits", "--model", bad, "--tokens", "1", "--out", out});
  check_one_line_error(info, 1, {bad, "blk.0.ffn_gate.weight", "expected [64, 96]"});
  CHECK(info.err == logits.err);
}

TEST_CASE("bounds: a sweep is counted before it is expanded", "[bounds][cli]") {
  const std::string dir = test::temp_dir();
  // Six lists of 100 values: 10^12 combinations.
  std::string list = "[";
  for (int i = 1; i <= 100; ++i) list += (i > 1 ? ", " : "") + std::to_string(i);
  list += "]";
  std::string yaml = "run:\n  model: {preset: tiny-qwen3, type: f32}\n  n_prompt: 8\nsweep:\n";
  for (const char* k : {"threads", "n_gen", "repetitions", "warmup", "n_batch", "n_ctx"})
    yaml += std::string("  ") + k + ": " + (std::string(k) == "warmup" ? "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]" : list) + "\n";
  test::write_file(dir + "/huge.yaml", yaml);
  // warmup lists 10 values: 100^5 x 10 = 10^11.
  const LimitedRun run = run_lfmb_limited({"run", dir + "/huge.yaml", "--dry-run"});
  check_one_line_error(run.r, 1,
                       {dir + "/huge.yaml", "the sweep has 100000000000 combinations (100 threads x 100 n_gen x 100 "
                                            "repetitions x 10 warmup x 100 n_batch x 100 n_ctx), more than the limit "
                                            "of 10000; raise it with --max-combinations N"});
  CHECK(run.seconds < 30.0);  // fails fast; generous for a loaded 2-core machine

  // A product past 2^64 saturates instead of wrapping around to a small number.
  CHECK_THROWS_WITH(parse_run_config(
                        [&] {
                          // Six axes of 2^11 values each: 2^66 combinations.
                          std::string y = "run:\n  model: {preset: tiny-qwen3, type: f32}\nsweep:\n";
                          std::string v = "[";
                          for (int i = 0; i < 2048; ++i) v += (i ? ",1" : "1");
                          v += "]";
                          for (const char* k : {"threads", "n_gen", "repetitions", "n_batch", "n_ctx", "warmup"})
                            y += std::string("  ") + k + ": " + v + "\n";
                          return y;
                        }(),
                        "w.yaml"),
                    Catch::Contains("the sweep has more than 18446744073709551614 combinations"));

  // The limit is the flag's: 3 x 2 = 6 combinations.
  test::write_file(dir + "/six.yaml",
                   "run:\n  model: {preset: tiny-qwen3, type: f32}\n  n_prompt: 8\n  n_gen: 0\nsweep:\n  threads: [1, 2, 3]\n"
                   "  n_batch: [8, 16]\n");
  auto r = test::run_lfmb({"run", dir + "/six.yaml", "--dry-run", "--max-combinations", "5"});
  check_one_line_error(r, 1, {"the sweep has 6 combinations (3 threads x 2 n_batch), more than the limit of 5"});
  r = test::run_lfmb({"run", dir + "/six.yaml", "--dry-run", "--max-combinations", "6"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("6 run(s)"));
  CHECK(test::run_lfmb({"run", dir + "/six.yaml", "--dry-run", "--max-combinations", "0"}).exit_code == 2);

  // Tests multiply too: 200 prompt lengths x 100 depths in one run.
  std::string many = "run:\n  model: {preset: tiny-qwen3, type: f32}\n  n_gen: 0\n  n_prompt: [";
  for (int i = 1; i <= 200; ++i) many += (i > 1 ? ", " : "") + std::to_string(i);
  many += "]\n  depth: [";
  for (int i = 0; i < 100; ++i) many += (i ? ", " : "") + std::to_string(i);
  many += "]\n";
  CHECK_THROWS_WITH(parse_run_config(many, "t.yaml"),
                    Catch::Contains("t.yaml: the 1 run(s) hold 20000 tests (n_prompt x depth lists), more than the limit of 10000"));
  CHECK_NOTHROW(parse_run_config(many, "t.yaml", {}, 20000));
}

TEST_CASE("bounds: lfmb bench counts its flag combinations before expanding them", "[bounds][cli]") {
  std::string list;
  for (int i = 1; i <= 1000; ++i) list += (i > 1 ? "," : "") + std::to_string(i);
  const LimitedRun run = run_lfmb_limited({"bench", "--preset", "tiny-qwen3:f32", "-p", list, "-n", "0", "--n-depth", list});
  check_one_line_error(run.r, 2, {"bench: the flags combine to 1000000 tests, more than the limit of 10000"});
  CHECK(run.seconds < 30.0);  // fails fast; generous for a loaded 2-core machine
}

TEST_CASE("bounds: config and input files are read with a size limit and never as directories", "[bounds]") {
  const std::string dir = test::temp_dir();
  // A sparse 1 GiB file: refused by its size, without reading it.
  const std::string sparse = dir + "/sparse.txt";
  {
    const int fd = ::open(sparse.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, off_t(1) << 30) == 0);
    ::close(fd);
  }
  CHECK_THROWS_WITH(read_bounded_input(sparse, 1000, "raise it with --x"),
                    sparse + ": 1073741824 bytes, more than the limit of 1000 bytes; raise it with --x");
  CHECK_THROWS_WITH(read_bounded_input(dir, 1000), dir + ": is a directory, not a file");
  CHECK_THROWS_WITH(read_bounded_input(dir + "/none", 1000), dir + "/none: no such file");
  // Exactly at the limit is fine; a stream one byte longer is not.
  test::write_file(dir + "/ten", "0123456789");
  CHECK(read_bounded_input(dir + "/ten", 10) == "0123456789");
  CHECK_THROWS_WITH(read_bounded_input(dir + "/ten", 9), Catch::Contains("10 bytes, more than the limit of 9 bytes"));
  CHECK_THROWS_WITH(read_bounded_input("/dev/zero", 4096), "/dev/zero: more than the limit of 4096 bytes");
  // Configs: a directory and an oversized file.
  CHECK_THROWS_WITH(load_run_config(dir), Catch::Contains("is a directory"));
  CHECK_THROWS_WITH(load_run_config(sparse), Catch::Contains("more than the limit of 16777216 bytes"));
}

TEST_CASE("bounds: lfmb tokenize --file is bounded for files FIFOs and devices and refuses directories", "[bounds][cli]") {
  const std::string model = Tiny("tiny-qwen3").save("tok.gguf");
  const std::string dir = test::temp_dir();

  test::write_file(dir + "/two.txt", "hello\nworld\n");
  auto r = test::run_lfmb({"tokenize", "--model", model, "--file", dir + "/two.txt"});
  CHECK(r.exit_code == 0);
  CHECK(count_lines(r.out) == 2);
  r = test::run_lfmb({"tokenize", "--model", model, "--file", dir + "/two.txt", "--max-bytes", "11"});
  check_one_line_error(r, 1, {dir + "/two.txt: 12 bytes, more than the limit of 11 bytes; raise it with --max-bytes N"});

  r = test::run_lfmb({"tokenize", "--model", model, "--file", dir});
  check_one_line_error(r, 1, {dir + ": is a directory, not a file"});

  // /dev/zero never ends: the limit stops it (a small one, so the test is quick under the 1 GiB cap).
  LimitedRun run = run_lfmb_limited({"tokenize", "--model", model, "--file", "/dev/zero", "--max-bytes", "1000000"});
  check_one_line_error(run.r, 1, {"/dev/zero: more than the limit of 1000000 bytes; raise it with --max-bytes N"});
  // With the default limit (64 MiB) too.
  run = run_lfmb_limited({"tokenize", "--model", model, "--file", "/dev/zero"});
  check_one_line_error(run.r, 1, {"/dev/zero: more than the limit of 67108864 bytes"});
  CHECK(run.seconds < 30.0);  // fails fast; generous for a loaded 2-core machine

  // A private FIFO fed 4 MiB by a writer thread, read with a 1 MiB limit.
  const std::string fifo = dir + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  struct sigaction ignore {}, old {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);  // the reader stops early: the writer sees EPIPE, not a signal
  std::thread writer([&] {
    const int fd = ::open(fifo.c_str(), O_WRONLY);
    if (fd < 0) return;
    const std::string chunk(1 << 16, 'a');
    for (int i = 0; i < 64; ++i)
      if (::write(fd, chunk.data(), chunk.size()) < 0) break;
    ::close(fd);
  });
  r = test::run_lfmb({"tokenize", "--model", model, "--file", fifo, "--max-bytes", "1048576"});
  writer.join();
  ::sigaction(SIGPIPE, &old, nullptr);
  check_one_line_error(r, 1, {fifo + ": more than the limit of 1048576 bytes"});

  CHECK(test::run_lfmb({"tokenize", "--model", model, "--file", dir + "/two.txt", "--max-bytes", "0"}).exit_code == 2);
  CHECK(test::run_lfmb({"tokenize", "--model", model, "--text", "x", "--max-bytes", "10"}).exit_code == 2);
}

TEST_CASE("bounds: values that cannot be right on the command line are usage errors", "[bounds][cli]") {
  const std::string model = Tiny("tiny-qwen3").save("cli.gguf");
  const std::string out = test::temp_dir() + "/l.bin";
  struct Case {
    std::vector<std::string> args;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {{"generate", "--model", model, "--tokens", "1 2", "--repeat-penalty", "0"}, "--repeat-penalty expects a number above 0"},
      {{"generate", "--model", model, "--tokens", "1 2", "--repeat-penalty", "-1"}, "--repeat-penalty"},
      {{"generate", "--model", model, "--tokens", "1 2", "--repeat-penalty", "nan"}, "--repeat-penalty"},
      {{"generate", "--model", model, "--prompt", "hi", "--stop", ""}, "--stop: an empty stop string"},
      {{"generate", "--model", model, "--prompt", "hi", "--stop", "x", "--stop", ""}, "--stop: an empty stop string"},
      {{"generate", "--model", model, "--tokens", "1,,2"}, "--tokens: empty entry at character 3"},
      {{"generate", "--model", model, "--tokens", ",1"}, "--tokens: empty entry at character 1"},
      {{"logits", "--model", model, "--tokens", "1,,2", "--out", out}, "--tokens: empty entry at character 3"},
      {{"logits", "--model", model, "--tokens", "1, ,2", "--out", out}, "--tokens: empty entry"},
      {{"logits", "--model", model, "--tokens", "1,2,", "--out", out}, "--tokens: empty entry after the last comma"},
  };
  for (const Case& c : cases) {
    INFO(c.args[0] << " " << c.args.back());
    check_one_line_error(test::run_lfmb(c.args), 2, {c.expect});
  }
  CHECK_FALSE(std::filesystem::exists(out));
  // The separators that stay valid: spaces, commas, comma-space.
  for (const char* ok : {"1 2 3", "1,2,3", "1, 2, 3", " 1 ,2  3 "}) {
    INFO(ok);
    const auto r = test::run_lfmb({"generate", "--model", model, "--tokens", ok, "-n", "1"});
    CHECK(r.exit_code == 0);
  }
  CHECK(test::run_lfmb({"generate", "--model", model, "--tokens", "1", "-n", "1", "--repeat-penalty", "1.1"}).exit_code == 0);
}

TEST_CASE("bounds: lfmb info shows a file of types lfmb cannot compute with and says plainly it cannot run it",
          "[bounds][cli]") {
  // The last tensor (output_norm.weight, 64 F32 values) retyped as Q4_1 (GGML id 3, 40 bytes):
  // still inside the file and in order, but a type lfmb only reads.
  const std::string path = Tiny("tiny-qwen3").save("q41.gguf");
  std::string bytes = test::read_file(path);
  const GgufFile f(path);
  const GgufTensorInfo& last = f.tensors().back();
  REQUIRE(last.name == "output_norm.weight");
  const uint32_t q4_1 = 3;
  std::memcpy(bytes.data() + offset_field(bytes, last) - 4, &q4_1, 4);
  const std::string patched = test::temp_dir() + "/q41.gguf";
  test::write_file(patched, bytes);

  auto r = test::run_lfmb({"info", patched});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("runnable:      NOT RUNNABLE: 1 tensors of type Q4_1, which lfmb cannot compute with"));
  r = test::run_lfmb({"info", patched, "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("\"runnable\": false"));
  r = test::run_lfmb({"info", path, "--json"});
  CHECK_THAT(r.out, Catch::Contains("\"runnable\": true"));
  const auto logits = test::run_lfmb({"logits", "--model", patched, "--tokens", "1", "--out", test::temp_dir() + "/l.bin"});
  check_one_line_error(logits, 1, {patched, "tensor 'output_norm.weight' has type Q4_1 (GGML id 3), which lfmb cannot compute with"});
}
