#include "eval/task_index.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>

#include "core/error.h"

#ifndef LFMB_TASKS_DIR_DEFAULT
#define LFMB_TASKS_DIR_DEFAULT "eval/tasks"
#endif

namespace lfmb::eval {

namespace fs = std::filesystem;

std::string default_tasks_dir() {
  if (const char* e = std::getenv("LFMB_TASKS_DIR"); e && *e) return e;
  return LFMB_TASKS_DIR_DEFAULT;
}

TaskIndex::TaskIndex(const std::vector<std::string>& dirs) {
  for (const std::string& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw Error(dir + ": task folder not found");
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(dir, ec), end; it != end; it.increment(ec)) {
      if (ec) break;
      std::error_code entry_ec;  // a dangling link is skipped, not an error
      if (it->is_regular_file(entry_ec) && it->path().extension() == ".yaml" && it->path().filename().string()[0] != '_')
        files.push_back(it->path());
    }
    if (ec) throw Error(dir + ": cannot list the task folder (" + ec.message() + ")");
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      TaskFileContents c = load_task_file(f.string());
      for (TaskConfig& t : c.tasks) {
        if (tasks_.count(t.task) || groups_.count(t.task))
          throw Error(f.string() + ": task '" + t.task + "' is defined twice (also in " +
                      (tasks_.count(t.task) ? tasks_.at(t.task).file : groups_.at(t.task).file) + ")");
        std::string name = t.task;
        tasks_.emplace(name, std::move(t));
      }
      for (GroupConfig& g : c.groups) {
        if (tasks_.count(g.group) || groups_.count(g.group))
          throw Error(f.string() + ": group '" + g.group + "' is defined twice");
        std::string name = g.group;
        groups_.emplace(name, std::move(g));
      }
    }
  }
  for (const auto& [name, g] : groups_)
    for (const std::string& t : g.tasks)
      if (!tasks_.count(t) && !groups_.count(t)) throw Error(g.file + ": group '" + name + "' names unknown task '" + t + "'");
}

const TaskConfig& TaskIndex::task(const std::string& name) const {
  auto it = tasks_.find(name);
  if (it == tasks_.end()) throw Error("unknown task '" + name + "'");
  return it->second;
}

const GroupConfig& TaskIndex::group(const std::string& name) const {
  auto it = groups_.find(name);
  if (it == groups_.end()) throw Error("unknown group '" + name + "'");
  return it->second;
}

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

void TaskIndex::expand_into(const std::string& name, std::vector<std::string>& out, int depth) const {
  if (depth > 16) throw Error("group '" + name + "' nests deeper than 16 (a cycle?)");
  if (tasks_.count(name)) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    return;
  }
  if (auto g = groups_.find(name); g != groups_.end()) {
    for (const std::string& t : g->second.tasks) expand_into(t, out, depth + 1);
    return;
  }
  std::vector<std::pair<size_t, std::string>> near;
  for (const std::string& n : names()) near.push_back({edit_distance(name, n), n});
  std::sort(near.begin(), near.end());
  std::string hint;
  for (size_t i = 0; i < near.size() && i < 3; ++i) hint += (i ? ", " : "") + near[i].second;
  throw Error("unknown task '" + name + "' (closest: " + hint + "; `lfmb eval --list` lists all)");
}

std::vector<std::string> TaskIndex::expand(const std::vector<std::string>& names) const {
  std::vector<std::string> out;
  for (const std::string& n : names) expand_into(n, out, 0);
  return out;
}

std::vector<std::string> TaskIndex::groups_of(const std::vector<std::string>& names) const {
  std::vector<std::string> out;
  std::function<void(const std::string&, int)> visit = [&](const std::string& n, int depth) {
    auto g = groups_.find(n);
    if (g == groups_.end() || depth > 16) return;
    for (const std::string& t : g->second.tasks) visit(t, depth + 1);
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  };
  for (const std::string& n : names) visit(n, 0);
  return out;
}

std::vector<std::string> TaskIndex::names() const {
  std::vector<std::string> out;
  for (const auto& [n, t] : tasks_) out.push_back(n);
  for (const auto& [n, g] : groups_) out.push_back(n);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace lfmb::eval
