// Follows evalplus/evalplus 26d6d00bb1fd evaluate.py check_correctness and eval/__init__.py
// untrusted_check: limits T_i = max(min_time_limit, gt_time_limit_factor * t_i), a process per set
// waited for min(60, sum T_i) + 1 (+1 without fast_check) + 1 seconds, status TIMEOUT when it never
// reported. The process model lives in evalplus_driver.py; here the sandbox limits around it.
#include "eval/code/evalplus_check.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "eval/code/evalplus_sandbox.h"

namespace lfmb::eval {

using nlohmann::json;

std::vector<double> evalplus_time_limits(const std::vector<double>& t_gt, const EvalplusSettings& s) {
  std::vector<double> out;
  out.reserve(t_gt.size());
  for (double t : t_gt) out.push_back(std::max(s.min_time_limit, s.gt_time_limit_factor * t));
  return out;
}

namespace {

// The longest the driver's parent may wait for one set (untrusted_check's join).
double set_budget(const std::vector<double>& limits, bool fast_check) {
  double sum = 0;
  for (double t : limits) sum += t;
  return std::min(60.0, sum) + 1 + (fast_check ? 0 : 1) + 1;
}

EvalplusSetResult set_result(const json& j) {
  EvalplusSetResult r;
  r.status = j.value("status", std::string("timeout"));
  r.n_done = j.value("n_done", size_t(0));
  if (j.contains("fail_index") && j["fail_index"].is_number_unsigned()) r.fail_index = j["fail_index"].get<size_t>();
  r.seconds = j.value("seconds", 0.0);
  return r;
}

}  // namespace

EvalplusCheck evalplus_check(const EvalplusProblem& p, const EvalplusGroundTruth& gt, const std::string& response,
                             const EvalplusSettings& s) {
  json sets = json::array();
  double budget = 0;
  for (const char* name : {"base", "plus"}) {
    const bool base = std::string(name) == "base";
    if (!base && s.base_only) continue;
    const std::vector<double> limits = evalplus_time_limits(base ? gt.base_time : gt.plus_time, s);
    budget += set_budget(limits, s.fast_check);
    sets.push_back({{"name", name}, {"expected", base ? gt.base : gt.plus}, {"time_limits", limits}});
  }
  const json config = {{"sets", sets}, {"fast_check", s.fast_check}, {"memory_bytes", evalplus_memory_bytes()}};
  SandboxLimits lim;
  // The sets' own deadlines are kept by the driver; the sandbox's only stop what they cannot
  // (sanitizing a pathological response, loading the inputs, a driver that hangs). Wall clock, as
  // evalplus; the CPU limit is a backstop at the same value.
  lim.wall_seconds = 30 + budget;
  lim.cpu_seconds = lim.wall_seconds;
  lim.memory_bytes = evalplus_memory_bytes();
  lim.output_bytes = 64ull << 20;
  EvalplusCheck c;
  SandboxResult sr;
  const std::optional<json> j = try_run_evalplus_driver(
      "check", {{"problem.json", p.line}, {"response.txt", response}, {"config.json", config.dump()}}, lim, sr, c.error);
  if (j) {
    c.error.clear();
    c.sanitized = j->value("sanitized", std::string());
    if (j->contains("base")) c.base = set_result((*j)["base"]);
    if (j->contains("plus")) c.plus = set_result((*j)["plus"]);
  } else {
    // What evalplus would make of it: a process that never reported is TIMEOUT; anything else
    // (the candidate brought the driver down) is a failure, with the reason kept.
    const bool timed_out = sr.status == SandboxStatus::wall_timeout || sr.status == SandboxStatus::cpu_limit;
    c.base.status = timed_out ? "timeout" : "fail";
    if (!s.base_only) c.plus.status = c.base.status;
  }
  return c;
}

std::string evalplus_sanitize(const std::string& response, const std::string& entry_point) {
  SandboxLimits lim;
  lim.cpu_seconds = 60;
  lim.wall_seconds = 90;
  lim.output_bytes = 64ull << 20;
  const json j = run_evalplus_driver("sanitize", {{"response.txt", response}, {"config.json", json{{"entry_point", entry_point}}.dump()}},
                                     lim, "sanitize");
  return j.value("sanitized", std::string());
}

}  // namespace lfmb::eval
