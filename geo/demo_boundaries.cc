#include "geo/demo_boundaries.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <numbers>
#include <random>

namespace hotline::geo {
namespace {

using Ring = std::vector<Point>;  // convex, counter-clockwise, open (first != last)

double Area(const Ring& r) {
  double a = 0;
  for (size_t i = 0, n = r.size(); i < n; ++i) {
    const Point& p = r[i];
    const Point& q = r[(i + 1) % n];
    a += p.x() * q.y() - q.x() * p.y();
  }
  return a / 2;
}

// Sutherland-Hodgman against the half-plane side * (a·x + b·y - c) <= 0. The
// crossing point of an edge is computed from the same operands for both
// sides (negation is exact), so the two halves share their cut edge exactly.
Ring Clip(const Ring& r, double a, double b, double c, double side) {
  Ring out;
  size_t n = r.size();
  for (size_t i = 0; i < n; ++i) {
    const Point& p = r[i];
    const Point& q = r[(i + 1) % n];
    double dp = a * p.x() + b * p.y() - c, dq = a * q.x() + b * q.y() - c;
    bool pin = side * dp <= 0, qin = side * dq <= 0;
    if (pin) out.push_back(p);
    if (pin != qin && dp != dq) {
      double t = dp / (dp - dq);
      out.emplace_back(p.x() + t * (q.x() - p.x()), p.y() + t * (q.y() - p.y()));
    }
  }
  // Drop consecutive duplicates (a vertex exactly on the line).
  Ring clean;
  for (const Point& p : out)
    if (clean.empty() || !bg::equals(clean.back(), p)) clean.push_back(p);
  while (clean.size() > 1 && bg::equals(clean.front(), clean.back())) clean.pop_back();
  return clean;
}

struct Node {
  const Unit* unit;
  double weight;
  std::vector<Node*> kids;
  Ring cell;
};

class Splitter {
 public:
  explicit Splitter(std::uint64_t seed) : rng_(seed) {}

  // Gives each of `nodes` (in order) a share of `cell` proportional to its weight.
  void Split(const Ring& cell, std::span<Node*> nodes) {
    if (nodes.empty()) return;
    if (nodes.size() == 1) {
      nodes[0]->cell = cell;
      return;
    }
    double total = 0;
    for (Node* n : nodes) total += n->weight;
    size_t k = 1;
    double left = nodes[0]->weight;
    while (k + 1 < nodes.size() &&
           std::fabs(left + nodes[k]->weight - total / 2) < std::fabs(left - total / 2)) {
      left += nodes[k]->weight;
      ++k;
    }
    double frac = left / total;
    // Axis along the cell's longer side (longitude shrunk by cos(lat)), tilted a little.
    double minx = 1e9, maxx = -1e9, miny = 1e9, maxy = -1e9;
    for (const Point& p : cell) {
      minx = std::min(minx, p.x()), maxx = std::max(maxx, p.x());
      miny = std::min(miny, p.y()), maxy = std::max(maxy, p.y());
    }
    double coslat = std::cos((miny + maxy) / 2 * std::numbers::pi / 180);
    bool along_lon = (maxx - minx) * coslat > (maxy - miny);
    double tilt = std::uniform_real_distribution<double>(-0.35, 0.35)(rng_);
    // Direction in which the first children lie first: west->east or north->south.
    double base = along_lon ? 0.0 : -std::numbers::pi / 2;
    double a = std::cos(base + tilt), b = std::sin(base + tilt);
    double lo = 1e18, hi = -1e18;
    for (const Point& p : cell) {
      double d = a * p.x() + b * p.y();
      lo = std::min(lo, d), hi = std::max(hi, d);
    }
    double whole = Area(cell);
    for (int it = 0; it < 60; ++it) {
      double mid = (lo + hi) / 2;
      if (Area(Clip(cell, a, b, mid, 1)) / whole < frac)
        lo = mid;
      else
        hi = mid;
    }
    double c = (lo + hi) / 2;
    Split(Clip(cell, a, b, c, 1), nodes.subspan(0, k));
    Split(Clip(cell, a, b, c, -1), nodes.subspan(k));
  }

