#include "bench/progress.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace lfmb {

Progress::Progress(int total_steps, bool enabled)
    : total_(total_steps), enabled_(enabled), tty_(::isatty(2) == 1), start_(std::chrono::steady_clock::now()) {}

void Progress::step(int step, const std::string& what) {
  if (!enabled_) return;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char head[64];
  std::snprintf(head, sizeof head, "[%d/%d %6.1fs] ", step, total_, s);
  std::string line = head + what;
  if (tty_) {
    const size_t len = line.size();
    if (line.size() < last_len_) line.append(last_len_ - line.size(), ' ');
    std::fprintf(stderr, "\r%s", line.c_str());
    last_len_ = len;
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void Progress::clear() {
  if (!tty_ || last_len_ == 0) return;
  std::fprintf(stderr, "\r%s\r", std::string(last_len_, ' ').c_str());
  std::fflush(stderr);
  last_len_ = 0;
}

void Progress::done() {
  if (tty_ && last_len_ > 0) std::fprintf(stderr, "\n");
  last_len_ = 0;
}

}  // namespace lfmb
