// Generated, plausible boundaries for a district whose real GIS data is not
// at hand (the demo city, benchmarks, tests): the district's outline — a
// rounded convex shape in `extent` — is split into street cells, each street
// into community cells and each community into grid cells, by recursive
// straight cuts (slightly tilted, perpendicular to a cell's longer side) whose
// positions give every child an area share proportional to its weight:
//   street    = sum of its communities' weights
//   community = 1 for a 居委会 (code 001-199), 2.5 for a village 村委会 (200-399),
//               which are larger and rural
//   grid      = 1 basic, 0.35 dedicated (专属: a school, a hospital, a park)
// Cells of one parent tile it exactly (shared edges are computed once, so
// siblings neither overlap nor leave gaps), and the result passes
// ImportGeoJson's checks. Lower codes are placed north and west.
// Deterministic for a seed. Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "domain/result.h"
#include "domain/types.h"
#include "geo/place.h"

namespace hotline::geo {

struct DemoBoundaryOptions {
  // Default: a box around Licheng, Jinan (WGS-84): 洪家楼/山大路 in the
  // north-west, 唐王 in the north (~36.85°N), 柳埠 in the south (~36.40°N),
  // 彩石/西营 in the east (~117.3-117.4°E); approximate, not surveyed.
  Box extent{Point(116.98, 36.38), Point(117.42, 36.87)};
  std::uint64_t seed = 12345;  // Default: fixed
};

// REQUIRES nothing of order. Uses the units of kind district, street,
// community and grid; others are ignored. Every community must have its
// street and every grid its community in `units` (by code prefix); the
// district is synthesised from the streets' codes when absent. Each place
// gets the unit's name and id.
Result<PlaceSet> GenerateDemoBoundaries(std::span<const Unit> units,
                                        const DemoBoundaryOptions& options = {});

}  // namespace hotline::geo

namespace hotline::geo {

// Units for tests and benchmarks, ids from 1 in code order:
// A district like the demo city's: the streets and communities of a divisions
// CSV (code,name,parent_code; data/demo/licheng_divisions.csv) with grids as
// app/demo builds them — 2-3 basic grids per 居委会, 1 per village, a
// dedicated grid for a quarter of the 居委会 — drawn from `seed`.
Result<std::vector<Unit>> DivisionUnits(const std::string& csv_path, std::uint64_t seed = 12345);
// A synthetic city: `streets` streets × `communities` communities × `grids` grids.
std::vector<Unit> SyntheticUnits(int streets, int communities, int grids);

}  // namespace hotline::geo
