// Follows evalplus/evalplus 26d6d00bb1fd evaluate.py get_groundtruth and gen/util/__init__.py
// trusted_exec(record_time=True); the cache replaces evalplus's pickle under user_cache_dir.
#include "eval/code/evalplus_groundtruth.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io/digest.h"
#include "core/io/output_file.h"
#include "eval/code/evalplus_sandbox.h"
#include "eval/run/eval_progress.h"

namespace lfmb::eval {

using nlohmann::json;

std::string evalplus_cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/lfmb/evalplus";
  const char* home = std::getenv("HOME");
  if (home && *home) return std::string(home) + "/.cache/lfmb/evalplus";
  return "";
}

void evalplus_parallel_for(size_t n, size_t parallel, const std::function<void(size_t)>& fn,
                           const std::function<void(size_t)>& done) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::exception_ptr first;
  size_t finished = 0;
  auto work = [&] {
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (first) return;
      }
      const size_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!first) first = std::current_exception();
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      ++finished;
      if (done) done(finished);
    }
  };
  const size_t k = std::max<size_t>(1, std::min(parallel, n));
  std::vector<std::thread> threads;
  for (size_t t = 1; t < k; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  if (first) std::rethrow_exception(first);
}

namespace {

std::vector<double> times_of(const json& j, const std::string& key, size_t n, const std::string& where) {
  if (!j.contains(key) || !j[key].is_array() || j[key].size() != n)
    throw Error(where + ": '" + key + "' must list one time per input (" + std::to_string(n) + ")");
  std::vector<double> out;
  out.reserve(n);
  for (const json& v : j[key]) {
    if (!v.is_number()) throw Error(where + ": '" + key + "' must hold numbers");
    out.push_back(v.get<double>());
  }
  return out;
}

EvalplusGroundTruth from_json(const json& j, const EvalplusProblem& p, const std::string& where) {
  EvalplusGroundTruth g;
  for (const char* k : {"base", "plus"})
    if (!j.contains(k) || !j[k].is_string()) throw Error(where + ": '" + std::string(k) + "' must be a string");
  g.base = j["base"].get<std::string>();
  g.plus = j["plus"].get<std::string>();
  g.base_time = times_of(j, "base_time", p.n_base, where);
  g.plus_time = times_of(j, "plus_time", p.n_plus, where);
  g.seconds = j.value("seconds", 0.0);
  return g;
}

std::string cache_key(const EvalplusProblem& p) {
  Sha256 h;
  h.update(evalplus_driver_sha256());
  h.update("\n");
  h.update(evalplus_python_version());
  h.update("\n");
  h.update(p.line);
  return h.hex_finish();
}

}  // namespace

std::map<std::string, EvalplusGroundTruth> evalplus_ground_truth(const std::vector<const EvalplusProblem*>& problems,
                                                                 const std::string& cache_dir, size_t parallel,
                                                                 bool progress) {
  std::map<std::string, EvalplusGroundTruth> out;
  std::vector<const EvalplusProblem*> missing;
  for (size_t i = 0; i < problems.size(); ++i) {
    const EvalplusProblem& p = *problems[i];
    if (out.count(p.task_id)) continue;
    if (!cache_dir.empty()) {
      const std::string path = cache_dir + "/" + cache_key(p) + ".json";
      std::error_code ec;
      const auto size = std::filesystem::file_size(path, ec);
      std::ifstream in(path, std::ios::binary);
      if (!ec && size < (2ull << 30) && in) {
        try {
          std::stringstream ss;
          ss << in.rdbuf();
          const json j = json::parse(ss.str());
          if (j.value("task_id", std::string()) == p.task_id) {
            EvalplusGroundTruth g = from_json(j, p, path);
            g.from_cache = true;
            out.emplace(p.task_id, std::move(g));
            continue;
          }
        } catch (const std::exception&) {
          // A damaged cache file is computed again and replaced.
        }
      }
    }
    out.emplace(p.task_id, EvalplusGroundTruth{});
    missing.push_back(&p);
  }
  if (missing.empty()) return out;

  EvalProgress bar("evalplus ground truth", missing.size(), progress);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<EvalplusGroundTruth> computed(missing.size());
  evalplus_parallel_for(
      missing.size(), parallel,
      [&](size_t i) {
        const EvalplusProblem& p = *missing[i];
        SandboxLimits lim;
        // trusted_exec has no time limit; these only stop a hung sandbox.
        lim.cpu_seconds = 600;
        lim.wall_seconds = 900;
        lim.memory_bytes = evalplus_memory_bytes();
        lim.output_bytes = 512ull << 20;
        const auto s0 = std::chrono::steady_clock::now();
        const json j = run_evalplus_driver("groundtruth", {{"problem.json", p.line}}, lim, p.task_id + " ground truth");
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
        EvalplusGroundTruth g = from_json(j, p, "evalplus ground truth of " + p.task_id);
        g.seconds = secs;
        if (!cache_dir.empty()) {
          json c = {{"task_id", p.task_id},           {"python", evalplus_python_version()},
                    {"driver_sha256", evalplus_driver_sha256()}, {"base", g.base},
                    {"base_time", g.base_time},       {"plus", g.plus},
                    {"plus_time", g.plus_time},       {"seconds", secs}};
          try {
            write_output(cache_dir + "/" + cache_key(p) + ".json", c.dump(), ParentDirs::Create);
          } catch (const Error& e) {
            std::fprintf(stderr, "evalplus: warning: ground truth not cached: %s\n", e.what());
          }
        }
        computed[i] = std::move(g);
      },
      [&](size_t k) { bar.update(k, 0, ""); });
  bar.finish();
  if (progress)
    std::fprintf(stderr, "evalplus: ground truth of %zu problems computed in %.1f s, %zu from the cache (%s)\n",
                 missing.size(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), out.size() - missing.size(),
                 cache_dir.empty() ? "cache off" : cache_dir.c_str());
  for (size_t i = 0; i < missing.size(); ++i) out[missing[i]->task_id] = std::move(computed[i]);
  return out;
}

}  // namespace lfmb::eval
