// SIGINT and SIGTERM as a request to stop at the next safe point, for commands that keep finished
// work (lfmb run, lfmb bench): the handler only records the signal; the command checks
// stop_signal() between measurements, writes what it has and exits with 128 + the signal (130,
// 143), as a shell reports a process the signal ended. A second signal while the first is being
// handled ends the process at once with that status: what was written before is already a
// complete file set, and a user pressing Ctrl-C twice means "now" (unless a result file set is
// being written at that moment: see WritingResults).
#pragma once
#include <stdexcept>
#include <string>

namespace lfmb {

// Installs the handlers until the object is destroyed (then the previous ones are restored).
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
};

// While one is alive a second stop signal does not end the process at once: the file set being
// written is finished first (the command exits right after anyway), so no temp file is left.
class WritingResults {
 public:
  WritingResults();
  ~WritingResults();
  WritingResults(const WritingResults&) = delete;
  WritingResults& operator=(const WritingResults&) = delete;
};

// The signal received since the handlers were installed (SIGINT or SIGTERM), else 0.
int stop_signal();
// "SIGINT", "SIGTERM".
std::string signal_name(int sig);

// Thrown at a safe point after a stop signal; the command catches it, saves, and exits 128 + sig.
class Stopped : public std::runtime_error {
 public:
  explicit Stopped(int sig) : std::runtime_error("stopped by " + signal_name(sig)), sig_(sig) {}
  int signal() const { return sig_; }
  int exit_code() const { return 128 + sig_; }

 private:
  int sig_;
};

// Throws Stopped when a stop signal has arrived.
void throw_if_stopped();

}  // namespace lfmb
