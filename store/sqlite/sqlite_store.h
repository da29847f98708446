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
};

// Opens (creating if needed) and migrates the schema to the current version.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const SqliteOptions& options = {});

// The schema version this build migrates to.
int SqliteSchemaVersion();

}  // namespace hotline
