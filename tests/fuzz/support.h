// Shared pieces of the libFuzzer targets: input files on tmpfs (for loaders that take a path),
// splitting one input into fields, and the rule every target checks: bad input may only ever
// end in lfmb::Error; anything else (another exception, a crash, a sanitizer report) is a finding.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lfmb::fuzz {

// Writes `bytes` to a file named `name` in this process's private directory under /dev/shm
// (removed at exit; `name` may hold sub-folders, created as needed) and returns its path. The same name is overwritten on each call.
std::string write_input_file(const std::string& name, std::string_view bytes);

// Splits at every `sep` byte (fields may be empty).
std::vector<std::string_view> split_fields(std::string_view data, char sep);

// Runs fn(); an lfmb::Error is the expected outcome for bad input and is swallowed. Anything else
// thrown aborts with the message, so libFuzzer records the input as a crash.
template <class Fn>
void expect_only_lfmb_errors(Fn&& fn);

[[noreturn]] void unexpected_exception(const char* what);

}  // namespace lfmb::fuzz

#include "core/error.h"

template <class Fn>
void lfmb::fuzz::expect_only_lfmb_errors(Fn&& fn) {
  try {
    fn();
  } catch (const lfmb::Error&) {
  } catch (const std::exception& e) {
    unexpected_exception(e.what());
  } catch (...) {
    unexpected_exception("(not a std::exception)");
  }
}
