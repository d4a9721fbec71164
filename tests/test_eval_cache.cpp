// The eval response cache: round trips, replace, reopen, refusing foreign files and oversized or
// inexact values, and a writer killed mid-run leaving every finished response intact.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "core/error.h"
#include "eval/run/response_cache.h"
#include "tests/test_support.h"

using lfmb::test::error_of;
using lfmb::eval::cache_key;
using lfmb::eval::ResponseCache;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string new_cache_path() { return lfmb::test::temp_dir() + "/cache.sqlite"; }

// Runs SQL on a file directly, to build databases the cache must refuse.
void raw_sql(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

std::string entry_key(size_t i) { return cache_key({{"doc", i}, {"kind", "generate_until"}}); }
json entry_value(size_t i) {
  return {{"i", i}, {"text", std::string(2000 + i % 97, char('a' + i % 26))}, {"logprob", -0.1 * double(i)}};
}

// Forks a child that stores entries 0, 1, 2, ... (one put each, or put_many batches of `batch`) and
// reports each stored entry with one byte on a pipe; SIGKILLs it `delay_us` after `after` were
// reported (a delay lets the kill land inside the next batch rather than before it). Returns the
// number reported.
size_t kill_writer_midway(const std::string& path, size_t batch, size_t after, int delay_us = 0) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // child: never returns into Catch
    ::close(fds[0]);
    try {
      ResponseCache cache(path);
      const std::string ticks(batch, 'x');
      for (size_t i = 0; i < 1000000; i += batch) {
        if (batch == 1) {
          cache.put(entry_key(i), entry_value(i));
        } else {
          std::vector<std::pair<std::string, json>> entries;
          for (size_t j = i; j < i + batch; ++j) entries.emplace_back(entry_key(j), entry_value(j));
          cache.put_many(entries);
        }
        if (::write(fds[1], ticks.data(), ticks.size()) != ssize_t(ticks.size())) ::_exit(2);
      }
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  size_t reported = 0;
  char buf[256];
  while (reported < after) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;  // the child died on its own: the REQUIREs below say so
    reported += size_t(n);
  }
  if (delay_us > 0) ::usleep(useconds_t(delay_us));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(fds[0]);
  REQUIRE(reported >= after);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
  return reported;
}

// After a kill: the database opens and holds entries 0..n-1 exactly (a prefix), nothing more.
void check_prefix_intact(const std::string& path, size_t reported, size_t batch) {
  REQUIRE(fs::exists(path + "-wal"));  // killed before a clean close: recovery reads the WAL
  ResponseCache cache(path);
  const size_t n = cache.size();
  CHECK(n >= reported);  // every put that returned survived the kill
  CHECK(n % batch == 0);  // a batch is all or nothing
  for (size_t i = 0; i < n; ++i) {
    const auto got = cache.get(entry_key(i));
    REQUIRE(got);
    REQUIRE(*got == entry_value(i));
  }
  CHECK_FALSE(cache.get(entry_key(n)));
}

}  // namespace

TEST_CASE("response cache round trips JSON values exactly", "[eval-cache]") {
  ResponseCache cache(new_cache_path());
  const json values[] = {
      json{{"resps", {{-1.2345678901234567e-300, true}, {0.1 + 0.2, false}}}, {"text", "Ünïcode ✓ \n\"quoted\""}},
      json(std::numeric_limits<int64_t>::min()),
      json(std::numeric_limits<uint64_t>::max()),
      json(nullptr),
      json::array(),
      json(""),
  };
  for (size_t i = 0; i < std::size(values); ++i) cache.put("k" + std::to_string(i), values[i]);
  CHECK(cache.size() == std::size(values));
  for (size_t i = 0; i < std::size(values); ++i) {
    const auto got = cache.get("k" + std::to_string(i));
    REQUIRE(got);
    CHECK(*got == values[i]);
    CHECK(got->dump() == values[i].dump());  // same types too (uint64 stays unsigned)
  }
  // The doubles come back bit for bit.
  CHECK((*cache.get("k0"))["resps"][1][0].get<double>() == 0.1 + 0.2);
}

TEST_CASE("response cache replaces an entry and misses unknown keys", "[eval-cache]") {
  ResponseCache cache(new_cache_path());
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.get("missing"));
  CHECK_FALSE(cache.get(""));
  cache.put("k", json{{"v", 1}});
  cache.put("k", json{{"v", 2}});
  CHECK(cache.size() == 1);
  CHECK(*cache.get("k") == json{{"v", 2}});
  CHECK_FALSE(cache.get("K"));  // keys are exact, case included
  CHECK_FALSE(cache.get("k "));
}

TEST_CASE("response cache persists across reopen and creates its folder", "[eval-cache]") {
  const std::string path = lfmb::test::temp_dir() + "/out/nested/cache.sqlite";
  {
    ResponseCache cache(path);
    cache.put("a", 1);
    cache.put_many({{"b", json{{"x", "y"}}}, {"c", json::array({1, 2, 3})}, {"a", 10}});
  }
  ResponseCache again(path);
  CHECK(again.size() == 3);
  CHECK(*again.get("a") == 10);
  CHECK(*again.get("b") == json{{"x", "y"}});
  CHECK(*again.get("c") == json::array({1, 2, 3}));
}

