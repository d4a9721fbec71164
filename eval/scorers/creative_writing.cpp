// Creative Writing v3 scoring, ported from EQ-bench/creative-writing-bench @ e7ab00917c96:
// core/scoring.py (parse_judge_scores_creative, invert_if_negative, compute_creative_scores,
// compute_single_benchmark_score_creative, bootstrap_benchmark_stability_creative),
// core/conversation.py (judge prompt filling, the 500-character rule), core/benchmark.py (the
// rubric files as read), utils/api.py (the reasoning cut).
#include "eval/scorers/creative_writing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "core/error.h"
#include "core/io/bounded_input.h"
#include "eval/data/py_random.h"
#include "eval/text/py_regex.h"
#include "eval/text/py_str.h"

namespace lfmb::eval::cwb {

using nlohmann::json;

namespace {

// Python's text mode (newline=None): \r\n and \r read as \n.
std::string universal_newlines(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// benchmark.py: [line.strip() for line in f if line.strip()]
std::vector<std::string> stripped_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = py_strip(std::string_view(text).substr(start, nl - start));
    if (!line.empty()) out.push_back(std::move(line));
    start = nl + 1;
  }
  return out;
}

constexpr uint64_t kMaxRubricBytes = 1 << 20;

std::string read_rubric_file(const std::string& dir, const json& metadata, const char* key, const char* def) {
  std::string name = def;
  if (metadata.contains(key)) {
    if (!metadata[key].is_string()) throw Error(std::string("metadata.") + key + ": expected a file name");
    name = metadata[key].get<std::string>();
  }
  return universal_newlines(read_bounded_input(dir + "/" + name, kMaxRubricBytes));
}

// float() of a match of -?\d+(?:\.\d+)?: \d is any Unicode decimal digit in Python, and float()
// accepts those digits too.
double py_float_of_match(const std::string& s) {
  std::string ascii;
  for (const std::string& ch : py_chars(s)) {
    if (ch == "-" || ch == ".") ascii += ch;
    else ascii += std::to_string(py_int_decimal(ch));
  }
  return std::strtod(ascii.c_str(), nullptr);
}

}  // namespace

Rubric load_rubric(const std::string& dir, const json& metadata) {
  Rubric r;
  r.judge_template = read_rubric_file(dir, metadata, "judge_prompt_file", "creative_writing_judging_prompt.txt");
  r.criteria = stripped_lines(read_rubric_file(dir, metadata, "criteria_file", "creative_writing_criteria.txt"));
  r.negative = stripped_lines(read_rubric_file(dir, metadata, "negative_criteria_file", "negative_criteria.txt"));
  return r;
}

std::string visible_text(const std::string& reply) { return py_strip(cut_reasoning(reply)); }

std::string cut_reasoning(const std::string& reply) {
  std::string s = reply;
  for (const auto& [open, close] : {std::pair<std::string, std::string>{"<think>", "</think>"},
                                    std::pair<std::string, std::string>{"<reasoning>", "</reasoning>"}}) {
    if (s.find(open) != std::string::npos && s.find(close) != std::string::npos)
      s = s.substr(s.find(close) + close.size());
  }
  return s;
}

