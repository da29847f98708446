// analytics_bench: the dashboard's questions over a generated 3-year history
// (default 10,000,000 orders) answered by analytics::KpiEngine while a writer
// thread keeps applying intake/transition events, beside the same questions
// in SQL over the same rows in SQLite (file, WAL, indexes) and PostgreSQL 15
// (a throwaway cluster, COPY, indexes) measured in the same run.
//   analytics_bench [--orders N] [--iterations N] [--sql-iterations N] [--rate EV_PER_S]
//                   [--seed S] [--no-sqlite] [--no-postgres] [--data DIR (unused)]
// docs/benchmarks.md "analytics" defines the query set and the figures.
// Every SQL answer is compared with the engine's (before the writer starts);
// a difference is printed and the run fails (exit 1).
#include <sqlite3.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <thread>

#include "analytics/kpi_engine.h"
#include "bench/analytics_gen.h"

#ifdef HOTLINE_HAVE_LIBPQ
#include <libpq-fe.h>

#include "store/postgres/test_cluster.h"
#endif

using namespace hotline;
using namespace hotline::analytics;
using hotline::bench::GenOrder;
using Steady = std::chrono::steady_clock;

namespace {

double Seconds(Steady::time_point t0) {
  return std::chrono::duration<double>(Steady::now() - t0).count();
}
double Ms(Steady::time_point t0) { return Seconds(t0) * 1000; }

long RssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

std::string Fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f" : v >= 1 ? "%.3g" : "%.3f", v);
  return buf;
}

void Line(const std::string& name, double value, const std::string& unit,
          const std::string& baseline = "", double baseline_value = 0,
          bool lower_is_better = false) {
  std::cout << "bench: analytics." << name << " value=" << Fmt(value) << " unit=" << unit;
  if (!baseline.empty() && baseline_value > 0 && value > 0)
    std::cout << " baseline=analytics." << baseline << " baseline_value=" << Fmt(baseline_value)
              << " ratio="
              << Fmt(lower_is_better ? baseline_value / value : value / baseline_value);
  std::cout << "\n" << std::flush;
}

struct Pct {
  double p50 = 0, p99 = 0, max = 0;
};
Pct Percentiles(std::vector<double> v) {
  Pct p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    size_t i = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
    return v[std::min(i, v.size() - 1)];
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = v.back();
  return p;
}

// ---------------------------------------------------------------------------
// The dashboard's questions (docs/benchmarks.md "analytics"), for month M:
//  Q1 district 三率 (response, resolution, satisfaction) for M and the month before  (/dashboard
//  rates, /kpis compare) Q2 street ranking by composite score, M and the month before
//  (previous_rank)        (/rankings kind=street) Q3 department ranking, M and the month before
//  (/rankings kind=department) Q4 三量 per street, M against the month before, all_fell (/volumes,
//  /dashboard three) Q5 unique intakes per channel per day, the 30 days ending with M's last day
//  (/dashboard trend) Q6 unique intakes per grid in M (the map) (/kpis group=grid) Q7 red lights:
//  open orders past due at the cut-off, per street                       (/dashboard lights)
// Each answer is reduced to integers so the engine and SQL can be compared exactly.
constexpr int kQueries = 7;
const char* kQueryNames[kQueries] = {"district_rates", "street_ranking", "department_ranking",
                                     "three_volumes",  "trend_30d",      "grid_map",
                                     "red_lights"};
using Answer = std::vector<std::int64_t>;

// The counters the three rates and the composite read.
void PushRates(const Counters& c, Answer& a) {
  for (Counter k : {Counter::kAssigned, Counter::kResponseNum, Counter::kResponseDen,
                    Counter::kReplied, Counter::kResolved})
    a.push_back(c[k]);
  for (int r = 0; r < 6; ++r) a.push_back(c.ByRating(static_cast<Rating>(r)));
}

// Ranks as Rank() assigns them, from per-unit counters (the SQL side).
std::vector<std::pair<Id, int>> RankOf(const std::map<Id, Counters>& by_unit,
                                       const std::vector<Id>& units, const KpiConfig& cfg) {
  struct R {
    Id id;
    std::optional<double> score;
  };
  std::vector<R> rows;
  for (Id u : units) {
    auto it = by_unit.find(u);
    Counters c = it == by_unit.end() ? Counters{} : it->second;
    R r{u, std::nullopt};
    if (c[Counter::kAssigned] >= cfg.min_assigned) r.score = CompositeScore(c, cfg);
    rows.push_back(r);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const R& a, const R& b) {
    if (a.score.has_value() != b.score.has_value()) return a.score.has_value();
    if (a.score && *a.score != *b.score) return *a.score > *b.score;
    return a.id < b.id;
  });
  std::vector<std::pair<Id, int>> out;
  for (size_t i = 0; i < rows.size(); ++i) {
    int rank = 0;
    if (rows[i].score)
      rank = (i > 0 && rows[i - 1].score == rows[i].score) ? out[i - 1].second
                                                           : static_cast<int>(i) + 1;
    out.push_back({rows[i].id, rank});
  }
  return out;
}

struct Setup {
  bench::Org org;
  KpiConfig cfg;
  Day cut_day = 0;  // the last day of the loaded history (red lights at its end)
  Timestamp cut_off = 0;
};

