#include "bench/result_files.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bench/result_table.h"
#include "core/cli/stop_signals.h"
#include "bench/result_names.h"
#include "core/error.h"
#include "core/io/disk_space.h"
#include "core/io/output_file.h"

namespace lfmb {

namespace fs = std::filesystem;

namespace {

// A throughput results file is at most a few MB; a bigger one is not ours, and is not read into
// memory (eval results and samples: kMaxResultFileBytes of core/io/bounded_input.h).
constexpr uint64_t kMaxThroughputFileBytes = uint64_t(1) << 30;

nlohmann::json read_json_file(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) throw Error(path + ": cannot read: " + ec.message());
  if (size > kMaxThroughputFileBytes) throw Error(path + ": " + format_size(size) + " is too big for a results file");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path + ": cannot open for --resume");
  std::stringstream ss;
  ss << f.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::exception&) {
    throw Error(path + ": not a valid JSON results file; move it away or give --out DIR to write elsewhere");
  }
}

std::string record_text(const nlohmann::json& t) {
  std::string model = t.value("model", std::string("?"));
  return "'" + t.value("test", std::string("?")) + "' of " + model + " | " + t.value("backend", std::string("?"));
}

}  // namespace

std::string record_identity(const nlohmann::json& params, const std::string& test) { return params.dump() + "\n" + test; }

uint64_t estimated_result_bytes(size_t n_records, int max_repetitions) {
  // A record is about 2 kB plus ~100 B per repetition and up to ~30 kB of MoE routing counts;
  // 64 kB + 512 B per repetition covers it with room. The header (device, bandwidth) is ~10 kB.
  const uint64_t per_record = (uint64_t(64) << 10) + uint64_t(512) * uint64_t(std::max(max_repetitions, 1));
  const uint64_t pair = (uint64_t(1) << 20) + per_record * n_records;
  // The temp files are written while the previous pair still exists.
  return 2 * pair;
}

ResultFiles::ResultFiles(std::string base, std::vector<std::string> planned)
    : base_(std::move(base)), planned_(std::move(planned)), slots_(planned_.size()) {}

size_t ResultFiles::finished() const {
  return size_t(std::count_if(slots_.begin(), slots_.end(), [](const auto& s) { return s.has_value(); }));
}

size_t ResultFiles::slot_of(const std::string& identity) const {
  const auto it = std::find(planned_.begin(), planned_.end(), identity);
  if (it == planned_.end()) throw Error(json_path() + ": a record this run does not plan");
  return size_t(it - planned_.begin());
}

void ResultFiles::set(size_t slot, const TestResult& r) { slots_.at(slot) = Record{r.to_json(), r}; }

std::vector<TestResult> ResultFiles::results() const {
  std::vector<TestResult> out;
  for (const auto& s : slots_)
    if (s) out.push_back(s->result);
  return out;
}

void ResultFiles::remove_stale_temps() const {
  // OutputFile's temp files are "<target>.part.<pid>.<n>"; a SIGKILLed writer leaves them. Only
  // those of a process that no longer exists are removed: a live one may be writing its own.
  for (const std::string& target : {json_path(), csv_path()}) {
    const fs::path p(target);
    const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    const std::string prefix = p.filename().string() + ".part.";
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string rest = name.substr(prefix.size());
      const size_t dot = rest.find('.');
      if (dot == 0 || dot == std::string::npos || rest.find_first_not_of("0123456789.") != std::string::npos) continue;
      const long pid = std::stol(rest.substr(0, std::min<size_t>(dot, 9)));
      if (pid == long(::getpid()) || ::kill(pid_t(pid), 0) == 0 || errno != ESRCH) continue;
      std::error_code rm;
      fs::remove(it->path(), rm);
    }
  }
}

