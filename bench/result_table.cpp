#include "bench/result_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "bench/result_ratio.h"
#include "core/io/disk_space.h"

namespace lfmb {

namespace {

std::string gib(uint64_t b) { return b ? format_gib(b) : std::string(); }  // "" when unknown (0)

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string ts_text(const Summary& s) {
  return s.n == 1 ? fmt::format("{:.2f}", s.mean) : fmt::format("{:.2f} ± {:.2f}", s.mean, s.stddev);
}

bool is_decode(const TestResult& r) { return r.n_prompt == 0 && r.n_gen > 0; }


// A count or size that is 0 only when unknown (bench rows and older files lack some).
template <typename T>
std::string known(T v) {
  return v > 0 ? fmt::format("{}", v) : std::string();
}

std::string fixed(double v, int digits, bool applies) {
  return applies && v > 0 ? fmt::format("{:.{}f}", v, digits) : std::string();
}

constexpr const char* kCsvHeader =
    "model,architecture,model_size_bytes,n_params,n_params_active,backend,dtype,kernel,threads,test,n_prompt,n_gen,"
    "depth,avg_ts,stddev_ts,median_ts,ttft_ms,load_ms,peak_rss_bytes,decode_bytes_per_token,bandwidth_gbps,"
    "roofline_ts,roofline_pct,int8_peak_gops,int8_peak_pct,samples_ts,test_time,build_commit,n_seq";

// One CSV line without its newline. Fields that do not apply to the test (ttft of a decode
// test, the roofline of a prefill test, the int8 peak of a decode test) or that the record does not
// know are empty, not 0.
std::string csv_row(const TestResult& r) {
  std::string samples;
  for (double s : r.samples_ts) samples += (samples.empty() ? "" : ";") + fmt::format("{:.4f}", s);
  const bool decode = is_decode(r);
  const bool prefill = r.n_gen == 0 && r.n_prompt > 0;
  return fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{:.4f},{},{:.4f},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                     csv_field(r.model), csv_field(r.architecture), known(r.model_size_bytes), known(r.n_params),
                     known(r.n_params_active), csv_field(r.backend), csv_field(r.dtype), csv_field(r.kernel),
                     r.threads, csv_field(r.test), r.n_prompt, r.n_gen, r.depth, r.ts.mean,
                     r.ts.n >= 2 ? fmt::format("{:.4f}", r.ts.stddev) : std::string(), r.ts.median,
                     fixed(r.ttft_ms, 3, r.n_gen == 0), fixed(r.load_ms, 1, true), known(r.peak_rss_bytes),
                     decode ? known(r.decode_bytes_per_token) : std::string(), fixed(r.bandwidth_gbps, 3, decode),
                     fixed(r.roofline_ts, 4, decode), fixed(r.roofline_pct, 2, decode),
                     fixed(r.int8_peak_gops, 1, prefill), fixed(r.peak_pct, 2, prefill), samples,
                     csv_field(r.test_time), csv_field(r.build_commit), r.n_seq);
}

LoadedResults one_source(const std::vector<TestResult>& results) {
  LoadedResults in;
  in.sources.push_back(ResultSource{"#1", "", "lfmb run", "", "", "", "", true});
  for (const auto& r : results) in.rows.push_back({r, 0});
  return in;
}

// The settings that make a row distinct, besides its file.
std::string settings_key(const LoadedResults& in, const SourcedResult& r) {
  std::string k;
  for (const char* key : {"model", "backend", "dtype", "threads", "n_batch", "mmap", "test"})
    k += dimension_value(r, in.sources, key) + "\t";
  return k;
}

}  // namespace

std::string roofline_text(const TestResult& r) {
  if (is_decode(r)) return r.roofline_pct > 0 ? fmt::format("{:.1f} %", r.roofline_pct) : std::string();
  return r.n_gen == 0 && r.peak_pct > 0 ? fmt::format("{:.1f} % int8", r.peak_pct) : std::string();
}

