// GeoJSON (RFC 7946) import and export of district, street, community and
// grid boundaries: the FeatureCollection a city's GIS office hands over.
//
// Each Feature carries properties
//   code       string (or integer): 6/9/12/15-digit unit code      required
//   name       string                                              required
//   kind       district|street|community|grid (or 区/街道/社区/网格) optional:
//              inferred from the code's length; when given, must agree
//   grid_kind  basic|dedicated (基础网格/专属网格)                   grids only; Default: basic
// and a Polygon or MultiPolygon geometry in WGS-84 lon/lat (convert GCJ-02
// before import; geo/coords.h). Ring orientation is not checked (RFC 7946
// §3.1.6 says parsers must not reject on it); it is normalised.
//
// Import checks, and reports every problem (never just the first):
//   - the document: JSON, a FeatureCollection with a features array;
//   - each feature: properties as above, a code well formed for its kind
//     (ValidateUnitCode), no duplicate codes; geometry type Polygon or
//     MultiPolygon, every ring ≥ 4 positions and closed, coordinates in range,
//     the polygon valid (boost::geometry::is_valid, its reason quoted:
//     self-intersections, spikes, holes outside, ...);
//   - the hierarchy: a community's street and a grid's community must be in
//     the collection (the district is optional; when present, streets must
//     nest under it; a city's collection holds several districts, each street
//     under the one its code begins with), checked with ValidateNesting; every child lies inside
//     its parent (at most `outside_tolerance` of its area outside);
//   - siblings (the grids of one community, the communities of one street,
//     the streets of a district, a city's districts) do not overlap by more than
//     `overlap_tolerance` of the smaller one's area.
// Nothing is half-imported: the result holds either every place or no place
// and the problems. Problems read "feature 3 (370112001001001): geometry: ring
// 0 of polygon 0 is not closed"; `feature` is -1 for the document itself.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"
#include "geo/place.h"

namespace hotline::geo {

struct ImportOptions {
  double outside_tolerance = 0.005;  // Default: 0.5% of a child's area may lie outside its parent
  double overlap_tolerance = 0.005;  // Default: siblings may share 0.5% of the smaller one's area
};

struct GeoJsonProblem {
  int feature = -1;   // index in "features"; -1: the document
  std::string code;   // the feature's code when it has one
  std::string field;  // "geometry", "properties.code", ...
  std::string message;
  std::string ToString() const;
};

struct GeoJsonImport {
  PlaceSet places;  // empty unless problems is empty
  std::vector<GeoJsonProblem> problems;
  bool ok() const { return problems.empty(); }
  // OK, or kInvalidArgument whose message lists every problem, one per line.
  Status status() const;
};

GeoJsonImport ImportGeoJson(std::string_view text, const ImportOptions& options = {});

// A FeatureCollection of `places` in code order; Polygon for single-part
// shapes, MultiPolygon otherwise; coordinates printed to round-trip exactly.
std::string ExportGeoJson(const PlaceSet& places);

}  // namespace hotline::geo
