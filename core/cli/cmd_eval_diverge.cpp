// lfmb eval diverge: where two runs of a model part ways, layer by layer (eval/regression/diverge.h
// defines the measures and the jump rule that names the first diverging layer).
#include <cstdio>

#include "core/cli/command.h"
#include "core/error.h"
#include "eval/regression/diverge.h"
#include "eval/regression/token_sequences.h"

namespace lfmb {

namespace {

int run_eval_diverge(const ParsedArgs& args) {
  eval::DivergeOptions o;
  o.base = {args.get_or("--base", ""), args.get_or("--base-backend", "reference"), args.get_or("--base-dtype", "")};
  o.model = {args.get_or("--model", ""), args.get_or("--backend", "reference"), args.get_or("--dtype", "")};
  o.threads = int(args.get_int("--threads", 1, 1, 1024));
  if (o.base.path.empty() || o.model.path.empty() || !args.has("--tokens"))
    throw UsageError("eval diverge: --base FILE, --model FILE and --tokens FILE are required");
  o.sequences = eval::read_token_sequences(*args.get("--tokens"));
  const eval::DivergeResult r = eval::run_diverge(o);
  if (args.has("--json"))
    std::printf("%s\n", eval::diverge_json(r).dump(2).c_str());
  else
    std::printf("%s", eval::diverge_text(r).c_str());
  return 0;
}

}  // namespace

Command eval_diverge_command() {
  return {{"eval diverge",
           "lfmb eval diverge --base A.gguf [--base-backend B] --model B.gguf [--backend B] --tokens FILE [--json]",
           "Per layer, how far a model's hidden states and MoE routing drift from a base run; names the first "
           "layer that jumps.",
           {{"--base", "FILE", "base GGUF model"},
            {"--base-backend", "NAME", "backend of the base (default: reference)"},
            {"--base-dtype", "T", "compute type of the base's backend"},
            {"--model,-m", "FILE", "GGUF model under test"},
            {"--backend", "NAME", "backend of the model under test (default: reference)"},
            {"--dtype", "T", "compute type of the model's backend"},
            {"--threads", "N", "backend threads for both (default 1)"},
            {"--tokens", "FILE", "token ids, one sequence per line"},
            {"--json", "", "print {\"layers\": [...], \"first_diverging_layer\": N}"}},
           0,
           0},
          run_eval_diverge};
}

}  // namespace lfmb
