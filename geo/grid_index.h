// Point in polygon: resolves a WGS-84 (lon, lat) to the grid, community and
// street that contain it, with Boost.Geometry R-trees (R*, 16 per node) over
// the places' envelopes and an exact covered_by test on the candidates.
//
// The answer is always one consistent lineage:
//   - grid: among the grids whose shape covers the point (interior or
//     boundary, bg::covered_by), the one with the LOWEST CODE. A point inside
//     one grid gets that grid; a point exactly on the border shared by grids
//     370112001001001 and ...002 gets ...001, every time.
//   - community: the grid's community when a grid was found (even if, within
//     the import tolerance, the grid pokes out of it); otherwise the
//     lowest-coded community covering the point (or none).
//   - street: likewise the community's street, else the lowest-coded
//     covering street (or none).
// So a point outside every grid but inside a community gets no grid and that
// community; a point outside the district gets nothing. Coordinates in
// GCJ-02 must be converted first (geo/coords.h ToWgs84).
//
// Thread-safety: immutable after construction; Resolve may be called from any
// number of threads at once.
#pragma once

#include <memory>
#include <vector>

#include "geo/place.h"

namespace hotline::geo {

struct Resolution {
  const Place* grid = nullptr;  // each nullptr when not found; point into the index
  const Place* community = nullptr;
  const Place* street = nullptr;
  bool found() const { return grid || community || street; }
};

class GridIndex {
 public:
  // Copies the street, community and grid places of `places` (districts are ignored).
  explicit GridIndex(const PlaceSet& places);
  ~GridIndex();
  GridIndex(const GridIndex&) = delete;
  GridIndex& operator=(const GridIndex&) = delete;

  Resolution Resolve(double lon, double lat) const;

  size_t grid_count() const;
  // The place with `code` held by the index, or nullptr.
  const Place* Find(std::string_view code) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hotline::geo
