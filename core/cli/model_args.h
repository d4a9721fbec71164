// Options shared by the commands that run a model (logits, generate, eval): the option table's
// rows for the command (core/cli/option_table.h) plus --tokens, and the ModelOptions they give.
#pragma once
#include <string>
#include <vector>

#include "core/cli/args.h"
#include "core/cli/option_table.h"
#include "core/model/model.h"

namespace lfmb {

// The command's rows of the option table, then --tokens (logits, generate).
std::vector<OptionSpec> model_run_options(VocabCommand command, bool with_tokens = true);
// The table's defaults: native backend, all logical processors, batch 512, mmap.
ModelOptions default_model_options();
// Applies the flags given (only those) over `o`: --backend NAME[:DTYPE] (or -b NAME), --dtype,
// --threads, --ctx-size, --batch-size (commands whose table rows have it: not eval, where it is
// lm-eval's request batch), --mmap / --no-mmap. Threads 0 means every logical processor.
void apply_model_flags(const ParsedArgs& args, ModelOptions& o, VocabCommand command);
// default_model_options() with the flags applied.
ModelOptions model_options_from_args(const ParsedArgs& args, VocabCommand command);
// 0 -> the number of logical processors.
int resolve_thread_count(int threads);
// "1 5 9" (spaces or commas) -> ids; a usage error names the bad item.
std::vector<int32_t> parse_token_list(const std::string& text);

}  // namespace lfmb
