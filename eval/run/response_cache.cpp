// Response cache over SQLite. Idea from lm-eval's CachingLM (EleutherAI/lm-evaluation-harness,
// lm_eval/api/model.py, read at 04e74420b000; protocol commit 4e7e0d47f33b): responses kept in an
// SQLite file under a hash of the request, committed as they come. Own design and code: one table,
// prepared statements, one committed transaction per put, WAL journal, a schema version.
#include "eval/run/response_cache.h"

#include <sqlite3.h>

#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "core/io/digest.h"

namespace lfmb::eval {
namespace {

using nlohmann::json;

// 'lfmb' in the header's application_id field tells our caches from other programs' databases.
constexpr int kApplicationId = 0x6C666D62;
// Bump when the table layout or the meaning of a stored value changes.
constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 30000;

bool all_numbers_finite(const json& v) {
  if (v.is_number_float()) return std::isfinite(v.get<double>());
  if (v.is_structured())
    for (const auto& child : v)
      if (!all_numbers_finite(child)) return false;
  return true;
}

// Compact JSON text that parses back to exactly `v`; nlohmann would write NaN and infinities as
// null and refuses invalid UTF-8, so both are errors here rather than silent changes.
std::string exact_dump(const json& v, const std::string& where) {
  if (!all_numbers_finite(v)) throw Error(where + ": holds a NaN or infinite number, which JSON cannot store");
  try {
    return v.dump(-1, ' ', false, json::error_handler_t::strict);
  } catch (const json::type_error& e) {
    throw Error(where + ": " + e.what());
  }
}

std::string short_key(const std::string& key) { return key.size() <= 80 ? key : key.substr(0, 77) + "..."; }

// Resets a statement when a call ends, however it ends, so it can be reused.
struct StatementReset {
  sqlite3_stmt* stmt;
  ~StatementReset() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

}  // namespace

ResponseCache::ResponseCache(const std::string& path) : path_(path) {
  const std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) {
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) throw Error(path + ": cannot create directory " + p.parent_path().string() + ": " + ec.message());
  }
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error(path + ": cannot open response cache: " + msg);
  }
  try {
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // Check and create the schema under the write lock, so two processes opening a new file at
    // once cannot both create it.
    exec("BEGIN IMMEDIATE", "opening");
    auto read_int = [&](const char* sql) {
      sqlite3_stmt* s = nullptr;
      if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK) fail("reading the schema");
      const int rc = sqlite3_step(s);
      const int v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
      sqlite3_finalize(s);
      if (rc != SQLITE_ROW) fail("reading the schema");
      return v;
    };
    const int app_id = read_int("PRAGMA application_id");
    const int version = read_int("PRAGMA user_version");
    const int n_objects = read_int("SELECT count(*) FROM sqlite_master");
    if (app_id == 0 && version == 0 && n_objects == 0) {  // new or empty file
      exec("CREATE TABLE responses (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)", "creating the schema");
      exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str(), "creating the schema");
      exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str(), "creating the schema");
    } else if (app_id != kApplicationId) {
      throw Error(path + ": not an lfmb response cache (an SQLite database of another program)");
    } else if (version != kSchemaVersion) {
      throw Error(path + ": response cache of schema version " + std::to_string(version) + ", this lfmb reads " +
                  std::to_string(kSchemaVersion) + " (delete the file to start over)");
    }
    exec("COMMIT", "creating the schema");
    // WAL: a commit is one append to the -wal file, and a killed writer leaves the database valid.
    // synchronous=NORMAL skips the fsync per commit; only a power loss can drop the last commits.
    exec("PRAGMA journal_mode = WAL", "opening");
    exec("PRAGMA synchronous = NORMAL", "opening");
    auto prepare = [&](const char* sql, sqlite3_stmt** s) {
      if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, s, nullptr) != SQLITE_OK) fail("opening");
    };
    prepare("SELECT value FROM responses WHERE key = ?1", &get_);
    prepare("INSERT OR REPLACE INTO responses (key, value) VALUES (?1, ?2)", &put_);
    prepare("SELECT count(*) FROM responses", &count_);
  } catch (...) {
    close();  // the destructor does not run when a constructor throws
    throw;
  }
}

