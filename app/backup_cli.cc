#include "app/backup_cli.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "service/store_verify.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_backup.h"
#include "store/sqlite/sqlite_store.h"

namespace hotline {
namespace {

int Usage(const std::string& what) {
  std::cerr << "hotline: " << what << "\n";
  return 2;
}

int Failed(const Status& st) {
  std::cerr << "hotline: " << st.ToString() << "\n";
  return st.code() == Code::kInvalidArgument ? 2 : 1;
}

}  // namespace

int RunBackupCli(int argc, char** argv) {
  CLI::App app{"an online, consistent copy of a SQLite store, taken while the server writes"};
  std::string db, out;
  app.add_option("--db", db, "the store (SQLite file)")->required();
  app.add_option("--out", out, "the copy to write (must not exist)")->required();
  CLI11_PARSE(app, argc, argv);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = BackupSqliteStore(db, out);
  if (!r.ok()) return Failed(r.status());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "backed up " << db << " to " << out << ": " << r->pages << " pages, "
            << r->bytes / (1024 * 1024) << " MiB in " << s << " s" << std::endl;
  return 0;
}

int RunVerifyCli(int argc, char** argv) {
  CLI::App app{"check that a store (e.g. a backup) is sound and can be served"};
  std::string db, pg, data_dir = HOTLINE_SOURCE_DATA_DIR;
  app.add_option("--db", db, "the store (SQLite file)");
  app.add_option("--pg", pg, "PostgreSQL conninfo, instead of --db");
  app.add_option("--data", data_dir, "the repository's data/ directory")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (db.empty() == pg.empty()) return Usage("give one of --db FILE or --pg CONNINFO");
  std::vector<std::string> problems;
  if (!db.empty()) {
    if (!std::filesystem::exists(db)) return Usage(db + " does not exist");
    auto file = CheckSqliteFile(db);
    if (!file.ok()) return Failed(file.status());
    problems = *file;
    if (!problems.empty()) {
      // A damaged file is not opened by the engine (it could make things worse).
      for (const auto& p : problems) std::cout << "problem: " << p << "\n";
      std::cout << db << ": NOT sound (" << problems.size() << " problems)" << std::endl;
      return 1;
    }
    std::cout << "file: integrity_check ok, foreign_key_check ok, schema version known"
              << std::endl;
  }
  const std::string name = pg.empty() ? db : "the PostgreSQL store";
  // A store the engine cannot read through (a damaged document, an undecodable order) is not
  // sound either: said as a problem, not as a crash of the check.
  auto unsound = [&](const Status& st) {
    std::cout << "problem: " << st.ToString() << "\n"
              << name << ": NOT sound (the engine cannot read it)" << std::endl;
    return 1;
  };
  auto store = pg.empty() ? OpenSqliteStore(db) : OpenPostgresStore(pg);
  if (!store.ok()) return unsound(store.status());
  SystemClock clock;
  auto r = VerifyStore(**store, clock, data_dir + "/calendar/cn_holidays.json", &std::cerr);
  if (!r.ok()) return unsound(r.status());
  for (const auto& p : r->problems) std::cout << "problem: " << p << "\n";
  std::cout << name << ": " << r->orders << " orders, " << r->events << " events replayed, "
            << r->kpi_counters_checked
            << " KPI counters recounted: " << (r->problems.empty() ? "sound" : "NOT sound")
            << std::endl;
  return r->problems.empty() ? 0 : 1;
}

}  // namespace hotline
