#include "bench/test_result.h"

#include <fmt/format.h>

namespace lfmb {

std::string test_name(int n_prompt, int n_gen, int depth, int n_seq) {
  std::string s = n_prompt > 0 && n_gen > 0 ? "pp" + std::to_string(n_prompt) + "+tg" + std::to_string(n_gen)
                 : n_gen > 0                ? "tg" + std::to_string(n_gen)
                                            : "pp" + std::to_string(n_prompt);
  if (n_seq > 1) s += " x" + std::to_string(n_seq);
  if (depth > 0) s += " @ d" + std::to_string(depth);
  return s;
}

std::string backend_text(const TestResult& r) { return r.dtype.empty() ? r.backend : r.backend + " " + r.dtype; }

std::string params_text(int64_t n_params) {
  if (n_params <= 0) return "";
  if (n_params >= 1000000000) return fmt::format("{:.2f} B", double(n_params) / 1e9);
  return fmt::format("{:.2f} M", double(n_params) / 1e6);
}

nlohmann::json TestResult::to_json() const {
  nlohmann::json j = {
      {"model", model},
      {"architecture", architecture},
      {"model_size_bytes", model_size_bytes},
      {"n_params", n_params},
      {"n_params_active", n_params_active},
      {"backend", backend},
      {"dtype", dtype},
      {"kernel", kernel},
      {"threads", threads},
      {"test", test},
      {"n_prompt", n_prompt},
      {"n_gen", n_gen},
      {"depth", depth},
      {"n_seq", n_seq},
      {"samples_ns", samples_ns},
      {"samples_ts", samples_ts},
      {"avg_ts", ts.mean},
      {"stddev_ts", ts.stddev},
      {"median_ts", ts.median},
      {"ttft_ms", ttft_ms},
      {"load_ms", load_ms},
      {"peak_rss_bytes", peak_rss_bytes},
      {"params", params},
  };
  if (n_gen > 0 && n_prompt == 0) {
    j["roofline"] = {{"decode_bytes_per_token", decode_bytes_per_token},
                     {"bandwidth_gbps", bandwidth_gbps},
                     {"bandwidth_samples_gbps", bandwidth_samples_gbps},
                     {"roofline_ts", roofline_ts},
                     {"achieved_pct", roofline_pct},
                     {"samples_achieved_pct", samples_roofline_pct}};
  }
  if (n_gen == 0 && n_prompt > 0 && int8_peak_gops > 0) {
    j["int8_peak"] = {{"prefill_macs_per_token", prefill_macs_per_token},
                      {"int8_peak_gops", int8_peak_gops},
                      {"achieved_pct", peak_pct}};
  }
  if (!routing.is_null()) j["routing"] = routing;
  if (!test_time.empty()) j["test_time"] = test_time;
  if (!build_commit.empty()) j["build_commit"] = build_commit;
  if (!noise.is_null()) j["noise"] = noise;
  return j;
}

TestResult TestResult::from_json(const nlohmann::json& j) {
  TestResult r;
  r.model = j.at("model");
  r.architecture = j.value("architecture", "");
  r.model_size_bytes = j.value("model_size_bytes", uint64_t(0));
  r.n_params = j.value("n_params", int64_t(0));
  r.n_params_active = j.value("n_params_active", int64_t(0));
  r.backend = j.at("backend");
  r.dtype = j.value("dtype", "");
  r.kernel = j.value("kernel", "");
  r.threads = j.at("threads");
  r.test = j.at("test");
  r.n_prompt = j.value("n_prompt", 0);
  r.n_gen = j.value("n_gen", 0);
  r.depth = j.value("depth", 0);
  r.n_seq = j.value("n_seq", 1);
  r.samples_ns = j.value("samples_ns", std::vector<double>{});
  r.samples_ts = j.value("samples_ts", std::vector<double>{});
  r.ts = summarize(r.samples_ts);
  r.ttft_ms = j.value("ttft_ms", 0.0);
  r.load_ms = j.value("load_ms", 0.0);
  r.peak_rss_bytes = j.value("peak_rss_bytes", uint64_t(0));
  if (j.contains("int8_peak") && j["int8_peak"].is_object()) {
    const auto& pk = j["int8_peak"];
    r.prefill_macs_per_token = pk.value("prefill_macs_per_token", uint64_t(0));
    r.int8_peak_gops = pk.value("int8_peak_gops", 0.0);
    r.peak_pct = pk.value("achieved_pct", 0.0);
  }
  if (j.contains("roofline")) {
    const auto& rf = j["roofline"];
    r.decode_bytes_per_token = rf.value("decode_bytes_per_token", uint64_t(0));
    r.bandwidth_gbps = rf.value("bandwidth_gbps", 0.0);
    r.roofline_ts = rf.value("roofline_ts", 0.0);
    r.roofline_pct = rf.value("achieved_pct", 0.0);
    r.bandwidth_samples_gbps = rf.value("bandwidth_samples_gbps", std::vector<double>{});
    r.samples_roofline_pct = rf.value("samples_achieved_pct", std::vector<double>{});
  }
  if (j.contains("routing")) r.routing = j["routing"];
  if (j.contains("noise")) r.noise = j["noise"];
  r.params = j.value("params", nlohmann::json());
  r.test_time = j.value("test_time", "");
  r.build_commit = j.value("build_commit", "");
  return r;
}

}  // namespace lfmb
