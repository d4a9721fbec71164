// Backends by name. The list lives in registry.cpp: one line per backend.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"

namespace lfmb {

struct BackendEntry {
  std::string name;
  std::string summary;  // one line for `lfmb backends` and --help
  std::function<std::unique_ptr<Backend>(const BackendOptions&)> create;
};

// Every backend compiled into this binary, in registry order.
const std::vector<BackendEntry>& backend_registry();
// Throws lfmb::Error "unknown backend 'x' (available: reference, ...)".
std::unique_ptr<Backend> create_backend(std::string_view name, const BackendOptions& opts = {});
std::string available_backend_names();  // "reference, native, ..."

}  // namespace lfmb
