// lfmb generate: greedy continuation of a token sequence, printed as ids on one line.
#include <fmt/format.h>

#include <cstdio>

#include "core/cli/command.h"
#include "core/cli/model_args.h"
#include "core/error.h"
#include "core/model/generate.h"

namespace lfmb {

namespace {

int run_generate(const ParsedArgs& args) {
  if (!args.has("--model") || !args.has("--tokens")) throw UsageError("generate: --model and --tokens are required");
  const int64_t n = args.get_int("-n", 16, 0, 1 << 24);
  const std::vector<int32_t> tokens = parse_token_list(*args.get("--tokens"));
  const Model model(*args.get("--model"), model_options_from_args(args));
  if (args.has("--verbose")) fmt::print(stderr, "{}\n", model.memory_plan().describe());
  Session s(model);
  std::string line;
  generate(s, tokens, n, argmax_token, [&](int32_t t) {
    if (!line.empty()) line += ' ';
    line += std::to_string(t);
    return true;
  });
  fmt::print("{}\n", line);
  return 0;
}

}  // namespace

Command generate_command() {
  std::vector<OptionSpec> opts = model_run_options();
  opts.push_back({"-n", "N", "number of tokens to generate (default 16)"});
  return {{"generate",
           "lfmb generate --model F.gguf --tokens \"1 5 9\" -n N [--backend NAME] [--threads N]",
           "Greedy continuation of a token sequence; prints the new token ids on one line.",
           opts, 0, 0},
          run_generate};
}

}  // namespace lfmb
