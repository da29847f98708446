// place_bench: point-in-polygon lookups/s of geo::GridIndex on the demo city's
// grids and on a city-sized generated set (10,000 grids), beside PostGIS
// ST_Contains on the same polygons in the same run (a throwaway PostgreSQL
// cluster, GiST index; one prepared query per point, and one set-based
// query over all points), plus gazetteer resolutions/s.
//   place_bench --data <repo>/data [--points N] [--pg-points N]
// Map layers: the service's in-memory order index (service/map_index.h) over
// --map-points synthetic orders: /map/orders bbox queries/s and /map/grids
// per-unit counts for a month, beside the same queries in SQL on SQLite (file
// database, R*Tree on the points, B-tree indexes on the time and open state).
// Prints "bench: place.<name> value=<n> unit=<u> [baseline=... baseline_value=... ratio=...]".
#include <sqlite3.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "geo/demo_boundaries.h"
#include "geo/gazetteer.h"
#include "geo/grid_index.h"
#include "service/map_index.h"

#ifdef HOTLINE_HAVE_LIBPQ
#include <libpq-fe.h>

#include "store/postgres/test_cluster.h"
#endif

using namespace hotline;
using namespace hotline::geo;
using Steady = std::chrono::steady_clock;

namespace {

double Seconds(Steady::time_point t0) {
  return std::chrono::duration<double>(Steady::now() - t0).count();
}

std::vector<LonLat> RandomPoints(const PlaceSet& set, size_t n, std::uint64_t seed) {
  Box env = bg::return_envelope<Box>(set.places.front().shape);  // the district
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> x(env.min_corner().x(), env.max_corner().x());
  std::uniform_real_distribution<double> y(env.min_corner().y(), env.max_corner().y());
  std::vector<LonLat> pts(n);
  for (auto& p : pts) p = {x(rng), y(rng)};
  return pts;
}

std::string Fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f" : "%.3g", v);
  return buf;
}

void Line(const std::string& name, double value, const std::string& unit,
          const std::string& baseline = "", double baseline_value = 0) {
  std::cout << "bench: place." << name << " value=" << Fmt(value) << " unit=" << unit;
  if (!baseline.empty() && baseline_value > 0)
    std::cout << " baseline=place." << baseline << " baseline_value=" << Fmt(baseline_value)
              << " ratio=" << Fmt(value / baseline_value);
  std::cout << "\n" << std::flush;
}

#ifdef HOTLINE_HAVE_LIBPQ
bool Exec(PGconn* c, const std::string& sql, std::string& why) {
  PGresult* r = PQexec(c, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok) why = sql.substr(0, 60) + ": " + PQerrorMessage(c);
  PQclear(r);
  return ok;
}

bool Copy(PGconn* c, const std::string& sql, const std::string& data, std::string& why) {
  PGresult* r = PQexec(c, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_COPY_IN;
  PQclear(r);
  if (!ok) return why = PQerrorMessage(c), false;
  for (size_t off = 0; off < data.size(); off += 1 << 20) {
    size_t n = std::min<size_t>(1 << 20, data.size() - off);
    if (PQputCopyData(c, data.data() + off, static_cast<int>(n)) != 1)
      return why = PQerrorMessage(c), false;
  }
  PQputCopyEnd(c, nullptr);
  r = PQgetResult(c);
  ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!ok) why = PQerrorMessage(c);
  PQclear(r);
  while ((r = PQgetResult(c))) PQclear(r);
  return ok;
}

struct PgFigures {
  double prepared_per_s = 0, set_per_s = 0;
  size_t mismatches = 0, compared = 0;
};

