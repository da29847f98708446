// place_bench: point-in-polygon lookups/s of geo::GridIndex on the demo city's
// grids and on a city-sized generated set (10,000 grids), beside PostGIS
// ST_Contains on the same polygons in the same run (a throwaway PostgreSQL
// cluster, GiST index; one prepared query per point, and one set-based
// query over all points), plus gazetteer resolutions/s.
//   place_bench --data <repo>/data [--points N] [--pg-points N]
// Prints "bench: place.<name> value=<n> unit=<u> [baseline=... baseline_value=... ratio=...]".
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "geo/demo_boundaries.h"
#include "geo/gazetteer.h"
#include "geo/grid_index.h"

#ifdef HOTLINE_HAVE_LIBPQ
#include <libpq-fe.h>
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
// A throwaway PostgreSQL cluster (notes/dependencies.md §4).
class PgCluster {
 public:
  bool Start(std::string& why) {
    char tmpl[] = "/tmp/place_bench_pg.XXXXXX";
    if (!mkdtemp(tmpl)) return why = "mkdtemp failed", false;
    dir_ = tmpl;
    port_ = 55500 + static_cast<int>(getpid() % 400);
    bool root = geteuid() == 0;
    std::string as = root ? "runuser -u postgres -- " : "";
    std::string bin = "$(pg_config --bindir)";
    std::string sh = "set -e; D=" + dir_ + "; chmod 755 $D; " +
                     (root ? "chown postgres:postgres $D; " : "") + as + bin +
                     "/initdb -D $D/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 "
                     ">$D/initdb.log 2>&1; " +
                     as + bin +
                     "/pg_ctl -D $D/data -l $D/log -w -o \"-c listen_addresses=127.0.0.1 -p " +
                     std::to_string(port_) +
                     " -c unix_socket_directories=$D -c shared_buffers=256MB -c fsync=off\" start "
                     ">$D/pg_ctl.log 2>&1";
    if (std::system(("bash -c '" + Escape(sh) + "'").c_str()) != 0)
      return why = "could not start a PostgreSQL cluster (see " + dir_ + "/*.log)", false;
    started_ = true;
    return true;
  }
  std::string Conninfo() const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres";
  }
  ~PgCluster() {
    if (started_) {
      std::ifstream pid(dir_ + "/data/postmaster.pid");
      long p = 0;
      if (pid >> p && p > 0) {
        std::system(("kill -INT " + std::to_string(p)).c_str());
        for (int i = 0; i < 100 && std::ifstream(dir_ + "/data/postmaster.pid"); ++i) usleep(50000);
      }
    }
    if (!dir_.empty()) std::system(("rm -rf " + dir_).c_str());
  }

 private:
  static std::string Escape(const std::string& s) {
    std::string out;
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out;
  }
  std::string dir_;
  int port_ = 0;
  bool started_ = false;
};

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"place_bench"};
  std::string data = HOTLINE_SOURCE_DATA_DIR;
  size_t points = 1000000, pg_points = 20000;
  app.add_option("--data", data, "the repository's data/ directory");
  app.add_option("--points", points, "points per index run (Default: 1,000,000)");
  app.add_option("--pg-points", pg_points, "points per PostGIS run (Default: 20,000)");
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
    PgCluster cluster;
    pg_why.clear();
    if (cluster.Start(pg_why)) {
      PGconn* c = PQconnectdb(cluster.Conninfo().c_str());
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
  return 0;
}
