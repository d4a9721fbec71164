// Output paths (core/io/output_file): files replaced atomically, symlinks followed, devices,
// FIFOs and sockets written in place, directories refused, through the helper, the GGUF writer
// and the CLI. Devices are private nodes made with mknod in a temp dir, never the system's.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/io/output_file.h"
#include "core/synth/presets.h"
#include "core/synth/synthesize.h"
#include "tests/test_support.h"

using namespace lfmb;
using lfmb::test::read_file;
using lfmb::test::run_lfmb;
using lfmb::test::temp_dir;
namespace fs = std::filesystem;

namespace {

struct stat lstat_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st;
}

// A private character device node dir/name with Linux's mem major (1): minor 3 is null, 7 is
// full. nullopt when this process may not make or open one (not root, no CAP_MKNOD, a nodev
// mount): a warning, or a failure under CI=true where the tests must run.
std::optional<std::string> private_device(const std::string& dir, const char* name, unsigned minor) {
  const std::string path = dir + "/" + name;
  std::string why;
  if (::mknod(path.c_str(), S_IFCHR | 0666, makedev(1, minor)) != 0) {
    why = std::string("mknod: ") + std::strerror(errno);
  } else {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) why = std::string("open: ") + std::strerror(errno);
    else ::close(fd);
  }
  if (why.empty()) return path;
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") FAIL("cannot make a private device node " << path << " (" << why << "); CI=true needs root");
  WARN("SKIPPED: cannot make a private device node " << path << " (" << why << "); run as root to test device outputs");
  return std::nullopt;
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string big_text(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = char('a' + i * 7 % 26);
  return s;
}

}  // namespace

TEST_CASE("output: a new file is written with its parent directories and no temp file left", "[output]") {
  const std::string dir = temp_dir();
  const std::string path = dir + "/a/b/out.json";
  CHECK(resolve_output(path).kind == OutputKind::NewFile);
  write_output(path, "{\"x\": 1}\n", ParentDirs::Create);
  CHECK(read_file(path) == "{\"x\": 1}\n");
  CHECK(S_ISREG(lstat_of(path).st_mode));
  CHECK(names_in(dir + "/a/b") == std::vector<std::string>{"out.json"});
}

TEST_CASE("output: a new file in a missing directory is refused when the directory must exist", "[output]") {
  const std::string dir = temp_dir();
  const std::string path = dir + "/typo/out.json";
  try {
    write_output(path, "x", ParentDirs::MustExist);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == path + ": directory " + dir + "/typo does not exist");
  }
  CHECK(fs::is_empty(dir));
}

TEST_CASE("output: an existing file is replaced by rename and keeps its mode", "[output]") {
  const std::string dir = temp_dir();
  const std::string path = dir + "/out.csv";
  lfmb::test::write_file(path, "old contents that are longer than the new ones\n");
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  const ino_t old_inode = lstat_of(path).st_ino;
  CHECK(resolve_output(path).kind == OutputKind::RegularFile);
  write_output(path, "new\n", ParentDirs::MustExist);
  CHECK(read_file(path) == "new\n");
  const struct stat st = lstat_of(path);
  CHECK(st.st_ino != old_inode);  // a new file renamed over the old one, not rewritten in place
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(names_in(dir) == std::vector<std::string>{"out.csv"});
}

TEST_CASE("output: an output abandoned before commit leaves the old file and no temp file", "[output]") {
  const std::string dir = temp_dir();
  const std::string path = dir + "/model.gguf";
  lfmb::test::write_file(path, "old");
  {
    OutputFile out(path, ParentDirs::MustExist);
    CHECK(out.seekable());
    out.write("half of the new");
  }
  CHECK(read_file(path) == "old");
  CHECK(names_in(dir) == std::vector<std::string>{"model.gguf"});
}

TEST_CASE("output: a symlink stays a link and its target is replaced", "[output]") {
  const std::string dir = temp_dir();
  fs::create_directories(dir + "/real");
  lfmb::test::write_file(dir + "/real/file.json", "old");
  fs::create_symlink("real/file.json", dir + "/link.json");
  const OutputTarget t = resolve_output(dir + "/link.json");
  CHECK(t.kind == OutputKind::RegularFile);
  CHECK(t.target == dir + "/real/file.json");
  write_output(dir + "/link.json", "new", ParentDirs::MustExist);
  CHECK(S_ISLNK(lstat_of(dir + "/link.json").st_mode));
  CHECK(fs::read_symlink(dir + "/link.json") == "real/file.json");
  CHECK(read_file(dir + "/real/file.json") == "new");
  CHECK(names_in(dir) == std::vector<std::string>{"link.json", "real"});
  CHECK(names_in(dir + "/real") == std::vector<std::string>{"file.json"});
}