// Loads the grids of `set` into table `table` and times the lookups of `pts`.
bool PostgisRun(PGconn* c, const PlaceSet& set, const GridIndex& idx, const std::string& table,
                const std::vector<LonLat>& pts, PgFigures& f, std::string& why) {
  if (!Exec(c,
            "DROP TABLE IF EXISTS " + table + "; CREATE TABLE " + table +
                "(code text PRIMARY KEY, geom geometry(MultiPolygon, 4326))",
            why))
    return false;
  std::ostringstream data;
  data.precision(17);
  for (const geo::Place& p : set.places)
    if (p.kind == UnitKind::kGrid) data << p.code << "\tSRID=4326;" << bg::wkt(p.shape) << "\n";
  if (!Copy(c, "COPY " + table + "(code, geom) FROM STDIN", data.str(), why)) return false;
  if (!Exec(c, "CREATE INDEX ON " + table + " USING gist(geom); ANALYZE " + table, why))
    return false;
  std::string stmt = "pip_" + table;
  PGresult* r =
      PQprepare(c, stmt.c_str(),
                ("SELECT code FROM " + table +
                 " WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326))"
                 " ORDER BY code LIMIT 1")
                    .c_str(),
                2, nullptr);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    why = PQerrorMessage(c);
    PQclear(r);
    return false;
  }
  PQclear(r);
  auto t0 = Steady::now();
  char lon[32], lat[32];
  for (const LonLat& p : pts) {
    std::snprintf(lon, sizeof lon, "%.12f", p.lon);
    std::snprintf(lat, sizeof lat, "%.12f", p.lat);
    const char* params[2] = {lon, lat};
    r = PQexecPrepared(c, stmt.c_str(), 2, params, nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      why = PQerrorMessage(c);
      PQclear(r);
      return false;
    }
    std::string pg = PQntuples(r) ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    Resolution mine = idx.Resolve(p.lon, p.lat);
    f.compared++;
    if (pg != (mine.grid ? mine.grid->code : "")) f.mismatches++;
  }
  // The comparison above costs ~1 µs per point, nothing next to a round trip.
  f.prepared_per_s = static_cast<double>(pts.size()) / Seconds(t0);
  // Set-based: all points in one table, one query (loading the points is not timed).
  std::ostringstream pd;
  pd.precision(12);
  for (size_t i = 0; i < pts.size(); ++i)
    pd << i << "\tSRID=4326;POINT(" << pts[i].lon << " " << pts[i].lat << ")\n";
  if (!Exec(c, "DROP TABLE IF EXISTS pts; CREATE TABLE pts(id int, geom geometry(Point, 4326))",
            why) ||
      !Copy(c, "COPY pts FROM STDIN", pd.str(), why) || !Exec(c, "ANALYZE pts", why))
    return false;
  t0 = Steady::now();
  if (!Exec(c,
            "SELECT p.id, min(g.code) FROM pts p LEFT JOIN " + table +
                " g ON ST_Contains(g.geom, p.geom) GROUP BY p.id",
            why))
    return false;
  f.set_per_s = static_cast<double>(pts.size()) / Seconds(t0);
  return true;
}
#endif

struct IndexFigures {
  double per_s = 0, build_ms = 0;
  size_t found = 0;
};

IndexFigures TimeIndex(const PlaceSet& set, const std::vector<LonLat>& pts) {
  IndexFigures f;
  auto t0 = Steady::now();
  GridIndex idx(set);
  f.build_ms = Seconds(t0) * 1000;
  t0 = Steady::now();
  for (const LonLat& p : pts) f.found += idx.Resolve(p.lon, p.lat).grid != nullptr;
  f.per_s = static_cast<double>(pts.size()) / Seconds(t0);
  return f;
}

// ---- map layers ----

struct SqliteDb {
  sqlite3* db = nullptr;
  ~SqliteDb() {
    if (db) sqlite3_close(db);
  }
  bool Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::cerr << "sqlite: " << (err ? err : "?") << " in " << sql.substr(0, 80) << "\n";
      sqlite3_free(err);
      return false;
    }
    return true;
  }
};

