// The parent's poll loop for one sandbox run: see sandbox_io_loop.h.
#include "eval/sandbox/sandbox_io_loop.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/format.h>

#include "core/error.h"

namespace lfmb::eval {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kChunk = 64 * 1024;
constexpr size_t kStatusCap = 64 * 1024;  // bwrap's JSON lines are a few hundred bytes

// Writing to a pipe whose reader is gone raises SIGPIPE, which would end lfmb: block it in this
// thread while the loop runs, and swallow one that this thread caused.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec zero{0, 0};
        while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_{}, old_{};
  bool was_pending_ = false;
};

// Reads what is there; false at EOF or on an error (the descriptor is then done).
bool drain(int fd, std::string& into, size_t cap, bool* truncated) {
  char buf[kChunk];
  while (true) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n <= 0) return false;
    const size_t room = into.size() < cap ? cap - into.size() : 0;
    into.append(buf, std::min(room, static_cast<size_t>(n)));
    if (static_cast<size_t>(n) > room && truncated) *truncated = true;
  }
}

int ms_until(Clock::time_point t) {
  const auto d = std::chrono::duration_cast<std::chrono::microseconds>(t - Clock::now()).count();
  if (d <= 0) return 0;
  return static_cast<int>(std::min<long long>((d + 999) / 1000, 1 << 30));
}

}  // namespace

SandboxOutcome run_sandbox_io_loop(SpawnedSandbox& s, const std::string& stdin_data, const SandboxLimits& limits,
                                   Clock::time_point start) {
  SigpipeGuard sigpipe_guard;
  SandboxOutcome o;
  const auto wall = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limits.wall_seconds));
  const Clock::time_point deadline = start + wall;
  const Clock::time_point last_resort = deadline + std::chrono::seconds(1);
  size_t stdin_off = 0;
  if (stdin_data.empty()) s.stdin_w.reset();
  std::string report_bytes;
  bool reaped = false;

  auto try_reap = [&](int flags) {
    int status = 0;
    rusage ru{};
    while (true) {
      const pid_t p = wait4(s.reaper, &status, flags, &ru);
      if (p < 0 && errno == EINTR) continue;
      if (p == s.reaper) {
        reaped = true;
        o.reaper_status = status;
        o.usage = ru;
        s.reaper_pidfd.reset();
      } else if (p < 0) {
        reaped = true;  // ECHILD: someone set SIGCHLD to SIG_IGN; nothing more to learn
      }
      return;
    }
  };

  while (true) {
    if (!reaped && !s.reaper_pidfd.valid()) try_reap(WNOHANG);
    const bool pipes_open = s.stdout_r.valid() || s.stderr_r.valid() || s.json_status_r.valid() || s.report_r.valid();
    if (reaped && !pipes_open) break;
    const Clock::time_point now = Clock::now();
    if (!o.wall_timeout && !reaped && now >= deadline) {
      o.wall_timeout = true;
      request_sandbox_kill(s.reaper);
    }
    if (now >= last_resort) {
      // The reaper did not finish (or a pipe stayed open): kill its group and stop reading.
      if (!reaped) {
        o.force_killed = true;
        force_kill_reaper(s.reaper);
        try_reap(0);
      }
      break;
    }

    pollfd fds[6];
    int n = 0;
    int i_in = -1, i_out = -1, i_err = -1, i_json = -1, i_rep = -1, i_pid = -1;
    auto add = [&](const UniqueFd& fd, short events, int& idx) {
      if (!fd.valid()) return;
      idx = n;
      fds[n++] = pollfd{fd.get(), events, 0};
    };
    add(s.stdin_w, POLLOUT, i_in);
    add(s.stdout_r, POLLIN, i_out);
    add(s.stderr_r, POLLIN, i_err);
    add(s.json_status_r, POLLIN, i_json);
    add(s.report_r, POLLIN, i_rep);
    if (!reaped) add(s.reaper_pidfd, POLLIN, i_pid);
    int timeout = ms_until(o.wall_timeout || reaped ? last_resort : deadline);
    if (!reaped && !s.reaper_pidfd.valid()) timeout = std::min(timeout, 10);  // no pidfd: poll the child
    const int r = poll(fds, static_cast<nfds_t>(n), timeout);
    if (r < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      if (!reaped) {  // never leave a sandbox running behind an exception
        force_kill_reaper(s.reaper);
        try_reap(0);
      }
      throw Error(fmt::format("sandbox: poll failed: {}", std::strerror(err)));
    }
    if (r == 0) continue;

    if (i_in >= 0 && fds[i_in].revents) {
      if (fds[i_in].revents & (POLLERR | POLLHUP | POLLNVAL)) {
        s.stdin_w.reset();  // the program closed its stdin: the rest is not wanted
      } else {
        const size_t len = std::min(kChunk, stdin_data.size() - stdin_off);
        const ssize_t w = write(s.stdin_w.get(), stdin_data.data() + stdin_off, len);
        if (w > 0) stdin_off += static_cast<size_t>(w);
        else if (w < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) s.stdin_w.reset();  // EPIPE
        if (stdin_off == stdin_data.size()) s.stdin_w.reset();  // EOF for the program
      }
    }
    auto read_side = [&](int idx, UniqueFd& fd, std::string& into, size_t cap, bool* truncated) {
      if (idx < 0 || !fds[idx].revents) return;
      if (!drain(fd.get(), into, cap, truncated)) fd.reset();
    };
    read_side(i_out, s.stdout_r, o.out, limits.output_bytes, &o.out_truncated);
    read_side(i_err, s.stderr_r, o.err, limits.output_bytes, &o.err_truncated);
    read_side(i_json, s.json_status_r, o.json_status, kStatusCap, nullptr);
    read_side(i_rep, s.report_r, report_bytes, kStatusCap, nullptr);
    if (i_pid >= 0 && fds[i_pid].revents) try_reap(WNOHANG);
  }
  s.stdin_w.reset();
  o.reaper_exited = reaped && !o.force_killed;
  for (size_t off = 0; off + sizeof(SpawnReport) <= report_bytes.size(); off += sizeof(SpawnReport)) {
    SpawnReport rec{};
    std::memcpy(&rec, report_bytes.data() + off, sizeof rec);
    o.reports.push_back(rec);
  }
  o.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return o;
}

}  // namespace lfmb::eval
