// Forking the sandbox: see sandbox_spawn.h. Everything after fork() runs in a copy of a possibly
// multi-threaded lfmb, so the two child paths use only async-signal-safe calls (raw syscalls, no
// allocation, no locks); all memory they read (argv, envp, rlimits) is prepared before fork().
#include "eval/sandbox/sandbox_spawn.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/format.h>

#include "core/error.h"
#include "eval/sandbox/bwrap_command.h"

namespace lfmb::eval {

const char* spawn_step_name(int32_t step) {
  switch (step) {
    case kStepRlimit: return "setrlimit";
    case kStepFds: return "arranging descriptors";
    case kStepDropPrivileges: return "dropping root to uid 65534";
    case kStepNoNewPrivs: return "prctl";
    case kStepParentGone: return "parent exited";
    case kStepExec: return "exec of /usr/bin/bwrap";
  }
  return "unknown step";
}

namespace {

struct ChildLimit {
  __rlimit_resource_t resource;
  rlimit value;
};

struct ChildPlan {
  const char* const* argv;
  const char* const* envp;
  std::array<ChildLimit, 6> limits;
  std::array<int, kFirstUnusedFdSlot> slot_source;  // slot i of the child gets a copy of this fd
  bool drop_root;
  pid_t lfmb_pid;
  pid_t reaper_pid;  // set in the reaper after fork
};

// Closes descriptors first..last (last = -1: all from first on).
void close_fds(int first, int last) {
  if (last >= 0 && last < first) return;
  const unsigned hi = last < 0 ? ~0u : static_cast<unsigned>(last);
  if (syscall(SYS_close_range, static_cast<unsigned>(first), hi, 0u) == 0) return;
  // Kernels before 5.9: close one by one up to the descriptor limit.
  rlimit r{};
  long top = (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY) ? static_cast<long>(r.rlim_cur) : 65536;
  top = std::min(top, 1L << 20);
  if (last >= 0) top = std::min(top, static_cast<long>(last) + 1);
  for (long fd = first; fd < top; ++fd) close(static_cast<int>(fd));
}

void close_from(int first) { close_fds(first, -1); }

void write_report(int fd, int32_t kind, int32_t a, int32_t b) {
  const SpawnReport rec{kind, a, b};
  while (write(fd, &rec, sizeof rec) < 0 && errno == EINTR) {
  }
}

void reset_signal_dispositions() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, nullptr);  // fails harmlessly for glibc's own
}

// The grandchild: becomes bwrap. `report_fd` is its copy of the report pipe's write end.
[[noreturn]] void exec_bwrap(const ChildPlan& plan, int report_fd) {
  auto fail = [&report_fd](int32_t step) {
    const int err = errno;
    if (report_fd >= 0) write_report(report_fd, kReportExecFailed, step, err);
    _exit(127);
  };
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);

  // 1. Descriptors: copy every source above the slots first (a source may sit on a slot number),
  //    then onto its slot; dup2 leaves the slot inheritable. The report copy stays close-on-exec.
  std::array<int, kFirstUnusedFdSlot> high{};
  for (int i = 0; i < kFirstUnusedFdSlot; ++i) {
    high[i] = fcntl(plan.slot_source[i], F_DUPFD, kFirstUnusedFdSlot);
    if (high[i] < 0) fail(kStepFds);
  }
  report_fd = high[kReportFdSlot];
  for (int i = 0; i < kFirstUnusedFdSlot; ++i)
    if (dup2(high[i], i) < 0) fail(kStepFds);
  report_fd = kReportFdSlot;
  if (fcntl(kReportFdSlot, F_SETFD, FD_CLOEXEC) < 0) fail(kStepFds);
  close_from(kFirstUnusedFdSlot);  // whatever else lfmb's threads had open

  // 2. Limits, inherited by bwrap and everything it starts.
  for (const ChildLimit& l : plan.limits)
    if (setrlimit(l.resource, &l.value) != 0) fail(kStepRlimit);

  // 3. Not root on the host (raw syscalls: glibc's wrappers would try to sync other threads).
  if (plan.drop_root) {
    if (syscall(SYS_setgroups, 0, nullptr) != 0) fail(kStepDropPrivileges);
    if (syscall(SYS_setresgid, kHostUidWhenRoot, kHostUidWhenRoot, kHostUidWhenRoot) != 0) fail(kStepDropPrivileges);
    if (syscall(SYS_setresuid, kHostUidWhenRoot, kHostUidWhenRoot, kHostUidWhenRoot) != 0) fail(kStepDropPrivileges);
  }

  // 4. No privilege gain through exec, and die with the reaper (set after the uid change, which
  //    clears the parent-death signal).
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(kStepNoNewPrivs);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(kStepNoNewPrivs);
  if (getppid() != plan.reaper_pid) {
    errno = ESRCH;
    fail(kStepParentGone);
  }
  execve(kBwrapPath, const_cast<char* const*>(plan.argv), const_cast<char* const*>(plan.envp));
  fail(kStepExec);
  _exit(127);
}