// Synthetic orders: uniform in the district's envelope, received over 12 months
// before `now`; 25 % unfinished, of which most with a handling unit and a deadline
// around now (a mix of green, yellow and red).
std::vector<MapPoint> SyntheticOrders(const PlaceSet& set, const GridIndex& idx, size_t n,
                                      Timestamp now, std::map<std::string, Id>& ids) {
  std::vector<LonLat> pts = RandomPoints(set, n, 7);
  std::mt19937_64 rng(8);
  const State handling[] = {State::kDispatched, State::kInProgress, State::kExtensionRequested};
  std::vector<MapPoint> out;
  out.reserve(n);
  auto id_of = [&](const geo::Place* p) -> Id {
    if (!p) return 0;
    auto [it, fresh] = ids.emplace(p->code, static_cast<Id>(ids.size() + 1));
    return it->second;
  };
  for (size_t i = 0; i < n; ++i) {
    MapPoint p;
    p.id = static_cast<Id>(i + 1);
    p.no = std::to_string(2611000000000 + i);
    p.title = "小区门口路灯不亮请尽快维修";
    p.subject_code = "020101";
    p.nature = Nature::kComplaint;
    p.lon = pts[i].lon;
    p.lat = pts[i].lat;
    p.created_at = now - static_cast<Timestamp>(rng() % (365 * 86400));
    const int r = static_cast<int>(rng() % 100);
    if (r < 75) {
      p.state = State::kClosed;
    } else if (r < 80) {
      p.state = State::kReceived;
    } else {
      p.state = handling[rng() % 3];
      p.due_at = now + static_cast<Timestamp>(rng() % (10 * 86400)) - 3 * 86400;
      p.yellow_at = p.due_at - 86400;
      p.sign_due = p.created_at + 86400;
      p.signed_at = p.state == State::kDispatched ? 0 : p.sign_due - 3600;
    }
    Resolution res = idx.Resolve(*p.lon, *p.lat);
    p.grid_id = id_of(res.grid);
    p.community_id = id_of(res.community);
    p.street_id = id_of(res.street);
    p.anchors = {p.grid_id ? p.grid_id : p.community_id ? p.community_id : p.street_id};
    out.push_back(std::move(p));
  }
  return out;
}

