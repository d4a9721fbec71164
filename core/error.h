// One error type for bad input: the CLI prints its message as a single line and exits 1.
#pragma once
#include <stdexcept>
#include <string>

namespace lfmb {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Wrong command-line usage: the CLI exits 2.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace lfmb
