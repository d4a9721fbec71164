// Issue 16 item 3, keep finished work: `lfmb run` rewrites its .json + .csv after each finished
// test, so SIGINT/SIGTERM (exit 130/143) and SIGKILL leave valid, complete-so-far files; --resume
// finishes them with the record set of an uninterrupted run; the pair is written both or neither;
// a same-name file of an earlier run is not overwritten without --resume; free space is checked
// first. The runs are child processes signalled once the first record is on disk.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "core/error.h"
#include "core/io/output_file.h"
#include "test_support.h"

using lfmb::test::read_file;
using lfmb::test::run_lfmb;
using lfmb::test::temp_dir;
using lfmb::test::write_file;
namespace fs = std::filesystem;

namespace {

// Decode tests only: each takes a second or so (a bandwidth probe around every repetition), so a
// signal sent when the first record appears lands while the others are still running.
const char* kSlowConfig = R"(name: keep
run:
  model: {preset: tiny-qwen3, type: q8_0}
  backend: native
  threads: 1
  n_prompt: 0
  n_gen: 4
  depth: [0, 4, 8, 12]
  repetitions: 3
  warmup: 0
)";
constexpr size_t kPlanned = 4;

struct Child {
  pid_t pid = -1;
  std::string out, err;  // files holding its stdout and stderr
};

// Starts `lfmb ARGS` with stdout and stderr in files. With `private_tmpfs`, the child first enters
// a mount namespace of its own and mounts a tmpfs of that many bytes on that directory (exit 99
// when it may not).
Child spawn_lfmb(const std::vector<std::string>& args, std::optional<std::pair<std::string, size_t>> private_tmpfs = {}) {
  Child c;
  const std::string dir = temp_dir();
  c.out = dir + "/stdout";
  c.err = dir + "/stderr";
  std::vector<std::string> argv = {LFMB_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  c.pid = ::fork();
  REQUIRE(c.pid >= 0);
  if (c.pid == 0) {
    const int o = ::open(c.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(c.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    if (private_tmpfs) {
      const std::string size = "size=" + std::to_string(private_tmpfs->second);
      if (::unshare(CLONE_NEWNS) != 0 || ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
          ::mount("tmpfs", private_tmpfs->first.c_str(), "tmpfs", 0, size.c_str()) != 0) {
        const std::string why = std::string("private tmpfs: ") + std::strerror(errno) + "\n";
        (void)!::write(2, why.data(), why.size());
        ::_exit(99);
      }
    }
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  return c;
}

// Exit status as a shell reports it: the code, or 128 + the signal that ended the process.
int wait_exit(pid_t pid) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::optional<nlohmann::json> parse_json_file(const std::string& path) {
  if (!fs::exists(path)) return std::nullopt;
  try {
    return nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

// Polls `json` until it holds at least one record, then sends `sig`. Every version of the file it
// sees must parse: the file is only ever replaced whole.
void signal_after_first_record(const Child& c, const std::string& json, int sig) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    if (fs::exists(json)) {
      const auto j = parse_json_file(json);
      REQUIRE(j.has_value());
      if ((*j)["tests"].size() >= 1) break;
    }
    int status = 0;
    if (::waitpid(c.pid, &status, WNOHANG) == c.pid)
      FAIL("lfmb run ended before its first record was written: " << read_file(c.err));
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(c.pid, SIGKILL);
      FAIL("no record after 120 s: " << read_file(c.err));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(::kill(c.pid, sig) == 0);
}

struct KeepFixture {
  std::string dir = temp_dir();
  std::string config = dir + "/keep.yaml";
  std::string out = dir + "/results";
  KeepFixture() { write_file(config, kSlowConfig); }
  std::vector<std::string> args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {"run", config, "--out", out};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  // results/<device>/<date>-keep: the one file pair under out (asserted).
  std::string base() const {
    std::vector<std::string> jsons;
    if (fs::exists(out))
      for (const auto& e : fs::recursive_directory_iterator(out))
        if (e.path().extension() == ".json") jsons.push_back(e.path().string());
    REQUIRE(jsons.size() == 1);
    return jsons[0].substr(0, jsons[0].size() - 5);
  }
  // The pair's base path while `c` runs: the device folder's name is lfmb's, so it is found by
  // waiting for the first .json under out.
  std::string wait_base(const Child& c) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      if (fs::exists(out))
        for (const auto& e : fs::recursive_directory_iterator(out)) {
          const std::string p = e.path().string();
          if (e.path().extension() == ".json") return p.substr(0, p.size() - 5);
        }
      int status = 0;
      if (::waitpid(c.pid, &status, WNOHANG) == c.pid) FAIL("lfmb run ended early: " << read_file(c.err));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(c.pid, SIGKILL);
    FAIL("no result file after 120 s");
    return "";
  }
};

// (params, test) of each record, in file order: a record's identity.
std::vector<std::string> identities(const nlohmann::json& doc) {
  std::vector<std::string> ids;
  for (const auto& t : doc["tests"]) ids.push_back(t["params"].dump() + " " + t["test"].get<std::string>());
  return ids;
}

// CSV data rows (model, test columns) must list the .json's records in order: the pair is whole.
void check_pair_agrees(const std::string& base) {
  const auto j = parse_json_file(base + ".json");
  REQUIRE(j.has_value());
  const std::string csv = read_file(base + ".csv");
  std::vector<std::string> lines;
  for (size_t start = 0; start < csv.size();) {
    const size_t nl = csv.find('\n', start);
    REQUIRE(nl != std::string::npos);  // every line ends: not cut short
    lines.push_back(csv.substr(start, nl - start));
    start = nl + 1;
  }
  REQUIRE(!lines.empty());
  CHECK(lines[0].rfind("model,architecture,", 0) == 0);
  REQUIRE(lines.size() == (*j)["tests"].size() + 1);
  for (size_t i = 0; i < (*j)["tests"].size(); ++i) {
    const auto& t = (*j)["tests"][i];
    INFO(lines[i + 1]);
    CHECK(lines[i + 1].rfind(t["model"].get<std::string>() + ",", 0) == 0);
    CHECK_THAT(lines[i + 1], Catch::Contains("," + t["test"].get<std::string>() + ","));
  }
}

std::vector<std::string> temp_files_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".part.") != std::string::npos) out.push_back(e.path().string());
  return out;
}

// A private /dev/full (char 1:7) in dir, or nullopt with a warning when this process may not make
// one (a failure under CI=true, which runs as root).
std::optional<std::string> private_full_device(const std::string& dir) {
  const std::string path = dir + "/full";
  if (::mknod(path.c_str(), S_IFCHR | 0666, makedev(1, 7)) == 0) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::close(fd);
      return path;
    }
  }
  const char* ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") FAIL("cannot make a private full device " << path << ": " << std::strerror(errno));
  WARN("SKIPPED: cannot make a private full device " << path << " (" << std::strerror(errno) << "); run as root");
  return std::nullopt;
}

