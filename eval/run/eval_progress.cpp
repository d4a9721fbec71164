#include "eval/run/eval_progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace lfmb::eval {

namespace {

std::string duration(double s) {
  if (s < 0 || s > 1e7) return "?";
  const long t = long(s + 0.5);
  if (t >= 3600) return fmt::format("{}h{:02}m", t / 3600, (t / 60) % 60);
  if (t >= 60) return fmt::format("{}m{:02}s", t / 60, t % 60);
  return fmt::format("{}s", t);
}

}  // namespace

EvalProgress::EvalProgress(std::string task, size_t total, bool enabled)
    : task_(std::move(task)), total_(total), enabled_(enabled), tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()), last_time_(start_) {}

void EvalProgress::update(size_t done, size_t cached, const std::string& score) {
  if (!enabled_ || total_ == 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const bool step = done * 10 / total_ != last_printed_ * 10 / total_;
  if (!tty_ && !step && done != total_ && std::chrono::duration<double>(now - last_time_).count() < 30) return;
  const size_t fresh = done - std::min(done, cached);
  const double rate = elapsed > 0 ? double(fresh) / elapsed : 0;
  const double eta = rate > 0 ? double(total_ - done) / rate : (done == total_ ? 0 : -1);
  const int width = 24;
  const int filled = int(double(width) * double(done) / double(total_));
  std::string bar = std::string(size_t(filled), '#') + std::string(size_t(width - filled), '.');
  std::string line = fmt::format("{} [{}] {}/{} {:.1f} doc/s ETA {}{}{}", task_, bar, done, total_, rate, duration(eta),
                                 cached ? fmt::format(" ({} cached)", cached) : "", score.empty() ? "" : " " + score);
  if (tty_) {
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
  last_printed_ = done;
  last_time_ = now;
}

void EvalProgress::finish() {
  if (enabled_ && tty_ && total_) std::fprintf(stderr, "\n");
}

}  // namespace lfmb::eval