// SIGKILL to every child of the reaper but `except` (the adopted orphans: bwrap's pid-1 init, or
// bwrap's sandbox child if its monitor died during setup; either is pid 1 of the sandbox's pid
// namespace, so its death ends everything inside). This makes the cleanup independent of
// --die-with-parent, which bwrap arms only partway through its setup. Needs
// /proc/thread-self/children (CONFIG_PROC_CHILDREN); without it the parent-death signal remains.
void kill_adopted_children(pid_t except) {
  const int fd = open("/proc/thread-self/children", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf - 1)) < 0 && errno == EINTR) {
  }
  close(fd);
  if (n <= 0) return;
  buf[n] = '\0';
  long pid = 0;
  for (ssize_t i = 0; i <= n; ++i) {
    if (buf[i] >= '0' && buf[i] <= '9') {
      pid = pid * 10 + (buf[i] - '0');
    } else {
      if (pid > 0 && pid != except) kill(static_cast<pid_t>(pid), SIGKILL);
      pid = 0;
    }
  }
}

// The reaper: forks the bwrap child, then reaps until no child is left (see the header).
[[noreturn]] void run_reaper(ChildPlan& plan, int report_w) {
  // Forked with every signal blocked: reset the dispositions first, then unblock all but the two
  // this loop waits for.
  reset_signal_dispositions();  // lfmb's handlers must not run in this copy
  sigset_t waitset;
  sigemptyset(&waitset);
  sigaddset(&waitset, SIGCHLD);
  sigaddset(&waitset, SIGTERM);
  sigprocmask(SIG_SETMASK, &waitset, nullptr);
  plan.reaper_pid = getpid();
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != plan.lfmb_pid) _exit(1);  // lfmb already gone
  setpgid(0, 0);                             // lfmb's last-resort kill takes the reaper's group
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  const pid_t monitor = fork();
  if (monitor == 0) exec_bwrap(plan, report_w);
  const int fork_errno = errno;
  // Keep only the report pipe: the stdio pipes must reach EOF when the sandbox ends.
  close_fds(0, report_w - 1);
  close_from(report_w + 1);
  if (monitor < 0) {
    write_report(report_w, kReportForkFailed, 0, fork_errno);
    _exit(1);
  }

  bool monitor_reaped = false, kill_sent = false;
  int monitor_status = 0;
  while (true) {
    while (true) {
      int status = 0;
      const pid_t p = waitpid(-1, &status, WNOHANG | __WALL);
      if (p > 0) {
        if (p == monitor) {
          monitor_reaped = true;
          monitor_status = status;
          kill_adopted_children(-1);  // the program has ended: nothing of the sandbox stays
        }
        continue;
      }
      if (p < 0 && errno == EINTR) continue;
      if (p < 0) {  // ECHILD: the monitor, pid 1 and so the whole pid namespace are gone
        write_report(report_w, kReportFinished, monitor_status, monitor_reaped ? 1 : 0);
        _exit(0);
      }
      break;  // children left, none exited yet
    }
    siginfo_t info{};
    const int sig = sigwaitinfo(&waitset, &info);
    if (sig == SIGTERM && !kill_sent) {
      if (!monitor_reaped) kill(monitor, SIGKILL);
      kill_adopted_children(monitor);
      kill_sent = true;
    }
  }
}

void make_pipe(UniqueFd& r, UniqueFd& w, bool parent_reads) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) throw Error(fmt::format("sandbox: pipe2 failed: {}", std::strerror(errno)));
  r.reset(p[0]);
  w.reset(p[1]);
  const int parent_end = parent_reads ? p[0] : p[1];
  const int flags = fcntl(parent_end, F_GETFL);
  if (flags < 0 || fcntl(parent_end, F_SETFL, flags | O_NONBLOCK) != 0)
    throw Error(fmt::format("sandbox: fcntl O_NONBLOCK failed: {}", std::strerror(errno)));
}