TEST_CASE("output: a dangling symlink creates its target", "[output]") {
  const std::string dir = temp_dir();
  fs::create_symlink(dir + "/made/later.txt", dir + "/link");  // absolute, parent missing too
  const OutputTarget t = resolve_output(dir + "/link");
  CHECK(t.kind == OutputKind::NewFile);
  CHECK(t.target == dir + "/made/later.txt");
  write_output(dir + "/link", "created", ParentDirs::Create);
  CHECK(S_ISLNK(lstat_of(dir + "/link").st_mode));
  CHECK(read_file(dir + "/made/later.txt") == "created");
  CHECK(S_ISREG(lstat_of(dir + "/made/later.txt").st_mode));
}

TEST_CASE("output: a chain of two symlinks is followed to the end", "[output]") {
  const std::string dir = temp_dir();
  fs::create_directories(dir + "/x/y");
  lfmb::test::write_file(dir + "/x/y/final", "old");
  // first -> x/second (relative to dir), x/second -> y/final (relative to x, where it lives)
  fs::create_symlink("y/final", dir + "/x/second");
  fs::create_symlink("x/second", dir + "/first");
  const OutputTarget t = resolve_output(dir + "/first");
  CHECK(t.target == dir + "/x/y/final");
  CHECK(t.describe() == dir + "/first (-> " + dir + "/x/y/final)");
  write_output(dir + "/first", "through two links", ParentDirs::MustExist);
  CHECK(read_file(dir + "/x/y/final") == "through two links");
  CHECK(S_ISLNK(lstat_of(dir + "/first").st_mode));
  CHECK(S_ISLNK(lstat_of(dir + "/x/second").st_mode));
  CHECK(names_in(dir + "/x/y") == std::vector<std::string>{"final"});
}

TEST_CASE("output: a symlink loop is a one-line error", "[output]") {
  const std::string dir = temp_dir();
  fs::create_symlink("b", dir + "/a");
  fs::create_symlink("a", dir + "/b");
  try {
    write_output(dir + "/a", "x", ParentDirs::MustExist);
    FAIL("no error");
  } catch (const Error& e) {
    const std::string msg = e.what();
    CHECK(msg.find(dir + "/a") != std::string::npos);
    CHECK(msg.find("symbolic links") != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
}

TEST_CASE("output: a directory is refused and left alone", "[output]") {
  const std::string dir = temp_dir();
  fs::create_directories(dir + "/results");
  lfmb::test::write_file(dir + "/results/keep", "k");
  fs::create_symlink("results", dir + "/to-dir");
  for (const std::string& path : {dir + "/results", dir + "/to-dir", dir + "/new-dir/"}) {
    try {
      write_output(path, "x", ParentDirs::MustExist);
      FAIL("no error for " << path);
    } catch (const Error& e) {
      const std::string msg = e.what();
      CHECK(msg.find(path) != std::string::npos);
      CHECK(msg.find("directory") != std::string::npos);
      CHECK(msg.find('\n') == std::string::npos);
    }
  }
  CHECK(names_in(dir + "/results") == std::vector<std::string>{"keep"});
  CHECK(!fs::exists(dir + "/new-dir"));
}

TEST_CASE("output: a FIFO is written in place for a reader", "[output]") {
  const std::string dir = temp_dir();
  const std::string fifo = dir + "/pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(resolve_output(fifo).kind == OutputKind::Fifo);
  const std::string content = big_text(300000);  // several pipe buffers
  std::string got;
  std::thread reader([&] { got = read_file(fifo); });
  write_output(fifo, content, ParentDirs::MustExist);
  reader.join();
  CHECK(got == content);
  CHECK(S_ISFIFO(lstat_of(fifo).st_mode));
  CHECK(names_in(dir) == std::vector<std::string>{"pipe"});
}

TEST_CASE("output: a FIFO whose reader leaves is an error not a SIGPIPE", "[output]") {
  const std::string dir = temp_dir();
  const std::string fifo = dir + "/pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::thread reader([&] {
    const int fd = ::open(fifo.c_str(), O_RDONLY | O_CLOEXEC);
    char c;
    if (fd >= 0) {
      (void)!::read(fd, &c, 1);
      ::close(fd);
    }
  });
  std::string msg;
  try {
    write_output(fifo, big_text(1 << 20), ParentDirs::MustExist);  // more than the pipe holds, so the writer outlives the reader
  } catch (const Error& e) {
    msg = e.what();
  }
  reader.join();
  CHECK(msg == fifo + ": write failed: " + std::strerror(EPIPE));
  sigset_t pending;
  sigpending(&pending);
  CHECK(sigismember(&pending, SIGPIPE) == 0);  // the SIGPIPE raised was consumed, not left to kill us later
}