// Interrupts a run with `sig` after its first record and checks what it leaves.
std::string interrupted_run(const KeepFixture& f, int sig) {
  const Child c = spawn_lfmb(f.args());
  const std::string base = f.wait_base(c);
  signal_after_first_record(c, base + ".json", sig);
  const int code = wait_exit(c.pid);
  INFO(read_file(c.err));
  CHECK(code == 128 + sig);
  const auto j = parse_json_file(base + ".json");
  REQUIRE(j.has_value());
  CHECK((*j)["complete"] == false);
  CHECK((*j)["stopped_by"] == (sig == SIGINT ? "SIGINT" : "SIGTERM"));
  CHECK((*j)["tests"].size() >= 1);
  CHECK((*j)["tests"].size() < kPlanned);
  check_pair_agrees(base);
  CHECK(temp_files_in(fs::path(base).parent_path().string()).empty());
  const std::string err = read_file(c.err);
  CHECK_THAT(err, Catch::Contains("stopped by " + std::string(sig == SIGINT ? "SIGINT" : "SIGTERM")));
  CHECK_THAT(err, Catch::Contains("--resume"));
  // The finished records are also printed.
  CHECK_THAT(read_file(c.out), Catch::Contains(" tg4 | "));
  return base;
}

}  // namespace

TEST_CASE("SIGINT stops lfmb run with exit 130 leaving a valid incomplete pair that --resume finishes", "[keep]") {
  const KeepFixture f;
  const std::string base = interrupted_run(f, SIGINT);
  const auto before = *parse_json_file(base + ".json");

  // A crash between the two renames leaves the .csv a record ahead of the .json: --resume trusts
  // the .json and rewrites the .csv.
  write_file(base + ".csv", read_file(base + ".csv") + "tiny-qwen3 Q8_0 (synth),qwen3,1,1,1,native,,k,1,tg4 @ d99,0,4,99\n");
  const auto r = run_lfmb(f.args({"--resume"}));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("resuming " + base + ".json: " + std::to_string(before["tests"].size()) + " of 4"));
  const auto after = *parse_json_file(base + ".json");
  CHECK(after["complete"] == true);
  CHECK_FALSE(after.contains("stopped_by"));
  REQUIRE(after["tests"].size() == kPlanned);
  // The records measured before the interrupt are kept as they were, first (plan order).
  for (size_t i = 0; i < before["tests"].size(); ++i) CHECK(after["tests"][i] == before["tests"][i]);
  std::vector<std::string> tests;
  for (const auto& t : after["tests"]) tests.push_back(t["test"]);
  CHECK(tests == std::vector<std::string>{"tg4", "tg4 @ d4", "tg4 @ d8", "tg4 @ d12"});
  CHECK(after["created"] == before["created"]);
  CHECK(after["resumed"].size() == 1);
  check_pair_agrees(base);

  // A finished file resumed again measures nothing and stays complete.
  const auto again = run_lfmb(f.args({"--resume"}));
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.err, Catch::Contains("4 of 4 record(s) already there"));
  CHECK_FALSE(Catch::Contains("loading").match(again.err));
  CHECK((*parse_json_file(base + ".json"))["tests"] == after["tests"]);
}