// --- the engine side --------------------------------------------------------
Answer EngineQuery(int q, const KpiEngine& e, std::shared_mutex& mu, const Setup& s, DayRange m) {
  std::shared_lock lock(mu);
  Answer a;
  const DayRange prev = PreviousRange(m);
  switch (q) {
    case 0: {
      PeriodChange pc = e.Compare(s.org.district, m, s.cfg);
      PushRates(pc.current.counters, a);
      PushRates(pc.previous.counters, a);
      break;
    }
    case 1:
    case 2: {
      UnitKind kind = q == 1 ? UnitKind::kStreet : UnitKind::kDepartment;
      for (DayRange r : {m, prev})
        for (const RankRow& row : e.Rank(kind, r, s.cfg)) {
          a.push_back(row.unit_id);
          a.push_back(row.rank);
          PushRates(row.report.counters, a);
        }
      break;
    }
    case 3:
      for (const VolumeTrendRow& v : e.VolumeTrend(UnitKind::kStreet, m, s.cfg))
        a.insert(a.end(),
                 {v.unit_id, v.hotline_complaints, v.online_opinion, v.petition,
                  v.prev_hotline_complaints, v.prev_online_opinion, v.prev_petition, v.all_fell});
      break;
    case 4:
      for (Day d = m.to - 30; d < m.to; ++d) {
        std::vector<Counters> by = e.SumByChannel(s.org.district, {d, d + 1});
        for (const Counters& c : by) a.push_back(c[Counter::kReceived] - c[Counter::kDuplicates]);
      }
      break;
    case 5:
      for (Id g : s.org.grids) {
        Counters c = e.Sum(g, m);
        a.push_back(c[Counter::kReceived] - c[Counter::kDuplicates]);
      }
      break;
    case 6:
      for (Id st : s.org.streets) a.push_back(e.OverdueAtEndOf(st, s.cut_day));
      break;
  }
  return a;
}

// --- the SQL side (one interface for SQLite and PostgreSQL) -----------------
class Sql {
 public:
  virtual ~Sql() = default;
  // Rows of integers (NULL -> -1).
  virtual bool Query(const std::string& sql, std::vector<std::vector<std::int64_t>>& rows,
                     std::string& why) = 0;
};

std::string Str(std::int64_t v) { return std::to_string(v); }

// Rate counters per unit from SQL: (unit, period flag) -> Counters.
// The day index drives (CROSS JOIN keeps SQLite's join order; PostgreSQL plans freely);
// each row's unit is rolled up through the closure table unit_tree.
bool SqlRates(Sql& db, const std::string& unit_join, const std::string& unit_where, DayRange m,
              std::map<std::pair<Id, int>, Counters>& out, std::string& why) {
  const DayRange prev = PreviousRange(m);
  std::vector<std::vector<std::int64_t>> rows;
  const std::string cur = Str(m.from), from = Str(prev.from), to = Str(m.to);
  if (!db.Query("SELECT t.ancestor_id, CASE WHEN a.day >= " + cur +
                    " THEN 1 ELSE 0 END AS cur, COUNT(*), SUM(a.counted), SUM(a.signed_on_time)"
                    " FROM assignments a CROSS JOIN unit_tree t " +
                    unit_join + " WHERE t.unit_id = a.unit_id " + unit_where +
                    " AND a.day >= " + from + " AND a.day < " + to + " GROUP BY 1, 2",
                rows, why))
    return false;
  for (auto& r : rows) {
    Counters& c = out[{r[0], static_cast<int>(r[1])}];
    c[Counter::kAssigned] = r[2];
    c[Counter::kResponseDen] = r[3];
    c[Counter::kResponseNum] = r[4];
  }
  rows.clear();
  if (!db.Query("SELECT t.ancestor_id, CASE WHEN e.day >= " + cur +
                    " THEN 1 ELSE 0 END AS cur, e.action, e.rating, COUNT(*), SUM(e.resolved)"
                    " FROM events e CROSS JOIN unit_tree t " +
                    unit_join + " WHERE t.unit_id = e.unit_id " + unit_where +
                    " AND e.action IN ('reply', 'callback') AND e.day >= " + from +
                    " AND e.day < " + to + " GROUP BY 1, 2, 3, 4",
                rows, why))
    return false;
  for (auto& r : rows) {
    Counters& c = out[{r[0], static_cast<int>(r[1])}];
    if (r[2] == 0) {  // reply (actions are returned as 0 = reply, 1 = callback, see Query)
      c[Counter::kReplied] += r[4];
      c[Counter::kResolved] += r[5];
    } else if (r[3] >= 0) {
      c.v[static_cast<size_t>(Index(Counter::kRating, static_cast<int>(r[3])))] += r[4];
    }
  }
  return true;
}

