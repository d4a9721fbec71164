// lfmb eval compare RUN_A RUN_B: per-document comparison of two eval output folders (flips,
// McNemar's exact test, paired standard error) with optional gates, for kernel-change checks in CI.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "core/cli/command.h"
#include "core/error.h"
#include "eval/regression/run_compare.h"

namespace lfmb {

namespace {

double parse_alpha(const std::string& v) {
  size_t used = 0;
  double a = 0;
  try {
    a = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || !std::isfinite(a) || a <= 0 || a > 1)
    throw UsageError("eval compare: --alpha: expected a number in (0, 1], got '" + v + "'");
  return a;
}

int run_compare_cmd(const ParsedArgs& args) {
  const std::string& dir_a = args.positional().at(0);
  const std::string& dir_b = args.positional().at(1);
  eval::CompareGate gate;
  if (const auto a = args.get("--alpha")) gate.alpha = parse_alpha(*a);
  if (args.has("--max-flips")) gate.max_flips = size_t(args.get_int("--max-flips", 0, 0, 1'000'000'000'000LL));
  const eval::RunComparison c = eval::compare_runs(dir_a, dir_b, split_comma_list(args.get_or("--tasks", "")));
  const eval::GateVerdict v = eval::apply_gate(c, gate);
  if (args.has("--json")) {
    std::printf("%s\n", eval::comparison_json(c, gate, v).dump(2).c_str());
  } else {
    std::printf("A: %s\nB: %s\n\n%s", dir_a.c_str(), dir_b.c_str(), eval::comparison_table(c).c_str());
    if (v.failed) std::printf("\n%s", eval::moved_table(c, v).c_str());
  }
  std::fflush(stdout);
  if (gate.alpha || gate.max_flips) std::fprintf(stderr, "%s\n", v.summary.c_str());
  return v.failed ? 1 : 0;
}

}  // namespace

Command eval_compare_command() {
  return {{"eval compare", "lfmb eval compare RUN_A RUN_B [--json] [--alpha A] [--max-flips N] [--tasks T[,T...]]",
           "Per-document comparison of two eval output folders: flips, McNemar p, paired SE; gates for CI.",
           {{"--json", "", "print one JSON object: tasks.<task>.{metric, a, b, diff, diff_stderr, n, n_a_only, "
                           "n_b_only, mcnemar_p, flipped, agree, identical}, gate"},
            {"--alpha", "A", "fail (exit 1) when a task's McNemar p-value is below A"},
            {"--max-flips", "N", "fail (exit 1) when a task has more than N flipped documents"},
            {"--tasks", "LIST", "compare only these tasks (comma-separated; each must be in both runs)"}},
           2,
           2},
          run_compare_cmd};
}

}  // namespace lfmb
