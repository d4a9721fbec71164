// A progress line on stderr for long runs. On a terminal it redraws one line in place; otherwise
// (CI logs, pipes) it prints a plain line per step, so logs stay readable.
#pragma once
#include <chrono>
#include <string>

namespace lfmb {

class Progress {
 public:
  // `enabled` false: every call does nothing (--no-progress).
  explicit Progress(int total_steps, bool enabled = true);
  // Shows "[step/total] what" (step counts from 1).
  void step(int step, const std::string& what);
  // Ends the line on a terminal.
  void done();
  // Erases the line on a terminal, so a result row printed next starts on a clean line (the next
  // step redraws it).
  void clear();

 private:
  int total_;
  bool enabled_;
  bool tty_;
  size_t last_len_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace lfmb