  Ring Outline(const Box& extent) {
    double cx = (extent.min_corner().x() + extent.max_corner().x()) / 2;
    double cy = (extent.min_corner().y() + extent.max_corner().y()) / 2;
    double rx = (extent.max_corner().x() - extent.min_corner().x()) / 2;
    double ry = (extent.max_corner().y() - extent.min_corner().y()) / 2;
    bg::model::multi_point<Point> pts;
    std::uniform_real_distribution<double> jitter(0.88, 1.0);
    const int n = 28;
    for (int i = 0; i < n; ++i) {
      double t = 2 * std::numbers::pi * i / n;
      // A superellipse (exponent 0.6): fuller than an ellipse, like a county.
      double cs = std::cos(t), sn = std::sin(t);
      double x = std::copysign(std::pow(std::fabs(cs), 0.6), cs);
      double y = std::copysign(std::pow(std::fabs(sn), 0.6), sn);
      double j = jitter(rng_);
      pts.push_back(Point(cx + rx * x * j, cy + ry * y * j));
    }
    Polygon hull;
    bg::convex_hull(pts, hull);
    bg::correct(hull);
    Ring r(hull.outer().begin(), hull.outer().end() - 1);
    if (Area(r) < 0) std::reverse(r.begin(), r.end());
    return r;
  }

 private:
  std::mt19937_64 rng_;
};

MultiPolygon ToShape(const Ring& r) {
  Polygon p;
  for (const Point& pt : r) p.outer().push_back(pt);
  p.outer().push_back(r.front());
  return MultiPolygon{p};
}

}  // namespace

Result<PlaceSet> GenerateDemoBoundaries(std::span<const Unit> units,
                                        const DemoBoundaryOptions& options) {
  std::vector<const Unit*> sorted;
  for (const Unit& u : units)
    if (u.kind == UnitKind::kDistrict || u.kind == UnitKind::kStreet ||
        u.kind == UnitKind::kCommunity || u.kind == UnitKind::kGrid)
      sorted.push_back(&u);
  std::sort(sorted.begin(), sorted.end(),
            [](const Unit* a, const Unit* b) { return a->code < b->code; });
  std::map<std::string, std::unique_ptr<Node>> nodes;
  const Unit* district = nullptr;
  std::vector<Node*> streets;
  for (const Unit* u : sorted) {
    std::optional<UnitKind> implied = KindOfCode(u->code);
    if (!implied || *implied != u->kind)
      return Invalid("units", "unit " + u->code + " (" + u->name + "): a " +
                                  std::string(ToString(u->kind)) + " needs a " +
                                  (u->kind == UnitKind::kDistrict    ? "6"
                                   : u->kind == UnitKind::kStreet    ? "9"
                                   : u->kind == UnitKind::kCommunity ? "12"
                                                                     : "15") +
                                  "-digit code");
    if (u->kind == UnitKind::kDistrict) {
      if (district) return Invalid("units", "two districts: " + district->code + ", " + u->code);
      district = u;
      continue;
    }
    double w = 1;
    if (u->kind == UnitKind::kCommunity) w = u->code.substr(9) >= "200" ? 2.5 : 1.0;
    if (u->kind == UnitKind::kGrid) w = u->grid_kind == GridKind::kDedicated ? 0.35 : 1.0;
    auto node = std::make_unique<Node>(Node{u, w, {}, {}});
    Node* raw = node.get();
    if (!nodes.emplace(u->code, std::move(node)).second)
      return Invalid("units", "duplicate code " + u->code);
    if (u->kind == UnitKind::kStreet) {
      if (district && u->code.compare(0, 6, district->code) != 0)
        return Invalid("units", "street " + u->code + " is not in district " + district->code);
      streets.push_back(raw);
      continue;
    }
    auto parent = nodes.find(u->code.substr(0, u->code.size() - 3));
    if (parent == nodes.end())
      return Invalid("units",
                     std::string(ToString(u->kind)) + " " + u->code + " (" + u->name + ") has no " +
                         (u->kind == UnitKind::kGrid ? "community" : "street") + " in the list");
    parent->second->kids.push_back(raw);
  }
  if (streets.empty()) return Invalid("units", "no streets to draw");
  // Weights bubble up: a community weighs what its grids' area class says it does.
  for (Node* s : streets) {
    double sum = 0;
    for (Node* c : s->kids) sum += c->weight;
    if (!s->kids.empty()) s->weight = sum;
  }
  Splitter splitter(options.seed);
  Ring outline = splitter.Outline(options.extent);
  splitter.Split(outline, streets);
  for (Node* s : streets) {
    splitter.Split(s->cell, s->kids);
    for (Node* c : s->kids) splitter.Split(c->cell, c->kids);
  }
  PlaceSet out;
  Place d;
  d.code = district ? district->code : streets.front()->unit->code.substr(0, 6);
  d.name = district ? district->name : d.code;
  d.kind = UnitKind::kDistrict;
  d.unit_id = district ? district->id : 0;
  d.shape = ToShape(outline);
  out.places.push_back(std::move(d));
  for (auto& [code, n] : nodes) {
    Place p;
    p.code = code;
    p.name = n->unit->name;
    p.kind = n->unit->kind;
    p.unit_id = n->unit->id;
    if (p.kind == UnitKind::kGrid) p.grid_kind = n->unit->grid_kind.value_or(GridKind::kBasic);
    if (n->cell.size() < 3)
      return Status(Code::kInternal,
                    "cell of " + code + " degenerated; too many units for the extent");
    p.shape = ToShape(n->cell);
    out.places.push_back(std::move(p));
  }
  out.SortByCode();
  return out;
}

}  // namespace hotline::geo

