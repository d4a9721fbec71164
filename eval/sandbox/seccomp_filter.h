// The sandbox's syscall filter, built with libseccomp and handed to bubblewrap (`--seccomp FD`) as
// a classic-BPF program. Default allow; the calls that reach kernel attack surface, the network,
// other processes or namespaces are refused with EPERM (clone3 with ENOSYS so glibc falls back to
// clone, whose namespace flags the filter can inspect). Design: ../shared/eval-protocols.md §3.3.
#pragma once
#include <string>

#include "eval/sandbox/unique_fd.h"

namespace lfmb::eval {

// The BPF program (an array of struct sock_filter) for this machine's native architecture; other
// architectures' syscalls (i386 via int 0x80, x32) kill the process. Built once, then cached.
// Throws lfmb::Error when libseccomp refuses a rule.
const std::string& sandbox_seccomp_bpf();

// A fresh memfd (close-on-exec, offset 0) holding sandbox_seccomp_bpf(), for bwrap to read.
UniqueFd sandbox_seccomp_memfd();

}  // namespace lfmb::eval
