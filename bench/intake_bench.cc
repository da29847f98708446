// intake_bench: durable intake through the HTTP API, next to a baseline measured in the
// same run (as leveldb's db_bench sits beside db_bench_sqlite3).
//
// Engine: a child `hotline serve` on a fresh temporary store (SQLite, WAL,
// synchronous=FULL: an order is acknowledged only after its commit is on disk), an agent
// logged in, and the load generator posting orders over N keep-alive connections, each
// with a unique Idempotency-Key, for a fixed number of requests.
// Baselines: the same rows (the same JSON text per order) inserted straight into SQLite
// (WAL, synchronous=FULL) by N threads, each committing its own row (what intake would
// cost without group commit), and by one thread in transactions of 1,000 rows (a ceiling).
//
// Prints lines of the form
//   bench: engine.intake_http_c32 value=... unit=orders/s baseline=engine.sqlite_row_per_txn
//          baseline_value=... ratio=...
// where the baseline is the row-per-transaction figure for the same number of threads
// (also printed alone as engine.sqlite_row_per_txn_t32).
// Exits non-zero if the server refused any request or could not be started.
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "api/http_client.h"
#include "bench/loadgen.h"

#ifndef HOTLINE_BINARY
#define HOTLINE_BINARY "hotline"
#endif

namespace hotline::bench {
namespace {

using Clock = std::chrono::steady_clock;
const char* kPassword = "bench-password";

// The order every request posts; {n} makes the key and the text unique. About 600 bytes,
// the size of a typical hotline appeal with its caller and place.
std::string OrderTemplate() {
  nlohmann::json o = {
      {"channel", "hotline"},
      {"nature", "complaint"},
      {"urgency", "normal"},
      {"title", "夜间施工噪音扰民 {n}"},
      {"content",
       "市民来电反映：洪家楼北路与花园路交叉口东北角工地连续多日夜间22点后仍在施工，"
       "机械噪音很大，影响周边居民休息，希望相关部门尽快核实处理，督促施工单位按规定时间作业。编号{n}"},
      {"caller", {{"name", "张先生"}, {"phone", "13812345678"}, {"id_no", ""}}},
      {"place", {{"address", "历城区洪家楼北路88号附近"}}},
  };
  return o.dump();
}

std::string Substitute(std::string s, std::uint64_t n) {
  const std::string key = "{n}", val = std::to_string(n);
  for (std::size_t p = s.find(key); p != std::string::npos; p = s.find(key, p + val.size()))
    s.replace(p, key.size(), val);
  return s;
}

// ------------------------------------------------------------------ the server child

class ServerChild {
 public:
  ~ServerChild() { Stop(); }

  bool Start(const std::string& binary, const std::string& db, const std::string& data) {
    int fds[2];
    if (pipe(fds) != 0) return false;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      close(fds[1]);
      std::vector<std::string> args = {binary, "serve", "--db", db, "--port", "0",
                                       "--host", "127.0.0.1"};
      if (!data.empty()) args.insert(args.end(), {"--data", data});
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
    char line[512];
    std::regex re("listening on http://[^:/]+:([0-9]+)");
    while (fgets(line, sizeof line, out_)) {
      std::cmatch m;
      if (std::regex_search(line, m, re)) {
        port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
        // Keep draining stdout so the server never blocks on a full pipe.
        drain_ = std::thread([f = out_] {
          char buf[4096];
          while (fread(buf, 1, sizeof buf, f) > 0) {
          }
        });
        return true;
      }
    }
    return false;
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int st = 0;
      waitpid(pid_, &st, 0);
      pid_ = -1;
    }
    if (drain_.joinable()) drain_.join();
    if (out_) fclose(out_), out_ = nullptr;
  }