rlim_t clamp_to(rlim_t want, rlim_t hard) { return (hard != RLIM_INFINITY && want > hard) ? hard : want; }

std::array<ChildLimit, 6> child_limits(const SandboxLimits& lim) {
  const double cpu = std::max(1.0, std::ceil(lim.cpu_seconds));
  const rlim_t cpu_soft = static_cast<rlim_t>(cpu);
  // 256 MiB for deep recursion, but at most a quarter of the memory limit: glibc gives every new
  // thread a stack of RLIMIT_STACK, reserved in RLIMIT_AS, so stack == memory would leave no
  // room for a single thread.
  const rlim_t stack = std::min<rlim_t>(rlim_t{256} << 20, lim.memory_bytes / 4);
  std::array<ChildLimit, 6> out = {{
      {RLIMIT_AS, {lim.memory_bytes, lim.memory_bytes}},
      {RLIMIT_CPU, {cpu_soft, cpu_soft + 1}},  // SIGXCPU at T, SIGKILL at T + 1
      {RLIMIT_FSIZE, {lim.file_bytes, lim.file_bytes}},
      {RLIMIT_NOFILE, {static_cast<rlim_t>(lim.max_open_files), static_cast<rlim_t>(lim.max_open_files)}},
      {RLIMIT_CORE, {0, 0}},
      {RLIMIT_STACK, {stack, stack}},
  }};
  // Never above the current hard limit (only root could raise it, and it should not).
  for (ChildLimit& l : out) {
    rlimit cur{};
    if (getrlimit(l.resource, &cur) == 0) {
      l.value.rlim_max = clamp_to(l.value.rlim_max, cur.rlim_max);
      l.value.rlim_cur = std::min(clamp_to(l.value.rlim_cur, cur.rlim_max), l.value.rlim_max);
    }
  }
  return out;
}

}  // namespace

SpawnedSandbox spawn_sandbox(const std::vector<std::string>& argv, const SandboxLimits& limits, int seccomp_fd,
                             int input_fd) {
  if (limits.max_open_files < 16) throw Error("sandbox: limits.max_open_files must be at least 16 (bwrap needs a few)");
  if (limits.memory_bytes < (16u << 20)) throw Error("sandbox: limits.memory_bytes must be at least 16 MiB");
  std::vector<const char*> cargv;
  for (const std::string& a : argv) cargv.push_back(a.c_str());
  cargv.push_back(nullptr);
  static constexpr const char* kBwrapEnv[] = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", nullptr};

  SpawnedSandbox s;
  UniqueFd stdin_r, stdout_w, stderr_w, json_w, report_w;
  make_pipe(stdin_r, s.stdin_w, false);
  make_pipe(s.stdout_r, stdout_w, true);
  make_pipe(s.stderr_r, stderr_w, true);
  make_pipe(s.json_status_r, json_w, true);
  make_pipe(s.report_r, report_w, true);

  ChildPlan plan{};
  plan.argv = cargv.data();
  plan.envp = kBwrapEnv;
  plan.limits = child_limits(limits);
  plan.slot_source = {stdin_r.get(), stdout_w.get(), stderr_w.get(), seccomp_fd, input_fd, json_w.get(), report_w.get()};
  plan.drop_root = geteuid() == 0;
  plan.lfmb_pid = getpid();

  // All signals blocked across fork(): until the reaper has reset the dispositions, lfmb's
  // handlers (a test framework's SIGTERM handler, say) must not run in the copy. Signals that
  // arrive meanwhile stay pending for the reaper.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t pid = fork();
  if (pid == 0) run_reaper(plan, report_w.get());
  const int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) throw Error(fmt::format("sandbox: fork failed: {}", std::strerror(fork_errno)));
  setpgid(pid, pid);  // also from this side, so a kill of the group cannot miss it
  s.reaper = pid;
  const long pidfd = syscall(SYS_pidfd_open, pid, 0);  // close-on-exec by definition
  if (pidfd >= 0) s.reaper_pidfd.reset(static_cast<int>(pidfd));
  return s;  // the child's ends close here, so only the sandbox holds them
}

void request_sandbox_kill(pid_t reaper) {
  if (reaper > 0) kill(reaper, SIGTERM);
}

void force_kill_reaper(pid_t reaper) {
  if (reaper <= 0) return;
  kill(-reaper, SIGKILL);
  kill(reaper, SIGKILL);
}

}  // namespace lfmb::eval