TEST_CASE("response cache put_many stores a large batch and writes nothing when a value is bad", "[eval-cache]") {
  ResponseCache cache(new_cache_path());
  std::vector<std::pair<std::string, json>> entries;
  for (size_t i = 0; i < 2000; ++i) entries.emplace_back(entry_key(i), entry_value(i));
  cache.put_many(entries);
  CHECK(cache.size() == 2000);
  CHECK(*cache.get(entry_key(1234)) == entry_value(1234));

  const std::string err = error_of([&] { cache.put_many({{"new1", 1}, {"new2", std::nan("")}, {"new3", 3}}); });
  CHECK(err.find("new2") != std::string::npos);
  CHECK(cache.size() == 2000);
  CHECK_FALSE(cache.get("new1"));
}

TEST_CASE("response cache refuses a file that is not a database with one line", "[eval-cache]") {
  for (const std::string& garbage : {std::string("hello\n"), std::string(8192, 'z')}) {
    const std::string path = new_cache_path();
    lfmb::test::write_file(path, garbage);
    const std::string err = error_of([&] { ResponseCache cache(path); });
    CHECK(err == path + ": not an lfmb response cache (file is not a database)");
    CHECK(lfmb::test::read_file(path) == garbage);  // left untouched
  }
}

TEST_CASE("response cache refuses another program's database and another schema version", "[eval-cache]") {
  const std::string other = new_cache_path();
  raw_sql(other, "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('keep me')");
  const std::string err = error_of([&] { ResponseCache cache(other); });
  CHECK(err == other + ": not an lfmb response cache (an SQLite database of another program)");

  const std::string newer = new_cache_path();
  { ResponseCache cache(newer); }
  raw_sql(newer, "PRAGMA user_version = 7");
  const std::string err2 = error_of([&] { ResponseCache cache(newer); });
  CHECK(err2.rfind(newer + ": response cache of schema version 7, this lfmb reads 1", 0) == 0);
  CHECK(err2.find('\n') == std::string::npos);
}

TEST_CASE("response cache makes an empty existing file a cache", "[eval-cache]") {
  const std::string path = new_cache_path();
  lfmb::test::write_file(path, "");
  {
    ResponseCache cache(path);
    cache.put("k", "v");
  }
  CHECK(*ResponseCache(path).get("k") == "v");
}

TEST_CASE("response cache refuses values over 64 MiB and values JSON cannot hold exactly", "[eval-cache]") {
  const std::string path = new_cache_path();
  ResponseCache cache(path);
  // 64 MiB of text is 64 MiB + 2 bytes of JSON (the quotes).
  const std::string err = error_of([&] { cache.put("big", std::string(size_t(64) << 20, 'x')); });
  CHECK(err.rfind(path + ": value of key big is 67108866 bytes of JSON, over the 64 MiB limit", 0) == 0);

  const std::string inf = error_of([&] { cache.put("inf", json{{"ll", -INFINITY}}); });
  CHECK(inf == path + ": cannot cache the value of key inf: holds a NaN or infinite number, which JSON cannot store");
  const std::string utf8 = error_of([&] { cache.put("bytes", std::string("ab\xff")); });
  CHECK(utf8.rfind(path + ": cannot cache the value of key bytes: ", 0) == 0);
  CHECK(utf8.find("invalid UTF-8") != std::string::npos);
  CHECK(cache.size() == 0);
}

TEST_CASE("cache_key is the SHA-256 of the sorted compact JSON text", "[eval-cache]") {
  // Expected: hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(',', ':'),
  // ensure_ascii=False).encode()).hexdigest() in CPython 3.11.
  CHECK(cache_key(json::parse(R"({"b":1,"a":[2,"x"]})")) ==
        "bbb8e7667558a86d3622dafcc40ea84605d1835a87b06ee47ea8adac48be8d7a");
  const json parts = {{"model", "ab12"},
                      {"kind", "loglikelihood"},
                      {"request", {"Q: é?", " A"}},
                      {"gen", {{"until", {"\n\n"}}, {"temperature", 0.5}}}};
  CHECK(cache_key(parts) == "afb7158faecc1afa39b1742fe978ea3c54718e15b45c69e42c82a6fe7b102554");
  json changed = parts;
  changed["gen"]["temperature"] = 0.6;
  CHECK(cache_key(changed) != cache_key(parts));
  CHECK(error_of([] { cache_key(json{{"t", NAN}}); }).rfind("cache key parts: ", 0) == 0);
}

TEST_CASE("response cache keeps every finished put when its writer is SIGKILLed", "[eval-cache]") {
  const std::string path = new_cache_path();
  const size_t reported = kill_writer_midway(path, 1, 200);
  check_prefix_intact(path, reported, 1);
}

TEST_CASE("response cache keeps whole put_many batches when its writer is SIGKILLed", "[eval-cache]") {
  const std::string path = new_cache_path();
  const size_t reported = kill_writer_midway(path, 100, 300, 3000);
  check_prefix_intact(path, reported, 100);
}
