#include "geo/geojson.h"

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "domain/codes.h"

namespace hotline::geo {
namespace {

using nlohmann::json;

std::string Pct(double ratio) {
  std::ostringstream s;
  s.precision(ratio < 0.01 ? 2 : 3);
  s << ratio * 100 << "%";
  return s.str();
}

// `m` scaled about its centroid by 1 - 1e-6 (a millimetre on a grid). Boost's
// overlay (1.74) can misjudge nearly coincident edges — a child whose
// edge lies exactly on its parent's, computed independently — and report the
// whole child outside; pulling the child in by a hair separates the edges
// without changing any area ratio that matters at the tolerances used here.
MultiPolygon Shrunk(const MultiPolygon& m) {
  Point c;
  bg::centroid(m, c);
  constexpr double kF = 1 - 1e-6;
  MultiPolygon out = m;
  auto scale = [&](Polygon::ring_type& r) {
    for (Point& p : r) p = Point(c.x() + (p.x() - c.x()) * kF, c.y() + (p.y() - c.y()) * kF);
  };
  for (Polygon& poly : out) {
    scale(poly.outer());
    for (auto& inner : poly.inners()) scale(inner);
  }
  return out;
}

struct Parsed {
  int index;
  Place place;
  Box envelope;
  double area = 0;
  MultiPolygon shrunk;  // Shrunk(place.shape), for the overlay tests
};

class Importer {
 public:
  explicit Importer(const ImportOptions& o) : o_(o) {}

  GeoJsonImport Run(std::string_view text) {
    json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
      Problem(-1, "", "", "not JSON");
      return Finish();
    }
    if (!doc.is_object() || doc.value("type", json()) != "FeatureCollection") {
      Problem(-1, "", "type", "expected a FeatureCollection");
      return Finish();
    }
    auto f = doc.find("features");
    if (f == doc.end() || !f->is_array()) {
      Problem(-1, "", "features", "expected an array of features");
      return Finish();
    }
    for (size_t i = 0; i < f->size(); ++i) Feature(static_cast<int>(i), (*f)[i]);
    Hierarchy();
    return Finish();
  }

 private:
  void Problem(int feature, std::string code, std::string field, std::string message) {
    out_.problems.push_back({feature, std::move(code), std::move(field), std::move(message)});
  }

  GeoJsonImport Finish() {
    if (out_.ok()) {
      for (Parsed& p : parsed_) out_.places.places.push_back(std::move(p.place));
      out_.places.SortByCode();
    }
    std::stable_sort(
        out_.problems.begin(), out_.problems.end(),
        [](const GeoJsonProblem& a, const GeoJsonProblem& b) { return a.feature < b.feature; });
    return std::move(out_);
  }

  // One ring: ≥ 4 positions, each [lon, lat, (alt)], closed.
  bool Ring(int idx, const std::string& code, const json& ring, const std::string& where,
            Polygon::ring_type& out) {
    if (!ring.is_array()) {
      Problem(idx, code, "geometry", where + " is not an array of positions");
      return false;
    }
    bool ok = true;
    for (size_t k = 0; k < ring.size(); ++k) {
      const json& pos = ring[k];
      if (!pos.is_array() || pos.size() < 2 || !pos[0].is_number() || !pos[1].is_number()) {
        Problem(idx, code, "geometry",
                where + " position " + std::to_string(k) + " is not [lon, lat]");
        return false;
      }
      double lon = pos[0].get<double>(), lat = pos[1].get<double>();
      if (!std::isfinite(lon) || !std::isfinite(lat) || lon < -180 || lon > 180 || lat < -90 ||
          lat > 90) {
        if (ok)
          Problem(idx, code, "geometry",
                  where + " position " + std::to_string(k) +
                      " is outside lon [-180,180] / lat [-90,90]");
        ok = false;
      }
      out.push_back(Point(lon, lat));
    }
    if (!ok) return false;
    if (ring.size() < 4) {
      Problem(
          idx, code, "geometry",
          where + " has " + std::to_string(ring.size()) + " positions; a ring needs at least 4");
      return false;
    }
    if (!bg::equals(out.front(), out.back())) {
      Problem(idx, code, "geometry",
              where + " is not closed (its last position differs from its first)");
      return false;
    }
    return true;
  }

