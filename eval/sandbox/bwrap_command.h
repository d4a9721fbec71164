// The bubblewrap command line of one sandbox run (eval-protocols.md §3.3), and the descriptor
// numbers the command refers to: the spawn code puts each pipe or file at its fixed number in
// the child before exec'ing bwrap.
#pragma once
#include <string>
#include <vector>

#include "eval/sandbox/sandbox.h"

namespace lfmb::eval {

inline constexpr const char* kBwrapPath = "/usr/bin/bwrap";
// Sets RLIMIT_NPROC inside the sandbox, where it counts only the sandbox's own tasks (see
// sandbox_spawn.h on why it is not set before bwrap).
inline constexpr const char* kPrlimitPath = "/usr/bin/prlimit";

// The child's descriptors: 0-2 the program's stdio pipes, then these.
inline constexpr int kSeccompFdSlot = 3;     // the BPF program (bwrap --seccomp)
inline constexpr int kInputDirFdSlot = 4;    // the input/ folder (bwrap --ro-bind-fd ... /input)
inline constexpr int kJsonStatusFdSlot = 5;  // bwrap --json-status-fd: child pid, then exit code
inline constexpr int kReportFdSlot = 6;      // close-on-exec: why exec'ing bwrap failed
inline constexpr int kFirstUnusedFdSlot = 7;

// The sandbox's uid and gid inside its user namespace ("nobody").
inline constexpr int kSandboxUid = 65534;

// argv for execve: kBwrapPath, its options, then prlimit --nproc=N:N -- request.argv.
// `disable_userns`: pass --disable-userns (bwrap >= 0.8.0).
std::vector<std::string> bwrap_command(const SandboxRequest& request, bool disable_userns);

// RLIMIT_NPROC inside the sandbox: the program, bwrap's pid-1 reaper, and max_processes more
// processes or threads.
unsigned long sandbox_nproc_limit(const SandboxLimits& limits);

}  // namespace lfmb::eval