  std::uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::thread drain_;
  std::uint16_t port_ = 0;
};

int RunCommand(const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    std::vector<char*> argv;
    for (auto a : args) argv.push_back(strdup(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

// Logs in as admin, creates an agent, logs in as the agent; returns its token or "".
std::string AgentToken(std::uint16_t port) {
  api::HttpClient c("127.0.0.1", port);
  auto login = [&](const std::string& user) -> std::string {
    nlohmann::json b = {{"login", user}, {"password", kPassword}};
    auto r = c.Send("POST", "/api/v1/auth/login", {{"Content-Type", "application/json"}}, b.dump());
    if (!r.ok() || r->status != 200) {
      std::cerr << "intake_bench: login " << user << " failed: "
                << (r.ok() ? std::to_string(r->status) + " " + r->body : r.status().ToString())
                << "\n";
      return "";
    }
    return nlohmann::json::parse(r->body, nullptr, false).value("token", "");
  };
  std::string admin = login("admin");
  if (admin.empty()) return "";
  std::string csv = std::string("login,display_name,role,unit_code,password,phone\n") +
                    "benchagent,压测话务员,agent,CENTER," + kPassword + ",\n";
  auto r = c.Send("POST", "/api/v1/users",
                  {{"Authorization", "Bearer " + admin}, {"Content-Type", "text/csv"}}, csv);
  if (!r.ok() || r->status >= 300) {
    std::cerr << "intake_bench: creating the agent failed ("
              << (r.ok() ? std::to_string(r->status) + " " + r->body : r.status().ToString())
              << "); posting as admin\n";
    return admin;
  }
  std::string agent = login("benchagent");
  return agent.empty() ? admin : agent;
}

// ------------------------------------------------------------------ SQLite baselines

const char* kSchema =
    "CREATE TABLE IF NOT EXISTS orders(id INTEGER PRIMARY KEY, idem_key TEXT UNIQUE, "
    "created_at INTEGER, state TEXT, body TEXT)";

sqlite3* OpenDb(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                             SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::cerr << "intake_bench: cannot open " << path << "\n";
    std::exit(1);
  }
  sqlite3_busy_timeout(db, 60000);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
  sqlite3_exec(db, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
  return db;
}

bool Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::cerr << "intake_bench: " << sql << ": " << (err ? err : "?") << "\n";
    sqlite3_free(err);
    return false;
  }
  return true;
}

// `threads` threads, each with its own connection, insert `rows` rows in all, one row per
// transaction (BEGIN IMMEDIATE; INSERT; COMMIT). Returns rows/s.
double SqliteRowPerTxn(const std::string& path, int threads, int rows, const std::string& tmpl) {
  {
    sqlite3* db = OpenDb(path);
    Exec(db, kSchema);
    sqlite3_close(db);
  }
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&] {
      sqlite3* db = OpenDb(path);
      sqlite3_stmt* ins = nullptr;
      sqlite3_prepare_v2(db, "INSERT INTO orders(idem_key, created_at, state, body) VALUES(?,?,?,?)",
                         -1, &ins, nullptr);
      for (int n; (n = next.fetch_add(1)) < rows;) {
        std::string key = "row-" + std::to_string(n), body = Substitute(tmpl, n);
        if (!Exec(db, "BEGIN IMMEDIATE")) { failed = true; break; }
        sqlite3_bind_text(ins, 1, key.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 2, n);
        sqlite3_bind_text(ins, 3, "received", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, body.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE) failed = true;
        sqlite3_reset(ins);
        if (!Exec(db, "COMMIT")) { failed = true; break; }
      }
      sqlite3_finalize(ins);
      sqlite3_close(db);
    });
  }
  for (auto& t : ts) t.join();
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (failed) std::cerr << "intake_bench: the row-per-transaction baseline had errors\n";
  return rows / s;
}