std::string markdown_table(const std::vector<std::string>& head, const std::vector<bool>& right,
                           const std::vector<std::vector<std::string>>& rows) {
  // Widths in characters, not bytes ("±", "÷" are two bytes in UTF-8).
  const auto width = [](const std::string& s) {
    return size_t(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  };
  std::vector<size_t> w(head.size());
  for (size_t c = 0; c < head.size(); ++c) {
    w[c] = std::max<size_t>(width(head[c]), 3);
    for (const auto& r : rows) w[c] = std::max(w[c], width(r[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s = "|";
    for (size_t c = 0; c < cells.size(); ++c) {
      const std::string pad(w[c] - width(cells[c]), ' ');
      s += " " + (right[c] ? pad + cells[c] : cells[c] + pad) + " |";
    }
    return s + "\n";
  };
  std::string out = line(head) + "|";
  for (size_t c = 0; c < head.size(); ++c) out += (right[c] ? std::string(w[c] + 1, '-') + ":" : std::string(w[c] + 2, '-')) + "|";
  out += "\n";
  for (const auto& r : rows) out += line(r);
  return out;
}

std::string results_markdown(const std::vector<TestResult>& results) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : results)
    rows.push_back({r.model, gib(r.model_size_bytes), params_text(r.n_params), backend_text(r), std::to_string(r.threads),
                    r.test, ts_text(r.ts), roofline_text(r)});
  return markdown_table({"model", "size", "params", "backend", "threads", "test", "t/s", "roofline"},
                        {false, true, true, false, true, true, true, true}, rows);
}

std::string results_csv(const std::vector<TestResult>& results) {
  std::string out = std::string(kCsvHeader) + "\n";
  for (const auto& r : results) out += csv_row(r) + "\n";
  return out;
}

std::string ratio_markdown(const std::vector<TestResult>& results) {
  const LoadedResults in = one_source(results);
  const std::vector<BaselineSpec> baseline = default_baseline(in);
  if (baseline.empty()) return "";
  return ratios_markdown(in, baseline_ratios(in, baseline));
}

std::string report_markdown(const LoadedResults& in) {
  const bool several_sources = in.sources.size() > 1;
  // n_batch and mmap are shown when they vary (llama-bench shows the columns that vary).
  const auto varies = [&](const char* key) {
    for (const auto& r : in.rows)
      if (dimension_value(r, in.sources, key) != dimension_value(in.rows[0], in.sources, key)) return true;
    return false;
  };
  const bool show_batch = varies("n_batch"), show_mmap = varies("mmap");
  std::vector<std::string> head;
  std::vector<bool> right;
  const auto column = [&](const char* name, bool r) {
    head.push_back(name);
    right.push_back(r);
  };
  if (several_sources) column("source", false);
  for (const char* c : {"model", "size", "params", "backend", "threads"}) column(c, std::string(c) != "model" && std::string(c) != "backend");
  if (show_batch) column("n_batch", true);
  if (show_mmap) column("mmap", true);
  for (const char* c : {"test", "t/s", "roofline"}) column(c, true);
  std::vector<std::vector<std::string>> rows;
  for (const auto& sr : in.rows) {
    const TestResult& r = sr.result;
    std::vector<std::string> cells;
    if (several_sources) cells.push_back(in.sources[sr.source].label);
    for (std::string c : {r.model, gib(r.model_size_bytes), params_text(r.n_params), backend_text(r), std::to_string(r.threads)})
      cells.push_back(c);
    if (show_batch) cells.push_back(dimension_value(sr, in.sources, "n_batch"));
    if (show_mmap) cells.push_back(dimension_value(sr, in.sources, "mmap"));
    for (std::string c : {r.test, ts_text(r.ts), roofline_text(r)}) cells.push_back(c);
    rows.push_back(std::move(cells));
  }
  std::string out = markdown_table(head, right, rows) + "\n";
  for (const auto& s : in.sources) out += s.describe() + "\n";
  return out;
}

std::string report_csv(const LoadedResults& in) {
  std::string out = std::string(kCsvHeader) + ",source,source_file,source_date,device,config\n";
  for (const auto& sr : in.rows) {
    const ResultSource& s = in.sources[sr.source];
    out += csv_row(sr.result) + "," + s.label + "," + csv_field(s.file) + "," + csv_field(s.date) + "," +
           csv_field(s.device) + "," + csv_field(s.config) + "\n";
  }
  return out;
}

std::string duplicates_note(const LoadedResults& in) {
  std::map<std::string, std::vector<size_t>> by_settings;
  std::vector<std::string> order;
  for (size_t i = 0; i < in.rows.size(); ++i) {
    const std::string k = settings_key(in, in.rows[i]);
    if (!by_settings.count(k)) order.push_back(k);
    by_settings[k].push_back(i);
  }
  std::string list;
  size_t n = 0;
  for (const auto& k : order) {
    const auto& rows = by_settings[k];
    if (rows.size() < 2) continue;
    ++n;
    if (n > 3) continue;
    const TestResult& r = in.rows[rows[0]].result;
    std::string srcs;
    for (size_t i : rows) srcs += (srcs.empty() ? "" : ", ") + in.sources[in.rows[i].source].label;
    list += fmt::format("{}{} | {} | {}t | {} ({})", list.empty() ? "" : "; ", r.model, backend_text(r), r.threads, r.test, srcs);
  }
  if (n == 0) return "";
  return fmt::format("note: {} setting(s) were measured more than once and are shown apart: {}{}\n", n, list,
                     n > 3 ? fmt::format("; and {} more", n - 3) : std::string());
}

}  // namespace lfmb
