// hotline: the command-line front door. The only place that knows every part.
//   hotline init   --db FILE --admin-password PW      a new, empty store
//   hotline serve  --db FILE --port N                 serve an existing store
//   hotline demo   --db FILE --port N                 build the demo city if FILE is new, serve it
//   hotline generate --db FILE --orders N [--years Y]  a large demo-city history, in bulk
//   hotline classify train|eval|predict ...           the appeal classifier (docs/classifier.md)
//   hotline kb eval|search|check ...                  the knowledge base: search measured on
//                                                      labelled questions, tried (docs/kb.md)
//   hotline report --db FILE --month 2026-10 --out report.xlsx|csv   the monthly KPI report
//   hotline dispatch-report --db FILE --train-until D  replay later appeals through models
//                                                      trained on earlier ones (docs/dispatch.md)
//   hotline hotspots --input CSV --top 5              hotspots of an appeal CSV (docs/hotspots.md)
//   hotline duplicates eval|candidates                the duplicate detector on labelled pairs
//   hotline backup --db FILE --out COPY               an online, consistent copy (docs/deploy.md)
//   hotline verify --db COPY | --pg CONNINFO          a store's history replays and recounts
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "api/http_server.h"
#include "api/kpi_report.h"
#include "api/metrics.h"
#include "api/routes.h"
#include "app/appeals_cli.h"
#include "app/backup_cli.h"
#include "app/demo/demo_city.h"
#include "app/demo/history_models.h"
#include "app/file_clock.h"
#include "classify/classify_cli.h"
#include "domain/calendar.h"
#include "kb/kb_cli.h"
#include "service/bootstrap.h"
#include "service/hotline_service.h"
#include "service/password.h"
#include "service/scheduler.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace hotline {
namespace {

struct Common {
  std::string db = "hotline.db";
  std::string pg;  // PostgreSQL conninfo; when set, used instead of the SQLite file
  std::string data_dir = HOTLINE_SOURCE_DATA_DIR;
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string clock_file;
  std::string web_dir;
  int workers = 32;
  std::string model_dir;  // classifier models (subject.bin, nature.bin); docs/dispatch.md
  LoginOptions login;     // docs/access.md "Login"
  // Scheduled work (service/scheduler.h, docs/deploy.md): the tick, how often every node
  // reloads the knowledge entries other nodes changed, how often the leader expires entries.
  int tick_ms = 1000;
  int kb_refresh_seconds = 2;
  int kb_expire_seconds = 60;
  // Projection checkpoints (docs/storage.md "Projections").
  std::string state_dir;  // "" = FILE.projections for SQLite, none for PostgreSQL
  bool no_checkpoint = false;
  std::int64_t checkpoint_events = 20000, checkpoint_seconds = 300;
};

int Fail(const Status& st) {
  std::cerr << "hotline: " << st.ToString() << "\n";
  return st.code() == Code::kInvalidArgument ? 2 : 1;
}

std::unique_ptr<Clock> MakeClock(const Common& c) {
  if (!c.clock_file.empty()) return std::make_unique<FileClock>(c.clock_file);
  return std::make_unique<SystemClock>();
}

std::string CalendarPath(const Common& c) { return c.data_dir + "/calendar/cn_holidays.json"; }

int Serve(const Common& c, Store& store, const Clock& clock, const std::string& banner) {
  ServiceOptions so;
  so.model_dir = c.model_dir;
  so.login = c.login;
  // A login waiting for a verification slot holds a handler thread: leave most to the rest.
  so.login.max_waiting = std::min(so.login.max_waiting, c.workers / 4);
  if (!c.no_checkpoint)
    so.checkpoint_dir = !c.state_dir.empty() ? c.state_dir
                        : c.pg.empty()       ? c.db + ".projections"
                                             : "";
  so.checkpoint_every_events = c.checkpoint_events;
  so.checkpoint_every_seconds = c.checkpoint_seconds;
  auto svc = HotlineService::Open(store, clock, CalendarPath(c), so);
  if (!svc.ok()) return Fail(svc.status());
  std::cout << (*svc)->KpiFeedSummary() << std::endl;
  api::Router router;
  api::RegisterRoutes(router, **svc);
  // Scheduled work: each node follows the others; the lease holder runs what must run once.
  auto lease = store.OpenLease("scheduled-work");
  if (!lease.ok()) return Fail(lease.status());
  Scheduler scheduler(std::move(*lease), std::chrono::milliseconds(c.tick_ms));
  HotlineService& service = **svc;
  scheduler.Add({"kb-refresh", Scheduler::Where::kEveryNode,
                 std::chrono::seconds(c.kb_refresh_seconds),
                 [&service] { return service.KbRefresh(); }});
  scheduler.Add({"kb-expire", Scheduler::Where::kLeader, std::chrono::seconds(c.kb_expire_seconds),
                 [&service]() -> Status {
                   auto n = service.KbExpireDue();
                   if (n.ok() && *n > 0)
                     std::cout << "scheduler: kb-expire expired " << *n << " entries" << std::endl;
                   return n.ok() ? Status() : n.status();
                 }});
  api::HttpServer* running = nullptr;  // set before Start(); read by GET /api/v1/metrics
  api::RegisterMetrics(
      router, **svc, [&running] { return running ? running->Stats() : api::ServerStats{}; },
      &scheduler);
  api::ServerOptions opt;
  opt.host = c.host;
  opt.port = static_cast<std::uint16_t>(c.port);
  opt.worker_threads = c.workers;
  std::string web = c.web_dir;
  if (web.empty() && std::filesystem::exists(c.data_dir + "/../web/dist/index.html"))
    web = c.data_dir + "/../web/dist";
  opt.static_dir = web;

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  api::HttpServer server(opt, [&router](api::HttpRequest& r) { return router.Dispatch(r); });
  running = &server;
  Status st = server.Start();
  if (!st.ok()) return Fail(st);
  std::cout << "listening on http://" << c.host << ":" << server.port() << std::endl;
  scheduler.Start();
  if (!banner.empty()) {
    std::string text = banner;
    for (size_t at; (at = text.find("PORT")) != std::string::npos;)
      text.replace(at, 4, std::to_string(server.port()));
    std::cout << text << std::flush;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "stopping (signal " << sig << ")" << std::endl;
  scheduler.Stop();
  server.Stop();
  // The projections' checkpoint, so the next start replays nothing (docs/storage.md).
  Status ck = (*svc)->WriteCheckpoint();
  if (!ck.ok()) std::cerr << "hotline: checkpoint at shutdown: " << ck.ToString() << "\n";
  return 0;
}

// `hotline report`: the monthly KPI report of the whole district, as the API serves it.
int Report(const Common& c, Store& store, const std::string& month, const std::string& out) {
  SystemClock clock;
  auto svc = HotlineService::Open(store, clock, CalendarPath(c));
  if (!svc.ok()) return Fail(svc.status());
  auto range = analytics::ParseMonth(month);
  if (!range.ok()) return Fail(Invalid("--month", "--month must look like 2026-10"));
  const bool csv = out.size() > 4 && out.substr(out.size() - 4) == ".csv";
  if (!csv && !(out.size() > 5 && out.substr(out.size() - 5) == ".xlsx"))
    return Fail(Invalid("--out", "--out must end in .xlsx or .csv"));
  Actor office{0, Role::kAdmin, 0};
  for (const Unit& u : (*svc)->Units())
    if (!u.parent_id) office.unit_id = u.id;  // the root: the city or the district
  auto data = (*svc)->MonthlyReportData(office, *range);
  if (!data.ok()) return Fail(data.status());
  auto sheets = api::report::MonthlySheets(*data);
  std::string body;
  if (csv) {
    body = api::report::ToCsv(sheets);
  } else {
    auto x = api::report::ToXlsx(sheets, "12345热线考核月报 " + month);
    if (!x.ok()) return Fail(x.status());
    body = std::move(*x);
  }
  std::FILE* f = std::fopen(out.c_str(), "wb");
  if (!f || std::fwrite(body.data(), 1, body.size(), f) != body.size() || std::fclose(f) != 0)
    return Fail(Status(Code::kInternal, "cannot write " + out));
  std::cout << "wrote " << out << " (" << data->streets.rows.size() << " streets, "
            << data->departments.rows.size() << " departments, " << data->units.size()
            << " unit rows, " << data->subjects.size() << " subjects)" << std::endl;
  return 0;
}

Result<std::unique_ptr<Store>> Open(const Common& c) {
  if (!c.pg.empty()) return OpenPostgresStore(c.pg);
  return OpenSqliteStore(c.db);
}

// Whether the store already exists (SQLite: the file; PostgreSQL: it has units).
Result<bool> StoreExists(const Common& c) {
  if (c.pg.empty()) return std::filesystem::exists(c.db);
  HOTLINE_ASSIGN_OR_RETURN(auto store, OpenPostgresStore(c.pg));
  HOTLINE_ASSIGN_OR_RETURN(Id max_unit, store->MaxUnitId());
  return max_unit > 0;
}

// `hotline generate`: refuses bad options and an existing store before writing anything; on
// SQLite writes the new file in bulk mode (store/sqlite/sqlite_store.h) and leaves it an
// ordinary store; a failure leaves no file behind.
int Generate(const Common& c, demo::GenerateOptions g, const std::string& orders, bool force) {
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(orders.c_str(), &end, 10);
  if (orders.empty() || *end != 0 || errno != 0)
    return Fail(
        Invalid("--orders", "--orders must be a whole number >= 1 (got \"" + orders + "\")"));
  g.orders = n;
  g.data_dir = c.data_dir;
  g.calendar_path = CalendarPath(c);
  if (Status v = demo::ValidateGenerateOptions(g); !v.ok()) return Fail(v);
  const bool sqlite = c.pg.empty();
  if (sqlite && std::filesystem::exists(c.db)) {
    std::error_code ec;
    const bool empty_file = std::filesystem::file_size(c.db, ec) == 0 && !ec;
    if (!force && !empty_file) {
      std::cerr << "hotline: --db " << c.db
                << " already exists; generate writes a new store (add --force to replace it)\n";
      return 2;
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(c.db + suffix);
  }
  if (!sqlite) {
    auto exists = StoreExists(c);
    if (!exists.ok()) return Fail(exists.status());
    if (*exists) {
      std::cerr << "hotline: --pg: the PostgreSQL database already holds a store; generate "
                   "writes into an empty one\n";
      return 2;
    }
  }
  const auto started = std::chrono::steady_clock::now();
  SqliteOptions so;
  so.bulk_new_file = true;
  auto store = sqlite ? OpenSqliteStore(c.db, so) : OpenPostgresStore(c.pg);
  if (!store.ok()) return Fail(store.status());
  auto clock = MakeClock(c);
  auto report = demo::GenerateHistory(**store, *clock, g, std::cout, std::cerr, isatty(2) != 0);
  store->reset();
  Status st = report.ok() ? Status() : report.status();
  if (st.ok() && sqlite) st = FinishSqliteBulkLoad(c.db);
  if (!st.ok()) {
    if (sqlite)
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(c.db + suffix);
    return Fail(st);
  }
  // The rate counts everything: setup, simulation, writing, indexes and fsync.
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "generated " << report->orders << " orders, " << report->events << " events in "
            << secs << " s (" << static_cast<long long>(static_cast<double>(report->orders) / secs)
            << " orders/s; " << report->write_seconds << " s in BulkLoad, "
            << secs - report->seconds << " s finishing)";
  if (sqlite) {
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(c.db, ec);
    if (!ec)
      std::cout << "; " << bytes << " bytes, "
                << bytes / static_cast<std::uintmax_t>(report->orders) << " bytes per order";
  }
  std::cout << std::endl;
  return 0;
}

}  // namespace
}  // namespace hotline

int main(int argc, char** argv) {
  using namespace hotline;
  // `hotline classify train|eval|predict ...` has its own command line (classify/classify_cli.h).
  if (argc >= 2 && std::string_view(argv[1]) == "classify")
    return classify::RunClassifyCli(argc - 1, argv + 1);
  // `hotline kb eval ...`: knowledge-base search on labelled questions (kb/kb_cli.h).
  if (argc >= 2 && std::string_view(argv[1]) == "kb") return kb::RunKbCli(argc - 1, argv + 1);
  // `hotline hotspots ...` and `hotline duplicates ...` (app/appeals_cli.h).
  if (argc >= 2 && std::string_view(argv[1]) == "hotspots")
    return RunHotspotsCli(argc - 1, argv + 1);
  if (argc >= 2 && std::string_view(argv[1]) == "duplicates")
    return RunDuplicatesCli(argc - 1, argv + 1);
  // `hotline backup ...` and `hotline verify ...` (app/backup_cli.h).
  if (argc >= 2 && std::string_view(argv[1]) == "backup") return RunBackupCli(argc - 1, argv + 1);
  if (argc >= 2 && std::string_view(argv[1]) == "verify") return RunVerifyCli(argc - 1, argv + 1);
  CLI::App app{"hotline: 12345 citizen hotline and grid governance engine"};
  app.require_subcommand(1);
  Common c;
  auto add_common = [&](CLI::App* sub, bool serving) {
    sub->add_option("--db", c.db, "SQLite store file")->capture_default_str();
    sub->add_option("--pg", c.pg,
                    "PostgreSQL conninfo (e.g. \"host=127.0.0.1 dbname=hotline\"); "
                    "replaces --db");
    sub->add_option("--data", c.data_dir, "the repository's data/ directory")
        ->capture_default_str();
    if (serving) {
      sub->add_option("--host", c.host, "address to listen on")->capture_default_str();
      sub->add_option("--port", c.port, "port (0 = any free port)")
          ->capture_default_str()
          ->check(CLI::Range(0, 65535));
      sub->add_option("--clock-file", c.clock_file,
                      "tests: read 'now' (epoch seconds) from this file");
      sub->add_option("--web", c.web_dir, "directory of the built web UI to serve under /");
      sub->add_option("--workers", c.workers, "handler threads")
          ->capture_default_str()
          ->check(CLI::Range(1, 512));
      sub->add_option("--login-lock-after", c.login.lock_after_failures,
                      "consecutive failed logins that lock an account")
          ->capture_default_str()
          ->check(CLI::Range(1, 1000000));
      sub->add_option("--login-lock-seconds", c.login.lock_seconds, "how long a login lock lasts")
          ->capture_default_str()
          ->check(CLI::Range(1, 365 * 86400));
      sub->add_option("--login-slots", c.login.max_concurrent_verifications,
                      "password verifications at once (0 = the number of cores, at most 4)")
          ->capture_default_str()
          ->check(CLI::Range(0, 64));
      sub->add_option("--tick-ms", c.tick_ms, "scheduled work: how often it looks for due jobs")
          ->capture_default_str()
          ->check(CLI::Range(50, 60000));
      sub->add_option("--kb-refresh-seconds", c.kb_refresh_seconds,
                      "every node: reload the knowledge entries other nodes changed")
          ->capture_default_str()
          ->check(CLI::Range(1, 3600));
      sub->add_option("--kb-expire-seconds", c.kb_expire_seconds,
                      "the leader: expire knowledge entries past their validity")
          ->capture_default_str()
          ->check(CLI::Range(1, 86400));
      sub->add_option("--model-dir", c.model_dir,
                      "directory of the classifier models subject.bin and nature.bin "
                      "(demo default: FILE.models, trained on the demo history)");
      sub->add_option("--state-dir", c.state_dir,
                      "directory of the projection checkpoints (default: FILE.projections for "
                      "SQLite; none for PostgreSQL unless given)");
      sub->add_flag("--no-checkpoint", c.no_checkpoint,
                    "no projection checkpoints: every start rebuilds from the event log");
      sub->add_option("--checkpoint-events", c.checkpoint_events,
                      "write a checkpoint after this many events")
          ->capture_default_str()
          ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
      sub->add_option("--checkpoint-seconds", c.checkpoint_seconds,
                      "...or after this many seconds with any event")
          ->capture_default_str()
          ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40));
    }
  };

  BootstrapOptions boot;
  auto* init = app.add_subcommand("init", "create a new, empty store with the first admin");
  add_common(init, false);
  init->add_option("--admin-password", boot.admin_password, "password of the admin user")
      ->required();
  init->add_option("--district-code", boot.district_code,
                   "the root: a district, or a city when the code ends in 00 (e.g. 370100)")
      ->capture_default_str();
  init->add_option("--center-name", boot.center_name, "the root's hotline centre")
      ->capture_default_str();
  init->add_option("--min-password-length", boot.min_password_length,
                   "the store's minimum password length (code points)")
      ->capture_default_str()
      ->check(CLI::Range(kLowestMinPasswordLength, 128));
  init->add_option("--district-name", boot.district_name)->capture_default_str();

  auto* serve = app.add_subcommand("serve", "serve an existing store over HTTP");
  add_common(serve, true);

  demo::DemoOptions demo_opt;
  bool no_serve = false;
  auto* demo_cmd =
      app.add_subcommand("demo", "build the demo city (if the store is new) and serve it");
  add_common(demo_cmd, true);
  demo_cmd->add_option("--months", demo_opt.months, "months of history")
      ->capture_default_str()
      ->check(CLI::Range(0, 36));
  demo_cmd->add_option("--per-day", demo_opt.per_day, "average appeals per day")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  demo_cmd->add_option("--seed", demo_opt.seed, "random seed")->capture_default_str();
  demo_cmd->add_flag("--no-serve", no_serve, "build the demo store and exit");

  demo::GenerateOptions gen_opt;
  std::string gen_orders;
  bool gen_force = false;
  auto* gen_cmd = app.add_subcommand(
      "generate", "write a large history of the demo city into a new store, in bulk");
  add_common(gen_cmd, false);
  gen_cmd->add_option("--orders", gen_orders, "how many orders (appeals)")->required();
  gen_cmd->add_option("--years", gen_opt.years, "years of history, ending now (1-10)")
      ->capture_default_str();
  gen_cmd->add_option("--seed", gen_opt.seed, "random seed")->capture_default_str();
  gen_cmd->add_option("--batch", gen_opt.batch, "orders per transaction")->capture_default_str();
  gen_cmd->add_flag("--force", gen_force, "replace an existing SQLite file");
  gen_cmd->add_option("--clock-file", c.clock_file,
                      "tests: the history ends at this 'now' (epoch seconds in the file)");

  // `hotline admin reset`: the way back when no admin can log in (all disabled, demoted or
  // their passwords lost). Works on the store itself; stop the server first.
  std::string reset_login = "admin", reset_password;
  auto* admin_cmd = app.add_subcommand("admin", "recovery of administrator access");
  auto* reset_cmd = admin_cmd->add_subcommand(
      "reset", "re-enable an admin account with a new password (stop the server first)");
  admin_cmd->require_subcommand(1);
  add_common(reset_cmd, false);
  reset_cmd->add_option("--login", reset_login, "the admin's login")->capture_default_str();
  reset_cmd->add_option("--password", reset_password, "the new password")->required();

  std::string report_month, report_out;
  auto* report_cmd = app.add_subcommand("report", "write the monthly KPI report (.xlsx or .csv)");
  add_common(report_cmd, false);
  report_cmd->add_option("--month", report_month, "the month, e.g. 2026-10")->required();
  report_cmd->add_option("--out", report_out, "output file: report.xlsx or report.csv")->required();
  std::string train_until;
  std::string thresholds;
  auto* report = app.add_subcommand(
      "dispatch-report",
      "train on the orders received before --train-until, replay the later ones through the "
      "classifier and the dispatch catalogue, print auto-dispatch figures per threshold");
  add_common(report, false);
  report->add_option("--train-until", train_until, "local date YYYY-MM-DD")->required();
  report->add_option("--thresholds", thresholds, "comma list, e.g. 0.5,0.8,0.9");

  CLI11_PARSE(app, argc, argv);

  if (gen_cmd->parsed()) return Generate(c, gen_opt, gen_orders, gen_force);

  auto exists = StoreExists(c);
  if (!exists.ok()) return Fail(exists.status());
  const std::string where = c.pg.empty() ? c.db : "the PostgreSQL database";
  if (init->parsed()) {
    if (*exists) {
      std::cerr << "hotline: " << where << " already exists; refusing to initialise it again\n";
      return 2;
    }
    auto store = Open(c);
    if (!store.ok()) return Fail(store.status());
    Status st = Bootstrap(**store, boot);
    if (!st.ok()) {
      // Nothing half-made stays behind: a corrected `init` must be able to run.
      store->reset();
      if (c.pg.empty())
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(c.db + suffix);
      return Fail(st);
    }
    std::cout << "initialised " << where << " (root " << boot.district_code << ", user "
              << boot.admin_login << ")" << std::endl;
    return 0;
  }

  if (reset_cmd->parsed()) {
    if (!*exists) {
      std::cerr << "hotline: " << where << " does not exist\n";
      return 2;
    }
    auto store = Open(c);
    if (!store.ok()) return Fail(store.status());
    auto done = ResetAdmin(**store, reset_login, reset_password);
    if (!done.ok()) return Fail(done.status());
    std::cout << "admin " << reset_login << " (user " << *done
              << ") is active with the new password; restart the server" << std::endl;
    return 0;
  }

  if (report_cmd->parsed()) {
    if (!*exists) {
      std::cerr << "hotline: " << where << " does not exist\n";
      return 2;
    }
    auto store = Open(c);
    if (!store.ok()) return Fail(store.status());
    return Report(c, **store, report_month, report_out);
  }

  auto clock = MakeClock(c);
  if (report->parsed()) {
    if (!*exists) {
      std::cerr << "hotline: " << where << " does not exist\n";
      return 2;
    }
    demo::ReportOptions ro;
    ro.calendar_path = CalendarPath(c);
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (std::sscanf(train_until.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 ||
        m > 12 || d < 1 || d > 31) {
      std::cerr << "hotline: --train-until must be a date YYYY-MM-DD (got \"" << train_until
                << "\")\n";
      return 2;
    }
    // Local (Beijing, UTC+8) midnight.
    ro.train_until = DaysFromCivil(CivilDate{y, m, d}) * 86400 - 8 * 3600;
    if (!thresholds.empty()) {
      ro.thresholds.clear();
      for (size_t at = 0; at <= thresholds.size();) {
        size_t end = thresholds.find(',', at);
        if (end == std::string::npos) end = thresholds.size();
        char* stop = nullptr;
        std::string part = thresholds.substr(at, end - at);
        double v = std::strtod(part.c_str(), &stop);
        if (part.empty() || *stop != 0 || !(v > 0 && v <= 1)) {
          std::cerr << "hotline: --thresholds must be numbers in (0, 1] (got \"" << part << "\")\n";
          return 2;
        }
        ro.thresholds.push_back(v);
        at = end + 1;
      }
    }
    auto store = Open(c);
    if (!store.ok()) return Fail(store.status());
    Status st = demo::DispatchReport(**store, *clock, ro, std::cout);
    return st.ok() ? 0 : Fail(st);
  }
  if (serve->parsed()) {
    if (!*exists) {
      std::cerr << "hotline: " << where << " does not exist; create it with `hotline init` or "
                << "`hotline demo`\n";
      return 2;
    }
    auto store = Open(c);
    if (!store.ok()) return Fail(store.status());
    return Serve(c, **store, *clock, "");
  }

  // demo
  bool fresh = !*exists;
  auto store = Open(c);
  if (!store.ok()) return Fail(store.status());
  demo_opt.data_dir = c.data_dir;
  demo_opt.calendar_path = CalendarPath(c);
  if (fresh) {
    Status st = demo::BuildDemo(**store, *clock, demo_opt, std::cout);
    if (!st.ok()) {
      store->reset();
      if (c.pg.empty())
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(c.db + suffix);
      return Fail(st);
    }
  } else {
    std::cout << c.db << " exists: serving it as it is (delete it to build a new demo)"
              << std::endl;
  }
  // The demo serves with models trained on its own first months (all but the last 30 days).
  if (c.model_dir.empty()) {
    c.model_dir =
        std::filesystem::absolute((c.pg.empty() ? c.db : std::string("demo-pg")) + ".models")
            .string();
    if (!std::filesystem::exists(c.model_dir + "/subject.bin")) {
      std::cout << "training the classifier on the demo history" << std::endl;
      Status st =
          demo::TrainHistoryModels(**store, clock->Now() - 30 * 86400, c.model_dir, std::cout);
      if (!st.ok()) {
        std::cout << "  no models: " << st.ToString() << std::endl;
        c.model_dir.clear();
      }
    }
  }
  if (no_serve) return 0;
  return Serve(c, **store, *clock, demo::LoginsBanner(**store));
}
