// The sandboxed side of lfmb's evalplus port (evalplus/evalplus 26d6d00bb1fd): evaluate.py runs
// the ground truth in-process and every candidate in a multiprocessing.Process; lfmb runs both in
// eval/sandbox with the driver evalplus_driver.py, which forks one child per (candidate, set) as
// untrusted_check does.
#include "eval/code/evalplus_sandbox.h"

#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <optional>

#include "core/error.h"
#include "core/io/digest.h"
#include "evalplus_driver_py.h"
#include "sandbox_guard_py.h"

namespace lfmb::eval {

using nlohmann::json;

const std::string& evalplus_driver_sha256() {
  static const std::string h = sha256_hex(std::string(kEvalplusDriverPy) + std::string(kSandboxGuardPy));
  return h;
}

uint64_t evalplus_memory_bytes() {
  const uint64_t four_gib = 4ull << 30;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return four_gib;
  return std::min<uint64_t>(four_gib, uint64_t(pages) * uint64_t(page));
}

namespace {

std::string tail(const std::string& s, size_t n) { return s.size() <= n ? s : "..." + s.substr(s.size() - n); }

std::string describe(const SandboxResult& r) {
  switch (r.status) {
    case SandboxStatus::exited: return "exit code " + std::to_string(r.exit_code);
    case SandboxStatus::signaled: return "signal " + std::to_string(r.signal);
    case SandboxStatus::cpu_limit: return "CPU limit";
    case SandboxStatus::wall_timeout: return "wall-clock limit";
  }
  return "?";
}

}  // namespace

std::optional<json> try_run_evalplus_driver(const std::string& mode, std::vector<SandboxFile> files,
                                            const SandboxLimits& limits, SandboxResult& r, std::string& why) {
  SandboxRequest req;
  req.argv = {kSandboxPython, "/input/evalplus_driver.py", mode, "/input"};
  files.push_back({"evalplus_driver.py", std::string(kEvalplusDriverPy)});
  files.push_back({"sandbox_guard.py", std::string(kSandboxGuardPy)});
  req.files = std::move(files);
  req.limits = limits;
  r = run_sandboxed(req);  // no sandbox here: its lfmb::Error goes to the caller as is
  // The result is the last line the driver wrote on stdout.
  std::string out = r.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  const size_t nl = out.rfind('\n');
  const std::string last = nl == std::string::npos ? out : out.substr(nl + 1);
  if (r.out_truncated || last.empty() || r.status != SandboxStatus::exited || r.exit_code != 0) {
    why = "no result (" + describe(r) + (r.out_truncated ? ", output over the cap" : "") + "); stderr: " + tail(r.err, 400);
    return std::nullopt;
  }
  try {
    return json::parse(last);
  } catch (const std::exception&) {
    why = "the result line is not JSON; stderr: " + tail(r.err, 400);
    return std::nullopt;
  }
}

json run_evalplus_driver(const std::string& mode, std::vector<SandboxFile> files, const SandboxLimits& limits,
                         const std::string& what) {
  SandboxResult r;
  std::string why;
  std::optional<json> j = try_run_evalplus_driver(mode, std::move(files), limits, r, why);
  if (!j) throw Error("evalplus driver (" + mode + ", " + what + "): " + why);
  return *j;
}

const std::string& evalplus_python_version() {
  static std::once_flag once;
  static std::string version;
  std::call_once(once, [] {
    SandboxLimits lim;
    lim.cpu_seconds = 20;
    lim.wall_seconds = 30;
    const json j = run_evalplus_driver("version", {}, lim, "interpreter version");
    if (!j.contains("python") || !j["python"].is_string()) throw Error("evalplus driver (version): no version in its answer");
    version = j["python"].get<std::string>();
  });
  return version;
}

}  // namespace lfmb::eval