ResponseCache::~ResponseCache() { close(); }

void ResponseCache::close() {
  for (sqlite3_stmt* s : {get_, put_, count_}) sqlite3_finalize(s);  // finalize(nullptr) is a no-op
  get_ = put_ = count_ = nullptr;
  sqlite3_close(db_);  // rolls back an open transaction; the last connection checkpoints the WAL
  db_ = nullptr;
}

void ResponseCache::fail(const std::string& doing) {
  if (sqlite3_errcode(db_) == SQLITE_NOTADB) throw Error(path_ + ": not an lfmb response cache (file is not a database)");
  throw Error(path_ + ": response cache: " + doing + ": " + sqlite3_errmsg(db_));
}

void ResponseCache::exec(const char* sql, const std::string& doing) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(doing);
}

std::string ResponseCache::encode(const std::string& key, const nlohmann::json& value) const {
  if (key.size() > kMaxCacheEntryBytes)
    throw Error(path_ + ": cache key of " + std::to_string(key.size()) + " bytes is over the 64 MiB limit");
  std::string text = exact_dump(value, path_ + ": cannot cache the value of key " + short_key(key));
  if (text.size() > kMaxCacheEntryBytes)
    throw Error(path_ + ": value of key " + short_key(key) + " is " + std::to_string(text.size()) +
                " bytes of JSON, over the 64 MiB limit");
  return text;
}

std::optional<nlohmann::json> ResponseCache::get(const std::string& key) {
  if (key.size() > kMaxCacheEntryBytes) return std::nullopt;  // never stored: put refuses such keys
  StatementReset reset{get_};
  sqlite3_bind_text(get_, 1, key.data(), int(key.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(get_);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) fail("reading");
  const auto n = size_t(sqlite3_column_bytes(get_, 0));
  if (n > kMaxCacheEntryBytes)
    throw Error(path_ + ": value of key " + short_key(key) + " is " + std::to_string(n) + " bytes, over the 64 MiB limit");
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(get_, 0));
  if (!text && n > 0) fail("reading");
  json value = json::parse(text, text + n, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) throw Error(path_ + ": value of key " + short_key(key) + " is not valid JSON");
  return value;
}

void ResponseCache::insert(const std::string& key, const std::string& text) {
  StatementReset reset{put_};
  sqlite3_bind_text(put_, 1, key.data(), int(key.size()), SQLITE_STATIC);
  sqlite3_bind_text(put_, 2, text.data(), int(text.size()), SQLITE_STATIC);
  if (sqlite3_step(put_) != SQLITE_DONE) fail("writing");
}

void ResponseCache::put(const std::string& key, const nlohmann::json& value) {
  insert(key, encode(key, value));  // outside a transaction, the statement commits by itself
}

void ResponseCache::put_many(const std::vector<std::pair<std::string, nlohmann::json>>& entries) {
  std::vector<std::string> texts;  // encoded first: a bad value throws before anything is written
  texts.reserve(entries.size());
  for (const auto& [key, value] : entries) texts.push_back(encode(key, value));
  exec("BEGIN IMMEDIATE", "writing");
  try {
    for (size_t i = 0; i < entries.size(); ++i) insert(entries[i].first, texts[i]);
    exec("COMMIT", "writing");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

size_t ResponseCache::size() {
  StatementReset reset{count_};
  if (sqlite3_step(count_) != SQLITE_ROW) fail("counting");
  return size_t(sqlite3_column_int64(count_, 0));
}

std::string cache_key(const nlohmann::json& parts) { return sha256_hex(exact_dump(parts, "cache key parts")); }

}  // namespace lfmb::eval
