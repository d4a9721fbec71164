// The sandbox's seccomp filter (see seccomp_filter.h). The deny list is eval-protocols.md §3.3's
// (socket but AF_UNIX, ptrace and cross-process memory, mount and namespaces, keyrings, bpf,
// perf, kexec, modules, reboot, swap, personality changes) plus io_uring (its IORING_OP_SOCKET
// would open sockets past the socket rule), userfaultfd, pidfd_getfd and open_by_handle_at, which
// sandboxed programs have no use for and which kernel exploits and escapes lean on.
#include "eval/sandbox/seccomp_filter.h"

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <memory>

#include "core/error.h"

namespace lfmb::eval {

namespace {

struct CtxRelease {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxRelease>;

// Syscalls refused outright with EPERM.
constexpr const char* kDenied[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsmount",
    "fsconfig", "fspick", "mount_setattr",
    "unshare", "setns",
    "keyctl", "add_key", "request_key",
    "bpf", "perf_event_open", "userfaultfd",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "reboot", "swapon", "swapoff",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "open_by_handle_at",
};

// clone's namespace flags (CLONE_NEWTIME is left out: in clone(2)'s flags that bit belongs to the
// exit signal byte, and clone(2) cannot create a time namespace anyway).
constexpr unsigned long kCloneNamespaceFlags[] = {
    CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
};

int resolve(const char* name) { return seccomp_syscall_resolve_name(name); }

void check(int rc, const char* what) {
  if (rc < 0) throw Error(fmt::format("sandbox: libseccomp refused the {} rule: {}", what, std::strerror(-rc)));
}

std::string build_bpf() {
  Ctx ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) throw Error("sandbox: libseccomp could not create a filter context");
  const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);

  for (const char* name : kDenied) {
    const int nr = resolve(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not a syscall on this architecture
    check(seccomp_rule_add(ctx.get(), eperm, nr, 0), name);
  }
  // No network: only local (AF_UNIX) sockets; the empty network namespace is the first layer.
  check(seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(socket), 1, SCMP_A0_32(SCMP_CMP_NE, AF_UNIX)), "socket");
  // clone3 passes its flags in memory a filter cannot read: ENOSYS makes glibc use clone instead.
  check(seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0), "clone3");
  // clone (fork, threads) stays allowed unless it asks for a new namespace.
  for (unsigned long flag : kCloneNamespaceFlags)
    check(seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(clone), 1, SCMP_A0_64(SCMP_CMP_MASKED_EQ, flag, flag)), "clone");
  // personality: only the query (0xffffffff) and the default (0). libseccomp allows one comparison
  // per argument and rule, and no allow rule under a default-allow filter, so "neither 0 nor all
  // ones" is written as: some bit i is set while bit i+1 (cyclically) is clear. Every 32-bit value
  // other than 0 and 0xffffffff has such a pair; those two have none.
  for (unsigned i = 0; i < 32; ++i) {
    const uint32_t set = 1u << i, clear = 1u << ((i + 1) % 32);
    check(seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(personality), 1, SCMP_A0_32(SCMP_CMP_MASKED_EQ, set | clear, set)),
          "personality");
  }

  // seccomp_export_bpf writes to a file descriptor: a memfd, read back into memory.
  UniqueFd fd(memfd_create("lfmb-seccomp-build", MFD_CLOEXEC));
  if (!fd.valid()) throw Error(fmt::format("sandbox: memfd_create failed: {}", std::strerror(errno)));
  check(seccomp_export_bpf(ctx.get(), fd.get()), "export");
  const off_t size = lseek(fd.get(), 0, SEEK_END);
  if (size <= 0 || size > (1 << 20)) throw Error("sandbox: libseccomp exported an empty or oversized filter");
  std::string bpf(static_cast<size_t>(size), '\0');
  size_t got = 0;
  while (got < bpf.size()) {
    const ssize_t n = pread(fd.get(), bpf.data() + got, bpf.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(fmt::format("sandbox: reading the exported seccomp filter failed: {}", std::strerror(errno)));
    got += static_cast<size_t>(n);
  }
  return bpf;
}

}  // namespace

const std::string& sandbox_seccomp_bpf() {
  static const std::string bpf = build_bpf();  // thread-safe once; a throw is retried next call
  return bpf;
}

UniqueFd sandbox_seccomp_memfd() {
  const std::string& bpf = sandbox_seccomp_bpf();
  UniqueFd fd(memfd_create("lfmb-seccomp", MFD_CLOEXEC));
  if (!fd.valid()) throw Error(fmt::format("sandbox: memfd_create failed: {}", std::strerror(errno)));
  size_t put = 0;
  while (put < bpf.size()) {
    const ssize_t n = write(fd.get(), bpf.data() + put, bpf.size() - put);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(fmt::format("sandbox: writing the seccomp filter failed: {}", std::strerror(errno)));
    put += static_cast<size_t>(n);
  }
  if (lseek(fd.get(), 0, SEEK_SET) != 0) throw Error(fmt::format("sandbox: lseek on the seccomp memfd failed: {}", std::strerror(errno)));
  return fd;
}

}  // namespace lfmb::eval