TEST_CASE("SIGTERM stops lfmb run with exit 143 and a failed rewrite keeps both files as they were", "[keep]") {
  const KeepFixture f;
  const std::string base = interrupted_run(f, SIGTERM);
  const std::string json_before = read_file(base + ".json"), csv_before = read_file(base + ".csv");

  // Both or neither: the .csv now names a full device, so the next rewrite fails after the .json's
  // temp file is written; the .json must stay the old one and no temp file may remain.
  const auto full = private_full_device(f.dir);
  if (!full) return;
  fs::remove(base + ".csv");
  fs::create_symlink(*full, base + ".csv");
  const auto r = run_lfmb(f.args({"--resume"}));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("lfmb: error: " + base + ".csv (-> " + *full + "): write failed: No space left on device"));
  CHECK(read_file(base + ".json") == json_before);
  CHECK(temp_files_in(fs::path(base).parent_path().string()).empty());

  // With the .csv a file again, --resume completes the pair.
  fs::remove(base + ".csv");
  write_file(base + ".csv", csv_before);
  const auto ok = run_lfmb(f.args({"--resume"}));
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK((*parse_json_file(base + ".json"))["complete"] == true);
  check_pair_agrees(base);
}

TEST_CASE("SIGKILL leaves the last written pair valid and --resume ends with the record set of an uninterrupted run",
          "[keep]") {
  const KeepFixture whole;
  const auto w = run_lfmb(whole.args());
  INFO(w.err);
  REQUIRE(w.exit_code == 0);
  const auto reference = *parse_json_file(whole.base() + ".json");
  CHECK(reference["complete"] == true);
  REQUIRE(reference["tests"].size() == kPlanned);

  const KeepFixture f;
  const Child c = spawn_lfmb(f.args());
  const std::string base = f.wait_base(c);
  signal_after_first_record(c, base + ".json", SIGKILL);
  CHECK(wait_exit(c.pid) == 128 + SIGKILL);
  const auto killed = parse_json_file(base + ".json");
  REQUIRE(killed.has_value());
  CHECK((*killed)["complete"] == false);
  CHECK((*killed)["tests"].size() >= 1);
  check_pair_agrees(base);
  // lfmb report reads the partial file and says it is incomplete.
  const auto rep = run_lfmb({"report", base + ".json", "--csv"});
  CHECK(rep.exit_code == 0);
  CHECK_THAT(rep.err, Catch::Contains(base + ".json is incomplete"));
  CHECK(size_t(std::count(rep.out.begin(), rep.out.end(), '\n')) == (*killed)["tests"].size() + 1);
  // A run interrupted before midnight is resumed the next day: the pair keeps its date.
  const std::string old_base = (fs::path(base).parent_path() / "2000-01-01-keep").string();
  fs::rename(base + ".json", old_base + ".json");
  fs::rename(base + ".csv", old_base + ".csv");
  // What a writer killed in the middle of a rewrite leaves: a temp file, removed by --resume.
  const std::string stale = old_base + ".json.part." + std::to_string(c.pid) + ".0";
  write_file(stale, "{\"half\": ");

  const auto r = run_lfmb(f.args({"--resume"}));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("resuming " + old_base + ".json"));
  CHECK_FALSE(fs::exists(base + ".json"));
  CHECK_FALSE(fs::exists(base + ".csv"));
  const auto resumed = *parse_json_file(old_base + ".json");
  CHECK(resumed["complete"] == true);
  CHECK(identities(resumed) == identities(reference));
  check_pair_agrees(old_base);
  CHECK_FALSE(fs::exists(stale));
}

