// The sandbox's /input on the host: see sandbox_input_dir.h.
#include "eval/sandbox/sandbox_input_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <set>

#include "core/error.h"

namespace lfmb::eval {

namespace fs = std::filesystem;

void check_sandbox_file_path(const std::string& path) {
  auto bad = [&](const char* why) {
    return Error(fmt::format("sandbox: input file path '{}' {}", path, why));
  };
  if (path.empty()) throw bad("is empty");
  if (path.find('\0') != std::string::npos) throw bad("contains a NUL byte");
  if (path.front() == '/') throw bad("is absolute (paths are relative to /input)");
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty()) throw bad("has an empty component");
    if (part == "." || part == "..") throw bad("has a '.' or '..' component");
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

namespace {

// $TMPDIR, unless the directory goes to another uid: then /tmp, since bwrap (running as that uid)
// must be able to walk the whole path, and a TMPDIR under root's home would stop it.
std::string temp_base(bool other_owner) {
  const char* t = std::getenv("TMPDIR");
  return (!other_owner && t && *t == '/') ? std::string(t) : std::string("/tmp");
}

void write_all(int fd, const std::string& data, const std::string& name) {
  size_t put = 0;
  while (put < data.size()) {
    const ssize_t n = ::write(fd, data.data() + put, data.size() - put);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(fmt::format("sandbox: writing input file '{}' failed: {}", name, std::strerror(errno)));
    put += static_cast<size_t>(n);
  }
}

}  // namespace

SandboxInputDir::SandboxInputDir(const std::vector<SandboxFile>& files, int owner) {
  std::set<std::string> seen;
  for (const SandboxFile& f : files) {
    check_sandbox_file_path(f.path);
    if (!seen.insert(f.path).second) throw Error(fmt::format("sandbox: input file path '{}' is given twice", f.path));
  }
  const std::string base = temp_base(owner >= 0);
  std::string templ = base + "/lfmb-sandbox-XXXXXX";
  if (!mkdtemp(templ.data()))  // mode 0700: no other host user can look inside
    throw Error(fmt::format("sandbox: cannot create a temporary directory under {}: {}", base, std::strerror(errno)));
  root_ = templ;
  try {
    if (owner >= 0 && chown(root_.c_str(), static_cast<uid_t>(owner), static_cast<gid_t>(-1)) != 0)
      throw Error(fmt::format("sandbox: cannot hand {} to uid {}: {}{}", root_, owner, std::strerror(errno),
                              errno == EINVAL ? " (that uid is not mapped in lfmb's user namespace)" : ""));
    // Inside the private parent, world-readable: the sandbox runs as another uid than the owner
    // when lfmb is root (see sandbox_spawn.cpp), and /input is mounted read-only anyway.
    const std::string input = root_ + "/input";
    if (mkdir(input.c_str(), 0755) != 0 || chmod(input.c_str(), 0755) != 0)
      throw Error(fmt::format("sandbox: cannot create {}: {}", input, std::strerror(errno)));
    for (const SandboxFile& f : files) {
      const fs::path target = fs::path(input) / f.path;
      std::vector<fs::path> dirs;  // the folders the path names, outermost last
      for (fs::path dir = target.parent_path(); dir != fs::path(input); dir = dir.parent_path()) dirs.push_back(dir);
      for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
        if (mkdir(it->c_str(), 0755) == 0) {
          chmod(it->c_str(), 0755);  // umask-proof
        } else if (errno != EEXIST) {
          throw Error(fmt::format("sandbox: cannot create the folder of input file '{}': {}", f.path, std::strerror(errno)));
        }
      }
      UniqueFd fd(::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
      if (!fd.valid()) throw Error(fmt::format("sandbox: cannot create input file '{}': {}", f.path, std::strerror(errno)));
      if (fchmod(fd.get(), 0644) != 0) throw Error(fmt::format("sandbox: chmod of input file '{}' failed: {}", f.path, std::strerror(errno)));
      write_all(fd.get(), f.content, f.path);
    }
    input_fd_.reset(::open(input.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!input_fd_.valid()) throw Error(fmt::format("sandbox: cannot open {}: {}", input, std::strerror(errno)));
  } catch (...) {
    std::error_code ec;
    fs::remove_all(root_, ec);
    throw;
  }
}

SandboxInputDir::~SandboxInputDir() {
  input_fd_.reset();
  std::error_code ec;
  fs::remove_all(root_, ec);
}

}  // namespace lfmb::eval
