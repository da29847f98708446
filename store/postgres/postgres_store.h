// The server storage backend: PostgreSQL 15 through libpq.
//
// Same semantics as the SQLite backend (store/store.h): writes go through one
// writer thread and connection that commits whatever requests are waiting in one
// transaction (group commit), each request inside its own SAVEPOINT so a failing
// request (a lost compare-and-swap, a unique violation) rolls back alone. The
// session runs with synchronous_commit=on, so a write returns only after its
// commit is flushed to the server's WAL. Reads use a pool of connections.
// Order ids come from a one-row counter updated inside the writing transaction:
// gapless and numbered exactly like the SQLite backend, also with several
// server processes on one database.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace hotline {

struct PostgresOptions {
  // Default: 8 read connections (the writer has its own).
  int read_connections = 8;
  // Default: 1024 requests at most in one group commit.
  int max_group = 1024;
  // Default: 10 s to establish a connection (libpq connect_timeout).
  int connect_timeout_seconds = 10;
};

// Connects (conninfo as for libpq: "host=... port=... dbname=... user=..." or a
// postgresql:// URI) and migrates the schema to the current version, holding an
// advisory lock so concurrent openers migrate once.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo,
                                                 const PostgresOptions& options = {});

// The schema version this build migrates to.
int PostgresSchemaVersion();

}  // namespace hotline