bool SqlQuery(int q, Sql& db, const Setup& s, DayRange m, Answer& a, std::string& why) {
  const DayRange prev = PreviousRange(m);
  std::vector<std::vector<std::int64_t>> rows;
  switch (q) {
    case 0: {
      std::map<std::pair<Id, int>, Counters> by;
      if (!SqlRates(db, "", "AND t.ancestor_id = " + Str(s.org.district), m, by, why)) return false;
      PushRates(by[{s.org.district, 1}], a);
      PushRates(by[{s.org.district, 0}], a);
      return true;
    }
    case 1:
    case 2: {
      const char* kind = q == 1 ? "street" : "department";
      const std::vector<Id>& units = q == 1 ? s.org.streets : s.org.departments;
      std::map<std::pair<Id, int>, Counters> by;
      if (!SqlRates(db,
                    std::string("JOIN units u ON u.id = t.ancestor_id AND u.kind = '") + kind + "'",
                    "", m, by, why))
        return false;
      for (int cur : {1, 0}) {
        std::map<Id, Counters> one;
        for (auto& [k, c] : by)
          if (k.second == cur) one[k.first] = c;
        for (auto [id, rank] : RankOf(one, units, s.cfg)) {
          a.push_back(id);
          a.push_back(rank);
          PushRates(one[id], a);
        }
      }
      return true;
    }
    case 3: {
      // hotline complaints = channel hotline (0), natures complaint (2) / report (3);
      // online opinion = channel 5; petition = channel 6 (the default KpiConfig).
      if (!db.Query("SELECT street_id, CASE WHEN intake_day >= " + Str(m.from) +
                        " THEN 1 ELSE 0 END AS cur,"
                        " SUM(CASE WHEN channel = 0 AND nature IN (2, 3) THEN 1 ELSE 0 END),"
                        " SUM(CASE WHEN channel = 5 THEN 1 ELSE 0 END),"
                        " SUM(CASE WHEN channel = 6 THEN 1 ELSE 0 END)"
                        " FROM orders WHERE intake_day >= " +
                        Str(prev.from) + " AND intake_day < " + Str(m.to) +
                        " AND merged = 0 GROUP BY 1, 2",
                    rows, why))
        return false;
      std::map<std::pair<Id, int>, std::array<std::int64_t, 3>> v;
      for (auto& r : rows) v[{r[0], static_cast<int>(r[1])}] = {r[2], r[3], r[4]};
      for (Id st : s.org.streets) {
        auto c = v[{st, 1}], p = v[{st, 0}];
        a.insert(a.end(), {st, c[0], c[1], c[2], p[0], p[1], p[2],
                           c[0] < p[0] && c[1] < p[1] && c[2] < p[2]});
      }
      return true;
    }
    case 4: {
      if (!db.Query("SELECT intake_day, channel, COUNT(*) FROM orders WHERE intake_day >= " +
                        Str(m.to - 30) + " AND intake_day < " + Str(m.to) +
                        " AND merged = 0 GROUP BY 1, 2",
                    rows, why))
        return false;
      a.assign(300, 0);
      for (auto& r : rows) a[static_cast<size_t>((r[0] - (m.to - 30)) * 10 + r[1])] = r[2];
      return true;
    }
    case 5: {
      if (!db.Query("SELECT place_unit, COUNT(*) FROM orders WHERE intake_day >= " + Str(m.from) +
                        " AND intake_day < " + Str(m.to) + " AND merged = 0 GROUP BY 1",
                    rows, why))
        return false;
      std::unordered_map<Id, std::int64_t> n;
      for (auto& r : rows) n[r[0]] = r[1];
      for (Id g : s.org.grids) a.push_back(n.count(g) ? n[g] : 0);
      return true;
    }
    case 6: {
      if (!db.Query("SELECT t.ancestor_id, COUNT(*) FROM orders o CROSS JOIN unit_tree t"
                    " JOIN units u ON u.id = t.ancestor_id AND u.kind = 'street'"
                    " WHERE t.unit_id = o.lead_unit"
                    " AND o.state IN (1, 2, 3, 4) AND o.due_at > 0 AND o.due_at < " +
                        Str(s.cut_off) + " GROUP BY 1",
                    rows, why))
        return false;
      std::unordered_map<Id, std::int64_t> n;
      for (auto& r : rows) n[r[0]] = r[1];
      for (Id st : s.org.streets) a.push_back(n.count(st) ? n[st] : 0);
      return true;
    }
  }
  return false;
}

// --- SQLite -----------------------------------------------------------------
const char* kSchema =
    "CREATE TABLE units(id INTEGER PRIMARY KEY, parent_id INTEGER, kind TEXT NOT NULL, name TEXT);"
    "CREATE TABLE unit_tree(unit_id INTEGER NOT NULL, ancestor_id INTEGER NOT NULL,"
    " PRIMARY KEY(ancestor_id, unit_id));"
    "CREATE TABLE orders(id INTEGER PRIMARY KEY, channel INTEGER, nature INTEGER, subject1 INTEGER,"
    " place_unit BIGINT, street_id BIGINT, intake_day INTEGER, merged INTEGER, state INTEGER,"
    " lead_unit BIGINT, due_at BIGINT);"
    "CREATE TABLE events(order_id BIGINT NOT NULL, at BIGINT, day INTEGER, action TEXT,"
    " unit_id BIGINT, on_time INTEGER, resolved INTEGER, rating INTEGER);"
    "CREATE TABLE assignments(order_id BIGINT NOT NULL, unit_id BIGINT, day INTEGER,"
    " counted INTEGER, signed_on_time INTEGER);";
// The indexes a city IT department would create for these questions (covering where
// cheap). The order-history index (events by order_id) is left out: the questions do
// not use it, and it would only lengthen the loads.
const char* kIndexes[] = {
    "CREATE INDEX unit_tree_unit ON unit_tree(unit_id, ancestor_id)",
    "CREATE INDEX orders_intake ON orders(intake_day, merged, channel, nature, street_id, "
    "place_unit)",
    "CREATE INDEX orders_open ON orders(state, due_at, lead_unit)",
    "CREATE INDEX events_action_day ON events(action, day, unit_id, resolved, rating)",
    "CREATE INDEX assignments_day ON assignments(day, unit_id, counted, signed_on_time)",
};