namespace hotline::geo {

Result<std::vector<Unit>> DivisionUnits(const std::string& csv_path, std::uint64_t seed) {
  std::ifstream in(csv_path);
  if (!in) return Status(Code::kNotFound, "cannot read " + csv_path);
  std::vector<Unit> out;
  auto add = [&](std::string code, std::string name, UnitKind kind,
                 std::optional<GridKind> gk = std::nullopt) {
    Unit u;
    u.id = static_cast<Id>(out.size() + 1);
    u.code = std::move(code);
    u.name = std::move(name);
    u.kind = kind;
    u.grid_kind = gk;
    out.push_back(std::move(u));
  };
  std::mt19937_64 rng(seed);
  std::string line;
  std::getline(in, line);  // header
  std::string district;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto c1 = line.find(','), c2 = line.rfind(',');
    if (c1 == std::string::npos || c1 == c2) continue;
    std::string code = line.substr(0, c1), name = line.substr(c1 + 1, c2 - c1 - 1);
    if (code.size() == 9) {
      if (district.empty()) {
        district = code.substr(0, 6);
        add(district, "历城区", UnitKind::kDistrict);
      }
      add(code, name, UnitKind::kStreet);
    } else if (code.size() == 12) {
      bool urban = name.find("居民委员会") != std::string::npos;
      std::string shortname = name;
      for (const char* suffix : {"社区居民委员会", "居民委员会", "村民委员会"}) {
        auto pos = shortname.rfind(suffix);
        if (pos != std::string::npos && pos + std::strlen(suffix) == shortname.size()) {
          shortname = shortname.substr(0, pos) + (urban ? "社区" : "村");
          if (!urban && shortname.size() >= 6 &&
              shortname.compare(shortname.size() - 6, 6, "村村") == 0)
            shortname.resize(shortname.size() - 3);
          break;
        }
      }
      add(code, shortname, UnitKind::kCommunity);
      int basic = urban ? 2 + static_cast<int>(rng() % 2) : 1;
      static const char* kOrdinal[] = {"第一网格", "第二网格", "第三网格"};
      for (int g = 1; g <= basic; ++g) {
        char seq[8];
        std::snprintf(seq, sizeof seq, "%03d", g);
        add(code + seq, shortname + kOrdinal[g - 1], UnitKind::kGrid, GridKind::kBasic);
      }
      if (urban && rng() % 4 == 0) {
        char seq[8];
        std::snprintf(seq, sizeof seq, "%03d", basic + 1);
        add(code + seq, shortname + "专属网格", UnitKind::kGrid, GridKind::kDedicated);
      }
    }
  }
  if (out.empty()) return Invalid("csv", csv_path + " holds no streets");
  return out;
}

std::vector<Unit> SyntheticUnits(int streets, int communities, int grids) {
  std::vector<Unit> out;
  auto add = [&](std::string code, std::string name, UnitKind kind) {
    Unit u;
    u.id = static_cast<Id>(out.size() + 1);
    u.code = std::move(code);
    u.name = std::move(name);
    u.kind = kind;
    if (kind == UnitKind::kGrid) u.grid_kind = GridKind::kBasic;
    out.push_back(std::move(u));
  };
  add("370100", "合成市", UnitKind::kDistrict);
  char buf[32];
  for (int s = 1; s <= streets; ++s) {
    std::snprintf(buf, sizeof buf, "370100%03d", s);
    std::string sc = buf;
    add(sc, "街道" + std::to_string(s), UnitKind::kStreet);
    for (int c = 1; c <= communities; ++c) {
      std::snprintf(buf, sizeof buf, "%s%03d", sc.c_str(), c);
      std::string cc = buf;
      add(cc, "社区" + std::to_string(s) + "-" + std::to_string(c), UnitKind::kCommunity);
      for (int g = 1; g <= grids; ++g) {
        std::snprintf(buf, sizeof buf, "%s%03d", cc.c_str(), g);
        add(buf, "网格" + std::to_string(s) + "-" + std::to_string(c) + "-" + std::to_string(g),
            UnitKind::kGrid);
      }
    }
  }
  return out;
}

}  // namespace hotline::geo