uint64_t attempt_seed(uint64_t doc_seed, int attempt) {
  uint64_t z = doc_seed + uint64_t(attempt) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

bool too_short(const std::string& visible) { return py_len(py_strip(visible)) < kMinResponseChars; }

std::string fill_judge_prompt(const Rubric& r, const std::string& base_prompt, const std::string& response) {
  std::string criteria, negative;
  for (size_t i = 0; i < r.criteria.size(); ++i) criteria += (i ? "\n- " : "- ") + r.criteria[i];
  for (size_t i = 0; i < r.negative.size(); ++i) negative += (i ? ", " : "") + r.negative[i];
  const std::map<std::string, const std::string*> fields = {{"writing_prompt", &base_prompt},
                                                            {"test_model_response", &response},
                                                            {"creative_writing_criteria", &criteria},
                                                            {"lower_is_better_criteria", &negative}};
  const std::string& t = r.judge_template;
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '{' && i + 1 < t.size() && t[i + 1] == '{') {
      out += '{';
      ++i;
    } else if (c == '}' && i + 1 < t.size() && t[i + 1] == '}') {
      out += '}';
      ++i;
    } else if (c == '{') {
      const size_t end = t.find('}', i);
      if (end == std::string::npos) throw Error("judge prompt template: single '{' (Python str.format would fail)");
      const std::string name = t.substr(i + 1, end - i - 1);
      auto it = fields.find(name);
      if (it == fields.end()) throw Error("judge prompt template: unknown field {" + name + "}");
      out += *it->second;
      i = end;
    } else if (c == '}') {
      throw Error("judge prompt template: single '}' (Python str.format would fail)");
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::pair<std::string, double>> parse_judge_scores(const std::string& reply) {
  static const PyRegex pattern1(R"((.*?):\s*(?:Score\s+)?(-?\d+(?:\.\d+)?))");
  static const PyRegex pattern2(R"((.*?):\s*\[(-?\d+(?:\.\d+)?)\])");
  std::vector<std::pair<std::string, double>> scores;
  for (const PyRegex* re : {&pattern1, &pattern2}) {
    for (const PyRegex::Match& m : re->finditer(reply)) {
      const std::string name = py_strip(*m.group(1));
      const double score = py_float_of_match(*m.group(2));
      if (!(score <= kScoreMax)) continue;
      auto it = std::find_if(scores.begin(), scores.end(), [&](const auto& p) { return p.first == name; });
      if (it != scores.end()) it->second = score;
      else scores.emplace_back(name, score);
    }
  }
  return scores;
}

std::optional<double> piece_score(const std::vector<std::pair<std::string, double>>& scores,
                                  const std::vector<std::string>& negative) {
  double sum = 0;
  size_t n = 0;
  for (const auto& [metric, val] : scores) {
    const bool neg = std::find(negative.begin(), negative.end(), metric) != negative.end();
    const double v = neg ? 20.0 - val : val;
    if (v <= kScoreMax) {
      sum += v;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / double(n);
}

double py_round2(double x) {
  if (!std::isfinite(x)) return x;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", x);  // glibc: exact decimal value, ties to even, as CPython
  return std::strtod(buf, nullptr);
}

namespace {
double pairwise(const double* a, size_t n) {
  if (n < 8) {
    double r = 0;
    for (size_t i = 0; i < n; ++i) r += a[i];
    return r;
  }
  if (n <= 128) {
    double r[8];
    for (size_t j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise(a, n2) + pairwise(a + n2, n - n2);
}

// compute_creative_scores over pieces: the mean of the pieces that have a score, else 0.0.
double overall(const std::vector<const std::optional<double>*>& pieces) {
  double sum = 0;
  size_t n = 0;
  for (const auto* p : pieces)
    if (*p) {
      sum += **p;
      ++n;
    }
  return n ? sum / double(n) : 0.0;
}
}  // namespace

double np_sum(const std::vector<double>& xs) { return pairwise(xs.data(), xs.size()); }

json Bootstrap::to_json() const {
  return {{"original", original}, {"bootstrap_mean", mean}, {"bootstrap_std", std}, {"standard_error", std},
          {"ci_lower", ci_lower}, {"ci_upper", ci_upper}};
}

Bootstrap bootstrap(const std::vector<std::optional<double>>& pieces, uint64_t seed, int n, double confidence_level) {
  if (pieces.empty()) throw Error("creative writing bootstrap: no scored pieces");
  std::vector<const std::optional<double>*> all;
  for (const auto& p : pieces) all.push_back(&p);
  Bootstrap b;
  b.original = py_round2(overall(all));
  PyRandom rng(seed);
  const double len = double(pieces.size());
  std::vector<double> boot;
  boot.reserve(size_t(n));
  std::vector<const std::optional<double>*> sample(pieces.size());
  for (int r = 0; r < n; ++r) {
    // random.choices(population, k=len): population[floor(random() * n)] for each draw.
    for (auto& s : sample) s = &pieces[size_t(std::floor(rng.random() * len))];
    boot.push_back(py_round2(overall(sample)));
  }
  std::sort(boot.begin(), boot.end());
  const double count = double(boot.size());
  long lower = long((1 - confidence_level) / 2 * count);
  long upper = long((1 + confidence_level) / 2 * count) - 1;
  lower = std::max(0l, lower);
  upper = std::min(upper, long(boot.size()) - 1);
  b.ci_lower = boot[size_t(lower)];
  b.ci_upper = boot[size_t(upper)];
  b.mean = np_sum(boot) / count;
  std::vector<double> sq;
  for (double x : boot) sq.push_back((x - b.mean) * (x - b.mean));
  b.std = boot.size() > 1 ? std::sqrt(np_sum(sq) / (count - 1)) : NAN;
  return b;
}

TaskScores score_creative_writing(const TaskConfig& t, const std::vector<DocResult>& docs) {
  TaskScores s;
  s.n = docs.size();
  const std::string headline = std::string("eqbench_creative_score,") + kNoFilter;
  const std::string score_0_20 = std::string("creative_score_0_20,") + kNoFilter;
  s.metric_order = {headline, score_0_20};
  s.higher_is_better = {{"eqbench_creative_score", true}, {"creative_score_0_20", true}};
  std::vector<std::optional<double>> judged;  // pieces with judge scores (benchmark.py's completed tasks)
  size_t n_failed = 0, n_unparsed = 0, n_out_of_range = 0, n_unjudged = 0;
  for (const DocResult& d : docs) {
    json line = generation_sample_base(d);
    if (d.truncated) ++s.n_truncated;
    if (d.finish_reason == "length") ++s.n_length;
    const json& x = d.extra;
    const bool failed = x.value("generation_failed", false);
    line["attempts"] = x.value("attempts", 1);
    line["generation_failed"] = failed;
    std::optional<double> piece;
    json scores_json = json::array();
    if (failed) {
      ++n_failed;
      line["filtered_resps"] = {{kNoFilter, nullptr}};
    } else {
      line["filtered_resps"] = {{kNoFilter, visible_text(d.response)}};
      if (!x.contains("judge_reply") || !x["judge_reply"].is_string()) {
        ++n_unjudged;
      } else {
        const auto scores = parse_judge_scores(cut_reasoning(x["judge_reply"].get<std::string>()));
        std::vector<std::string> negative;
        if (x.contains("negative_criteria")) negative = x["negative_criteria"].get<std::vector<std::string>>();
        for (const auto& [name, v] : scores) scores_json.push_back(json::array({name, v}));
        if (scores.empty()) {
          ++n_unparsed;  // conversation.py leaves such a piece unscored; it counts nowhere
        } else {
          piece = piece_score(scores, negative);
          if (!piece) ++n_out_of_range;
          judged.push_back(piece);
        }
      }
    }
    for (const char* k : {"judge_prompt_sha256", "judge_reply"})
      if (x.contains(k)) line[k] = x[k];
    line["judge_scores"] = scores_json;
    line["piece_score_0_20," + std::string(kNoFilter)] = piece ? json(*piece) : json(nullptr);
    s.samples.push_back(std::move(line));
  }
  std::vector<const std::optional<double>*> all;
  for (const auto& p : judged) all.push_back(&p);
  const double avg = overall(all);
  MetricValue h, o;
  h.value = py_round2(avg * 5.0);
  o.value = py_round2(avg);
  const uint64_t seed = t.metadata.contains("bootstrap_seed") ? t.metadata["bootstrap_seed"].get<uint64_t>() : 0;
  json boot = {{"error", "No completed tasks with scores"}};
  if (!judged.empty()) {
    const Bootstrap b = bootstrap(judged, seed);
    boot = b.to_json();
    if (std::isfinite(b.std)) {
      o.stderr_ = b.std;
      h.stderr_ = b.std * 5.0;
    }
    boot["eqbench_ci_lower"] = b.ci_lower * 5.0;
    boot["eqbench_ci_upper"] = b.ci_upper * 5.0;
  }
  boot["confidence_level"] = kConfidenceLevel;
  boot["n_bootstrap"] = kBootstrapResamples;
  boot["seed"] = seed;
  s.metrics[headline] = h;
  s.metrics[score_0_20] = o;
  s.extra["headline"] = headline;
  s.extra["bootstrap"] = boot;
  s.extra["n_pieces_scored"] = judged.size();
  s.extra["n_generation_failed"] = n_failed;
  s.extra["n_judge_unparsed"] = n_unparsed;
  s.extra["n_judge_out_of_range"] = n_out_of_range;
  if (n_unjudged) s.extra["n_unjudged"] = n_unjudged;
  return s;
}

}  // namespace lfmb::eval::cwb