TEST_CASE("lfmb run never overwrites an earlier same-name result: a new name instead", "[keep]") {
  const KeepFixture f;
  write_file(f.config, "name: keep\nrun: {model: {preset: tiny-lfm2, type: q4_0}, threads: 1, n_prompt: 4, n_gen: 0, "
                       "repetitions: 1, warmup: 0}\n");
  const auto first = run_lfmb(f.args());
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const std::string base = f.base();
  const std::string json = read_file(base + ".json"), csv = read_file(base + ".csv");

  // The same config again, the same day: <date>-keep-2, and it says where it wrote.
  const auto second = run_lfmb(f.args());
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(second.err, Catch::Contains("wrote " + base + "-2.json and " + base + "-2.csv"));
  CHECK(read_file(base + ".json") == json);
  CHECK(read_file(base + ".csv") == csv);
  CHECK((*parse_json_file(base + "-2.json"))["complete"] == true);

  // A .csv alone (a first write cut between its two renames) also keeps its name taken; --resume
  // continues that unfinished pair, starting it afresh.
  fs::remove(base + ".json");
  const auto third = run_lfmb(f.args());
  REQUIRE(third.exit_code == 0);
  CHECK(fs::exists(base + "-3.json"));
  const auto fresh = run_lfmb(f.args({"--resume"}));
  INFO(fresh.err);
  REQUIRE(fresh.exit_code == 0);
  CHECK((*parse_json_file(base + ".json"))["complete"] == true);
  check_pair_agrees(base);

  // --resume with no unfinished pair continues today's newest; a file made with other settings is
  // refused: its record is not one this run makes.
  write_file(f.config, "name: keep\nrun: {model: {preset: tiny-lfm2, type: q4_0}, threads: 1, n_prompt: 8, n_gen: 0, "
                       "repetitions: 1, warmup: 0}\n");
  const auto other = run_lfmb(f.args({"--resume"}));
  CHECK(other.exit_code == 1);
  CHECK_THAT(other.err, Catch::Contains(base + "-3.json: tests[0] ('pp4' of tiny-lfm2 Q4_0 (synth) | native) is not a "
                                        "record this run makes"));
  // And a file that is not JSON is not overwritten.
  write_file(base + "-3.json", "{\"tests\": [");
  const auto bad = run_lfmb(f.args({"--resume"}));
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains(base + "-3.json: not a valid JSON results file"));
  CHECK(read_file(base + "-3.json") == "{\"tests\": [");
}