int MapLayers(const PlaceSet& set, size_t n) {
  const Timestamp now = 1795399200;  // 2026-11-23 10:00 +08:00
  GridIndex idx(set);
  std::map<std::string, Id> ids;
  std::vector<MapPoint> orders = SyntheticOrders(set, idx, n, now, ids);

  MapIndex map;
  auto t0 = Steady::now();
  for (const MapPoint& p : orders) map.Put(p);
  const double build_ms = 1000 * Seconds(t0);

  // The SQLite baseline: a file database with the same rows.
  char path[] = "/tmp/place_bench_map.XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return 1;
  close(fd);
  SqliteDb s;
  if (sqlite3_open(path, &s.db) != SQLITE_OK) return 1;
  s.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144");
  s.Exec(
      "CREATE TABLE orders(id INTEGER PRIMARY KEY, no TEXT, title TEXT, subject_code TEXT, "
      "nature INT, state INT, unfinished INT, handling INT, lon REAL, lat REAL, created_at INT, "
      "yellow_at INT, due_at INT, sign_due INT, signed_at INT, street_id INT, community_id INT, "
      "grid_id INT)");
  s.Exec("CREATE VIRTUAL TABLE orders_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat)");
  s.Exec("BEGIN");
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(s.db,
                     "INSERT INTO orders VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
                     "?15,?16,?17,?18)",
                     -1, &ins, nullptr);
  sqlite3_stmt* rins = nullptr;
  sqlite3_prepare_v2(s.db, "INSERT INTO orders_rtree VALUES(?1,?2,?2,?3,?3)", -1, &rins, nullptr);
  for (const MapPoint& p : orders) {
    sqlite3_bind_int64(ins, 1, p.id);
    sqlite3_bind_text(ins, 2, p.no.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, p.title.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, p.subject_code.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int(ins, 5, static_cast<int>(p.nature));
    sqlite3_bind_int(ins, 6, static_cast<int>(p.state));
    sqlite3_bind_int(ins, 7, !IsTerminal(p.state));
    sqlite3_bind_int(ins, 8, IsOpen(p.state));
    sqlite3_bind_double(ins, 9, *p.lon);
    sqlite3_bind_double(ins, 10, *p.lat);
    sqlite3_bind_int64(ins, 11, p.created_at);
    sqlite3_bind_int64(ins, 12, p.yellow_at);
    sqlite3_bind_int64(ins, 13, p.due_at);
    sqlite3_bind_int64(ins, 14, p.sign_due);
    sqlite3_bind_int64(ins, 15, p.signed_at);
    sqlite3_bind_int64(ins, 16, p.street_id);
    sqlite3_bind_int64(ins, 17, p.community_id);
    sqlite3_bind_int64(ins, 18, p.grid_id);
    sqlite3_step(ins);
    sqlite3_reset(ins);
    sqlite3_bind_int64(rins, 1, p.id);
    sqlite3_bind_double(rins, 2, *p.lon);
    sqlite3_bind_double(rins, 3, *p.lat);
    sqlite3_step(rins);
    sqlite3_reset(rins);
  }
  sqlite3_finalize(ins);
  sqlite3_finalize(rins);
  s.Exec("COMMIT");
  s.Exec("CREATE INDEX orders_created ON orders(created_at)");
  s.Exec("CREATE INDEX orders_unfinished ON orders(unfinished) WHERE unfinished = 1");
  s.Exec("ANALYZE");

  // /map/orders: the newest `limit` points in the box received in the month, and the total.
  sqlite3_stmt* page = nullptr;
  sqlite3_prepare_v2(
      s.db,
      "SELECT o.id, o.no, o.lon, o.lat, o.state, o.subject_code, o.nature, o.title, "
      "o.created_at, o.yellow_at, o.due_at FROM orders_rtree r JOIN orders o ON o.id = r.id "
      "WHERE r.max_lon >= ?1 AND r.min_lon <= ?3 AND r.max_lat >= ?2 AND r.min_lat <= ?4 "
      "AND o.lon BETWEEN ?1 AND ?3 AND o.lat BETWEEN ?2 AND ?4 "
      "AND o.created_at >= ?5 AND o.created_at < ?6 ORDER BY o.created_at DESC, o.id DESC "
      "LIMIT ?7",
      -1, &page, nullptr);
  sqlite3_stmt* count = nullptr;
  sqlite3_prepare_v2(s.db,
                     "SELECT COUNT(*) FROM orders_rtree r JOIN orders o ON o.id = r.id "
                     "WHERE r.max_lon >= ?1 AND r.min_lon <= ?3 AND r.max_lat >= ?2 AND "
                     "r.min_lat <= ?4 AND o.lon BETWEEN ?1 AND ?3 AND o.lat BETWEEN ?2 AND ?4 AND "
                     "o.created_at >= ?5 AND o.created_at < ?6",
                     -1, &count, nullptr);
  Box env = bg::return_envelope<Box>(set.places.front().shape);
  struct View {
    const char* tag;
    double size;  // degrees
  };
  int mismatches = 0;
  for (View v : {View{"street_view", 0.03}, View{"district_view", 0.3}}) {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> x(env.min_corner().x(), env.max_corner().x() - v.size);
    std::uniform_real_distribution<double> y(env.min_corner().y(), env.max_corner().y() - v.size);
    std::vector<MapOrdersQuery> qs(200);
    for (auto& q : qs) {
      q.min_lon = x(rng);
      q.min_lat = y(rng);
      q.max_lon = q.min_lon + v.size;
      q.max_lat = q.min_lat + v.size;
      q.to = now - static_cast<Timestamp>(rng() % (300 * 86400));
      q.from = q.to - 30 * 86400;
      q.limit = 2000;
      q.now = now;
    }
    MapScope all;
    size_t done = 0;
    std::int64_t points = 0;
    t0 = Steady::now();
    while (Seconds(t0) < 1.0)
      for (const auto& q : qs) {
        points += map.Orders(q, all).total;
        ++done;
      }
    const double ours = static_cast<double>(done) / Seconds(t0);
    const double avg = static_cast<double>(points) / static_cast<double>(done);
    size_t sdone = 0;
    bool verify = true;  // the first pass (untimed) checks the totals against the index
    for (int pass = 0; pass < 2; ++pass, verify = false) {
      t0 = Steady::now();
      sdone = 0;
      while (verify ? sdone < qs.size() : (Seconds(t0) < 1.0 || sdone < 20))
        for (const auto& q : qs) {
          std::int64_t total = 0, rows = 0;
          for (sqlite3_stmt* st : {count, page}) {
            sqlite3_bind_double(st, 1, q.min_lon);
            sqlite3_bind_double(st, 2, q.min_lat);
            sqlite3_bind_double(st, 3, q.max_lon);
            sqlite3_bind_double(st, 4, q.max_lat);
            sqlite3_bind_int64(st, 5, q.from);
            sqlite3_bind_int64(st, 6, q.to);
            if (st == page) sqlite3_bind_int(st, 7, q.limit);
            while (sqlite3_step(st) == SQLITE_ROW) {
              if (st == count) total = sqlite3_column_int64(st, 0);
              if (st == page) {
                ++rows;
                (void)sqlite3_column_text(st, 7);
              }
            }
            sqlite3_reset(st);
          }
          if (verify && (total != map.Orders(q, all).total ||
                         rows != static_cast<std::int64_t>(map.Orders(q, all).items.size())))
            ++mismatches;
          ++sdone;
          if (!verify && Seconds(t0) >= 1.0 && sdone >= 20) break;
        }
    }
    const double base = static_cast<double>(sdone) / Seconds(t0);
    std::cout << "# map/orders " << v.tag << ": " << v.size << "° boxes, one month, limit 2000; "
              << Fmt(avg) << " points per box on average\n";
    Line(std::string("map_orders_bbox_queries_per_s_") + v.tag, ours, "queries/s",
         std::string("sqlite_rtree_bbox_queries_per_s_") + v.tag, base);
  }
  sqlite3_finalize(page);
  sqlite3_finalize(count);

  // /map/grids: per-unit counts for a month (count in the month; open, overdue, red,
  // yellow now) for streets, communities and grids.
  const char* level_sql =
      "SELECT %s, SUM(c), SUM(o), SUM(ov), SUM(r), SUM(y) FROM ("
      " SELECT %s, 1 AS c, unfinished AS o,"
      "  handling AND ((due_at > 0 AND ?3 > due_at) OR (sign_due > 0 AND signed_at = 0 AND ?3 > "
      "sign_due)) AS ov,"
      "  handling AND due_at > 0 AND ?3 > due_at AS r,"
      "  handling AND due_at > 0 AND NOT ?3 > due_at AND yellow_at > 0 AND ?3 >= yellow_at AS y"
      " FROM orders WHERE created_at >= ?1 AND created_at < ?2"
      " UNION ALL"
      " SELECT %s, 0, 1,"
      "  handling AND ((due_at > 0 AND ?3 > due_at) OR (sign_due > 0 AND signed_at = 0 AND ?3 > "
      "sign_due)),"
      "  handling AND due_at > 0 AND ?3 > due_at,"
      "  handling AND due_at > 0 AND NOT ?3 > due_at AND yellow_at > 0 AND ?3 >= yellow_at"
      " FROM orders WHERE unfinished = 1 AND NOT (created_at >= ?1 AND created_at < ?2)"
      ") WHERE %s > 0 GROUP BY %s";
  std::vector<sqlite3_stmt*> levels;
  for (const char* col : {"street_id", "community_id", "grid_id"}) {
    char sql[2048];
    std::snprintf(sql, sizeof sql, level_sql, col, col, col, col, col);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(s.db, sql, -1, &st, nullptr) != SQLITE_OK) {
      std::cerr << "sqlite: " << sqlite3_errmsg(s.db) << "\n";
      return 1;
    }
    levels.push_back(st);
  }
  std::vector<std::pair<Timestamp, Timestamp>> months;
  for (int m = 0; m < 12; ++m)
    months.emplace_back(now - (m + 1) * 30 * 86400, now - m * 30 * 86400);
  size_t done = 0;
  size_t units = 0;
  t0 = Steady::now();
  while (Seconds(t0) < 1.0)
    for (auto [from, to] : months) {
      units = map.CountByUnit(from, to, now, MapScope{}).size();
      ++done;
    }
  const double ours = static_cast<double>(done) / Seconds(t0);
  size_t sdone = 0;
  bool verify = true;  // the first pass (untimed) checks the counts against the index
  for (int pass = 0; pass < 2; ++pass, verify = false) {
    t0 = Steady::now();
    sdone = 0;
    while (verify ? sdone < months.size() : (Seconds(t0) < 1.0 || sdone < 3))
      for (auto [from, to] : months) {
        std::map<Id, MapUnitCounts> got;
        for (sqlite3_stmt* st : levels) {
          sqlite3_bind_int64(st, 1, from);
          sqlite3_bind_int64(st, 2, to);
          sqlite3_bind_int64(st, 3, now);
          while (sqlite3_step(st) == SQLITE_ROW) {
            MapUnitCounts& c = got[sqlite3_column_int64(st, 0)];
            c.count = sqlite3_column_int64(st, 1);
            c.open = sqlite3_column_int64(st, 2);
            c.overdue = sqlite3_column_int64(st, 3);
            c.red = sqlite3_column_int64(st, 4);
            c.yellow = sqlite3_column_int64(st, 5);
          }
          sqlite3_reset(st);
        }
        if (verify) {
          auto mine = map.CountByUnit(from, to, now, MapScope{});
          for (const auto& [id, c] : mine) {
            const MapUnitCounts& o = got[id];
            if (c.count != o.count || c.open != o.open || c.overdue != o.overdue ||
                c.red != o.red || c.yellow != o.yellow)
              ++mismatches;
          }
        }
        ++sdone;
        if (!verify && Seconds(t0) >= 1.0 && sdone >= 3) break;
      }
  }
  const double base = static_cast<double>(sdone) / Seconds(t0);
  for (sqlite3_stmt* st : levels) sqlite3_finalize(st);
  std::cout << "# map/grids: counts for " << units
            << " streets+communities+grids over one month (all levels at once)\n";
  Line("map_grids_counts_per_s", ours, "months/s", "sqlite_group_by_counts_per_s", base);
  Line("map_index_build_ms", build_ms, "ms");
  std::cout << "# map layers: " << n << " synthetic orders; index and SQLite disagree on "
            << mismatches << " answers\n";
  std::remove(path);
  std::remove((std::string(path) + "-wal").c_str());
  std::remove((std::string(path) + "-shm").c_str());
  return mismatches ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"place_bench"};
  std::string data = HOTLINE_SOURCE_DATA_DIR;
  size_t points = 1000000, pg_points = 20000;
  app.add_option("--data", data, "the repository's data/ directory");
  app.add_option("--points", points, "points per index run (Default: 1,000,000)");
  app.add_option("--pg-points", pg_points, "points per PostGIS run (Default: 20,000)");
  size_t map_points = 300000;
  app.add_option("--map-points", map_points,
                 "synthetic orders for the map layers (Default: 300,000)");
  CLI11_PARSE(app, argc, argv);

  auto units = DivisionUnits(data + "/demo/licheng_divisions.csv");
  if (!units.ok()) {
    std::cerr << units.status().ToString() << "\n";
    return 1;
  }
  auto demo = GenerateDemoBoundaries(*units);
  // A city-sized set: 40 streets x 25 communities x 10 grids over ~80 x 80 km.
  auto city = GenerateDemoBoundaries(SyntheticUnits(40, 25, 10),
                                     {.extent = Box(Point(116.6, 36.3), Point(117.6, 37.0))});
  if (!demo.ok() || !city.ok()) {
    std::cerr << "boundary generation failed\n";
    return 1;
  }
  struct Run {
    std::string tag;
    const PlaceSet* set;
    std::vector<LonLat> pts;
    IndexFigures idx;
  };
  std::vector<Run> runs = {{"demo", &*demo, RandomPoints(*demo, points, 1), {}},
                           {"10k", &*city, RandomPoints(*city, points, 2), {}}};
  for (Run& r : runs) {
    r.idx = TimeIndex(*r.set, r.pts);
    GridIndex tmp(*r.set);
    std::cout << "# " << r.tag << ": " << tmp.grid_count() << " grids, R-tree built in "
              << Fmt(r.idx.build_ms) << " ms; " << r.pts.size()
              << " random points in the district's envelope, "
              << Fmt(100.0 * r.idx.found / r.pts.size()) << "% inside a grid\n";
  }

  // PostGIS baseline.
  std::vector<std::pair<double, double>> pg(runs.size(), {0, 0});
  std::string pg_why = "place_bench was built without libpq";