void ResultFiles::open(bool resume, const std::string& config_name, int max_repetitions) {
  // What the paths name must be writable (not a directory, not under a file) before any work.
  const OutputTarget json_target = resolve_output(json_path());
  resolve_output(csv_path());
  const bool have_json = exists_no_follow(json_path()), have_csv = exists_no_follow(csv_path());
  if (!resume && (have_json || have_csv))
    throw Error((have_json ? json_path() : csv_path()) +
                ": exists from an earlier run; add --resume to continue it or --out DIR to write elsewhere");
  remove_stale_temps();
  if (resume && have_json && json_target.kind == OutputKind::RegularFile) {
    nlohmann::json doc = read_json_file(json_path());
    if (!doc.is_object() || doc.value("schema", nlohmann::json()) != kResultSchema)
      throw Error(json_path() + ": not an lfmb results file (schema \"" + std::string(kResultSchema) +
                  "\"); move it away or give --out DIR to write elsewhere");
    const nlohmann::json config = doc.value("config", nlohmann::json::object());
    if (!config.is_object() || config.value("name", nlohmann::json()) != config_name)
      throw Error(json_path() + ": holds config '" + (config.is_object() ? config.value("name", std::string("?")) : "?") +
                  "', not '" + config_name + "'; give --out DIR to write elsewhere");
    const nlohmann::json tests = doc.value("tests", nlohmann::json());
    if (!tests.is_array()) throw Error(json_path() + ": no \"tests\" list; move it away or give --out DIR");
    for (size_t i = 0; i < tests.size(); ++i) {
      const nlohmann::json& t = tests[i];
      if (!t.is_object() || !t.contains("params") || !t.contains("test") || !t["test"].is_string())
        throw Error(json_path() + ": tests[" + std::to_string(i) + "] is not a test record");
      const auto it = std::find(planned_.begin(), planned_.end(), record_identity(t["params"], t["test"]));
      if (it == planned_.end())
        throw Error(json_path() + ": tests[" + std::to_string(i) + "] (" + record_text(t) +
                    ") is not a record this run makes (other settings?); give --out DIR to write elsewhere");
      auto& slot = slots_[size_t(it - planned_.begin())];
      if (slot) throw Error(json_path() + ": tests[" + std::to_string(i) + "] (" + record_text(t) + ") appears twice");
      try {
        slot = Record{t, TestResult::from_json(t)};
      } catch (const nlohmann::json::exception& e) {
        throw Error(json_path() + ": tests[" + std::to_string(i) + "]: " + e.what());
      }
    }
    doc.erase("tests");
    previous_ = std::move(doc);
  }

  // Room for the files, checked on the nearest directory that exists (results/<device>/ is made
  // on the first write).
  fs::path dir = fs::path(json_target.target).parent_path();
  std::error_code ec;
  while (!dir.empty() && !fs::is_directory(dir, ec)) dir = dir.parent_path();
  const uint64_t need = estimated_result_bytes(planned_.size(), max_repetitions);
  const auto avail = free_bytes_for((dir.empty() ? fs::path(".") : dir).string() + "/.");
  if (avail && *avail < need)
    throw Error(json_path() + ": the results need up to " + format_size(need) + " but only " + format_size(*avail) +
                " are free on its file system");
}

void ResultFiles::write(const nlohmann::json& header, bool complete, int stop_signal) const {
  nlohmann::json doc = header;
  doc["complete"] = complete;
  if (stop_signal != 0) doc["stopped_by"] = signal_name(stop_signal);
  nlohmann::json tests = nlohmann::json::array();
  for (const auto& s : slots_)
    if (s) tests.push_back(s->json);
  doc["tests"] = std::move(tests);
  const std::string json = doc.dump(2) + "\n", csv = results_csv(results());
  // A second Ctrl-C waits for this set to be written (core/cli/stop_signals.h).
  const WritingResults writing;
  // The .json last: it is what --resume trusts.
  write_outputs({{csv_path(), csv}, {json_path(), json}}, ParentDirs::Create);
}

}  // namespace lfmb
