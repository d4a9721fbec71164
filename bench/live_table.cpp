#include "bench/live_table.h"

#include <fmt/format.h>

#include <algorithm>

#include "bench/noise.h"
#include "bench/result_table.h"
#include "core/io/disk_space.h"

namespace lfmb {

namespace {

const std::vector<std::string> kHead = {"model", "size", "params", "backend", "threads", "test", "t/s", "roofline", "noise"};
const std::vector<bool> kRight = {false, true, true, false, true, true, true, true, false};

size_t longest(const std::vector<std::string>& v, size_t at_least) {
  for (const auto& s : v) at_least = std::max(at_least, s.size());
  return at_least;
}

}  // namespace

std::vector<std::string> LiveTable::cells(const TestResult& r) {
  return {r.model,
          format_size(r.model_size_bytes),
          params_text(r.n_params),
          r.dtype.empty() ? r.backend : r.backend + " " + r.dtype,
          std::to_string(r.threads),
          r.test,
          fmt::format("{:.2f} ± {:.2f}", r.ts.mean, r.ts.stddev),
          roofline_text(r),
          check_noise(r).cell()};
}

LiveTable::LiveTable(std::FILE* out, const Plan& plan, std::function<void()> before_row)
    : out_(out), before_row_(std::move(before_row)) {
  // Widths: the plan's longest label, else room for typical values ("1234.56 ± 123.45").
  widths_ = {longest(plan.models, 5), 10, 8, longest(plan.backends, 7), 7, longest(plan.tests, 4), 20, 11, 11};
}

std::string LiveTable::line(const std::vector<std::string>& c) const {
  std::string s = "|";
  for (size_t i = 0; i < c.size(); ++i)
    s += " " + (kRight[i] ? fmt::format("{:>{}}", c[i], widths_[i]) : fmt::format("{:<{}}", c[i], widths_[i])) + " |";
  return s + "\n";
}

void LiveTable::add(const TestResult& r) {
  if (before_row_) before_row_();
  std::string text;
  if (rows_ == 0) {
    text = line(kHead) + "|";
    for (size_t i = 0; i < kHead.size(); ++i)
      text += (kRight[i] ? std::string(widths_[i] + 1, '-') + ":" : std::string(widths_[i] + 2, '-')) + "|";
    text += "\n";
  }
  const std::vector<std::string> c = cells(r);
  any_noisy_ = any_noisy_ || !c.back().empty();
  text += line(c);
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
  ++rows_;
}

void LiveTable::finish() {
  if (rows_ > 0 && any_noisy_) std::fputs(("\n" + noise_legend()).c_str(), out_);
  std::fflush(out_);
}

}  // namespace lfmb
