// Online backup of a SQLite store and the file-level checks of a copy (docs/deploy.md
// "Backups"). The store itself is never stopped: the copy is one snapshot read in WAL mode,
// where a reader does not block the server's writer.
// Thread-safety: free functions; each opens its own connections.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "domain/result.h"

namespace hotline {

struct SqliteBackupResult {
  long long pages = 0;
  long long bytes = 0;
};

// Copies the store at `source` into `target` with SQLite's online backup API: one read
// transaction, so the copy is the store as of one commit, while the server keeps committing.
// Written to "<target>.part", synced and renamed, so `target` is either absent or whole.
// Refuses an existing `target`. `progress` (optional) is told (pages done, pages total).
Result<SqliteBackupResult> BackupSqliteStore(
    const std::string& source, const std::string& target,
    const std::function<void(long long, long long)>& progress = {});

// The file's own checks, opened read-only: PRAGMA integrity_check and foreign_key_check, and
// that its schema version is one this build knows. Each problem is one sentence; none = sound.
Result<std::vector<std::string>> CheckSqliteFile(const std::string& path);

}  // namespace hotline
