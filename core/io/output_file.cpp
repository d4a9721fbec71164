#include "core/io/output_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "core/error.h"

namespace lfmb {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxSymlinkHops = 40;  // Linux's MAXSYMLINKS

std::string read_link(const std::string& path, const std::string& given) {
  std::vector<char> buf(256);
  for (;;) {
    const ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0) throw Error(given + ": cannot read symlink " + path + ": " + std::strerror(errno));
    if (size_t(n) < buf.size()) return std::string(buf.data(), size_t(n));
    if (buf.size() >= 1u << 20) throw Error(given + ": symlink " + path + " is too long");
    buf.resize(buf.size() * 2);
  }
}

// A write to a FIFO whose reader has gone raises SIGPIPE, which would end the process without a
// message; blocked for the duration of the write, it becomes EPIPE, reported like any write error.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    ::pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlocked() {
    // Discard the SIGPIPE our own failed write raised (not one that was already pending).
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{};
        ::sigtimedwait(&pipe_, nullptr, &zero);
      }
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_{}, old_{};
  bool was_pending_ = false;
};

std::atomic<unsigned> temp_counter{0};

}  // namespace

std::string OutputTarget::describe() const { return target == path ? path : path + " (-> " + target + ")"; }

OutputTarget resolve_output(const std::string& path) {
  if (path.empty()) throw Error("output path is empty");
  OutputTarget t;
  t.path = path;
  t.target = path;
  for (int hops = 0;; ++hops) {
    struct stat st {};
    if (::lstat(t.target.c_str(), &st) != 0) {
      if (errno == ENOENT) {
        // A new file; a name ending in '/' can only mean a directory, which is not a file to write.
        if (t.target.back() == '/') throw Error(t.describe() + ": is a directory path, not a file");
        t.kind = OutputKind::NewFile;
        return t;
      }
      throw Error(t.describe() + ": cannot inspect: " + std::strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) {
      if (hops == kMaxSymlinkHops) throw Error(path + ": too many levels of symbolic links");
      const std::string link = read_link(t.target, path);
      // A relative link is relative to the directory holding the link, which the link's own
      // path (unnormalised, so ".." and linked directories resolve as the kernel does) reaches.
      const fs::path dir = fs::path(t.target).parent_path();
      t.target = (link.front() == '/' || dir.empty()) ? link : (dir / link).string();
      continue;
    }
    if (S_ISREG(st.st_mode)) t.kind = OutputKind::RegularFile;
    else if (S_ISCHR(st.st_mode)) t.kind = OutputKind::CharDevice;
    else if (S_ISFIFO(st.st_mode)) t.kind = OutputKind::Fifo;
    else if (S_ISSOCK(st.st_mode)) t.kind = OutputKind::Socket;
    else if (S_ISDIR(st.st_mode)) throw Error(t.describe() + ": is a directory; give a file path");
    // Writing a model or a results file over a disk is never what was meant.
    else if (S_ISBLK(st.st_mode)) throw Error(t.describe() + ": is a block device; refusing to write to it");
    else throw Error(t.describe() + ": is not a regular file, device, FIFO or socket");
    return t;
  }
}

OutputFile::OutputFile(const std::string& path, ParentDirs parents) : target_(resolve_output(path)) {
  const std::string& dst = target_.target;
  switch (target_.kind) {
    case OutputKind::NewFile:
    case OutputKind::RegularFile: {
      const fs::path parent = fs::path(dst).parent_path();
      if (!parent.empty() && parents == ParentDirs::MustExist) {
        std::error_code ec;
        if (!fs::is_directory(parent, ec))
          throw Error(target_.describe() + ": directory " + parent.string() + " does not exist");
      } else if (!parent.empty()) {
        std::error_code ec;
        fs::create_directories(parent, ec);
        if (ec) throw Error(target_.describe() + ": cannot create directory " + parent.string() + ": " + ec.message());
      }
      // Beside the target, so the rename stays on one file system; O_EXCL so two writers (or a
      // stale leftover) never share a temp file.
      for (int attempt = 0; fd_ < 0; ++attempt) {
        temp_ = dst + ".part." + std::to_string(::getpid()) + "." + std::to_string(temp_counter.fetch_add(1));
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd_ < 0 && (errno != EEXIST || attempt == 100)) {
          const int e = errno;
          temp_.clear();
          fail("cannot create temp file", e);
        }
      }
      if (target_.kind == OutputKind::RegularFile) {
        // The replacement keeps the permissions (and, where allowed, the owner) of the file it replaces.
        struct stat st {};
        if (::stat(dst.c_str(), &st) == 0) {
          ::fchmod(fd_, st.st_mode & 07777);
          if ((st.st_uid != ::geteuid() || st.st_gid != ::getegid()) && ::fchown(fd_, st.st_uid, st.st_gid) != 0) {
            // Best effort, as careful editors do: only root may give a file away.
          }
        }
      }
      break;
    }
    case OutputKind::CharDevice:
    case OutputKind::Fifo:
      // No O_CREAT, no O_TRUNC: the node is written as it is. A FIFO blocks here until a reader opens it.
      fd_ = ::open(dst.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
      if (fd_ < 0) fail("cannot open", errno);
      break;
    case OutputKind::Socket: {
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      if (dst.size() >= sizeof addr.sun_path) throw Error(target_.describe() + ": socket path is too long to connect to");
      std::memcpy(addr.sun_path, dst.data(), dst.size());
      fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd_ < 0) fail("cannot create socket", errno);
      if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const int e = errno;
        ::close(fd_);
        fd_ = -1;
        fail("cannot connect to socket", e);
      }
      break;
    }
  }
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void OutputFile::fail(const char* what, int err) const {
  throw Error(target_.describe() + ": " + what + ": " + std::strerror(err));
}

