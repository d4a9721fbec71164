// lfmb: one binary, one subcommand per job. Exit codes: 0 success, 1 bad input (one-line
// error on stderr), 2 usage error.
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "backends/thread_environment.h"
#include "core/cli/command.h"
#include "core/cli/option_table.h"
#include "core/error.h"

namespace {

void print_overview() {
  std::printf("usage: lfmb COMMAND [options]\n\nLFM2 / Qwen3 inference research harness.\n\ncommands:\n");
  for (const auto& c : lfmb::all_commands()) std::printf("  %-11s %s\n", c.spec.name.c_str(), c.spec.summary.c_str());
  std::printf("\n'lfmb COMMAND --help' describes a command; 'lfmb --version' prints the version and commit.\n");
}

}  // namespace

int main(int argc, char** argv) {
  lfmb::settle_thread_environment(argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "--version") {
    std::printf("%s\n", lfmb::version_text().c_str());
    return 0;
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_overview();
    return args.empty() ? 2 : 0;
  }
  std::string name = args[0];
  args.erase(args.begin());
  // Two-word commands ("eval merge", "eval score") are looked up as one name.
  if (!args.empty())
    for (const auto& c : lfmb::all_commands())
      if (c.spec.name == name + " " + args[0]) {
        name = c.spec.name;
        args.erase(args.begin());
        break;
      }
  try {
    for (const auto& c : lfmb::all_commands()) {
      if (c.spec.name != name) continue;
      auto parsed = lfmb::parse_args_or_help(c.spec, args);
      if (!parsed) return 0;
      return c.run(*parsed);
    }
    throw lfmb::UsageError("unknown command '" + name + "' (see lfmb --help)");
  } catch (const lfmb::UsageError& e) {
    std::fprintf(stderr, "lfmb: %s\n", e.what());
    return 2;
  } catch (const lfmb::Error& e) {
    std::fprintf(stderr, "lfmb: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "lfmb: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lfmb: error: %s\n", e.what());
    return 1;
  }
}
