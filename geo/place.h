// The shapes of the territorial units: district, street, community and grid
// boundaries, each a (multi)polygon in WGS-84 lon/lat degrees, keyed by the
// unit's code (domain/codes.h). A PlaceSet is what a GeoJSON import yields and
// what the grid index is built from. Plain values; thread-safe as values.
//
// Geometry is Boost.Geometry on a cartesian lon/lat plane: fine for
// containment and for area *ratios* inside one city (the tolerances below are
// ratios), not for areas in m².
#pragma once

#include <boost/geometry.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/codes.h"
#include "domain/types.h"

namespace hotline::geo {

namespace bg = boost::geometry;
using Point = bg::model::d2::point_xy<double>;     // x = lon, y = lat (WGS-84)
using Polygon = bg::model::polygon<Point, false>;  // counter-clockwise exterior, closed
using MultiPolygon = bg::model::multi_polygon<Polygon>;
using Box = bg::model::box<Point>;

struct Place {
  std::string code;  // 6/9/12/15 digits
  std::string name;
  UnitKind kind = UnitKind::kGrid;    // district, street, community or grid
  std::optional<GridKind> grid_kind;  // grids only
  MultiPolygon shape;                 // valid, counter-clockwise exteriors
  Id unit_id = 0;  // optional: the store's unit id, filled in by whoever wires units to places
};

// All places of one import, sorted by code (so parents precede children).
struct PlaceSet {
  std::vector<Place> places;
  // The place with `code`, or nullptr. O(log n).
  const Place* Find(std::string_view code) const;
  Place* Find(std::string_view code);
  void SortByCode();
};

}  // namespace hotline::geo
