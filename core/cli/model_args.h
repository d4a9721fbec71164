// Options shared by the commands that run a model (logits, generate): parsing of --tokens and
// the --backend/--threads/--ctx/--batch group.
#pragma once
#include <string>
#include <vector>

#include "core/cli/args.h"
#include "core/model/model.h"

namespace lfmb {

std::vector<OptionSpec> model_run_options();
ModelOptions model_options_from_args(const ParsedArgs& args);
// "1 5 9" (spaces or commas) -> ids; a usage error names the bad item.
std::vector<int32_t> parse_token_list(const std::string& text);

}  // namespace lfmb