void OutputFile::write(const void* data, size_t n) {
  if (fd_ < 0) throw Error(target_.describe() + ": write after finish");
  const auto* p = static_cast<const uint8_t*>(data);
  const bool fifo = target_.kind == OutputKind::Fifo;
  std::optional<SigpipeBlocked> blocked;
  if (fifo) blocked.emplace();
  while (n > 0) {
    const size_t chunk = std::min<size_t>(n, size_t(1) << 30);
    const ssize_t w = target_.kind == OutputKind::Socket ? ::send(fd_, p, chunk, MSG_NOSIGNAL) : ::write(fd_, p, chunk);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail("write failed", errno);
    }
    // A device that accepts nothing (and reports no error) would loop forever.
    if (w == 0) fail("write failed", EIO);
    p += w;
    n -= size_t(w);
  }
}

void OutputFile::write_at(const void* data, size_t n, uint64_t offset) {
  if (!seekable() || fd_ < 0) throw Error(target_.describe() + ": positioned write on an output that is not a temp file");
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    const ssize_t w = ::pwrite(fd_, p, std::min<size_t>(n, size_t(1) << 30), off_t(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      fail("write failed", errno);
    }
    if (w == 0) fail("write failed", EIO);
    p += w;
    n -= size_t(w);
    offset += uint64_t(w);
  }
}

void OutputFile::reserve(uint64_t size) {
  if (!seekable() || fd_ < 0) throw Error(target_.describe() + ": cannot size an output that is not a temp file");
  if (::ftruncate(fd_, off_t(size)) != 0) fail("cannot size file", errno);
}

void OutputFile::finish() {
  if (finished_) return;
  finished_ = true;
  const int fd = fd_;
  fd_ = -1;
  // Data on disk before the rename makes it visible, so a crash leaves the old file or the new one.
  if (seekable() && ::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    fail("write failed", e);
  }
  // close() is where some devices and network file systems report a failed write.
  if (::close(fd) != 0 && errno != EINTR) fail("write failed", errno);
}

void OutputFile::commit() {
  if (committed_) throw Error(target_.describe() + ": committed twice");
  finish();
  committed_ = true;
  if (!seekable()) return;
  if (::rename(temp_.c_str(), target_.target.c_str()) != 0) fail("cannot rename temp file into place", errno);
  temp_.clear();
  // The rename itself is durable once the directory is synced; failing that is not worth an error.
  const fs::path parent = fs::path(target_.target).parent_path();
  const int dir = ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

void write_output(const std::string& path, std::string_view content, ParentDirs parents) {
  OutputFile out(path, parents);
  out.write(content);
  out.commit();
}

void write_outputs(const std::vector<OutputContent>& files, ParentDirs parents) {
  // Resolved up front, so a path that cannot be written (a directory, a loop) fails before any
  // bytes go anywhere.
  std::vector<OutputTarget> targets;
  for (const auto& f : files) targets.push_back(resolve_output(f.path));
  std::vector<std::unique_ptr<OutputFile>> outs(files.size());
  for (int direct = 0; direct < 2; ++direct)
    for (size_t i = 0; i < files.size(); ++i) {
      if (targets[i].direct() != (direct == 1)) continue;
      outs[i] = std::make_unique<OutputFile>(files[i].path, parents);
      outs[i]->write(files[i].content);
      outs[i]->finish();
    }
  for (auto& o : outs) o->commit();
}

}  // namespace lfmb
