#include "eval/scoring.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/io/digest.h"
#include "eval/data/py_random.h"
#include "eval/code/lcb_score.h"
#include "eval/code/evalplus_scorer.h"
#include "eval/scorers/creative_writing.h"
#include "eval/scorers/instruction_following.h"
#include "eval/scorers/scorer.h"

namespace lfmb::eval {

using nlohmann::json;

std::string doc_hash(const json& doc) { return sha256_hex(doc.dump()); }

std::optional<double> mean_stderr(const std::vector<double>& xs) {
  if (xs.size() < 2) return std::nullopt;
  double mean = 0;
  for (double x : xs) mean += x;
  mean /= double(xs.size());
  double ss = 0;
  for (double x : xs) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / double(xs.size() - 1)) / std::sqrt(double(xs.size()));
}

MetricValue aggregate_group(const std::vector<MetricValue>& values, const std::vector<size_t>& sizes, bool weight_by_size) {
  MetricValue out;
  double wsum = 0, vsum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const double w = weight_by_size ? double(sizes[i]) : 1.0;
    vsum += w * values[i].value;
    wsum += w;
  }
  out.value = wsum > 0 ? vsum / wsum : 0;
  // pooled_sample_stderr: sum((n_i - 1) * se_i^2 * n_i) / (sum n_i - k), then / sum n_i.
  double num = 0, n_total = 0;
  bool all = true;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i].stderr_) {
      all = false;
      break;
    }
    num += double(sizes[i] - 1) * (*values[i].stderr_) * (*values[i].stderr_) * double(sizes[i]);
    n_total += double(sizes[i]);
  }
  if (all && n_total > double(values.size())) out.stderr_ = std::sqrt(num / (n_total - double(values.size())) / n_total);
  return out;
}

namespace {

// Multiple-choice metrics from the choices' loglikelihoods (lm-eval ConfigurableTask.process_results).
double mc_metric(const std::string& metric, const DocResult& d, const std::string& task) {
  size_t best = 0, best_norm = 0;
  for (size_t i = 1; i < d.lls.size(); ++i) {
    if (d.lls[i].logprob > d.lls[best].logprob) best = i;
    // acc_norm divides by the choice's length (UTF-8 bytes; lm-eval's len() counts code points,
    // the same for the ASCII choices of every lfmb task).
    auto norm = [&](size_t k) { return d.lls[k].logprob / double(std::max<size_t>(1, d.choices[k].size())); };
    if (norm(i) > norm(best_norm)) best_norm = i;
  }
  if (metric == "acc") return best == size_t(d.gold) ? 1 : 0;
  if (metric == "acc_norm") return best_norm == size_t(d.gold) ? 1 : 0;
  if (metric == "exact_match") return d.lls.at(size_t(d.gold)).is_greedy ? 1 : 0;
  throw Error("task '" + task + "': metric '" + metric + "' is not a multiple_choice metric (acc, acc_norm, exact_match)");
}

}  // namespace

json generation_sample_base(const DocResult& d) {
  json line;
  line["doc_id"] = d.doc_id;
  line["doc_hash"] = doc_hash(d.doc);
  line["arguments"] = d.arguments;
  line["target"] = d.target;
  if (d.turns.empty()) {
    line["resps"] = json::array({d.response});
    line["finish_reason"] = d.finish_reason;
    line["prompt_tokens"] = d.prompt_tokens;
    line["generated_tokens"] = d.generated_tokens;
  } else {
    json resps = json::array();
    for (const TurnResult& tr : d.turns) resps.push_back(tr.skipped ? json(nullptr) : json(tr.response));
    line["resps"] = resps;
  }
  if (d.truncated) line["truncated"] = true;
  return line;
}

