#include "geo/demo_boundaries.h"

#include <gtest/gtest.h>

#include "geo/geojson.h"
#include "geo/grid_index.h"

namespace hotline::geo {
namespace {

const std::string kDivisions = std::string(HOTLINE_SOURCE_DATA_DIR) + "/demo/licheng_divisions.csv";

TEST(DemoBoundariesTest, LichengUnitsLookLikeTheDemoCity) {
  auto units = DivisionUnits(kDivisions);
  ASSERT_TRUE(units.ok()) << units.status().ToString();
  int streets = 0, communities = 0, grids = 0;
  for (const Unit& u : *units) {
    streets += u.kind == UnitKind::kStreet;
    communities += u.kind == UnitKind::kCommunity;
    grids += u.kind == UnitKind::kGrid;
  }
  EXPECT_EQ(streets, 17);
  EXPECT_EQ(communities, 632);
  EXPECT_GT(grids, 750);
  EXPECT_LT(grids, 1000);
}

TEST(DemoBoundariesTest, PassesImportValidationAndCoversTheDistrict) {
  auto units = DivisionUnits(kDivisions);
  ASSERT_TRUE(units.ok());
  auto set = GenerateDemoBoundaries(*units);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->places.size(), units->size());
  std::string json = ExportGeoJson(*set);
  GeoJsonImport back = ImportGeoJson(json, {.outside_tolerance = 1e-5, .overlap_tolerance = 1e-5});
  ASSERT_TRUE(back.ok()) << back.status().ToString().substr(0, 2000);
  // Same places after the round trip, unit ids aside.
  ASSERT_EQ(back.places.places.size(), set->places.size());
  for (size_t i = 0; i < set->places.size(); ++i) {
    EXPECT_EQ(back.places.places[i].code, set->places[i].code);
    EXPECT_EQ(back.places.places[i].name, set->places[i].name);
  }
  // Grids tile the district: the sum of grid areas equals the district's area.
  double district = 0, grids = 0;
  for (const Place& p : set->places) {
    if (p.kind == UnitKind::kDistrict) district = bg::area(p.shape);
    if (p.kind == UnitKind::kGrid) grids += bg::area(p.shape);
  }
  EXPECT_NEAR(grids / district, 1.0, 1e-9);
  // 洪家楼 and 山大路 (urban, north-west) fall inside the district; every inside point finds a
  // grid.
  GridIndex idx(*set);
  for (auto [lon, lat] : {std::pair{117.066, 36.682}, {117.05, 36.67}, {117.2, 36.6}}) {
    Resolution r = idx.Resolve(lon, lat);
    ASSERT_NE(r.grid, nullptr) << lon << "," << lat;
    EXPECT_EQ(r.grid->code.substr(0, 12), r.community->code);
    EXPECT_EQ(r.community->code.substr(0, 9), r.street->code);
  }
  EXPECT_FALSE(idx.Resolve(116.5, 36.6).found());
}

TEST(DemoBoundariesTest, DeterministicForASeed) {
  auto units = DivisionUnits(kDivisions);
  ASSERT_TRUE(units.ok());
  auto a = GenerateDemoBoundaries(*units, {.seed = 1});
  auto b = GenerateDemoBoundaries(*units, {.seed = 1});
  auto c = GenerateDemoBoundaries(*units, {.seed = 2});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(ExportGeoJson(*a), ExportGeoJson(*b));
  EXPECT_NE(ExportGeoJson(*a), ExportGeoJson(*c));
}

TEST(DemoBoundariesTest, CitySizedSetOf10000Grids) {
  auto units = SyntheticUnits(40, 25, 10);
  auto set = GenerateDemoBoundaries(units);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  GridIndex idx(*set);
  EXPECT_EQ(idx.grid_count(), 10000u);
}

TEST(DemoBoundariesTest, OrphansAreRejected) {
  std::vector<Unit> units = SyntheticUnits(1, 1, 1);
  units.erase(units.begin() + 2);  // the community
  auto set = GenerateDemoBoundaries(units);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("has no community"), std::string::npos);
}

}  // namespace
}  // namespace hotline::geo
