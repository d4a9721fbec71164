// bubblewrap's options for one sandbox run: see bwrap_command.h. Option meanings follow the
// bwrap 0.8.0 manual and containers/bubblewrap v0.8.0 bubblewrap.c (mount order matters: the
// read-only remounts of / and /dev come after everything mounted below them).
#include "eval/sandbox/bwrap_command.h"

#include <fmt/format.h>

#include "core/error.h"

namespace lfmb::eval {

unsigned long sandbox_nproc_limit(const SandboxLimits& limits) {
  return static_cast<unsigned long>(limits.max_processes > 0 ? limits.max_processes : 0) + 2;
}

std::vector<std::string> bwrap_command(const SandboxRequest& request, bool disable_userns) {
  if (request.argv.empty()) throw Error("sandbox: the request's argv is empty");
  if (request.argv[0].empty()) throw Error("sandbox: the request's argv[0] is empty");
  const SandboxLimits& lim = request.limits;
  if (lim.tmpfs_bytes < 4096) throw Error("sandbox: limits.tmpfs_bytes must be at least 4096");
  const std::string tmpfs = std::to_string(lim.tmpfs_bytes);
  std::vector<std::string> a = {
      kBwrapPath,
      // Fresh user, ipc, pid, net, uts and cgroup namespaces; the user namespace explicitly, as
      // --disable-userns needs it and a silent fallback to none would drop the uid mapping.
      "--unshare-all", "--unshare-user",
      "--die-with-parent",  // lfmb (or the reaper) gone: everything inside gets SIGKILL
      "--new-session",      // setsid: no access to lfmb's terminal (TIOCSTI injection)
      "--hostname", "sandbox",  // the new UTS namespace would otherwise show the host's name
      // Only /usr of the host, read-only, with the merged-/usr links the loader and #! need.
      "--ro-bind", "/usr", "/usr",
      "--symlink", "usr/lib", "/lib",
      "--symlink", "usr/lib64", "/lib64",
      "--symlink", "usr/bin", "/bin",
      "--symlink", "usr/sbin", "/sbin",
      "--proc", "/proc",
      "--dev", "/dev",
      // Writable space is sized tmpfs only: the working directory and POSIX shared memory.
      "--size", tmpfs, "--tmpfs", "/tmp",
      "--size", tmpfs, "--tmpfs", "/dev/shm",
      "--ro-bind-fd", std::to_string(kInputDirFdSlot), "/input",
      // bwrap's root and /dev are unsized tmpfs mounts writable by the sandbox uid: read-only.
      "--remount-ro", "/dev",
      "--remount-ro", "/",
      "--chdir", "/tmp",
      "--clearenv",
      "--setenv", "PATH", "/usr/bin",
      "--setenv", "LANG", "C.UTF-8",
      "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
      "--setenv", "PYTHONHASHSEED", "0",
      "--uid", std::to_string(kSandboxUid), "--gid", std::to_string(kSandboxUid),
      "--cap-drop", "ALL",
      "--seccomp", std::to_string(kSeccompFdSlot),
      "--json-status-fd", std::to_string(kJsonStatusFdSlot),
  };
  if (disable_userns) a.push_back("--disable-userns");
  const std::string nproc = std::to_string(sandbox_nproc_limit(lim));
  a.insert(a.end(), {"--", kPrlimitPath, "--nproc=" + nproc + ":" + nproc, "--"});
  a.insert(a.end(), request.argv.begin(), request.argv.end());
  return a;
}

}  // namespace lfmb::eval
