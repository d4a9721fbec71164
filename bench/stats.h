// Summary statistics over repetitions: mean, standard deviation, median, min/max.
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

namespace lfmb {

struct Summary {
  double mean = 0, stddev = 0, median = 0, min = 0, max = 0;
  size_t n = 0;
};

inline Summary summarize(std::vector<double> v) {
  Summary s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  s.median = v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  for (double x : v) s.mean += x;
  s.mean /= double(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.stddev = std::sqrt(ss / double(v.size() - 1));  // sample standard deviation, as llama-bench
  }
  return s;
}

inline nlohmann::json to_json(const Summary& s) {
  return {{"mean", s.mean}, {"stddev", s.stddev}, {"median", s.median}, {"min", s.min}, {"max", s.max}, {"n", s.n}};
}

}  // namespace lfmb
