// Follows ggml-org/llama.cpp tools/perplexity/perplexity.cpp @050fc7f32de1 (see kld_stats.h).
#include "eval/regression/kld_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "eval/regression/logits_file.h"

namespace lfmb::eval {

void KldAccumulator::add(const float* logits, int64_t n_vocab, const uint16_t* base_record, int32_t next_token) {
  // The float/double mix is llama.cpp's: the per-token KLD and Δp are floats, the sums doubles.
  float max_logit = logits[0];
  int64_t imax = 0;
  for (int64_t i = 1; i < n_vocab; ++i)
    if (logits[i] > max_logit) {  // the first index wins ties
      max_logit = logits[i];
      imax = i;
    }
  double sum_exp = 0.0;
  for (int64_t i = 0; i < n_vocab; ++i) sum_exp += std::exp(logits[i] - max_logit);
  const float log_sum_exp = float(std::log(sum_exp));
  const float scale = record_scale(base_record), min_log_prob = record_min_log_prob(base_record);

  const float nll = max_logit + log_sum_exp - logits[next_token];
  sum_nll += nll;
  sum_nll2 += nll * nll;
  const float nll_base = -record_log_prob(base_record, scale, min_log_prob, next_token);
  sum_nll_base += nll_base;
  sum_nll_base2 += nll_base * nll_base;
  sum_nll_nll_base += nll * nll_base;

  const float log_norm = max_logit + log_sum_exp;  // log p_i = logits[i] − log_norm
  double kld = 0;
  int64_t imax_base = -1;
  float log_p_base_max = 0;
  for (int64_t i = 0; i < n_vocab; ++i) {
    const float log_p_base = record_log_prob(base_record, scale, min_log_prob, i);
    if (i == 0 || log_p_base > log_p_base_max) {
      log_p_base_max = log_p_base;
      imax_base = i;
    }
    if (log_p_base > -16.f) {  // the truncation: base tokens below e^-16 do not count
      const float p_base = std::exp(log_p_base);
      kld += p_base * (log_p_base - logits[i] + log_norm);
    }
  }
  sum_kld += kld;
  sum_kld2 += kld * kld;
  ++count;
  if (imax == imax_base) ++n_same_top;

  const float p_diff = std::exp(-nll) - std::exp(-nll_base);
  sum_p_diff += p_diff;
  const double p_diff2 = p_diff * p_diff;
  sum_p_diff2 += p_diff2;
  sum_p_diff4 += p_diff2 * p_diff2;
  max_p_diff = std::max(max_p_diff, std::fabs(p_diff));
  kld_values.push_back(float(kld));
  p_diff_values.push_back(p_diff);
}

std::pair<double, double> mean_and_uncertainty(double sum, double sum2, uint64_t count) {
  if (count < 1) return {0.0, 0.0};
  const double f = sum / double(count);
  double df = sum2 / double(count) - f * f;
  df = df > 0 && count > 10 ? std::sqrt(df / double(count - 1)) : 0.0;
  return {f, df};
}

double kld_covariance(double sum_a, double sum_b, double sum_ab, uint64_t count) {
  if (count < 10) return 0.0;
  const double n = double(count);
  return (sum_ab / n - (sum_a / n) * (sum_b / n)) / (n - 1);
}

float sorted_percentile(const std::vector<float>& v, float fraction) {
  if (fraction <= 0) return v.front();
  if (fraction >= 1) return v.back();
  float p = fraction * float(v.size() - 1);
  const size_t ip = size_t(p);
  p -= float(ip);
  return (1 - p) * v[ip] + p * v[std::min(ip + 1, v.size() - 1)];
}

float sorted_median(const std::vector<float>& v) {
  const size_t n = v.size();
  return n % 2 == 0 ? 0.5f * (v[n / 2] + v[n / 2 - 1]) : v[n / 2];
}

KldSummary summarize_kld(const KldAccumulator& a) {
  if (a.count == 0) throw Error("kld: no positions were scored");
  KldSummary s;
  s.n_tokens = a.count;
  const auto log_ppl = mean_and_uncertainty(a.sum_nll, a.sum_nll2, a.count);
  s.ppl = std::exp(log_ppl.first);
  s.ppl_unc = s.ppl * log_ppl.second;
  const auto log_ppl_base = mean_and_uncertainty(a.sum_nll_base, a.sum_nll_base2, a.count);
  s.ppl_base = std::exp(log_ppl_base.first);
  s.ppl_base_unc = s.ppl_base * log_ppl_base.second;
  const double cov = kld_covariance(a.sum_nll, a.sum_nll_base, a.sum_nll_nll_base, a.count);
  s.log_ppl_cor = cov / (log_ppl.second * log_ppl_base.second);
  s.log_ppl_ratio = log_ppl.first - log_ppl_base.first;
  s.log_ppl_ratio_unc =
      std::sqrt(log_ppl.second * log_ppl.second + log_ppl_base.second * log_ppl_base.second - 2.0 * cov);
  s.ppl_ratio = std::exp(s.log_ppl_ratio);
  s.ppl_ratio_unc = s.ppl_ratio * s.log_ppl_ratio_unc;
  s.ppl_diff = s.ppl - s.ppl_base;
  s.ppl_diff_unc = std::sqrt(s.ppl_unc * s.ppl_unc + s.ppl_base_unc * s.ppl_base_unc - 2.0 * s.ppl * s.ppl_base * cov);

  const auto kl = mean_and_uncertainty(a.sum_kld, a.sum_kld2, a.count);
  s.mean_kld = kl.first;
  s.mean_kld_stderr = kl.second;
  std::vector<float> k = a.kld_values;
  std::sort(k.begin(), k.end());
  s.max_kld = k.back();
  s.p999_kld = sorted_percentile(k, 0.999f);
  s.p99_kld = sorted_percentile(k, 0.990f);
  s.p95_kld = sorted_percentile(k, 0.950f);
  s.p90_kld = sorted_percentile(k, 0.900f);
  s.median_kld = sorted_median(k);
  s.p10_kld = sorted_percentile(k, 0.100f);
  s.p5_kld = sorted_percentile(k, 0.050f);
  s.p1_kld = sorted_percentile(k, 0.010f);
  s.p01_kld = sorted_percentile(k, 0.001f);
  s.min_kld = k.front();

  const auto dp = mean_and_uncertainty(a.sum_p_diff, a.sum_p_diff2, a.count);
  s.mean_delta_p = dp.first;
  s.mean_delta_p_stderr = dp.second;
  std::vector<float> d = a.p_diff_values;
  std::sort(d.begin(), d.end());
  s.max_delta_p = d.back();
  s.p999_delta_p = sorted_percentile(d, 0.999f);
  s.p99_delta_p = sorted_percentile(d, 0.990f);
  s.p95_delta_p = sorted_percentile(d, 0.950f);
  s.p90_delta_p = sorted_percentile(d, 0.900f);
  s.p75_delta_p = sorted_percentile(d, 0.750f);
  s.median_delta_p = sorted_median(d);
  s.p25_delta_p = sorted_percentile(d, 0.250f);
  s.p10_delta_p = sorted_percentile(d, 0.100f);
  s.p5_delta_p = sorted_percentile(d, 0.050f);
  s.p1_delta_p = sorted_percentile(d, 0.010f);
  s.p01_delta_p = sorted_percentile(d, 0.001f);
  s.min_delta_p = d.front();
  const auto mse = mean_and_uncertainty(a.sum_p_diff2, a.sum_p_diff4, a.count);
  s.rms_delta_p = std::sqrt(mse.first);
  s.rms_delta_p_unc = s.rms_delta_p > 0 ? 0.5 / s.rms_delta_p * mse.second : 0.0;  // llama.cpp divides by 0 here

  s.same_top_p = double(a.n_same_top) / double(a.count);
  s.same_top_p_unc = a.count > 1 ? std::sqrt(s.same_top_p * (1.0 - s.same_top_p) / double(a.count - 1)) : 0.0;
  return s;
}

nlohmann::json kld_summary_json(const KldSummary& s) {
  return {{"mean_kld", s.mean_kld},         {"mean_kld_stderr", s.mean_kld_stderr},
          {"median_kld", s.median_kld},     {"p90_kld", s.p90_kld},
          {"p95_kld", s.p95_kld},           {"p99_kld", s.p99_kld},
          {"max_kld", s.max_kld},           {"same_top_p", s.same_top_p},
          {"mean_delta_p", s.mean_delta_p}, {"rms_delta_p", s.rms_delta_p},
          {"ppl_base", s.ppl_base},         {"ppl", s.ppl},
          {"n_tokens", s.n_tokens}};
}

std::string kld_summary_text(const KldSummary& s) {
  std::string o;
  auto line = [&](const std::string& l) { o += l + "\n"; };
  line("====== Perplexity statistics ======");
  line(fmt::format("Mean PPL(Q)                   : {:10.6f} ± {:10.6f}", s.ppl, s.ppl_unc));
  line(fmt::format("Mean PPL(base)                : {:10.6f} ± {:10.6f}", s.ppl_base, s.ppl_base_unc));
  line(fmt::format("Cor(ln(PPL(Q)), ln(PPL(base))): {:6.2f}%", 100.0 * s.log_ppl_cor));
  line(fmt::format("Mean ln(PPL(Q)/PPL(base))     : {:10.6f} ± {:10.6f}", s.log_ppl_ratio, s.log_ppl_ratio_unc));
  line(fmt::format("Mean PPL(Q)/PPL(base)         : {:10.6f} ± {:10.6f}", s.ppl_ratio, s.ppl_ratio_unc));
  line(fmt::format("Mean PPL(Q)-PPL(base)         : {:10.6f} ± {:10.6f}", s.ppl_diff, s.ppl_diff_unc));
  line("");
  line("====== KL divergence statistics ======");
  line(fmt::format("Mean    KLD: {:10.6f} ± {:10.6f}", s.mean_kld, s.mean_kld_stderr));
  line(fmt::format("Maximum KLD: {:10.6f}", s.max_kld));
  line(fmt::format("99.9%   KLD: {:10.6f}", s.p999_kld));
  line(fmt::format("99.0%   KLD: {:10.6f}", s.p99_kld));
  line(fmt::format("95.0%   KLD: {:10.6f}", s.p95_kld));
  line(fmt::format("90.0%   KLD: {:10.6f}", s.p90_kld));
  line(fmt::format("Median  KLD: {:10.6f}", s.median_kld));
  line(fmt::format("10.0%   KLD: {:10.6f}", s.p10_kld));
  line(fmt::format(" 5.0%   KLD: {:10.6f}", s.p5_kld));
  line(fmt::format(" 1.0%   KLD: {:10.6f}", s.p1_kld));
  line(fmt::format(" 0.1%   KLD: {:10.6f}", s.p01_kld));
  line(fmt::format("Minimum KLD: {:10.6f}", s.min_kld));
  line("");
  line("====== Token probability statistics ======");
  line(fmt::format("Mean    Δp: {:6.3f} ± {:5.3f} %", 100.0 * s.mean_delta_p, 100.0 * s.mean_delta_p_stderr));
  const std::pair<const char*, float> dps[] = {
      {"Maximum", s.max_delta_p}, {"99.9%  ", s.p999_delta_p}, {"99.0%  ", s.p99_delta_p}, {"95.0%  ", s.p95_delta_p},
      {"90.0%  ", s.p90_delta_p}, {"75.0%  ", s.p75_delta_p},  {"Median ", s.median_delta_p}, {"25.0%  ", s.p25_delta_p},
      {"10.0%  ", s.p10_delta_p}, {" 5.0%  ", s.p5_delta_p},   {" 1.0%  ", s.p1_delta_p},  {" 0.1%  ", s.p01_delta_p},
      {"Minimum", s.min_delta_p}};
  for (const auto& [name, v] : dps) line(fmt::format("{} Δp: {:6.3f}%", name, 100.0 * v));
  line(fmt::format("RMS Δp    : {:6.3f} ± {:5.3f} %", 100.0 * s.rms_delta_p, 100.0 * s.rms_delta_p_unc));
  line(fmt::format("Same top p: {:6.3f} ± {:5.3f} %", 100.0 * s.same_top_p, 100.0 * s.same_top_p_unc));
  line(fmt::format("Tokens    : {}", s.n_tokens));
  if (s.n_tokens < 100)  // llama-perplexity prints no final statistics below 100 tokens
    line(fmt::format("Note: only {} scored tokens; llama-perplexity reports these statistics from 100 on", s.n_tokens));
  return o;
}

}  // namespace lfmb::eval