TEST_CASE("write_outputs writes both files or neither", "[keep]") {
  const std::string dir = temp_dir();
  write_file(dir + "/a.json", "old json");
  write_file(dir + "/b.csv", "old csv");
  lfmb::write_outputs({{dir + "/b.csv", "new csv"}, {dir + "/a.json", "new json"}}, lfmb::ParentDirs::MustExist);
  CHECK(read_file(dir + "/a.json") == "new json");
  CHECK(read_file(dir + "/b.csv") == "new csv");

  // The second file cannot be made (its directory is under a regular file): the first is untouched.
  write_file(dir + "/blocker", "x");
  CHECK_THROWS_WITH(lfmb::write_outputs({{dir + "/a.json", "newer"}, {dir + "/blocker/b.csv", "newer"}},
                                        lfmb::ParentDirs::Create),
                    Catch::Contains(dir + "/blocker/b.csv"));
  CHECK(read_file(dir + "/a.json") == "new json");
  CHECK(temp_files_in(dir).empty());

  // The second is a full device, written after the first's temp file: the write fails, the temp
  // file is removed, the first file stays as it was; in either order.
  const auto full = private_full_device(dir);
  if (!full) return;
  fs::create_symlink(*full, dir + "/c.csv");
  for (bool device_first : {false, true}) {
    INFO(device_first);
    std::vector<lfmb::OutputContent> files = {{dir + "/a.json", "newest"}, {dir + "/c.csv", "newest"}};
    if (device_first) std::swap(files[0], files[1]);
    CHECK_THROWS_WITH(lfmb::write_outputs(files, lfmb::ParentDirs::MustExist),
                      Catch::Contains(dir + "/c.csv (-> " + *full + "): write failed: No space left on device"));
    CHECK(read_file(dir + "/a.json") == "new json");
    CHECK(temp_files_in(dir).empty());
  }
}

TEST_CASE("lfmb run checks free space for its results before measuring anything", "[keep]") {
  const KeepFixture f;
  fs::create_directories(f.out);
  // A 64 KiB tmpfs in a mount namespace of the child's own: far less than the ~2.5 MiB the four
  // records are budgeted.
  const Child c = spawn_lfmb(f.args(), std::make_pair(f.out, size_t(64) << 10));
  const int code = wait_exit(c.pid);
  const std::string err = read_file(c.err);
  if (code == 99) {
    WARN("SKIPPED: " << err << " (needs CAP_SYS_ADMIN for a private tmpfs)");
    return;
  }
  INFO(err);
  CHECK(code == 1);
  CHECK_THAT(err, Catch::Contains("keep.json: the results need up to 2.5 MiB but only 64.0 KiB are free on its file system"));
  CHECK_FALSE(Catch::Contains("loading").match(err));
  CHECK(fs::is_empty(f.out));  // the tmpfs was the child's; nothing reached the real directory either
}

TEST_CASE("lfmb bench streams each finished row and on SIGINT closes its JSON and exits 130", "[keep]") {
  // bench writes no file: its rows on stdout, printed as each test finishes, are what it keeps.
  const std::vector<std::string> args = {"bench", "--preset", "tiny-qwen3:q8_0", "-p", "0", "-n", "4", "-d", "0,4,8,12",
                                         "-r", "3", "-t", "1", "-o"};
  for (const char* format : {"json", "jsonl"}) {
    INFO(format);
    std::vector<std::string> a = args;
    a.push_back(format);
    const Child c = spawn_lfmb(a);
    // The first row is out (flushed) while the bench goes on.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (read_file(c.out).find("\"n_depth\"") == std::string::npos) {
      int status = 0;
      if (::waitpid(c.pid, &status, WNOHANG) == c.pid) FAIL("bench ended before its first row: " << read_file(c.err));
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(c.pid, SIGKILL);
        FAIL("no row after 120 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(::kill(c.pid, SIGINT) == 0);
    CHECK(wait_exit(c.pid) == 130);
    const std::string out = read_file(c.out);
    std::vector<nlohmann::json> rows;
    if (std::string(format) == "json") {
      const auto j = nlohmann::json::parse(out);  // the array was closed
      REQUIRE(j.is_array());
      rows.assign(j.begin(), j.end());
    } else {
      size_t start = 0;
      for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1)
        rows.push_back(nlohmann::json::parse(out.substr(start, nl - start)));
      CHECK(start == out.size());  // no partial line
    }
    CHECK(rows.size() >= 1);
    CHECK(rows.size() < 4);
    CHECK(rows[0]["n_depth"] == 0);
    CHECK(rows[0]["avg_ts"].get<double>() > 0);
    CHECK_THAT(read_file(c.err), Catch::Contains("stopped by SIGINT after " + std::to_string(rows.size()) + " finished test(s)"));
  }
}
