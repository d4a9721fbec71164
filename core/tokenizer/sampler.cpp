#include "core/tokenizer/sampler.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace lfmb {

Sampler::Sampler(SamplerOptions opts) : opts_(opts), state_(opts.seed) {}

double Sampler::next_uniform() {
  // SplitMix64: tiny, well-mixed, and fully specified, so sequences match across toolchains.
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return double(z >> 11) * (1.0 / 9007199254740992.0);  // top 53 bits
}

void Sampler::accept(int32_t id) {
  recent_.push_back(id);
  while (opts_.repetition_last_n >= 0 && recent_.size() > size_t(opts_.repetition_last_n)) recent_.pop_front();
}

std::vector<std::pair<int32_t, float>> Sampler::candidates(const float* logits, size_t n_vocab) const {
  std::vector<std::pair<int32_t, float>> c(n_vocab);
  for (size_t i = 0; i < n_vocab; ++i) c[i] = {int32_t(i), logits[i]};

  if (opts_.repetition_penalty != 1.0f) {
    const std::unordered_set<int32_t> seen(recent_.begin(), recent_.end());
    for (int32_t id : seen) {
      if (id < 0 || size_t(id) >= n_vocab) continue;
      float& l = c[size_t(id)].second;
      l = l > 0 ? l / opts_.repetition_penalty : l * opts_.repetition_penalty;
    }
  }
  // Most likely first; ties: lower id first, so greedy picks the first argmax. Greedy needs no
  // sort at all and top-k only a partial one (the vocabulary is 65k-152k entries per token).
  const auto before = [](const auto& a, const auto& b) {
    return a.second > b.second || (a.second == b.second && a.first < b.first);
  };
  if (opts_.temperature <= 0.0f) return {{std::min_element(c.begin(), c.end(), before)->first, 1.0f}};
  const size_t top = opts_.top_k > 0 && size_t(opts_.top_k) < c.size() ? size_t(opts_.top_k) : c.size();
  std::partial_sort(c.begin(), c.begin() + std::ptrdiff_t(top), c.end(), before);
  c.resize(top);

  // Softmax with temperature, in double for stable sums.
  const double max_l = c[0].second;
  std::vector<double> p(c.size());
  double sum = 0;
  for (size_t i = 0; i < c.size(); ++i) sum += p[i] = std::exp((double(c[i].second) - max_l) / opts_.temperature);
  for (double& v : p) v /= sum;

  size_t keep = c.size();
  if (opts_.top_p < 1.0f) {
    // Smallest prefix whose mass reaches top_p.
    double acc = 0;
    for (size_t i = 0; i < keep; ++i) {
      acc += p[i];
      if (acc >= opts_.top_p) { keep = i + 1; break; }
    }
  }
  if (opts_.min_p > 0.0f) {
    const double floor_p = opts_.min_p * p[0];
    size_t i = 1;
    while (i < keep && p[i] >= floor_p) ++i;
    keep = i;
  }
  c.resize(keep);
  double kept = 0;
  for (size_t i = 0; i < keep; ++i) kept += p[i];
  for (size_t i = 0; i < keep; ++i) c[i].second = float(p[i] / kept);
  return c;
}

int32_t Sampler::sample(const float* logits, size_t n_vocab) {
  const auto c = candidates(logits, n_vocab);
  int32_t chosen = c.back().first;
  if (c.size() == 1) {
    chosen = c[0].first;
  } else {
    const double u = next_uniform();
    double acc = 0;
    for (const auto& [id, prob] : c) {
      acc += prob;
      if (u < acc) { chosen = id; break; }
    }
  }
  accept(chosen);
  return chosen;
}

bool StopCondition::is_stop_token(int32_t id) const {
  return std::find(stop_ids.begin(), stop_ids.end(), id) != stop_ids.end();
}

size_t StopCondition::find_stop_string(const std::string& text) const {
  size_t best = std::string::npos;
  for (const std::string& s : stop_strings)
    if (!s.empty()) best = std::min(best, text.find(s));
  return best;
}

}  // namespace lfmb