  bool PolygonOf(int idx, const std::string& code, const json& rings, const std::string& where,
                 Polygon& out) {
    if (!rings.is_array() || rings.empty()) {
      Problem(idx, code, "geometry", where + " has no rings");
      return false;
    }
    bool ok = true;
    for (size_t r = 0; r < rings.size(); ++r) {
      Polygon::ring_type ring;
      if (!Ring(idx, code, rings[r], "ring " + std::to_string(r) + " of " + where, ring)) {
        ok = false;
        continue;
      }
      if (r == 0)
        out.outer() = std::move(ring);
      else
        out.inners().push_back(std::move(ring));
    }
    return ok;
  }

  void Feature(int idx, const json& f) {
    if (!f.is_object() || f.value("type", json()) != "Feature") {
      Problem(idx, "", "type", "not a Feature");
      return;
    }
    Parsed p{idx, {}, {}, 0, {}};
    Place& pl = p.place;
    bool ok = true;
    const json* props = nullptr;
    if (auto it = f.find("properties"); it != f.end() && it->is_object()) props = &*it;
    if (!props) {
      Problem(idx, "", "properties", "missing (needs code and name)");
      ok = false;
    } else {
      // code
      auto c = props->find("code");
      if (c == props->end() || c->is_null()) {
        Problem(idx, "", "properties.code", "missing");
        ok = false;
      } else if (c->is_string()) {
        pl.code = c->get<std::string>();
      } else if (c->is_number_unsigned()) {
        pl.code = std::to_string(c->get<std::uint64_t>());
      } else {
        Problem(idx, "", "properties.code", "must be a string of digits");
        ok = false;
      }
      // kind: given or inferred, and agreeing with the code
      std::optional<UnitKind> implied = KindOfCode(pl.code);
      auto k = props->find("kind");
      if (k != props->end() && !k->is_null()) {
        std::optional<UnitKind> kind;
        if (k->is_string()) kind = Parse<UnitKind>(k->get<std::string>());
        if (!kind || (*kind != UnitKind::kDistrict && *kind != UnitKind::kStreet &&
                      *kind != UnitKind::kCommunity && *kind != UnitKind::kGrid)) {
          Problem(idx, pl.code, "properties.kind",
                  "must be district, street, community or grid, not " + k->dump());
          ok = false;
        } else if (!pl.code.empty()) {
          if (implied && *implied != *kind) {
            Problem(idx, pl.code, "properties.kind",
                    std::string("is ") + std::string(ToString(*kind)) + " but a " +
                        std::to_string(pl.code.size()) + "-digit code is a " +
                        std::string(ToString(*implied)));
            ok = false;
          }
          pl.kind = *kind;
          if (!implied) implied = kind;
        }
      }
      if (!pl.code.empty()) {
        if (!implied) {
          Problem(idx, pl.code, "properties.code",
                  "must have 6, 9, 12 or 15 digits (district, street, community, grid), not " +
                      std::to_string(pl.code.size()));
          ok = false;
        } else {
          pl.kind = *implied;
          if (Status st = ValidateUnitCode(pl.kind, pl.code); !st.ok()) {
            Problem(idx, pl.code, "properties.code", st.message());
            ok = false;
          }
        }
      }
      // name
      auto n = props->find("name");
      if (n == props->end() || !n->is_string() || n->get<std::string>().empty()) {
        Problem(idx, pl.code, "properties.name", "missing or empty");
        ok = false;
      } else {
        pl.name = n->get<std::string>();
      }
      // grid_kind
      auto g = props->find("grid_kind");
      bool has_gk = g != props->end() && !g->is_null();
      if (pl.kind == UnitKind::kGrid) {
        pl.grid_kind = GridKind::kBasic;
        if (has_gk) {
          std::optional<GridKind> gk;
          if (g->is_string()) gk = Parse<GridKind>(g->get<std::string>());
          if (!gk) {
            Problem(idx, pl.code, "properties.grid_kind",
                    "must be basic or dedicated, not " + g->dump());
            ok = false;
          } else {
            pl.grid_kind = gk;
          }
        }
      } else if (has_gk && implied) {
        Problem(idx, pl.code, "properties.grid_kind",
                "only grids have a grid_kind, this is a " + std::string(ToString(pl.kind)));
        ok = false;
      }
    }
    // geometry
    auto geo = f.find("geometry");
    if (geo == f.end() || !geo->is_object()) {
      Problem(idx, pl.code, "geometry", "missing");
      ok = false;
    } else {
      std::string type = geo->value("type", "");
      auto coords = geo->find("coordinates");
      if (type != "Polygon" && type != "MultiPolygon") {
        Problem(idx, pl.code, "geometry",
                "type must be Polygon or MultiPolygon, not " + (type.empty() ? "(none)" : type));
        ok = false;
      } else if (coords == geo->end() || !coords->is_array() || coords->empty()) {
        Problem(idx, pl.code, "geometry", "coordinates missing or empty");
        ok = false;
      } else if (type == "Polygon") {
        Polygon poly;
        if (PolygonOf(idx, pl.code, *coords, "polygon 0", poly))
          pl.shape.push_back(std::move(poly));
        else
          ok = false;
      } else {
        for (size_t i = 0; i < coords->size(); ++i) {
          Polygon poly;
          if (PolygonOf(idx, pl.code, (*coords)[i], "polygon " + std::to_string(i), poly))
            pl.shape.push_back(std::move(poly));
          else
            ok = false;
        }
      }
      if (ok) {
        bg::correct(pl.shape);  // orientation only: rings are known closed
        std::string reason;
        if (!bg::is_valid(pl.shape, reason)) {
          Problem(idx, pl.code, "geometry", "invalid polygon: " + reason);
          ok = false;
        }
      }
    }
    if (!pl.code.empty()) {
      auto [it, inserted] = first_index_.emplace(pl.code, idx);
      if (!inserted) {
        Problem(idx, pl.code, "properties.code",
                "duplicate: feature " + std::to_string(it->second) + " has the same code");
        ok = false;
      }
    }
    if (!ok) {
      if (!pl.code.empty()) broken_.insert({pl.code, true});
      return;
    }
    p.envelope = bg::return_envelope<Box>(pl.shape);
    p.area = bg::area(pl.shape);
    p.shrunk = Shrunk(pl.shape);
    parsed_.push_back(std::move(p));
  }

