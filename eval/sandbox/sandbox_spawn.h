// Starting one sandbox: lfmb forks a small reaper, the reaper forks the child that sets the
// rlimits, drops root, places the descriptors at bwrap_command.h's numbers and exec's bwrap.
//
// Why a reaper: bwrap's monitor exits as soon as the program (pid 2) exits, while bwrap's pid-1
// init and any background processes are killed a moment later (SIGKILL via --die-with-parent,
// then the kernel tears the pid namespace down). The reaper is a child subreaper
// (PR_SET_CHILD_SUBREAPER): the orphaned init is re-parented to it, the reaper SIGKILLs it
// itself (also on lfmb's kill request), and it exits only when it has no child left. So when lfmb reaps the reaper, no process of the sandbox exists any more,
// and wait4's rusage holds the CPU time of everything the sandbox ran (each process was reaped
// inside the tree: program by init, init and the monitor by the reaper).
//
// What bounds a fork bomb (RLIMIT_NPROC does not bind for uid 0 of the host, even inside a user
// namespace, since the kernel exempts the root user_struct):
//  - When lfmb runs as root, the child drops to host uid/gid 65534 before exec'ing bwrap, so the
//    sandbox's uid 65534 maps to host uid 65534, not to root (also: an escape lands as nobody).
//  - RLIMIT_NPROC = max_processes + 2 is set inside the sandbox by /usr/bin/prlimit, in front of
//    the program. Since Linux 5.14 the count is per (user namespace, uid): bwrap's fresh user
//    namespace makes it count only this sandbox's tasks (processes and threads), so concurrent
//    sandboxes do not share one budget. Set before bwrap instead, the creator's limit would also
//    cap the host-wide count of uid 65534 across all sandboxes.
//  - The pid namespace and the wall deadline then kill whatever is left, and RLIMIT_AS bounds
//    each of those processes' memory.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "eval/sandbox/sandbox.h"
#include "eval/sandbox/unique_fd.h"

namespace lfmb::eval {

// Host uid and gid the sandbox runs as when lfmb is root ("nobody").
inline constexpr int kHostUidWhenRoot = 65534;

// One fixed-size record on the report pipe (atomic: far below PIPE_BUF).
struct SpawnReport {
  int32_t kind;  // SpawnReportKind
  int32_t a;     // exec_failed: the failing step; finished: the monitor's wait status
  int32_t b;     // errno, or for finished: 1 when the monitor was reaped
};
enum SpawnReportKind : int32_t {
  kReportExecFailed = 1,  // the child could not set up or exec bwrap (a = SpawnStep, b = errno)
  kReportForkFailed = 2,  // the reaper could not fork (b = errno)
  kReportFinished = 3,    // the reaper is done: every process of the sandbox has been reaped
};
enum SpawnStep : int32_t { kStepRlimit = 1, kStepFds, kStepDropPrivileges, kStepNoNewPrivs, kStepParentGone, kStepExec };
const char* spawn_step_name(int32_t step);

struct SpawnedSandbox {
  pid_t reaper = -1;
  UniqueFd reaper_pidfd;  // invalid when the kernel has no pidfd_open (before 5.3)
  UniqueFd stdin_w, stdout_r, stderr_r;  // non-blocking, close-on-exec
  UniqueFd json_status_r;                // bwrap --json-status-fd
  UniqueFd report_r;                     // SpawnReport records
};

// Forks the reaper (and through it bwrap with `argv`). `seccomp_fd` and `input_fd` are placed at
// their slots in the child. Throws lfmb::Error when a pipe or the fork fails.
SpawnedSandbox spawn_sandbox(const std::vector<std::string>& argv, const SandboxLimits& limits, int seccomp_fd,
                             int input_fd);

// Asks the reaper to kill the sandbox (SIGTERM: the reaper SIGKILLs bwrap's monitor; pid-1 and
// everything below it follow through --die-with-parent and the pid namespace).
void request_sandbox_kill(pid_t reaper);
// Last resort: SIGKILL to the reaper's process group (reaper and bwrap's monitor).
void force_kill_reaper(pid_t reaper);

}  // namespace lfmb::eval