#ifdef HOTLINE_HAVE_LIBPQ
  {
    auto cluster = TestCluster::Start({"shared_buffers=256MB", "fsync=off"});
    pg_why.clear();
    if (!cluster.ok()) {
      pg_why = cluster.status().ToString();
    } else {
      PGconn* c = PQconnectdb((*cluster)->TcpConnInfo("postgres").c_str());
      if (PQstatus(c) != CONNECTION_OK) {
        pg_why = PQerrorMessage(c);
      } else if (!Exec(c, "SET client_min_messages = warning; CREATE EXTENSION postgis", pg_why)) {
        pg_why =
            "CREATE EXTENSION postgis failed (is postgresql-15-postgis-3 installed?): " + pg_why;
      } else {
        PGresult* v = PQexec(c, "SELECT postgis_lib_version()");
        std::string ver = PQresultStatus(v) == PGRES_TUPLES_OK ? PQgetvalue(v, 0, 0) : "?";
        PQclear(v);
        std::cout << "# PostGIS " << ver << " on PostgreSQL " << PQserverVersion(c) / 10000
                  << ", local TCP, GiST index, " << pg_points << " points per run\n";
        for (size_t i = 0; i < runs.size(); ++i) {
          std::vector<LonLat> sample(runs[i].pts.begin(),
                                     runs[i].pts.begin() + std::min(pg_points, runs[i].pts.size()));
          GridIndex idx(*runs[i].set);
          PgFigures f;
          if (!PostgisRun(c, *runs[i].set, idx, "grids_" + runs[i].tag, sample, f, pg_why)) break;
          pg[i] = {f.prepared_per_s, f.set_per_s};
          std::cout << "# " << runs[i].tag << ": PostGIS and GridIndex disagree on " << f.mismatches
                    << " of " << f.compared << " points\n";
        }
      }
      PQfinish(c);
    }
  }
