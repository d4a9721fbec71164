// Runs untrusted, model-written code (the code benchmarks' candidates) in a throwaway sandbox:
// bubblewrap with fresh namespaces (no network, own pid space, nothing of the host filesystem but
// a read-only /usr), a libseccomp syscall filter, rlimits set before exec, a parent-side wall
// deadline, and captured output with a byte cap. Design: ../shared/eval-protocols.md §3.3.
// Nothing model-written runs in lfmb outside run_sandboxed, tests included.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lfmb::eval {

// A file placed in the sandbox before the program starts, at /input/<path> (read-only there).
struct SandboxFile {
  std::string path;     // relative, no ".." (e.g. "driver.py", "tests.json")
  std::string content;
};

struct SandboxLimits {
  double cpu_seconds = 10;                   // RLIMIT_CPU: SIGXCPU at this, SIGKILL one second later
  double wall_seconds = 30;                  // parent-side deadline, then the whole sandbox is killed
  uint64_t memory_bytes = 4ull << 30;        // RLIMIT_AS (evalplus's 4 GiB)
  uint64_t output_bytes = 1u << 20;          // kept per stream (stdout, stderr); the rest is read and dropped
  uint64_t file_bytes = 16u << 20;           // RLIMIT_FSIZE
  uint64_t tmpfs_bytes = 64u << 20;          // size of the writable /tmp (the working directory)
  int max_processes = 64;                    // processes and threads the program may create
  int max_open_files = 256;                  // RLIMIT_NOFILE
};

struct SandboxRequest {
  std::vector<std::string> argv;             // argv[0] is a path inside the sandbox, e.g. /usr/bin/python3
  std::vector<SandboxFile> files;            // under /input
  std::string stdin_data;                    // fed through a pipe, then closed
  SandboxLimits limits;
};

enum class SandboxStatus {
  exited,        // exit_code holds the status
  signaled,      // killed by a signal of its own making (signal holds it)
  cpu_limit,     // RLIMIT_CPU reached (SIGXCPU or the SIGKILL after it)
  wall_timeout,  // the wall deadline passed and lfmb killed it
};

struct SandboxResult {
  SandboxStatus status = SandboxStatus::exited;
  int exit_code = -1;
  int signal = 0;
  std::string out, err;                      // at most limits.output_bytes each
  bool out_truncated = false, err_truncated = false;
  double wall_seconds = 0, cpu_seconds = 0;  // cpu: user + system of everything the sandbox ran
};

// Runs one program in a fresh sandbox and waits for it (never longer than the wall limit plus a
// second). Safe to call from several threads at once. Throws lfmb::Error, one line saying what is
// missing, when no sandbox can be made here (bwrap not installed, namespaces refused).
SandboxResult run_sandboxed(const SandboxRequest& request);

// Whether run_sandboxed works on this machine: false with the reason in *why (the tool to install
// or the kernel setting) otherwise. Cheap after the first call.
bool sandbox_available(std::string* why = nullptr);

// Throws lfmb::Error "<what>, which lfmb runs only in its sandbox: <why>" when sandbox_available()
// is false: code tasks call it before hours of generation, and before scoring.
void require_sandbox(const std::string& what);

// The interpreter the code benchmarks run inside the sandbox (Debian's /usr/bin/python3).
inline constexpr const char* kSandboxPython = "/usr/bin/python3";

}  // namespace lfmb::eval
