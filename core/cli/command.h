// A subcommand of the `lfmb` binary: its option list and the function that runs it.
#pragma once
#include <vector>

#include "core/cli/args.h"

namespace lfmb {

struct Command {
  CommandSpec spec;
  int (*run)(const ParsedArgs& args);  // returns the exit code; throws lfmb::Error on bad input
};

// One factory per subcommand, each defined in its own cmd_<name>.cpp.
Command info_command();
Command synth_command();
Command report_command();
Command logits_command();
Command generate_command();
Command tokenize_command();
Command backends_command();
Command run_command();
Command bench_command();
Command eval_command();
Command eval_merge_command();
Command eval_score_command();
Command eval_kld_command();
Command eval_diverge_command();
Command eval_compare_command();
Command serve_command();

// The list `lfmb` dispatches on, in --help order (commands.cpp: one line per command).
const std::vector<Command>& all_commands();

}  // namespace lfmb
