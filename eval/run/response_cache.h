// The response cache that makes eval runs resumable, as lm-eval's CachingLM (--use_cache) does
// with SQLite: every model response is stored under a key built from everything that determines it,
// so a killed run, rerun with the same command, recomputes only what is missing.
// Design (own code): one table of key → JSON text in one cache.sqlite per output folder.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

struct sqlite3;
struct sqlite3_stmt;

namespace lfmb::eval {

// Largest key or value (JSON text) the cache stores or reads back.
inline constexpr size_t kMaxCacheEntryBytes = size_t(64) << 20;

// One cache.sqlite per output folder. Keys are caller-built strings (see cache_key); values are
// JSON texts. Safe against a kill at any moment: each put is its own committed transaction (WAL
// journal; synchronous=NORMAL loses at most the last entries on power loss, never on a process
// kill, and a lost entry is simply recomputed), so a killed run leaves a valid database holding
// every finished response. One object per thread; separate processes may share a file (a busy
// timeout makes them wait for each other instead of failing).
class ResponseCache {
 public:
  // Creates the file and schema when missing or empty. Throws lfmb::Error with one line naming the
  // file when it is not SQLite, is another program's database or has another schema version.
  explicit ResponseCache(const std::string& path);
  ~ResponseCache();
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  std::optional<nlohmann::json> get(const std::string& key);
  // Inserts or replaces. Values must be storable exactly as JSON text: finite numbers, valid UTF-8
  // strings, at most kMaxCacheEntryBytes once dumped; anything else throws lfmb::Error.
  void put(const std::string& key, const nlohmann::json& value);
  // Entries as one transaction (faster for many small puts), committed at the end: after a kill
  // either all of them are stored or none.
  void put_many(const std::vector<std::pair<std::string, nlohmann::json>>& entries);
  size_t size();
  const std::string& path() const { return path_; }

 private:
  void close();
  [[noreturn]] void fail(const std::string& doing);
  void exec(const char* sql, const std::string& doing);
  std::string encode(const std::string& key, const nlohmann::json& value) const;
  void insert(const std::string& key, const std::string& text);

  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* get_ = nullptr;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* count_ = nullptr;
};

// Stable text of the key parts: the JSON dumped with sorted object keys (nlohmann objects are
// always sorted), compact, non-ASCII kept as UTF-8; returned as its SHA-256 in lowercase hex.
std::string cache_key(const nlohmann::json& parts);

}  // namespace lfmb::eval