class SqliteDb : public Sql {
 public:
  ~SqliteDb() override {
    for (auto* s : ins_)
      if (s) sqlite3_finalize(s);
    if (db_) sqlite3_close(db_);
    if (!path_.empty()) {
      std::remove(path_.c_str());
      std::remove((path_ + "-wal").c_str());
      std::remove((path_ + "-shm").c_str());
    }
  }
  bool Open(const std::string& path, std::string& why) {
    path_ = path;
    std::remove(path.c_str());
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) return why = sqlite3_errmsg(db_), false;
    return Exec(
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576;"
               "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=8589934592;",
               why) &&
           Exec(kSchema, why) && Prepare(why);
  }
  bool Exec(const std::string& sql, std::string& why) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      why = sql.substr(0, 60) + ": " + (err ? err : "?");
      sqlite3_free(err);
      return false;
    }
    return true;
  }
  bool Query(const std::string& sql, std::vector<std::vector<std::int64_t>>& rows,
             std::string& why) override {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      return why = sqlite3_errmsg(db_), false;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::vector<std::int64_t> r;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        if (sqlite3_column_type(st, i) == SQLITE_NULL)
          r.push_back(-1);
        else if (sqlite3_column_type(st, i) == SQLITE_TEXT)  // the action
          r.push_back(std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(st, i))) ==
                              "reply"
                          ? 0
                          : 1);
        else
          r.push_back(sqlite3_column_int64(st, i));
      }
      rows.push_back(std::move(r));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return why = sqlite3_errmsg(db_), false;
    return true;
  }
  void Insert(const GenOrder& g) {
    auto bind_opt = [](sqlite3_stmt* s, int i, std::optional<Id> v) {
      if (v)
        sqlite3_bind_int64(s, i, *v);
      else
        sqlite3_bind_null(s, i);
    };
    const bench::OrderRow& o = g.order;
    sqlite3_stmt* s = ins_[0];
    sqlite3_bind_int64(s, 1, o.id);
    sqlite3_bind_int(s, 2, o.channel);
    sqlite3_bind_int(s, 3, o.nature);
    sqlite3_bind_int(s, 4, o.subject1);
    sqlite3_bind_int64(s, 5, o.place_unit);
    sqlite3_bind_int64(s, 6, o.street_id);
    sqlite3_bind_int(s, 7, o.intake_day);
    sqlite3_bind_int(s, 8, o.merged);
    sqlite3_bind_int(s, 9, o.state);
    bind_opt(s, 10, o.lead_unit);
    sqlite3_bind_int64(s, 11, o.due_at);
    Step(s);
    for (const bench::EventRow& e : g.event_rows) {
      s = ins_[1];
      sqlite3_bind_int64(s, 1, e.order_id);
      sqlite3_bind_int64(s, 2, e.at);
      sqlite3_bind_int(s, 3, e.day);
      sqlite3_bind_text(s, 4, e.action, -1, SQLITE_STATIC);
      bind_opt(s, 5, e.unit_id);
      sqlite3_bind_int(s, 6, e.on_time);
      sqlite3_bind_int(s, 7, e.resolved);
      if (e.rating >= 0)
        sqlite3_bind_int(s, 8, e.rating);
      else
        sqlite3_bind_null(s, 8);
      Step(s);
    }
    for (const bench::AssignmentRow& a : g.assignments) {
      s = ins_[2];
      sqlite3_bind_int64(s, 1, a.order_id);
      sqlite3_bind_int64(s, 2, a.unit_id);
      sqlite3_bind_int(s, 3, a.day);
      sqlite3_bind_int(s, 4, a.counted);
      sqlite3_bind_int(s, 5, a.signed_on_time);
      Step(s);
    }
  }

 private:
  bool Prepare(std::string& why) {
    const char* sql[3] = {"INSERT INTO orders VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                          "INSERT INTO events VALUES(?,?,?,?,?,?,?,?)",
                          "INSERT INTO assignments VALUES(?,?,?,?,?)"};
    for (int i = 0; i < 3; ++i)
      if (sqlite3_prepare_v2(db_, sql[i], -1, &ins_[i], nullptr) != SQLITE_OK)
        return why = sqlite3_errmsg(db_), false;
    return true;
  }
  void Step(sqlite3_stmt* s) {
    if (sqlite3_step(s) != SQLITE_DONE) {
      std::cerr << "sqlite insert: " << sqlite3_errmsg(db_) << "\n";
      std::exit(1);
    }
    sqlite3_reset(s);
  }
  sqlite3* db_ = nullptr;
  std::string path_;
  sqlite3_stmt* ins_[3] = {nullptr, nullptr, nullptr};
};

std::string UnitRows(const bench::Org& org, bool tree, const UnitTree& ut) {
  std::ostringstream o;
  for (const Unit& u : org.units) {
    if (!tree) {
      o << u.id << '\t' << (u.parent_id ? std::to_string(*u.parent_id) : "\\N") << '\t'
        << ToString(u.kind) << '\t' << u.name << '\n';
      continue;
    }
    for (Id a : ut.Lineage(u.id)) o << u.id << '\t' << a << '\n';
  }
  return o.str();
}

bool SqliteUnits(SqliteDb& db, const bench::Org& org, std::string& why) {
  UnitTree ut(org.units);
  std::string sql = "BEGIN;";
  for (const Unit& u : org.units) {
    sql += "INSERT INTO units VALUES(" + Str(u.id) + "," +
           (u.parent_id ? Str(*u.parent_id) : "NULL") + ",'" + std::string(ToString(u.kind)) +
           "','" + u.name + "');";
    for (Id a : ut.Lineage(u.id))
      sql += "INSERT INTO unit_tree VALUES(" + Str(u.id) + "," + Str(a) + ");";
  }
  sql += "COMMIT;";
  return db.Exec(sql, why);
}

