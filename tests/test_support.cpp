#include "tests/test_support.h"

#include "core/error.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace lfmb::test {

namespace {
// A folder of ../shared (or $LFMB_SHARED_DIR) when the file `marker` is in it. When it is not:
// under CI=true the test fails loudly; elsewhere it is skipped with a warning.
std::optional<std::string> shared_subdir(const std::string& name, const std::string& marker, const std::string& what) {
  const char* env = std::getenv("LFMB_SHARED_DIR");
  const fs::path dir = fs::path(env && *env ? env : LFMB_SHARED_DIR_DEFAULT) / name;
  if (fs::exists(dir / marker)) return dir.string();
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") {
    FAIL(what << " not found at " << dir << " (CI=true: this is an error; set LFMB_SHARED_DIR)");
  }
  WARN("SKIPPED: " << what << " not found at " << dir << " (set LFMB_SHARED_DIR to the shared/ folder)");
  return std::nullopt;
}
}  // namespace

std::optional<std::string> reference_dir() { return shared_subdir("reference", "README.md", "reference data"); }

std::optional<std::string> dataset_file(const std::string& relative) {
  const auto dir = shared_subdir("datasets", relative, "dataset file " + relative);
  if (!dir) return std::nullopt;
  return (fs::path(*dir) / relative).string();
}

namespace {
// Removes the process's temp root when the test binary exits.
struct TempRoot {
  fs::path path;
  TempRoot() {
    std::string tmpl = (fs::temp_directory_path() / "lfmb-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempRoot() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
}  // namespace

std::optional<std::string> npm_modules_dir(const std::string& package) {
  const fs::path dir = fs::path(LFMB_SOURCE_DIR) / ".cache" / "npm" / "node_modules";
  if (fs::exists(dir / package / "package.json") && std::system("node --version > /dev/null 2>&1") == 0)
    return dir.string();
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") {
    FAIL("node or the npm package " << package << " is missing under " << dir << " (CI=true: run scripts/setup)");
  }
  WARN("SKIPPED: node or the npm package " << package << " is missing under " << dir << " (run scripts/setup)");
  return std::nullopt;
}

std::string temp_dir() {
  static TempRoot root;
  static int counter = 0;
  const fs::path d = root.path / std::to_string(counter++);
  fs::create_directories(d);
  return d.string();
}

RunResult run_lfmb(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {LFMB_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

RunResult run_process(const std::vector<std::string>& argv_in) {
  const std::string dir = temp_dir();
  const std::string out_path = dir + "/stdout", err_path = dir + "/stderr";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<std::string> copy = argv_in;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), std::streamsize(bytes.size()));
}

std::vector<float> random_floats(size_t n, uint32_t seed, float scale) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

std::vector<uint8_t> random_weights(TensorType type, int64_t n_mats, int64_t n_out, int64_t n_in, uint32_t seed) {
  const std::vector<float> f = random_floats(size_t(n_mats * n_out * n_in), seed, 0.5f);
  const size_t rb = row_bytes(type, n_in);
  std::vector<uint8_t> w(rb * size_t(n_mats * n_out));
  for (int64_t r = 0; r < n_mats * n_out; ++r) quantize_row(type, f.data() + r * n_in, w.data() + size_t(r) * rb, n_in);
  return w;
}

double rms_ratio(const std::vector<float>& got, const std::vector<float>& want) {
  double num = 0, den = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    num += double(got[i] - want[i]) * double(got[i] - want[i]);
    den += double(want[i]) * double(want[i]);
  }
  return std::sqrt(num / den);
}

}  // namespace lfmb::test
