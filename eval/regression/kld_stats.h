// KL(base ‖ model) statistics of next-token distributions, as llama-perplexity --kl-divergence
// computes and prints them: per token KLD (truncated where the base log-prob is ≤ −16), same top
// token, Δp of the actual next token, both NLLs; then mean ± stderr, percentiles, RMS Δp and
// perplexities. Follows ggml-org/llama.cpp tools/perplexity/perplexity.cpp @050fc7f32de1
// (log_softmax(..., kl_divergence_result&), kl_divergence()), float/double arithmetic included.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb::eval {

// Running sums and per-token values (llama.cpp's kl_divergence_result, kld_values, p_diff_values).
class KldAccumulator {
 public:
  // One scored position: the model's logits, the base record (logits_file.h) and the actual next token.
  void add(const float* logits, int64_t n_vocab, const uint16_t* base_record, int32_t next_token);

  double sum_nll = 0, sum_nll2 = 0, sum_nll_base = 0, sum_nll_base2 = 0, sum_nll_nll_base = 0;
  double sum_kld = 0, sum_kld2 = 0, sum_p_diff = 0, sum_p_diff2 = 0, sum_p_diff4 = 0;
  float max_p_diff = 0;  // largest |Δp|
  uint64_t n_same_top = 0, count = 0;
  std::vector<float> kld_values, p_diff_values;  // per token, in order
};

// llama.cpp's mean_and_uncertainty: (s/N, sqrt((s2/N − mean²)/(N−1))), the uncertainty 0 when the
// variance is not positive or N ≤ 10; (0, 0) for N = 0.
std::pair<double, double> mean_and_uncertainty(double sum, double sum2, uint64_t count);
// Sample covariance of two means' sums (0 when N < 10), as llama.cpp's covariance lambda.
double kld_covariance(double sum_a, double sum_b, double sum_ab, uint64_t count);
// Linear interpolation on sorted values at p = fraction·(n−1), in float as llama.cpp.
float sorted_percentile(const std::vector<float>& sorted, float fraction);
// llama.cpp's median: the middle value, or the mean of the two middle values.
float sorted_median(const std::vector<float>& sorted);

struct KldSummary {
  uint64_t n_tokens = 0;
  double ppl = 0, ppl_unc = 0, ppl_base = 0, ppl_base_unc = 0;
  double log_ppl_cor = 0;                    // Cor(ln PPL(Q), ln PPL(base))
  double log_ppl_ratio = 0, log_ppl_ratio_unc = 0;
  double ppl_ratio = 0, ppl_ratio_unc = 0;
  double ppl_diff = 0, ppl_diff_unc = 0;
  double mean_kld = 0, mean_kld_stderr = 0;
  float max_kld = 0, p999_kld = 0, p99_kld = 0, p95_kld = 0, p90_kld = 0, median_kld = 0, p10_kld = 0, p5_kld = 0,
        p1_kld = 0, p01_kld = 0, min_kld = 0;
  double mean_delta_p = 0, mean_delta_p_stderr = 0;
  float max_delta_p = 0, p999_delta_p = 0, p99_delta_p = 0, p95_delta_p = 0, p90_delta_p = 0, p75_delta_p = 0,
        median_delta_p = 0, p25_delta_p = 0, p10_delta_p = 0, p5_delta_p = 0, p1_delta_p = 0, p01_delta_p = 0,
        min_delta_p = 0;
  double rms_delta_p = 0, rms_delta_p_unc = 0;
  double same_top_p = 0, same_top_p_unc = 0;
};

// Throws lfmb::Error when nothing was scored.
KldSummary summarize_kld(const KldAccumulator& acc);
// The `--json` object: exactly the keys of issue 18.
nlohmann::json kld_summary_json(const KldSummary& s);
// llama-perplexity's "Perplexity / KL divergence / Token probability statistics" sections.
std::string kld_summary_text(const KldSummary& s);

}  // namespace lfmb::eval