#endif
  if (!pg_why.empty()) std::cout << "# PostGIS baseline UNAVAILABLE: " << pg_why << "\n";
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string& t = runs[i].tag;
    Line("pip_lookups_per_s_" + t, runs[i].idx.per_s, "lookups/s", "postgis_st_contains_" + t,
         pg[i].first);
    if (pg[i].first > 0) Line("postgis_st_contains_" + t, pg[i].first, "lookups/s");
    if (pg[i].second > 0) {
      Line("pip_lookups_per_s_" + t + "_vs_set", runs[i].idx.per_s, "lookups/s",
           "postgis_st_contains_set_" + t, pg[i].second);
      Line("postgis_st_contains_set_" + t, pg[i].second, "lookups/s");
    }
    Line("index_build_ms_" + t, runs[i].idx.build_ms, "ms");
  }

  // Gazetteer: the demo divisions + demo gazetteer, addresses as callers say them.
  Gazetteer gaz;
  std::ifstream in(data + "/demo/gazetteer.csv");
  std::stringstream csv;
  csv << in.rdbuf();
  if (!gaz.AddDivisions(*units, &*demo).ok() || !gaz.ImportCsv(csv.str()).ok()) {
    std::cerr << "gazetteer build failed\n";
    return 1;
  }
  std::vector<std::string> addresses = {"历城区洪家楼街道洪家楼南区3号楼",
                                        "洪家樓南區",
                                        "山大路甸柳",
                                        "洪家路南区",
                                        "花园小区",
                                        "山大老校区东门",
                                        "火星基地",
                                        "东风街道花园小区5号楼"};
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200; ++i) {
    const Unit& u = (*units)[rng() % units->size()];
    if (u.kind != UnitKind::kCommunity) continue;
    const Unit* street = nullptr;
    for (const Unit& s : *units)
      if (s.code == u.code.substr(0, 9)) street = &s;
    addresses.push_back("济南市历城区" + (street ? street->name : "") + u.name +
                        std::to_string(rng() % 30 + 1) + "号楼" + std::to_string(rng() % 4 + 1) +
                        "单元");
  }
  size_t resolved = 0, n = 0;
  auto t0 = Steady::now();
  while (Seconds(t0) < 1.0)
    for (const std::string& a : addresses) {
      resolved += gaz.Resolve(a).resolved() != nullptr;
      ++n;
    }
  double per_s = static_cast<double>(n) / Seconds(t0);
  std::cout << "# gazetteer: " << gaz.size() << " entries, " << addresses.size()
            << " distinct addresses (full addresses, abbreviations, a typo, traditional), "
            << Fmt(100.0 * resolved / n) << "% resolved to one place\n";
  Line("gazetteer_resolutions_per_s", per_s, "resolutions/s");

  return MapLayers(*demo, map_points);
}
