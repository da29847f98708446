// A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temporary directory,
// a postmaster on a free port on 127.0.0.1 (unix socket in the same directory),
// a fresh database per test, and the whole cluster stopped (by PID) and deleted
// when the object dies. A watchdog process also stops it if the test process is
// killed, so no postmaster outlives the tests.
//
// Binaries come from `pg_config --bindir` (override: HOTLINE_PG_BINDIR). As root,
// initdb and the server run as the `postgres` user through runuser.
// Thread-safety: CreateDatabase may be called concurrently; Start/destruction not.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "domain/result.h"

namespace hotline {

class TestCluster {
 public:
  // Starts a new cluster (about 1-2 s). `settings` are extra server settings ("name=value",
  // e.g. "shared_buffers=1GB" for a benchmark), applied after the defaults so they win.
  // kUnavailable with a clear message when the PostgreSQL server binaries are missing.
  static Result<std::unique_ptr<TestCluster>> Start(const std::vector<std::string>& settings = {});

  // The process-wide cluster, started on first use and stopped at exit; the
  // same error on every call if it could not start.
  static Result<TestCluster*> Shared();

  ~TestCluster();
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  // Creates an empty database with a unique name; returns its libpq conninfo.
  Result<std::string> CreateDatabase();
  // conninfo for an existing database of this cluster (unix socket).
  std::string ConnInfo(const std::string& dbname) const;
  // The same over TCP on 127.0.0.1, as a client on another process would connect.
  std::string TcpConnInfo(const std::string& dbname) const;
  int port() const { return port_; }

 private:
  TestCluster() = default;
  void Stop();

  std::string dir_;  // temp dir: data/, log, socket
  std::string bindir_;
  int port_ = 0;
  pid_t postmaster_ = 0;
  pid_t watchdog_ = 0;
  int watchdog_pipe_ = -1;  // write end; the watchdog stops the cluster on EOF
  std::mutex mu_;
  int databases_ = 0;
};

}  // namespace hotline
