// The named document transforms a task's `process_docs:` list may use (lm-eval writes these as
// `!function utils.process_docs` in Python; lfmb has a fixed set, each documented here).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/task_config.h"

namespace lfmb::eval {

// Applies the steps in order. Throws lfmb::Error naming the task file for an unknown function
// or a document without the fields a step needs.
std::vector<nlohmann::json> apply_process_docs(const TaskConfig& t, std::vector<nlohmann::json> docs);

// Names, for `lfmb eval --list` and the README.
std::vector<std::string> process_docs_names();

}  // namespace lfmb::eval