#ifdef HOTLINE_HAVE_LIBPQ
class PgDb : public Sql {
 public:
  explicit PgDb(PGconn* c) : c_(c) {}
  bool Exec(const std::string& sql, std::string& why) {
    PGresult* r = PQexec(c_, sql.c_str());
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) why = sql.substr(0, 60) + ": " + PQerrorMessage(c_);
    PQclear(r);
    return ok;
  }
  bool Query(const std::string& sql, std::vector<std::vector<std::int64_t>>& rows,
             std::string& why) override {
    PGresult* r = PQexec(c_, sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      why = sql.substr(0, 60) + ": " + PQerrorMessage(c_);
      PQclear(r);
      return false;
    }
    for (int i = 0; i < PQntuples(r); ++i) {
      std::vector<std::int64_t> row;
      for (int j = 0; j < PQnfields(r); ++j) {
        if (PQgetisnull(r, i, j)) {
          row.push_back(-1);
          continue;
        }
        const char* v = PQgetvalue(r, i, j);
        if (v[0] >= 'a' && v[0] <= 'z')
          row.push_back(std::string_view(v) == "reply" ? 0 : 1);
        else
          row.push_back(std::stoll(v));
      }
      rows.push_back(std::move(row));
    }
    PQclear(r);
    return true;
  }
  bool CopyBegin(const std::string& sql, std::string& why) {
    PGresult* r = PQexec(c_, sql.c_str());
    bool ok = PQresultStatus(r) == PGRES_COPY_IN;
    PQclear(r);
    if (!ok) why = PQerrorMessage(c_);
    return ok;
  }
  bool CopyData(const std::string& data, std::string& why) {
    if (PQputCopyData(c_, data.data(), static_cast<int>(data.size())) != 1)
      return why = PQerrorMessage(c_), false;
    return true;
  }
  bool CopyEnd(std::string& why) {
    PQputCopyEnd(c_, nullptr);
    PGresult* r = PQgetResult(c_);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) why = PQerrorMessage(c_);
    PQclear(r);
    while ((r = PQgetResult(c_))) PQclear(r);
    return ok;
  }

 private:
  PGconn* c_;
};
#endif

// The SQL timing loop and the exact comparison with the engine's answers.
struct SqlFigures {
  std::vector<double> set_ms;
  std::array<std::vector<double>, kQueries> query_ms;
  size_t compared = 0, mismatches = 0;
};
bool RunSql(Sql& db, const Setup& s, const std::vector<DayRange>& months,
            const std::vector<std::array<Answer, kQueries>>& want, SqlFigures& f,
            std::string& why) {
  for (size_t i = 0; i < months.size(); ++i) {
    auto t0 = Steady::now();
    std::array<Answer, kQueries> got;
    for (int q = 0; q < kQueries; ++q) {
      auto tq = Steady::now();
      if (!SqlQuery(q, db, s, months[i], got[static_cast<size_t>(q)], why)) return false;
      f.query_ms[static_cast<size_t>(q)].push_back(Ms(tq));
    }
    f.set_ms.push_back(Ms(t0));
    if (i < want.size())
      for (int q = 0; q < kQueries; ++q) {
        ++f.compared;
        if (got[static_cast<size_t>(q)] != want[i][static_cast<size_t>(q)]) {
          ++f.mismatches;
          std::cerr << "MISMATCH " << kQueryNames[q] << " month starting day " << months[i].from
                    << ": engine and SQL differ\n";
          const Answer &x = want[i][static_cast<size_t>(q)], &y = got[static_cast<size_t>(q)];
          for (size_t k = 0; k < std::max(x.size(), y.size()); ++k)
            if (k >= x.size() || k >= y.size() || x[k] != y[k]) {
              std::cerr << "  first difference at " << k << ": engine "
                        << (k < x.size() ? Str(x[k]) : "-") << " sql "
                        << (k < y.size() ? Str(y[k]) : "-") << " (sizes " << x.size() << "/"
                        << y.size() << ")\n";
              break;
            }
        }
      }
  }
  return true;
}

