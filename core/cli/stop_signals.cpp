#include "core/cli/stop_signals.h"

#include <signal.h>
#include <unistd.h>

#include <csignal>

namespace lfmb {

namespace {

volatile std::sig_atomic_t received = 0;
volatile std::sig_atomic_t writing = 0;
struct sigaction old_int {}, old_term {};

extern "C" void on_stop_signal(int sig) {
  // Only async-signal-safe work here: record the signal, or on a second one leave at once.
  if (received == 0) received = sig;
  else if (writing == 0) ::_exit(128 + sig);
}

}  // namespace

StopSignals::StopSignals() {
  received = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  // SA_RESTART: a signal must not turn a file write or a wait in a worker into an EINTR failure.
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);
}

StopSignals::~StopSignals() {
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
}

WritingResults::WritingResults() { writing = writing + 1; }
WritingResults::~WritingResults() { writing = writing - 1; }

int stop_signal() { return received; }

std::string signal_name(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "signal " + std::to_string(sig);
  }
}

void throw_if_stopped() {
  if (const int sig = received) throw Stopped(sig);
}

}  // namespace lfmb
