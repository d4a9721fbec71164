// The markdown results table printed row by row as each test finishes, as llama-bench prints it:
// the header goes out before the first row, with column widths taken from what the plan already
// knows (model labels, backends, test names), so no row waits for the others. Each row is flushed;
// a row flagged by bench/noise.h carries its reason in the `noise` column, and a legend line
// follows the table when any row was flagged.
#pragma once
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "bench/test_result.h"

namespace lfmb {

class LiveTable {
 public:
  // What the rows will hold, for the column widths (longer cells still print, unaligned).
  struct Plan {
    std::vector<std::string> models, backends, tests;
  };
  // `before_row` runs before each row is printed (e.g. to clear a progress line on a terminal).
  LiveTable(std::FILE* out, const Plan& plan, std::function<void()> before_row = nullptr);

  void add(const TestResult& r);
  // The legend when a row was noisy; a table without rows prints nothing.
  void finish();
  size_t rows() const { return rows_; }

  // One row's cells (model, size, params, backend, threads, test, t/s, roofline, noise).
  static std::vector<std::string> cells(const TestResult& r);

 private:
  std::string line(const std::vector<std::string>& cells) const;

  std::FILE* out_;
  std::function<void()> before_row_;
  std::vector<size_t> widths_;
  size_t rows_ = 0;
  bool any_noisy_ = false;
};

}  // namespace lfmb
