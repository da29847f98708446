#include "store/sqlite/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "store/sqlite/sqlite_store.h"

namespace hotline {
namespace {

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, Closer>;

Result<Db> OpenDb(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK)
    return Status(Code::kUnavailable,
                  "cannot open " + path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  sqlite3_busy_timeout(raw, 10000);
  return db;
}

// Runs `sql` and hands every row's first column (as text) to `row`.
Status Each(sqlite3* db, const std::string& sql,
            const std::function<void(const std::string&)>& row) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
    return Status(Code::kInternal, sql + ": " + sqlite3_errmsg(db));
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(s, 0);
    row(t ? reinterpret_cast<const char*>(t) : "");
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return Status(Code::kInternal, sql + ": " + sqlite3_errmsg(db));
  return {};
}

Status SyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return Status(Code::kInternal, "cannot open " + path + " to sync it");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status(Code::kInternal, "cannot sync " + path);
  return {};
}

// A file path as a URI filename ("file:" + path): '%', '?' and '#' escaped.
std::string UriPath(const std::string& path) {
  std::string out = "file:";
  for (char c : path) {
    if (c == '%')
      out += "%25";
    else if (c == '?')
      out += "%3f";
    else if (c == '#')
      out += "%23";
    else
      out += c;
  }
  return out;
}

}  // namespace

Result<SqliteBackupResult> BackupSqliteStore(
    const std::string& source, const std::string& target,
    const std::function<void(long long, long long)>& progress) {
  namespace fs = std::filesystem;
  if (!fs::exists(source)) return Invalid("db", source + " does not exist");
  if (fs::exists(target)) return Invalid("out", target + " exists; a backup never overwrites");
  const std::string part = target + ".part";
  std::error_code ec;
  for (const char* suffix : {"", "-journal"}) fs::remove(part + suffix, ec);
  HOTLINE_ASSIGN_OR_RETURN(Db src, OpenDb(source, SQLITE_OPEN_READONLY));
  HOTLINE_ASSIGN_OR_RETURN(Db dst, OpenDb(part, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  sqlite3_backup* b = sqlite3_backup_init(dst.get(), "main", src.get(), "main");
  if (!b) return Status(Code::kInternal, std::string("backup: ") + sqlite3_errmsg(dst.get()));
  // All pages in one step: one read transaction on the source, so the copy is one commit's
  // snapshot. In WAL mode (the store's mode) the server's writer is not held up meanwhile.
  int rc;
  while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
  SqliteBackupResult out;
  out.pages = sqlite3_backup_pagecount(b);
  if (progress) progress(out.pages - sqlite3_backup_remaining(b), out.pages);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    std::string why = sqlite3_errstr(rc);
    dst.reset();
    fs::remove(part, ec);
    return Status(Code::kInternal, "backup of " + source + " failed: " + why);
  }
  long long page_size = 0;
  HOTLINE_RETURN_IF_ERROR(Each(dst.get(), "PRAGMA page_size",
                               [&](const std::string& v) { page_size = std::stoll(v); }));
  out.bytes = out.pages * page_size;
  // The copy stands alone: a rollback-journal file, not WAL (the server turns WAL back on when
  // it opens it), so it is one file to move, checksum or check read-only.
  HOTLINE_RETURN_IF_ERROR(Each(dst.get(), "PRAGMA journal_mode=DELETE", [](const std::string&) {}));
  dst.reset();  // closes: the copy is committed and synced (synchronous=FULL)
  HOTLINE_RETURN_IF_ERROR(SyncPath(part, O_RDONLY));
  fs::rename(part, target, ec);
  if (ec) return Status(Code::kInternal, "cannot rename " + part + " to " + target);
  fs::path dir = fs::absolute(target).parent_path();
  HOTLINE_RETURN_IF_ERROR(SyncPath(dir.string(), O_RDONLY | O_DIRECTORY));
  return out;
}

Result<std::vector<std::string>> CheckSqliteFile(const std::string& path) {
  if (!std::filesystem::exists(path)) return Invalid("db", path + " does not exist");
  // Read-only, so checking a backup never changes it (nor creates a -wal beside it); a live
  // store in WAL mode is read with its -wal.
  const bool wal = std::filesystem::exists(path + "-wal");
  HOTLINE_ASSIGN_OR_RETURN(Db db, OpenDb(UriPath(path) + (wal ? "?mode=ro" : "?immutable=1"),
                                         SQLITE_OPEN_READONLY | SQLITE_OPEN_URI));
  std::vector<std::string> problems;
  Status st = Each(db.get(), "PRAGMA integrity_check", [&](const std::string& v) {
    if (v != "ok") problems.push_back("integrity_check: " + v);
  });
  if (!st.ok()) {
    problems.push_back("not a readable SQLite store: " + st.message());
    return problems;
  }
  HOTLINE_RETURN_IF_ERROR(Each(db.get(), "PRAGMA foreign_key_check", [&](const std::string& t) {
    problems.push_back("foreign_key_check: a row of " + t + " refers to a missing row");
  }));
  int version = -1;
  HOTLINE_RETURN_IF_ERROR(
      Each(db.get(), "PRAGMA user_version", [&](const std::string& v) { version = std::stoi(v); }));
  if (version <= 0 || version > SqliteSchemaVersion())
    problems.push_back("schema version " + std::to_string(version) + " is not one this build " +
                       "knows (1.." + std::to_string(SqliteSchemaVersion()) + ")");
  return problems;
}

}  // namespace hotline