TEST_CASE("output: a unix socket is connected to and written", "[output]") {
  const std::string dir = temp_dir();
  const std::string path = dir + "/sock";
  const int srv = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(srv >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  REQUIRE(path.size() < sizeof addr.sun_path);
  std::memcpy(addr.sun_path, path.data(), path.size());
  REQUIRE(::bind(srv, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(srv, 1) == 0);
  CHECK(resolve_output(path).kind == OutputKind::Socket);
  std::string got;
  std::thread server([&] {
    const int c = ::accept(srv, nullptr, nullptr);
    if (c < 0) return;
    char buf[4096];
    for (ssize_t n; (n = ::read(c, buf, sizeof buf)) > 0;) got.append(buf, size_t(n));
    ::close(c);
  });
  const std::string content = big_text(200000);
  write_output(path, content, ParentDirs::MustExist);
  server.join();
  ::close(srv);
  CHECK(got == content);
  CHECK(S_ISSOCK(lstat_of(path).st_mode));
}

TEST_CASE("output: a private null device stays a char device after writing", "[output]") {
  const std::string dir = temp_dir();
  const auto null_dev = private_device(dir, "null", 3);
  if (!null_dev) return;
  fs::create_symlink("null", dir + "/to-null");
  CHECK(resolve_output(*null_dev).kind == OutputKind::CharDevice);
  write_output(*null_dev, "discarded", ParentDirs::MustExist);
  write_output(dir + "/to-null", "discarded through a link", ParentDirs::MustExist);
  {
    OutputFile out(*null_dev, ParentDirs::MustExist);
    CHECK(!out.seekable());
    CHECK_THROWS_AS(out.reserve(10), Error);  // no truncation tricks on a device
    out.commit();
  }
  const struct stat st = lstat_of(*null_dev);
  CHECK(S_ISCHR(st.st_mode));
  CHECK(st.st_rdev == makedev(1, 3));
  CHECK(S_ISLNK(lstat_of(dir + "/to-null").st_mode));
  CHECK(names_in(dir) == std::vector<std::string>{"null", "to-null"});
}

TEST_CASE("output: a private full device fails with a one-line error naming it", "[output]") {
  const std::string dir = temp_dir();
  const auto full_dev = private_device(dir, "full", 7);
  if (!full_dev) return;
  try {
    write_output(*full_dev, "no room", ParentDirs::MustExist);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == *full_dev + ": write failed: " + std::strerror(ENOSPC));
  }
  fs::create_symlink("full", dir + "/to-full");
  try {
    write_output(dir + "/to-full", "no room", ParentDirs::MustExist);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == dir + "/to-full (-> " + dir + "/full): write failed: " + std::strerror(ENOSPC));
  }
  const struct stat st = lstat_of(*full_dev);
  CHECK(S_ISCHR(st.st_mode));
  CHECK(st.st_rdev == makedev(1, 7));
}

TEST_CASE("output: a block device is refused without being opened", "[output]") {
  const std::string dir = temp_dir();
  const std::string path = dir + "/disk";
  // A major number no driver has, so even an accidental open could reach nothing.
  if (::mknod(path.c_str(), S_IFBLK | 0600, makedev(240, 0)) != 0) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL("mknod " << path << ": " << std::strerror(errno));
    WARN("SKIPPED: cannot make a private block device node (" << std::strerror(errno) << ")");
    return;
  }
  try {
    write_output(path, "x", ParentDirs::MustExist);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == path + ": is a block device; refusing to write to it");
  }
  CHECK(S_ISBLK(lstat_of(path).st_mode));
}

