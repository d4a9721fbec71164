// A progress line on stderr for long runs. On a terminal it redraws one line in place; otherwise
// (CI logs, pipes) it prints a plain line per step, so logs stay readable.
#pragma once
#include <chrono>
#include <string>

namespace lfmb {

class Progress {
 public:
  explicit Progress(int total_steps);
  // Shows "[step/total] what" (step counts from 1).
  void step(int step, const std::string& what);
  // Ends the line on a terminal.
  void done();

 private:
  int total_;
  bool tty_;
  size_t last_len_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace lfmb
