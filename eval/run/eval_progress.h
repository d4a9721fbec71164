// The progress line of an eval task on stderr: documents done, rate, ETA and the running score.
// On a terminal it redraws in place; in logs it prints a line every 10 % or 30 s.
#pragma once
#include <chrono>
#include <string>

namespace lfmb::eval {

class EvalProgress {
 public:
  EvalProgress(std::string task, size_t total, bool enabled);
  void update(size_t done, size_t cached, const std::string& score);
  void finish();

 private:
  std::string task_;
  size_t total_;
  bool enabled_, tty_;
  size_t last_printed_ = 0;
  std::chrono::steady_clock::time_point start_, last_time_;
};

}  // namespace lfmb::eval
