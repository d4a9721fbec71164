// The parent's side of one sandbox run: feeds stdin and drains stdout, stderr and the two status
// pipes in one non-blocking poll loop (a large stdin and a large output cannot deadlock each
// other), keeps at most output_bytes per stream, enforces the wall deadline, and reaps the reaper
// with its rusage.
#pragma once
#include <sys/resource.h>

#include <chrono>
#include <string>
#include <vector>

#include "eval/sandbox/sandbox_spawn.h"

namespace lfmb::eval {

struct SandboxOutcome {
  bool reaper_exited = false;  // the reaper exited by itself (its report says all is reaped)
  int reaper_status = 0;       // wait status of the reaper
  rusage usage{};              // everything the sandbox ran
  bool wall_timeout = false;   // the wall deadline passed: lfmb asked the reaper to kill
  bool force_killed = false;   // the reaper did not finish within a second after that
  std::string out, err;
  bool out_truncated = false, err_truncated = false;
  std::string json_status;  // bwrap's --json-status-fd lines
  std::vector<SpawnReport> reports;
  double wall_seconds = 0;
};

// Runs until the reaper is reaped and the pipes are at EOF, or until the deadline plus one second.
// `start` is when the run began (the wall limit counts from there).
SandboxOutcome run_sandbox_io_loop(SpawnedSandbox& sandbox, const std::string& stdin_data, const SandboxLimits& limits,
                                   std::chrono::steady_clock::time_point start);

}  // namespace lfmb::eval
