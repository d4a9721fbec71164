// Every task and group under the task folders (eval/tasks/ plus --include-path folders), by
// name. Files whose name starts with '_' are templates for `include:` only.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "eval/task_config.h"

namespace lfmb::eval {

class TaskIndex {
 public:
  explicit TaskIndex(const std::vector<std::string>& dirs);

  bool is_task(const std::string& name) const { return tasks_.count(name) > 0; }
  bool is_group(const std::string& name) const { return groups_.count(name) > 0; }
  const TaskConfig& task(const std::string& name) const;
  const GroupConfig& group(const std::string& name) const;
  // Leaf tasks of the names given (tasks or groups, recursively), in order, each once. An
  // unknown name is an error listing the closest known names.
  std::vector<std::string> expand(const std::vector<std::string>& names) const;
  // Groups reachable from the names, innermost first (so subgroups are scored before parents).
  std::vector<std::string> groups_of(const std::vector<std::string>& names) const;
  std::vector<std::string> names() const;

 private:
  void expand_into(const std::string& name, std::vector<std::string>& out, int depth) const;
  std::map<std::string, TaskConfig> tasks_;
  std::map<std::string, GroupConfig> groups_;
};

// eval/tasks of the source tree, or $LFMB_TASKS_DIR.
std::string default_tasks_dir();

}  // namespace lfmb::eval