// One thread, `batch` rows per transaction. Returns rows/s.
double SqliteBatched(const std::string& path, int rows, int batch, const std::string& tmpl) {
  sqlite3* db = OpenDb(path);
  Exec(db, kSchema);
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO orders(idem_key, created_at, state, body) VALUES(?,?,?,?)",
                     -1, &ins, nullptr);
  auto t0 = Clock::now();
  for (int n = 0; n < rows;) {
    Exec(db, "BEGIN IMMEDIATE");
    for (int i = 0; i < batch && n < rows; ++i, ++n) {
      std::string key = "batch-" + std::to_string(n), body = Substitute(tmpl, n);
      sqlite3_bind_text(ins, 1, key.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(ins, 2, n);
      sqlite3_bind_text(ins, 3, "received", -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 4, body.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_step(ins);
      sqlite3_reset(ins);
    }
    Exec(db, "COMMIT");
  }
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  sqlite3_finalize(ins);
  sqlite3_close(db);
  return rows / s;
}

void Line(const std::string& name, double value, const char* unit) {
  std::printf("bench: %s value=%.2f unit=%s\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

}  // namespace
}  // namespace hotline::bench

int main(int argc, char** argv) {
  using namespace hotline::bench;
  CLI::App app{"intake_bench: durable order intake over HTTP vs SQLite baselines"};
  std::string binary = HOTLINE_BINARY, data, dir;
  std::uint64_t requests = 20000, warmup = 1000;
  std::vector<int> conns = {32, 64};
  int baseline_rows = 2000, batch_rows = 100000;
  bool skip_engine = false;
  app.add_option("--hotline", binary, "the hotline binary")->capture_default_str();
  app.add_option("--data", data, "the repository's data/ directory (passed to hotline)");
  app.add_option("--dir", dir, "where to put the temporary stores (default: a new temp dir)");
  app.add_option("--requests", requests, "orders posted per connection count")->capture_default_str();
  app.add_option("--warmup", warmup, "orders posted before measuring")->capture_default_str();
  app.add_option("--connections", conns, "connection counts to measure")->capture_default_str();
  app.add_option("--baseline-rows", baseline_rows, "rows for the row-per-transaction baseline")
      ->capture_default_str();
  app.add_option("--batch-rows", batch_rows, "rows for the batched baseline")->capture_default_str();
  app.add_flag("--baseline-only", skip_engine, "measure only the SQLite baselines");
  CLI11_PARSE(app, argc, argv);

  namespace fs = std::filesystem;
  bool own_dir = dir.empty();
  if (own_dir) {
    std::string t = (fs::temp_directory_path() / "intake_bench.XXXXXX").string();
    if (!mkdtemp(t.data())) return 1;
    dir = t;
  }
  const std::string tmpl = OrderTemplate();
  int rc = 0;

  // Baselines first (they do not depend on the server), one fresh file each.
  std::map<int, double> row_per_txn;
  // One thread alone: the fsync rate without lock contention.
  Line("engine.sqlite_row_per_txn_t1",
       SqliteRowPerTxn(dir + "/rows_t1.db", 1, baseline_rows, tmpl), "rows/s");
  for (int c : conns) {
    row_per_txn[c] = SqliteRowPerTxn(dir + "/rows_t" + std::to_string(c) + ".db", c,
                                     baseline_rows, tmpl);
    Line("engine.sqlite_row_per_txn_t" + std::to_string(c), row_per_txn[c], "rows/s");
  }
  double batched = SqliteBatched(dir + "/batch.db", batch_rows, 1000, tmpl);
  Line("engine.sqlite_batch_1000", batched, "rows/s");

  if (!skip_engine) {
    const std::string db = dir + "/hotline.db";
    std::vector<std::string> init = {binary, "init", "--db", db, "--admin-password", kPassword};
    if (!data.empty()) init.insert(init.end(), {"--data", data});
    if (RunCommand(init) != 0) {
      std::cerr << "intake_bench: `" << binary << " init` failed\n";
      return 1;
    }
    ServerChild server;
    if (!server.Start(binary, db, data)) {
      std::cerr << "intake_bench: `" << binary << " serve` did not start\n";
      return 1;
    }
    std::string token = AgentToken(server.port());
    if (token.empty()) return 1;

    LoadOptions lo;
    lo.port = server.port();
    lo.method = "POST";
    lo.path = "/api/v1/orders";
    lo.headers = {{"Authorization", "Bearer " + token},
                  {"Content-Type", "application/json"},
                  {"Idempotency-Key", "bench-{n}"}};
    lo.body = tmpl;
    lo.duration = std::chrono::milliseconds(0);
    lo.timeout = std::chrono::seconds(30);
    std::uint64_t n = 1;
    if (warmup > 0) {
      lo.connections = conns.front();
      lo.requests = warmup;
      lo.first_n = n;
      RunLoad(lo);
      n += warmup;
    }
    for (int c : conns) {
      lo.connections = c;
      lo.requests = requests;
      lo.first_n = n;
      n += requests;
      LoadResult r = RunLoad(lo);
      if (!r.status.ok()) {
        std::cerr << "intake_bench: " << r.status.ToString() << "\n";
        return 1;
      }
      std::string name = "engine.intake_http_c" + std::to_string(c);
      double base = row_per_txn[c];
      std::printf(
          "bench: %s value=%.2f unit=orders/s baseline=engine.sqlite_row_per_txn "
          "baseline_value=%.2f ratio=%.2f\n",
          name.c_str(), r.requests_per_second, base, base > 0 ? r.requests_per_second / base : 0);
      Line(name + "_p50", r.p50_ms, "ms");
      Line(name + "_p99", r.p99_ms, "ms");
      Line(name + "_max", r.max_ms, "ms");
      if (r.non_2xx || r.socket_errors) {
        std::cerr << "intake_bench: " << name << ": " << r.non_2xx << " non-2xx replies, "
                  << r.socket_errors << " socket errors; " << r.first_error << "\n"
                  << r.ToJson() << "\n";
        rc = 1;
      }
    }
    // Every acknowledged request must be an order in the store (idempotency keys are unique).
    {
      hotline::api::HttpClient c("127.0.0.1", server.port());
      auto r = c.Send("GET", "/api/v1/orders?page_size=1", {{"Authorization", "Bearer " + token}});
      auto j = r.ok() ? nlohmann::json::parse(r->body, nullptr, false) : nlohmann::json();
      const std::uint64_t want = n - 1;
      if (!j.is_object() || !j.contains("total") || j["total"].get<std::uint64_t>() != want) {
        std::cerr << "intake_bench: expected " << want << " orders in the store, found "
                  << (j.is_object() && j.contains("total") ? j["total"].dump() : "?") << "\n";
        rc = 1;
      }
    }
    server.Stop();
  }
  if (own_dir) fs::remove_all(dir);
  return rc;
}
