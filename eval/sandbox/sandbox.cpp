// run_sandboxed and sandbox_available (sandbox.h): the input folder, the seccomp memfd and the
// bwrap command are made here, spawn_sandbox starts the reaper and bwrap, run_sandbox_io_loop
// feeds and drains it, and the outcome is mapped to a SandboxStatus.
#include "eval/sandbox/sandbox.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "eval/sandbox/bwrap_command.h"
#include "eval/sandbox/sandbox_input_dir.h"
#include "eval/sandbox/sandbox_io_loop.h"
#include "eval/sandbox/sandbox_spawn.h"
#include "eval/sandbox/seccomp_filter.h"

namespace lfmb::eval {

namespace {

std::string first_line(const std::string& s) {
  const size_t nl = s.find('\n');
  std::string line = s.substr(0, nl);
  if (line.size() > 300) line = line.substr(0, 300) + "...";
  return line;
}

// The "bwrap: ..." line bwrap prints when it fails, or else the first line of stderr.
std::string bwrap_message(const std::string& err) {
  const size_t at = err.find("bwrap: ");
  return first_line(at == std::string::npos ? err : err.substr(at));
}

// bwrap's --json-status-fd: one JSON object per line; the last has "exit-code" once the program
// was exec'd (bwrap reports a death by signal n as 128 + n, as shells do).
bool json_exit_code(const std::string& status, int* code) {
  bool found = false;
  size_t pos = 0;
  while (pos < status.size()) {
    size_t nl = status.find('\n', pos);
    if (nl == std::string::npos) nl = status.size();
    const auto j = nlohmann::json::parse(status.substr(pos, nl - pos), nullptr, false);
    if (j.is_object() && j.contains("exit-code") && j["exit-code"].is_number_integer()) {
      *code = j["exit-code"].get<int>();
      found = true;
    }
    pos = nl + 1;
  }
  return found;
}

void check_limits(const SandboxLimits& l) {
  if (!(std::isfinite(l.cpu_seconds) && l.cpu_seconds > 0)) throw Error("sandbox: limits.cpu_seconds must be a positive number");
  if (!(std::isfinite(l.wall_seconds) && l.wall_seconds > 0 && l.wall_seconds < 1e6))
    throw Error("sandbox: limits.wall_seconds must be a positive number below 1e6");
  if (l.max_processes < 0) throw Error("sandbox: limits.max_processes must not be negative");
}

SandboxResult run_in_bwrap(const SandboxRequest& request, bool disable_userns) {
  check_limits(request.limits);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::string> argv = bwrap_command(request, disable_userns);
  // Removed when this function returns; readable by the uid bwrap will run as.
  SandboxInputDir input(request.files, geteuid() == 0 ? kHostUidWhenRoot : -1);
  UniqueFd seccomp = sandbox_seccomp_memfd();
  SpawnedSandbox spawned = spawn_sandbox(argv, request.limits, seccomp.get(), input.input_fd());
  seccomp.reset();
  SandboxOutcome o = run_sandbox_io_loop(spawned, request.stdin_data, request.limits, start);

  for (const SpawnReport& r : o.reports) {
    if (r.kind == kReportExecFailed)
      throw Error(fmt::format("sandbox: could not start {} ({}): {}", kBwrapPath, spawn_step_name(r.a), std::strerror(r.b)));
    if (r.kind == kReportForkFailed) throw Error(fmt::format("sandbox: fork failed: {}", std::strerror(r.b)));
  }
  SandboxResult res;
  res.out = std::move(o.out);
  res.err = std::move(o.err);
  res.out_truncated = o.out_truncated;
  res.err_truncated = o.err_truncated;
  res.wall_seconds = o.wall_seconds;
  res.cpu_seconds = static_cast<double>(o.usage.ru_utime.tv_sec + o.usage.ru_stime.tv_sec) +
                    static_cast<double>(o.usage.ru_utime.tv_usec + o.usage.ru_stime.tv_usec) * 1e-6;
  int code = 0;
  const bool has_code = json_exit_code(o.json_status, &code);
  // At the deadline lfmb asked for a kill; a program that had just ended by itself (bwrap's
  // monitor exited normally, with the program's code) keeps its own status.
  bool monitor_exited = false;
  for (const SpawnReport& r : o.reports)
    if (r.kind == kReportFinished && r.b == 1 && WIFEXITED(r.a)) monitor_exited = true;
  if (o.wall_timeout && !(has_code && monitor_exited)) {
    res.status = SandboxStatus::wall_timeout;
    res.signal = SIGKILL;
    return res;
  }
  if (!has_code)
    throw Error(fmt::format("sandbox: bwrap did not start the program: {}",
                            res.err.empty() ? std::string("no message") : bwrap_message(res.err)));
  if (code > 128 && code < 128 + 65) {
    res.signal = code - 128;
    // RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one (soft + 1 s).
    const double soft = std::max(1.0, std::ceil(request.limits.cpu_seconds));
    const bool cpu = res.signal == SIGXCPU || (res.signal == SIGKILL && res.cpu_seconds >= soft);
    res.status = cpu ? SandboxStatus::cpu_limit : SandboxStatus::signaled;
  } else {
    res.status = SandboxStatus::exited;
    res.exit_code = code;
  }
  return res;
}

struct Availability {
  bool ok = false;
  bool disable_userns = true;
  std::string why;
};

Availability probe() {
  Availability a;
  if (access(kBwrapPath, X_OK) != 0) {
    a.why = fmt::format("sandbox: bubblewrap is not installed ({} missing): apt-get install bubblewrap", kBwrapPath);
    return a;
  }
  if (access(kPrlimitPath, X_OK) != 0) {
    a.why = fmt::format("sandbox: {} is missing: apt-get install util-linux", kPrlimitPath);
    return a;
  }
  if (access("/proc/self/ns/user", F_OK) != 0) {
    a.why = "sandbox: this kernel has no user namespaces (CONFIG_USER_NS), which bubblewrap needs";
    return a;
  }
  SandboxRequest trivial;
  trivial.argv = {"/usr/bin/true"};
  trivial.limits.wall_seconds = 20;
  for (bool disable : {true, false}) {
    try {
      const SandboxResult r = run_in_bwrap(trivial, disable);
      if (r.status == SandboxStatus::exited && r.exit_code == 0) {
        a.ok = true;
        a.disable_userns = disable;
        a.why.clear();
        return a;
      }
      a.why = fmt::format("sandbox: a trivial sandboxed run of /usr/bin/true failed (status {}, exit {}): {}",
                          static_cast<int>(r.status), r.exit_code, bwrap_message(r.err));
    } catch (const Error& e) {
      const std::string what = e.what();
      // bwrap refusing to make namespaces is the common case on locked-down kernels.
      const bool ns = what.find("bwrap: ") != std::string::npos && what.find("namespace") != std::string::npos;
      a.why = fmt::format("{} (a trivial sandboxed run of /usr/bin/true{})", what,
                          ns ? "; check user.max_user_namespaces and kernel.unprivileged_userns_clone" : "");
      // bwrap before 0.8.0 does not know --disable-userns: try once without it.
      if (disable && std::string(e.what()).find("disable-userns") != std::string::npos) continue;
    }
    break;
  }
  return a;
}

const Availability& availability() {
  static const Availability a = probe();  // thread-safe, once per process
  return a;
}

}  // namespace

SandboxResult run_sandboxed(const SandboxRequest& request) {
  const Availability& a = availability();
  if (!a.ok) throw Error(a.why);
  return run_in_bwrap(request, a.disable_userns);
}

bool sandbox_available(std::string* why) {
  const Availability& a = availability();
  if (why) *why = a.ok ? std::string() : a.why;
  return a.ok;
}

void require_sandbox(const std::string& what) {
  std::string why;
  if (!sandbox_available(&why)) throw Error(what + ", which lfmb runs only in its sandbox: " + why);
}

}  // namespace lfmb::eval