TEST_CASE("output: a GGUF streamed to a FIFO has the bytes of the file", "[output]") {
  // The in-order writer (devices and FIFOs) must produce exactly what the parallel one puts in a
  // file: same tensors, same zero padding, several threads filling batches.
  const SynthPreset* p = find_synth_preset("tiny-lfm2moe");
  REQUIRE(p != nullptr);
  const ModelSynthesizer synth(*p, TensorType::Q4_0, 3);
  const std::string dir = temp_dir();
  synth.write_file(dir + "/file.gguf", 3);
  const std::string fifo = dir + "/pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string streamed;
  std::thread reader([&] { streamed = read_file(fifo); });
  std::vector<uint64_t> progress;
  synth.write_file(fifo, 3, [&](uint64_t done, uint64_t) { progress.push_back(done); });
  reader.join();
  const std::string file = read_file(dir + "/file.gguf");
  CHECK(file.size() == synth.file_size());
  CHECK(streamed == file);
  REQUIRE(!progress.empty());
  CHECK(progress.back() == synth.file_size());
  CHECK(std::is_sorted(progress.begin(), progress.end()));
  CHECK(S_ISFIFO(lstat_of(fifo).st_mode));
}

TEST_CASE("output: lfmb synth to a private full device exits 1 and to null exits 0", "[output]") {
  const std::string dir = temp_dir();
  const auto full_dev = private_device(dir, "full", 7);
  const auto null_dev = private_device(dir, "null", 3);
  if (!full_dev || !null_dev) return;
  auto r = run_lfmb({"synth", "--preset", "tiny-qwen3", "--type", "q4_0", "--seed", "1", "-o", *full_dev});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "lfmb: error: " + *full_dev + ": write failed: " + std::strerror(ENOSPC) + "\n");
  CHECK(S_ISCHR(lstat_of(*full_dev).st_mode));

  r = run_lfmb({"synth", "--preset", "tiny-qwen3", "--type", "q4_0", "--seed", "1", "-o", *null_dev});
  CHECK(r.exit_code == 0);
  const struct stat st = lstat_of(*null_dev);
  CHECK(S_ISCHR(st.st_mode));
  CHECK(st.st_rdev == makedev(1, 3));
  CHECK(names_in(dir) == std::vector<std::string>{"full", "null"});
}

TEST_CASE("output: lfmb synth through a symlink replaces the target and refuses a directory", "[output]") {
  const std::string dir = temp_dir();
  lfmb::test::write_file(dir + "/model.gguf", "old");
  fs::create_symlink("model.gguf", dir + "/current.gguf");
  auto r = run_lfmb({"synth", "--preset", "tiny-qwen3", "--seed", "1", "-o", dir + "/current.gguf"});
  CHECK(r.exit_code == 0);
  CHECK(S_ISLNK(lstat_of(dir + "/current.gguf").st_mode));
  CHECK(read_file(dir + "/model.gguf").substr(0, 4) == "GGUF");

  fs::create_directories(dir + "/models");
  r = run_lfmb({"synth", "--preset", "tiny-qwen3", "--seed", "1", "-o", dir + "/models"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "lfmb: error: " + dir + "/models: is a directory; give a file path\n");
  CHECK(fs::is_empty(dir + "/models"));
}

TEST_CASE("output: lfmb logits to a private full device exits 1 and to null exits 0", "[output]") {
  const std::string dir = temp_dir();
  const auto full_dev = private_device(dir, "full", 7);
  const auto null_dev = private_device(dir, "null", 3);
  if (!full_dev || !null_dev) return;
  const std::string model = dir + "/m.gguf";
  REQUIRE(run_lfmb({"synth", "--preset", "tiny-qwen3", "--seed", "1", "-o", model}).exit_code == 0);
  auto r = run_lfmb({"logits", "--model", model, "--tokens", "1 2 3", "--out", *full_dev});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "lfmb: error: " + *full_dev + ": write failed: " + std::strerror(ENOSPC) + "\n");
  r = run_lfmb({"logits", "--model", model, "--tokens", "1 2 3", "--out", *null_dev});
  CHECK(r.exit_code == 0);
  CHECK(S_ISCHR(lstat_of(*null_dev).st_mode));
  CHECK(S_ISCHR(lstat_of(*full_dev).st_mode));
}
