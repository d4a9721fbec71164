// Helpers shared by the tests: where the reference data is, temp files, running the CLI.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/gguf/tensor_type.h"

namespace lfmb::test {

// ../shared/reference (or $LFMB_SHARED_DIR/reference). When it is missing: under CI=true the
// test fails loudly; elsewhere it is skipped with a warning and this returns nullopt.
std::optional<std::string> reference_dir();
#define LFMB_REQUIRE_REFERENCE(var)                \
  auto var##_opt = ::lfmb::test::reference_dir();  \
  if (!var##_opt) return;                          \
  const std::string var = *var##_opt

// ../shared/datasets/<relative> (or under $LFMB_SHARED_DIR/datasets). Missing: as reference_dir
// (fails under CI=true, otherwise warns, skips and returns nullopt).
std::optional<std::string> dataset_file(const std::string& relative);
#define LFMB_REQUIRE_DATASET_FILE(var, relative)           \
  auto var##_opt = ::lfmb::test::dataset_file(relative);   \
  if (!var##_opt) return;                                  \
  const std::string var = *var##_opt

// node_modules folder (installed by scripts/setup into .cache/npm) holding `package`, with node on
// PATH. Missing: fails under CI=true, otherwise warns, skips and returns nullopt.
std::optional<std::string> npm_modules_dir(const std::string& package);

// A fresh temporary directory, removed when the test process exits.
std::string temp_dir();

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};
// Runs a program (looked up on PATH) with arguments, no shell involved; captures its output.
RunResult run_process(const std::vector<std::string>& argv);
// Runs the built `lfmb` binary with the given arguments (no shell involved).
RunResult run_lfmb(const std::vector<std::string>& args);

// Every weight type lfmb computes with, as stored in GGUF files.
inline constexpr TensorType kStoredTypes[] = {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0,
                                              TensorType::Q4_0};

// Seeded normal(0, scale) floats.
std::vector<float> random_floats(size_t n, uint32_t seed, float scale = 1.0f);
// n_mats × n_out rows of n_in values stored as `type` (the GGUF bytes), from normal(0, 0.5) floats.
std::vector<uint8_t> random_weights(TensorType type, int64_t n_mats, int64_t n_out, int64_t n_in, uint32_t seed);
// rms(got − want) / rms(want): the error measure of ../shared/reference/README.md.
double rms_ratio(const std::vector<float>& got, const std::vector<float>& want);

std::string read_file(const std::string& path);
// The message of the lfmb::Error f throws ("" when it throws nothing); any other exception type
// escapes and fails the test.
std::string error_of(const std::function<void()>& f);
// Creates missing parent directories.
void write_file(const std::string& path, const std::string& bytes);

}  // namespace lfmb::test