void Report(const std::string& name, const SqlFigures& f, const Pct& ours) {
  Pct p = Percentiles(f.set_ms);
  for (int q = 0; q < kQueries; ++q) {
    Pct pq = Percentiles(f.query_ms[static_cast<size_t>(q)]);
    std::cout << "# " << name << " " << kQueryNames[q] << ": p50 " << Fmt(pq.p50) << " ms, p99 "
              << Fmt(pq.p99) << " ms\n";
  }
  Line(name + "_dashboard_p50", p.p50, "ms");
  Line(name + "_dashboard_p99", p.p99, "ms");
  Line(name + "_dashboard_max", p.max, "ms");
  (void)ours;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"analytics_bench: the dashboard's queries, KpiEngine vs SQLite vs PostgreSQL"};
  std::int64_t orders = 10'000'000;
  int iterations = 300, sql_iterations = 20;
  double rate = 500;
  std::uint64_t seed = 12345;
  bool no_sqlite = false, no_postgres = false;
  std::string data, workdir = "/tmp";
  app.add_option("--orders", orders, "orders in the 3-year history (default 10,000,000)");
  app.add_option("--iterations", iterations, "engine query sets (default 300)");
  app.add_option("--sql-iterations", sql_iterations, "SQL query sets per store (default 20)");
  app.add_option("--rate", rate, "writer events per second during the engine queries (500)");
  app.add_option("--seed", seed, "generator seed");
  app.add_option("--workdir", workdir, "directory for the SQLite file (default /tmp)");
  app.add_flag("--no-sqlite", no_sqlite);
  app.add_flag("--no-postgres", no_postgres);
  app.add_option("--data", data, "repository data directory (unused)");
  CLI11_PARSE(app, argc, argv);
  if (orders < 1000 || iterations < 1 || sql_iterations < 1 || rate <= 0) {
    std::cerr << "analytics_bench: --orders must be >= 1000, iterations >= 1, --rate > 0\n";
    return 2;
  }

  Setup s;
  s.org = bench::MakeOrg();
  s.cut_off = StartOf(DayOfDate(2026, 11, 1));
  s.cut_day = DayOfDate(2026, 10, 31);
  const Timestamp start = StartOf(DayOfDate(2023, 11, 1));
  std::cout << "# " << orders << " orders 2023-11-01..2026-10-31, " << s.org.streets.size()
            << " streets, " << s.org.communities.size() << " communities, " << s.org.grids.size()
            << " grids, " << s.org.departments.size() << " departments; seed " << seed << "\n";

  // 1. Generation alone (streamed, nothing kept), then the engine fed from a second stream.
  {
    bench::Generator gen(s.org, seed, start, s.cut_off, orders);
    GenOrder g;
    std::int64_t events = 0;
    auto t0 = Steady::now();
    for (std::int64_t i = 0; i < orders; ++i) {
      gen.Next(g);
      events += static_cast<std::int64_t>(g.events.size());
      if ((i + 1) % 1'000'000 == 0)
        std::cerr << "generate: " << (i + 1) / 1'000'000 << " M orders, " << Fmt(Seconds(t0))
                  << " s\n";
    }
    double secs = Seconds(t0);
    std::cout << "# generated " << orders << " orders, " << events << " events in " << Fmt(secs)
              << " s\n";
    Line("generate_s", secs, "s");
    Line("generate_events", static_cast<double>(events), "events");
  }

  KpiEngine engine{UnitTree(s.org.units)};
  std::shared_mutex mu;
  std::vector<Event> held;  // events after the cut-off
  {
    const long rss0 = RssKb();
    bench::Generator gen(s.org, seed, start, s.cut_off, orders);
    GenOrder g;
    double feed = 0;
    auto t0 = Steady::now();
    for (std::int64_t i = 0; i < orders; ++i) {
      gen.Next(g);
      std::vector<Event> loaded(g.events.begin(),
                                g.events.begin() + static_cast<std::ptrdiff_t>(g.loaded));
      for (size_t k = g.loaded; k < g.events.size(); ++k) held.push_back(g.events[k]);
      auto tf = Steady::now();
      if (!engine.AddOrder(g.facts, loaded).ok()) return 1;
      feed += Seconds(tf);
      if ((i + 1) % 1'000'000 == 0)
        std::cerr << "engine: " << (i + 1) / 1'000'000 << " M orders, " << Fmt(Seconds(t0))
                  << " s, RSS " << RssKb() / 1024 << " MB\n";
    }
    const long rss = RssKb() - rss0;
    Line("engine_load_s", feed, "s");
    Line("engine_load_orders_per_s", static_cast<double>(orders) / feed, "orders/s");
    Line("engine_rss_mb", static_cast<double>(rss) / 1024, "MB");
  }

  // The months asked: the 24 full months before the cut-off, in a fixed shuffled order.
  std::vector<DayRange> months;
  {
    std::vector<DayRange> all;
    for (int k = 0; k < 24; ++k) {
      int y = 2026, mo = 10 - k;
      while (mo <= 0) mo += 12, --y;
      all.push_back(MonthRange(y, mo));
    }
    std::mt19937_64 rng(seed);
    for (int i = 0; i < iterations; ++i) months.push_back(all[rng() % all.size()]);
    months[0] = all[0];  // the current month first (the dashboard's default)
  }

  // 2. The engine's answers before the writer starts: what SQL must equal.
  const size_t n_check = static_cast<size_t>(std::min(sql_iterations, iterations));
  std::vector<std::array<Answer, kQueries>> want(n_check);
  for (size_t i = 0; i < n_check; ++i)
    for (int q = 0; q < kQueries; ++q)
      want[i][static_cast<size_t>(q)] = EngineQuery(q, engine, mu, s, months[i]);

  // 3. The engine under live intake: a writer applies the held-back transitions of
  // open orders and new orders' intakes and transitions at `rate` events/s.
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> written{0};
  std::vector<double> write_us;
  std::thread writer([&] {
    bench::Generator gen(s.org, seed + 1, s.cut_off, s.cut_off + 30 * 86400,
                         static_cast<std::int64_t>(rate * 30 * 86400 / 6));
    std::sort(held.begin(), held.end(), [](const Event& a, const Event& b) { return a.at < b.at; });
    size_t h = 0;
    GenOrder g;
    std::vector<Event> pending;
    size_t p = 0;
    Id next_id = orders + 1;
    auto t0 = Steady::now();
    std::int64_t n = 0;
    while (!stop.load()) {
      // Alternate: one held-back transition, then one event of a new order.
      Event e;
      bool fresh_order = false;
      if (n % 2 == 0 && h < held.size()) {
        e = held[h++];
      } else {
        if (p == pending.size()) {
          gen.Next(g);
          g.facts.id = next_id++;
          for (Event& x : g.events) x.order_id = g.facts.id;
          pending = g.events;
          p = 0;
          fresh_order = true;
        }
        e = pending[p++];
      }
      auto tw = Steady::now();
      {
        std::unique_lock lock(mu);
        if (fresh_order) engine.AddOrder(g.facts);
        engine.Apply(e);
      }
      write_us.push_back(Seconds(tw) * 1e6);
      ++n;
      written.store(n);
      // Steady pace: sleep until the next event is due.
      auto due = t0 + std::chrono::duration<double>(static_cast<double>(n) / rate);
      std::this_thread::sleep_until(due);
    }
  });
  std::vector<double> set_ms;
  std::array<std::vector<double>, kQueries> q_ms;
  auto tq0 = Steady::now();
  for (int i = 0; i < iterations; ++i) {
    auto t0 = Steady::now();
    for (int q = 0; q < kQueries; ++q) {
      auto t1 = Steady::now();
      Answer a = EngineQuery(q, engine, mu, s, months[static_cast<size_t>(i)]);
      q_ms[static_cast<size_t>(q)].push_back(Ms(t1));
    }
    set_ms.push_back(Ms(t0));
  }
  const double qsecs = Seconds(tq0);
  stop = true;
  writer.join();
  const double achieved = static_cast<double>(written.load()) / qsecs;
  Pct ours = Percentiles(set_ms);
  Pct wr = Percentiles(write_us);
  std::cout << "# engine: " << iterations << " query sets in " << Fmt(qsecs) << " s while a writer"
            << " applied " << written.load() << " events (" << Fmt(achieved) << " events/s; target "
            << Fmt(rate) << "); writer p50 " << Fmt(wr.p50) << " us, p99 " << Fmt(wr.p99)
            << " us per event incl. lock\n";
  for (int q = 0; q < kQueries; ++q) {
    Pct pq = Percentiles(q_ms[static_cast<size_t>(q)]);
    std::cout << "# engine " << kQueryNames[q] << ": p50 " << Fmt(pq.p50) << " ms, p99 "
              << Fmt(pq.p99) << " ms\n";
  }
  Line("writer_events_per_s", achieved, "events/s");
  // Our latency alone; each baseline's section repeats it with the baseline
  // (ratio = baseline / ours: >1 means the engine answers faster).
  Line("engine_dashboard_p50", ours.p50, "ms");
  Line("engine_dashboard_p99", ours.p99, "ms");
  Line("dashboard_max", ours.max, "ms");
  Line("engine_rss_after_mb", static_cast<double>(RssKb()) / 1024, "MB");

  std::vector<DayRange> sql_months(months.begin(),
                                   months.begin() + static_cast<std::ptrdiff_t>(n_check));
  bool failed = false;
  std::optional<Pct> sqlite_p;
  // 4. SQLite: file, WAL, indexes; loaded from the same stream.
  if (!no_sqlite) {
    std::string why;
    SqliteDb db;
    std::string path = workdir + "/analytics_bench_" + std::to_string(getpid()) + ".sqlite";
    if (!db.Open(path, why) || !SqliteUnits(db, s.org, why)) {
      std::cout << "UNAVAILABLE: analytics.sqlite: " << why << "\n";
    } else {
      bench::Generator gen(s.org, seed, start, s.cut_off, orders);
      GenOrder g;
      double ins = 0;
      auto t0 = Steady::now();
      db.Exec("BEGIN", why);
      for (std::int64_t i = 0; i < orders; ++i) {
        gen.Next(g);
        auto ti = Steady::now();
        db.Insert(g);
        if ((i + 1) % 200'000 == 0) db.Exec("COMMIT; BEGIN", why);
        ins += Seconds(ti);
        if ((i + 1) % 1'000'000 == 0)
          std::cerr << "sqlite: " << (i + 1) / 1'000'000 << " M orders, " << Fmt(Seconds(t0))
                    << " s\n";
      }
      db.Exec("COMMIT", why);
      auto ti = Steady::now();
      for (const char* ix : kIndexes)
        if (!db.Exec(ix, why)) std::cerr << why << "\n";
      db.Exec("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);", why);
      const double index_s = Seconds(ti);
      Line("sqlite_insert_s", ins, "s");
      Line("sqlite_index_s", index_s, "s");
      Line("sqlite_load_s", ins + index_s, "s");
      std::ifstream f(path, std::ios::ate | std::ios::binary);
      Line("sqlite_file_mb", static_cast<double>(f.tellg()) / 1048576, "MB");
      SqlFigures fig;
      if (!RunSql(db, s, sql_months, want, fig, why)) {
        std::cout << "UNAVAILABLE: analytics.sqlite: " << why << "\n";
        failed = true;
      } else {
        std::cout << "# sqlite: " << fig.compared << " answers compared with the engine, "
                  << fig.mismatches << " differ\n";
        if (fig.mismatches) failed = true;
        Report("sqlite", fig, ours);
        sqlite_p = Percentiles(fig.set_ms);
        for (auto [pct, name] : {std::pair{&Pct::p50, "p50"}, std::pair{&Pct::p99, "p99"}})
          Line(std::string("dashboard_") + name, ours.*pct, "ms",
               std::string("sqlite_dashboard_") + name, (*sqlite_p).*pct, true);
      }
    }
  }

  std::optional<Pct> pg_p;
  if (no_postgres) {
    std::cout << "UNAVAILABLE: analytics.postgres: --no-postgres\n";
  } else {
#ifdef HOTLINE_HAVE_LIBPQ
    std::string why;
    // A throwaway cluster tuned for bulk loading and analytic queries (data thrown away).
    auto cluster = TestCluster::Start(
        {"shared_buffers=1GB", "work_mem=64MB", "maintenance_work_mem=512MB", "max_wal_size=8GB",
         "fsync=off", "synchronous_commit=off", "wal_level=minimal", "max_wal_senders=0"});
    PGconn* c = nullptr;
    if (!cluster.ok()) {
      std::cout << "UNAVAILABLE: analytics.postgres: " << cluster.status().ToString() << "\n";
    } else if (c = PQconnectdb((*cluster)->TcpConnInfo("postgres").c_str());
               PQstatus(c) != CONNECTION_OK) {
      std::cout << "UNAVAILABLE: analytics.postgres: " << PQerrorMessage(c) << "\n";
    } else {
      PgDb db(c);
      bool ok = db.Exec(
          "CREATE TABLE units(id bigint PRIMARY KEY, parent_id bigint, kind text NOT NULL, name "
          "text); CREATE TABLE unit_tree(unit_id bigint NOT NULL, ancestor_id bigint NOT NULL, "
          "PRIMARY KEY(ancestor_id, unit_id))",
          why);
      UnitTree ut(s.org.units);
      ok = ok && db.CopyBegin("COPY units FROM STDIN", why) &&
           db.CopyData(UnitRows(s.org, false, ut), why) && db.CopyEnd(why) &&
           db.CopyBegin("COPY unit_tree FROM STDIN", why) &&
           db.CopyData(UnitRows(s.org, true, ut), why) && db.CopyEnd(why);
      // Tables created in the loading transaction: with wal_level=minimal COPY skips the WAL.
      ok = ok && db.Exec("BEGIN", why) &&
           db.Exec(
               "CREATE TABLE orders(id bigint, channel smallint, nature smallint, subject1 "
               "smallint, place_unit bigint, street_id bigint, intake_day int, merged smallint, "
               "state smallint, lead_unit bigint, due_at bigint);"
               "CREATE TABLE events(order_id bigint NOT NULL, at bigint, day int, action text, "
               "unit_id bigint, on_time smallint, resolved smallint, rating smallint);"
               "CREATE TABLE assignments(order_id bigint NOT NULL, unit_id bigint, day int, "
               "counted smallint, signed_on_time smallint)",
               why);
      auto t0 = Steady::now();
      double gen_s = 0;
      // One COPY per table, one after the other, each over a regeneration of the
      // stream (the generator is deterministic; its time is measured and left out).
      const char* tables[3] = {"orders", "events", "assignments"};
      for (int t = 0; ok && t < 3; ++t) {
        ok = db.CopyBegin(std::string("COPY ") + tables[t] + " FROM STDIN", why);
        bench::Generator gen(s.org, seed, start, s.cut_off, orders);
        GenOrder g;
        std::string buf;
        char line[256];
        for (std::int64_t i = 0; ok && i < orders; ++i) {
          auto tg = Steady::now();
          gen.Next(g);
          gen_s += Seconds(tg);
          auto opt = [](std::optional<Id> v) {
            return v ? std::to_string(*v) : std::string("\\N");
          };
          if (t == 0) {
            const bench::OrderRow& o = g.order;
            std::snprintf(line, sizeof line, "%lld\t%d\t%d\t%d\t%lld\t%lld\t%d\t%d\t%d\t%s\t%lld\n",
                          static_cast<long long>(o.id), o.channel, o.nature, o.subject1,
                          static_cast<long long>(o.place_unit), static_cast<long long>(o.street_id),
                          o.intake_day, o.merged ? 1 : 0, o.state, opt(o.lead_unit).c_str(),
                          static_cast<long long>(o.due_at));
            buf += line;
          } else if (t == 1) {
            for (const bench::EventRow& e : g.event_rows) {
              std::snprintf(line, sizeof line, "%lld\t%lld\t%d\t%s\t%s\t%d\t%d\t%s\n",
                            static_cast<long long>(e.order_id), static_cast<long long>(e.at), e.day,
                            e.action, opt(e.unit_id).c_str(), e.on_time ? 1 : 0, e.resolved ? 1 : 0,
                            e.rating >= 0 ? std::to_string(e.rating).c_str() : "\\N");
              buf += line;
            }
          } else {
            for (const bench::AssignmentRow& a : g.assignments) {
              std::snprintf(line, sizeof line, "%lld\t%lld\t%d\t%d\t%d\n",
                            static_cast<long long>(a.order_id), static_cast<long long>(a.unit_id),
                            a.day, a.counted ? 1 : 0, a.signed_on_time ? 1 : 0);
              buf += line;
            }
          }
          if (buf.size() > (1 << 20)) {
            ok = db.CopyData(buf, why);
            buf.clear();
          }
          if ((i + 1) % 1'000'000 == 0)
            std::cerr << "postgres " << tables[t] << ": " << (i + 1) / 1'000'000 << " M orders, "
                      << Fmt(Seconds(t0)) << " s\n";
        }
        ok = ok && (buf.empty() || db.CopyData(buf, why)) && db.CopyEnd(why);
      }
      ok = ok && db.Exec("COMMIT", why);
      const double copy_s = Seconds(t0) - gen_s;
      auto ti = Steady::now();
      ok = ok && db.Exec("ALTER TABLE orders ADD PRIMARY KEY (id)", why);
      for (const char* ix : kIndexes) ok = ok && db.Exec(ix, why);
      ok = ok && db.Exec("VACUUM ANALYZE", why);
      const double index_s = Seconds(ti);
      if (!ok) {
        std::cout << "UNAVAILABLE: analytics.postgres: " << why << "\n";
      } else {
        Line("postgres_copy_s", copy_s, "s");
        Line("postgres_index_s", index_s, "s");
        Line("postgres_load_s", copy_s + index_s, "s");
        SqlFigures fig;
        if (!RunSql(db, s, sql_months, want, fig, why)) {
          std::cout << "UNAVAILABLE: analytics.postgres: " << why << "\n";
          failed = true;
        } else {
          std::cout << "# postgres: " << fig.compared << " answers compared with the engine, "
                    << fig.mismatches << " differ\n";
          if (fig.mismatches) failed = true;
          Report("postgres", fig, ours);
          pg_p = Percentiles(fig.set_ms);
          for (auto [pct, name] : {std::pair{&Pct::p50, "p50"}, std::pair{&Pct::p99, "p99"}})
            Line(std::string("dashboard_") + name, ours.*pct, "ms",
                 std::string("postgres_dashboard_") + name, (*pg_p).*pct, true);
        }
      }
    }
    if (c) PQfinish(c);
#else
    std::cout << "UNAVAILABLE: analytics.postgres: built without libpq (libpq-dev missing)\n";
#endif
  }

  if (failed) {
    std::cout << "# FAILED: the SQL answers differ from the engine's (see stderr)\n";
    return 1;
  }
  return 0;
}