  void Hierarchy() {
    std::map<std::string, size_t> by_code;
    for (size_t i = 0; i < parsed_.size(); ++i) by_code[parsed_[i].place.code] = i;
    // One district, or a city's several (issue 14): each street belongs to the district its
    // code begins with; districts must not overlap one another.
    const Parsed* district = nullptr;
    std::map<std::string, const Parsed*> districts;
    for (const Parsed& p : parsed_) {
      if (p.place.kind != UnitKind::kDistrict) continue;
      if (!district) district = &p;
      districts[p.place.code] = &p;
    }
    // parent -> children, for the sibling check
    std::map<std::string, std::vector<size_t>> children;
    for (size_t i = 0; i < parsed_.size(); ++i) {
      const Parsed& p = parsed_[i];
      const Place& pl = p.place;
      if (pl.kind == UnitKind::kDistrict) {
        children["*districts"].push_back(i);
        continue;
      }
      UnitKind parent_kind = pl.kind == UnitKind::kStreet      ? UnitKind::kDistrict
                             : pl.kind == UnitKind::kCommunity ? UnitKind::kStreet
                                                               : UnitKind::kCommunity;
      std::string parent_code = ImpliedParentCode(pl.kind, pl.code);
      if (pl.kind == UnitKind::kStreet) {
        if (!district) {
          children[""].push_back(i);
          continue;
        }
        auto own = districts.find(pl.code.substr(0, 6));
        parent_code = own != districts.end() ? own->first : district->place.code;
      }
      children[parent_code].push_back(i);
      if (Status st = ValidateNesting(pl.kind, pl.code, parent_kind, parent_code); !st.ok()) {
        Problem(p.index, pl.code,
                st.field().empty() ? "properties.code" : "properties." + st.field(), st.message());
        continue;
      }
      auto par = by_code.find(parent_code);
      if (par == by_code.end()) {
        if (!broken_.count(parent_code))
          Problem(p.index, pl.code, "properties.code",
                  "its " + std::string(ToString(parent_kind)) + " " + parent_code +
                      " is not in the collection");
        continue;  // a broken parent is reported on its own feature
      }
      const Parsed& parent = parsed_[par->second];
      // Cheap exact test first; the area of the part outside only when it fails.
      if (!bg::covered_by(p.shrunk, parent.place.shape)) {
        MultiPolygon outside;
        bg::difference(p.shrunk, parent.place.shape, outside);
        double ratio = p.area > 0 ? bg::area(outside) / p.area : 1.0;
        if (ratio > o_.outside_tolerance)
          Problem(p.index, pl.code, "geometry",
                  Pct(ratio) + " of its area lies outside its " +
                      std::string(ToString(parent_kind)) + " " + parent_code + " (tolerance " +
                      Pct(o_.outside_tolerance) + ")");
      }
    }
    for (const auto& [parent, kids] : children) {
      for (size_t a = 0; a < kids.size(); ++a) {
        for (size_t b = a + 1; b < kids.size(); ++b) {
          const Parsed& x = parsed_[kids[a]];
          const Parsed& y = parsed_[kids[b]];
          if (!bg::intersects(x.envelope, y.envelope)) continue;
          MultiPolygon common;
          bg::intersection(x.shrunk, y.shrunk, common);
          double shared = bg::area(common);
          double smaller = std::min(x.area, y.area);
          if (smaller > 0 && shared / smaller > o_.overlap_tolerance) {
            const Parsed& later = x.index > y.index ? x : y;
            const Parsed& earlier = x.index > y.index ? y : x;
            Problem(later.index, later.place.code, "geometry",
                    "overlaps " + std::string(ToString(earlier.place.kind)) + " " +
                        earlier.place.code + " (feature " + std::to_string(earlier.index) +
                        ") by " + Pct(shared / smaller) + " of the smaller one's area (tolerance " +
                        Pct(o_.overlap_tolerance) + ")");
          }
        }
      }
    }
  }

