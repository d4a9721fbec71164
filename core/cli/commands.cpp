#include "core/cli/command.h"

namespace lfmb {

const std::vector<Command>& all_commands() {
  static const std::vector<Command> commands = {
      info_command(),
      synth_command(),
      report_command(),
      logits_command(),
      generate_command(),
      tokenize_command(),
      backends_command(),
      run_command(),
      bench_command(),
      eval_command(),
      eval_merge_command(),
      eval_score_command(),
      eval_kld_command(),
      eval_diverge_command(),
      eval_compare_command(),
      serve_command(),
  };
  return commands;
}

}  // namespace lfmb
