// lfmb logits: the logits at every position of a token sequence, as JSON, for comparing against
// a reference engine.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/cli/command.h"
#include "core/cli/model_args.h"
#include "core/error.h"
#include "core/io/output_file.h"

namespace lfmb {

namespace {

int run_logits(const ParsedArgs& args) {
  if (!args.has("--model") || !args.has("--tokens") || !args.has("--out"))
    throw UsageError("logits: --model, --tokens and --out are required");
  const std::string mode = args.get_or("--mode", "batch");
  if (mode != "batch" && mode != "step") throw UsageError("--mode must be batch or step");
  const std::vector<int32_t> tokens = parse_token_list(*args.get("--tokens"));
  resolve_output(*args.get("--out"));  // a directory or a symlink loop fails before the model is run
  const Model model(*args.get("--model"), model_options_from_args(args, kCmdLogits));
  if (args.has("--verbose")) fmt::print(stderr, "{}\n", model.memory_plan().describe());
  Session s(model);
  const int64_t V = model.config().n_vocab;
  std::vector<float> logits;
  if (mode == "batch") {
    logits = s.prefill(tokens);
  } else {
    for (int32_t t : tokens) {
      std::vector<float> l = s.decode(t);
      logits.insert(logits.end(), l.begin(), l.end());
    }
  }
  nlohmann::json j;
  j["n_vocab"] = V;
  j["logits"] = nlohmann::json::array();
  for (size_t p = 0; p < tokens.size(); ++p)
    j["logits"].push_back(std::vector<float>(logits.begin() + int64_t(p) * V, logits.begin() + int64_t(p + 1) * V));

  write_output(*args.get("--out"), j.dump() + "\n", ParentDirs::MustExist);
  return 0;
}

}  // namespace

Command logits_command() {
  std::vector<OptionSpec> opts = model_run_options(kCmdLogits);
  opts.push_back({"--mode", "batch|step", "whole sequence in one pass (batch) or one token at a time (step)"});
  return {{"logits",
           "lfmb logits -m F.gguf --tokens \"1 5 9\" [--mode batch|step] [--backend NAME[:DTYPE]] [-t N] "
           "[-c N] [-b N] -o FILE.json",
           "Compute the logits at every position of a token sequence and write them as JSON.",
           opts, 0, 0},
          run_logits};
}

}  // namespace lfmb
