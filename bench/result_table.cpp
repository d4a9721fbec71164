#include "bench/result_table.h"

#include <fmt/format.h>

#include <map>

namespace lfmb {

namespace {

std::string gib(uint64_t b) { return fmt::format("{:.2f} GiB", double(b) / double(1ull << 30)); }

std::string params_text(int64_t n) {
  if (n >= 1000000000) return fmt::format("{:.2f} B", double(n) / 1e9);
  return fmt::format("{:.2f} M", double(n) / 1e6);
}

std::string backend_text(const TestResult& r) { return r.dtype.empty() ? r.backend : r.backend + " " + r.dtype; }

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Renders rows as a markdown table with right-aligned numeric columns.
std::string table(const std::vector<std::string>& head, const std::vector<bool>& right,
                  const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> w(head.size());
  for (size_t c = 0; c < head.size(); ++c) {
    w[c] = std::max<size_t>(head[c].size(), 3);
    for (const auto& r : rows) w[c] = std::max(w[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s = "|";
    for (size_t c = 0; c < cells.size(); ++c)
      s += " " + (right[c] ? fmt::format("{:>{}}", cells[c], w[c]) : fmt::format("{:<{}}", cells[c], w[c])) + " |";
    return s + "\n";
  };
  std::string out = line(head) + "|";
  for (size_t c = 0; c < head.size(); ++c) out += (right[c] ? std::string(w[c] + 1, '-') + ":" : std::string(w[c] + 2, '-')) + "|";
  out += "\n";
  for (const auto& r : rows) out += line(r);
  return out;
}

}  // namespace

std::string results_markdown(const std::vector<TestResult>& results) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : results) {
    rows.push_back({r.model, gib(r.model_size_bytes), params_text(r.n_params), backend_text(r), std::to_string(r.threads),
                    r.test, fmt::format("{:.2f} ± {:.2f}", r.ts.mean, r.ts.stddev),
                    r.n_gen > 0 && r.roofline_ts > 0 ? fmt::format("{:.1f} %", r.roofline_pct) : std::string("")});
  }
  return table({"model", "size", "params", "backend", "threads", "test", "t/s", "roofline"},
               {false, true, true, false, true, true, true, true}, rows);
}

std::string results_csv(const std::vector<TestResult>& results) {
  std::string out =
      "model,architecture,model_size_bytes,n_params,n_params_active,backend,dtype,kernel,threads,test,n_prompt,n_gen,"
      "depth,avg_ts,stddev_ts,median_ts,ttft_ms,load_ms,peak_rss_bytes,decode_bytes_per_token,bandwidth_gbps,"
      "roofline_ts,roofline_pct,samples_ts\n";
  for (const auto& r : results) {
    std::string samples;
    for (double s : r.samples_ts) samples += (samples.empty() ? "" : ";") + fmt::format("{:.4f}", s);
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{:.4f},{:.4f},{:.4f},{:.3f},{:.1f},{},{},{:.3f},{:.4f},{:.2f},{}\n",
                       csv_field(r.model), r.architecture, r.model_size_bytes, r.n_params, r.n_params_active,
                       csv_field(r.backend), csv_field(r.dtype), csv_field(r.kernel), r.threads, csv_field(r.test),
                       r.n_prompt, r.n_gen, r.depth, r.ts.mean, r.ts.stddev, r.ts.median, r.ttft_ms, r.load_ms,
                       r.peak_rss_bytes, r.decode_bytes_per_token, r.bandwidth_gbps, r.roofline_ts, r.roofline_pct,
                       samples);
  }
  return out;
}

std::string ratio_markdown(const std::vector<TestResult>& results) {
  std::vector<std::string> models;
  for (const auto& r : results)
    if (std::find(models.begin(), models.end(), r.model) == models.end()) models.push_back(r.model);
  if (models.size() < 2) return "";
  // (backend, threads, test) -> model -> result, in first-seen order.
  std::vector<std::string> keys;
  std::map<std::string, std::map<std::string, const TestResult*>> groups;
  for (const auto& r : results) {
    const std::string key = backend_text(r) + "\t" + std::to_string(r.threads) + "\t" + r.test;
    if (!groups.count(key)) keys.push_back(key);
    groups[key][r.model] = &r;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& key : keys) {
    const auto& g = groups[key];
    auto a = g.find(models[0]);
    if (a == g.end()) continue;
    for (size_t m = 1; m < models.size(); ++m) {
      auto b = g.find(models[m]);
      if (b == g.end() || b->second->ts.mean <= 0) continue;
      const TestResult& ra = *a->second;
      rows.push_back({backend_text(ra), std::to_string(ra.threads), ra.test, models[0] + " ÷ " + models[m],
                      fmt::format("{:.2f}", ra.ts.mean), fmt::format("{:.2f}", b->second->ts.mean),
                      fmt::format("{:.2f}x", ra.ts.mean / b->second->ts.mean)});
    }
  }
  if (rows.empty()) return "";
  return table({"backend", "threads", "test", "models", "t/s (first)", "t/s (second)", "ratio"},
               {false, true, true, false, true, true, true}, rows);
}

}  // namespace lfmb