TaskScores score_task(const TaskConfig& t, const std::vector<DocResult>& docs, const std::string& data_dir) {
  // Tasks scored by a named document processor (lm-eval's process_results hooks).
  if (t.process_results == "instruction_following") return score_instruction_following(t, docs);
  if (t.process_results == "livecodebench") return score_livecodebench(t, docs);
  if (t.process_results == "evalplus") return score_evalplus(t, docs, evalplus_options(t, data_dir));
  if (t.process_results == "creative_writing") return cwb::score_creative_writing(t, docs);
  TaskScores s;
  s.n = docs.size();
  const bool mc = t.output_type == "multiple_choice";
  std::vector<FilterConfig> filters = t.filter_list;
  if (filters.empty() || mc) filters = {FilterConfig{kNoFilter, {}}};
  // Resolve names once; an unknown one is an error naming the task file.
  std::vector<std::vector<const FilterInfo*>> steps(filters.size());
  for (size_t f = 0; f < filters.size(); ++f)
    for (const FilterStepConfig& st : filters[f].steps) {
      const FilterInfo* fi = find_filter(st.function);
      if (!fi) throw Error(t.file + ": task '" + t.task + "': unknown filter function '" + st.function + "'");
      steps[f].push_back(fi);
    }
  std::vector<const MetricInfo*> metrics;
  for (const MetricConfig& m : t.metric_list) {
    s.higher_is_better[m.metric] = m.higher_is_better;
    if (mc) {
      metrics.push_back(nullptr);
      continue;
    }
    const MetricInfo* mi = find_metric(m.metric);
    if (!mi) throw Error(t.file + ": task '" + t.task + "': unknown metric '" + m.metric + "'");
    metrics.push_back(mi);
  }
  // One generator per filter step and pass, used in doc_id order (MMLU-Pro's random fallback).
  std::vector<std::vector<PyRandom>> rngs(filters.size());
  for (size_t f = 0; f < filters.size(); ++f)
    for (const FilterStepConfig& st : filters[f].steps) rngs[f].emplace_back(uint64_t(st.args.value("seed", 0)));

  std::map<std::string, std::vector<double>> values;
  // A metric may name the filters it scores (`filter_list:` in its entry); by default it scores
  // every filter, as in lm-eval.
  auto applies = [&](const MetricConfig& m, const std::string& filter) {
    return m.filters.empty() || std::find(m.filters.begin(), m.filters.end(), filter) != m.filters.end();
  };
  for (const FilterConfig& f : filters)
    for (const MetricConfig& m : t.metric_list)
      if (applies(m, f.name)) s.metric_order.push_back(m.metric + "," + f.name);

  for (const DocResult& d : docs) {
    json line;
    line["doc_id"] = d.doc_id;
    line["doc_hash"] = doc_hash(d.doc);
    line["arguments"] = d.arguments;
    line["target"] = d.target;
    if (d.truncated) ++s.n_truncated;
    if (mc) {
      json resps = json::array();
      for (const auto& r : d.lls) resps.push_back(json::array({r.logprob, r.is_greedy}));
      line["resps"] = resps;
      line["filtered_resps"] = json{{kNoFilter, resps}};
      for (const MetricConfig& m : t.metric_list) {
        const double v = mc_metric(m.metric, d, t.task);
        line[m.metric + "," + kNoFilter] = v;
        values[m.metric + "," + kNoFilter].push_back(v);
      }
    } else {
      if (d.finish_reason == "length") ++s.n_length;
      line["resps"] = json::array({d.response});
      line["finish_reason"] = d.finish_reason;
      line["prompt_tokens"] = d.prompt_tokens;
      line["generated_tokens"] = d.generated_tokens;
      json filtered = json::object();
      const std::string visible = strip_think(d.response);
      for (size_t f = 0; f < filters.size(); ++f) {
        std::optional<std::string> v = visible;
        for (size_t k = 0; k < steps[f].size() && v; ++k) {
          FilterContext ctx{d.doc, filters[f].steps[k].args, &rngs[f][k]};
          v = steps[f][k]->fn(*v, ctx);
        }
        filtered[filters[f].name] = v ? json(*v) : json(nullptr);
        for (size_t m = 0; m < metrics.size(); ++m) {
          if (!applies(t.metric_list[m], filters[f].name)) continue;
          MetricContext mctx{d.doc, t.metric_list[m].args};
          const double x = v ? metrics[m]->fn(v, d.target, mctx) : 0.0;
          line[t.metric_list[m].metric + "," + filters[f].name] = x;
          values[t.metric_list[m].metric + "," + filters[f].name].push_back(x);
        }
      }
      line["filtered_resps"] = filtered;
    }
    if (d.truncated) line["truncated"] = true;
    s.samples.push_back(std::move(line));
  }
  for (const std::string& key : s.metric_order) {
    const std::vector<double>& xs = values[key];
    MetricValue mv;
    for (double x : xs) mv.value += x;
    if (!xs.empty()) mv.value /= double(xs.size());
    mv.stderr_ = mean_stderr(xs);
    s.metrics[key] = mv;
  }
  return s;
}

}  // namespace lfmb::eval
