// The embedded storage backend: one SQLite file in WAL mode.
//
// Writes go through a single writer thread that commits whatever requests are
// waiting in one transaction (group commit), each request inside its own
// SAVEPOINT so a failing request (e.g. a lost compare-and-swap) rolls back alone.
// With synchronous=FULL (the default) a write returns only after its commit's
// fsync. Reads use a pool of read-only connections (WAL snapshot isolation).
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace hotline {

struct SqliteOptions {
  // Default: true: fsync on every commit (PRAGMA synchronous=FULL). false = NORMAL
  // (durable against process crash, not power loss); only for throwaway data.
  bool synchronous_full = true;
  // Default: 8 read connections.
  int read_connections = 8;
  // Default: 1024 requests at most in one group commit.
  int max_group = 1024;
  // Default: false. true: for writing a NEW file in bulk (hotline generate): opening an
  // existing non-empty file fails; the file is written with journal_mode=OFF, synchronous=OFF
  // and a 256 MB page cache, so a failed write may leave it damaged (delete it).
  // REQUIRES: FinishSqliteBulkLoad after the store is closed.
  bool bulk_new_file = false;
};

// Opens (creating if needed) and migrates the schema to the current version.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const SqliteOptions& options = {});

// Ends a bulk load (SqliteOptions::bulk_new_file): sets the file's normal journal (WAL) and
// fsyncs it and its directory. REQUIRES: the bulk store is closed.
Status FinishSqliteBulkLoad(const std::string& path);

// The schema version this build migrates to.
int SqliteSchemaVersion();

}  // namespace hotline
