// lfmb eval kld: KL(base ‖ model) of next-token distributions, llama-perplexity --kl-divergence's
// statistics (eval/regression/), with optional gates for CI: exit 1 and one line naming the bound
// that broke.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/cli/command.h"
#include "core/error.h"
#include "eval/regression/kld_run.h"

namespace lfmb {

namespace {

double parse_bound(const ParsedArgs& args, const std::string& name, double hi) {
  const std::string v = *args.get(name);
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !std::isfinite(x) || x < 0 || x > hi)
    throw UsageError(fmt::format("{}: expected a number in [0, {}], got '{}'", name, hi, v));
  return x;
}

int run_eval_kld(const ParsedArgs& args) {
  eval::KldRunOptions o;
  o.base = {args.get_or("--base", ""), args.get_or("--base-backend", "reference"), args.get_or("--base-dtype", "")};
  o.model = {args.get_or("--model", ""), args.get_or("--backend", "reference"), args.get_or("--dtype", "")};
  o.threads = int(args.get_int("--threads", 1, 1, 1024));
  o.tokens_file = args.get_or("--tokens", "");
  o.text_file = args.get_or("--text", "");
  o.ctx_size = args.get_int("--ctx-size", 0, 3, 1 << 24);
  o.chunks = args.get_int("--chunks", 0, 1, 1 << 30);
  o.save_base = args.get_or("--save-base", "");
  o.base_logits = args.get_or("--base-logits", "");
  if (o.model.path.empty()) throw UsageError("eval kld: --model FILE is required");
  if (o.base.path.empty() == o.base_logits.empty())
    throw UsageError("eval kld: give either --base FILE or --base-logits FILE");
  if (!o.save_base.empty() && !o.base_logits.empty())
    throw UsageError("eval kld: --save-base needs the base model run (--base), not --base-logits");
  if (!o.tokens_file.empty() && !o.text_file.empty()) throw UsageError("eval kld: give --tokens or --text, not both");
  if (o.base_logits.empty() && o.tokens_file.empty() && o.text_file.empty())
    throw UsageError("eval kld: give --tokens FILE or --text FILE --ctx-size N");
  if (!o.text_file.empty() && o.ctx_size == 0) throw UsageError("eval kld: --text needs --ctx-size N");
  if (o.text_file.empty() && (args.has("--ctx-size") || args.has("--chunks")))
    throw UsageError("eval kld: --ctx-size and --chunks apply to --text");
  const bool gate_kld = args.has("--max-mean-kld"), gate_top = args.has("--min-same-top");
  const double max_kld = gate_kld ? parse_bound(args, "--max-mean-kld", 1e300) : 0;
  const double min_top = gate_top ? parse_bound(args, "--min-same-top", 1.0) : 0;

  const eval::KldSummary s = eval::summarize_kld(eval::run_kld(o));
  if (args.has("--json"))
    std::printf("%s\n", eval::kld_summary_json(s).dump(2).c_str());
  else
    std::printf("%s", eval::kld_summary_text(s).c_str());

  std::string broke;
  if (gate_kld && !(s.mean_kld <= max_kld)) broke = fmt::format("mean KLD {:.6g} > {:.6g}", s.mean_kld, max_kld);
  if (gate_top && !(s.same_top_p >= min_top))
    broke += fmt::format("{}same top {:.6g} < {:.6g}", broke.empty() ? "" : ", ", s.same_top_p, min_top);
  if (broke.empty()) return 0;
  std::fprintf(stderr, "kld gate: %s\n", broke.c_str());
  return 1;
}

}  // namespace

Command eval_kld_command() {
  return {{"eval kld",
           "lfmb eval kld --base A.gguf [--base-backend B] --model B.gguf [--backend B] (--tokens FILE | --text FILE "
           "--ctx-size N [--chunks K] | --base-logits FILE) [--json] [--max-mean-kld X] [--min-same-top P]",
           "KL divergence of a model's next-token distributions from a base's (llama-perplexity --kl-divergence).",
           {{"--base", "FILE", "base GGUF model (the reference distribution)"},
            {"--base-backend", "NAME", "backend of the base (default: reference)"},
            {"--base-dtype", "T", "compute type of the base's backend"},
            {"--model,-m", "FILE", "GGUF model under test (may be the same file as --base)"},
            {"--backend", "NAME", "backend of the model under test (default: reference)"},
            {"--dtype", "T", "compute type of the model's backend"},
            {"--threads", "N", "backend threads for both (default 1)"},
            {"--tokens", "FILE", "token ids, one sequence per line; every position with a next token is scored"},
            {"--text", "FILE", "text, scored in llama-perplexity's chunks (second half of each)"},
            {"--ctx-size", "N", "chunk length for --text"},
            {"--chunks", "K", "at most K chunks of --text (default all)"},
            {"--save-base", "FILE", "write the base log-probs (llama.cpp's _logits_ file format)"},
            {"--base-logits", "FILE", "read the base log-probs instead of running --base"},
            {"--json", "", "print the statistics as JSON"},
            {"--max-mean-kld", "X", "gate: exit 1 when the mean KLD exceeds X"},
            {"--min-same-top", "P", "gate: exit 1 when the same-top fraction is below P (0..1)"}},
           0,
           0},
          run_eval_kld};
}

}  // namespace lfmb