  const ImportOptions& o_;
  GeoJsonImport out_;
  std::vector<Parsed> parsed_;
  std::map<std::string, int> first_index_;
  std::map<std::string, bool> broken_;
};

json Ring(const Polygon::ring_type& ring) {
  json out = json::array();
  for (const Point& p : ring) out.push_back({p.x(), p.y()});
  return out;
}

json Rings(const Polygon& poly) {
  json out = json::array();
  out.push_back(Ring(poly.outer()));
  for (const auto& inner : poly.inners()) out.push_back(Ring(inner));
  return out;
}

}  // namespace

std::string GeoJsonProblem::ToString() const {
  std::string s = feature < 0 ? "document" : "feature " + std::to_string(feature);
  if (!code.empty()) s += " (" + code + ")";
  s += ": ";
  if (!field.empty()) s += field + ": ";
  return s + message;
}

Status GeoJsonImport::status() const {
  if (ok()) return Status::Ok();
  std::string msg =
      std::to_string(problems.size()) + " problem(s) in the GeoJSON; nothing imported";
  for (const auto& p : problems) msg += "\n" + p.ToString();
  return Invalid("geojson", msg);
}

GeoJsonImport ImportGeoJson(std::string_view text, const ImportOptions& options) {
  return Importer(options).Run(text);
}

std::string ExportGeoJson(const PlaceSet& places) {
  json features = json::array();
  std::vector<const Place*> sorted;
  for (const Place& p : places.places) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(),
            [](const Place* a, const Place* b) { return a->code < b->code; });
  for (const Place* p : sorted) {
    json props = {{"code", p->code}, {"name", p->name}, {"kind", ToString(p->kind)}};
    if (p->kind == UnitKind::kGrid)
      props["grid_kind"] = ToString(p->grid_kind.value_or(GridKind::kBasic));
    json geometry;
    if (p->shape.size() == 1) {
      geometry = {{"type", "Polygon"}, {"coordinates", Rings(p->shape.front())}};
    } else {
      json polys = json::array();
      for (const Polygon& poly : p->shape) polys.push_back(Rings(poly));
      geometry = {{"type", "MultiPolygon"}, {"coordinates", polys}};
    }
    features.push_back({{"type", "Feature"}, {"properties", props}, {"geometry", geometry}});
  }
  json doc = {{"type", "FeatureCollection"}, {"features", features}};
  return doc.dump();
}

}  // namespace hotline::geo
