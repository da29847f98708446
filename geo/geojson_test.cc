#include "geo/geojson.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hotline::geo {
namespace {

using nlohmann::json;

// A rectangle in a small patch of Licheng: x, y in "cells" of 0.01°.
json Rect(double x0, double y0, double x1, double y1) {
  auto X = [](double v) { return 117.0 + v * 0.01; };
  auto Y = [](double v) { return 36.6 + v * 0.01; };
  return {{"type", "Polygon"},
          {"coordinates",
           {{{X(x0), Y(y0)}, {X(x1), Y(y0)}, {X(x1), Y(y1)}, {X(x0), Y(y1)}, {X(x0), Y(y0)}}}}};
}

json Feature(std::string code, std::string name, json geometry, json extra = json::object()) {
  json props = {{"code", code}, {"name", name}};
  props.update(extra);
  return {{"type", "Feature"}, {"properties", props}, {"geometry", geometry}};
}

// district 4x4; street = district; two communities (left/right half);
// left community has two grids (bottom/top), right one grid.
json Valid() {
  return {
      {"type", "FeatureCollection"},
      {"features",
       {Feature("370112", "历城区", Rect(0, 0, 4, 4)),
        Feature("370112001", "山大路街道", Rect(0, 0, 4, 4)),
        Feature("370112001001", "甸柳社区", Rect(0, 0, 2, 4)),
        Feature("370112001002", "燕山社区", Rect(2, 0, 4, 4)),
        Feature("370112001001001", "甸柳社区第一网格", Rect(0, 0, 2, 2)),
        Feature("370112001001002", "甸柳社区第二网格", Rect(0, 2, 2, 4), {{"grid_kind", "basic"}}),
        Feature("370112001002001", "燕山社区学校专属网格", Rect(2, 0, 4, 4),
                {{"kind", "grid"}, {"grid_kind", "dedicated"}})}}};
}

std::string All(const GeoJsonImport& r) { return r.status().ToString(); }

TEST(GeoJsonTest, ImportsAValidCollection) {
  GeoJsonImport r = ImportGeoJson(Valid().dump());
  ASSERT_TRUE(r.ok()) << All(r);
  ASSERT_EQ(r.places.places.size(), 7u);
  const Place* g = r.places.Find("370112001002001");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->kind, UnitKind::kGrid);
  EXPECT_EQ(g->grid_kind, GridKind::kDedicated);
  EXPECT_EQ(r.places.Find("370112001")->kind, UnitKind::kStreet);  // inferred from the code
  EXPECT_EQ(r.places.Find("370112001001001")->grid_kind, GridKind::kBasic);
}

TEST(GeoJsonTest, ClockwiseRingsAreAccepted) {
  json doc = Valid();
  auto& ring = doc["features"][4]["geometry"]["coordinates"][0];
  std::reverse(ring.begin(), ring.end());
  EXPECT_TRUE(ImportGeoJson(doc.dump()).ok());
}

TEST(GeoJsonTest, ExportImportRoundTripGivesTheSamePlaces) {
  GeoJsonImport first = ImportGeoJson(Valid().dump());
  ASSERT_TRUE(first.ok());
  std::string exported = ExportGeoJson(first.places);
  GeoJsonImport second = ImportGeoJson(exported);
  ASSERT_TRUE(second.ok()) << All(second);
  ASSERT_EQ(second.places.places.size(), first.places.places.size());
  for (size_t i = 0; i < first.places.places.size(); ++i) {
    const Place& a = first.places.places[i];
    const Place& b = second.places.places[i];
    EXPECT_EQ(a.code, b.code);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.grid_kind, b.grid_kind);
    EXPECT_TRUE(bg::equals(a.shape, b.shape)) << a.code;
  }
  EXPECT_EQ(ExportGeoJson(second.places), exported);  // byte for byte
}

TEST(GeoJsonTest, EveryProblemIsNamedAndNothingIsImported) {
  json doc = Valid();
  auto& f = doc["features"];
  // 7: ring not closed
  json open = Rect(0, 0, 1, 1);
  open["coordinates"][0].erase(open["coordinates"][0].end() - 1);
  open["coordinates"][0].push_back({117.001, 36.6});
  f.push_back(Feature("370112001001003", "未闭合网格", open));
  // 8: self-intersecting (bow tie)
  json bow = {{"type", "Polygon"},
              {"coordinates",
               {{{117.0, 36.6}, {117.01, 36.61}, {117.01, 36.6}, {117.0, 36.61}, {117.0, 36.6}}}}};
  f.push_back(Feature("370112001001004", "自相交网格", bow));
  // 9: malformed code; 10: kind disagrees with the code
  f.push_back(Feature("37011200100X", "坏代码社区", Rect(0, 0, 1, 1)));
  f.push_back(Feature("370112001003", "错类社区", Rect(0, 0, 1, 1), {{"kind", "grid"}}));
  // 11: grid outside its community (right half of the district, community is the left)
  f.push_back(Feature("370112001001005", "越界网格", Rect(2.5, 0, 3.5, 1)));
  // 12: overlaps grid 370112001001001
  f.push_back(Feature("370112001001006", "重叠网格", Rect(0.5, 0.5, 1.5, 1.5)));
  // 13: a LineString; 14: grid whose community is missing
  f.push_back(
      {{"type", "Feature"},
       {"properties", {{"code", "370112001002002"}, {"name", "线"}}},
       {"geometry", {{"type", "LineString"}, {"coordinates", {{117, 36.6}, {117.01, 36.61}}}}}});
  f.push_back(Feature("370112001009001", "孤儿网格", Rect(0, 0, 1, 1)));
  // 15: duplicate code
  f.push_back(Feature("370112001001001", "重复", Rect(0, 0, 2, 2)));

  GeoJsonImport r = ImportGeoJson(doc.dump());
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.places.places.empty());
  std::string all = All(r);
  auto has = [&](int feature, const std::string& code, const std::string& words) {
    for (const auto& p : r.problems)
      if (p.feature == feature && p.code == code && p.ToString().find(words) != std::string::npos)
        return true;
    ADD_FAILURE() << "no problem for feature " << feature << " (" << code << ") with '" << words
                  << "' in:\n"
                  << all;
    return false;
  };
  has(7, "370112001001003", "not closed");
  has(8, "370112001001004", "invalid polygon");
  has(8, "370112001001004", "self");
  has(9, "37011200100X", "properties.code");
  has(10, "370112001003", "properties.kind");
  has(11, "370112001001005", "outside its community 370112001001");
  has(12, "370112001001006", "overlaps grid 370112001001001");
  has(13, "370112001002002", "Polygon or MultiPolygon");
  has(14, "370112001009001", "community 370112001009 is not in the collection");
  has(15, "370112001001001", "duplicate");
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(all.find("feature 11 (370112001001005): geometry:"), std::string::npos) << all;
}

TEST(GeoJsonTest, SmallSliversWithinToleranceAreAccepted) {
  json doc = Valid();
  // Grid 001 pokes 0.1% of its area out of its community (0.002 of 2 cells wide).
  doc["features"][4]["geometry"] = Rect(0, 0, 2.002, 2);
  EXPECT_TRUE(ImportGeoJson(doc.dump()).ok()) << All(ImportGeoJson(doc.dump()));
  doc["features"][4]["geometry"] = Rect(0, 0, 2.1, 2);  // 5%: rejected
  EXPECT_FALSE(ImportGeoJson(doc.dump()).ok());
}

TEST(GeoJsonTest, DocumentLevelErrors) {
  EXPECT_EQ(ImportGeoJson("{not json").problems.at(0).ToString(), "document: not JSON");
  EXPECT_NE(ImportGeoJson(R"({"type":"Feature"})").problems.at(0).message.find("FeatureCollection"),
            std::string::npos);
  EXPECT_FALSE(ImportGeoJson(R"({"type":"FeatureCollection"})").ok());
  GeoJsonImport r =
      ImportGeoJson(R"({"type":"FeatureCollection","features":[{"type":"Feature"}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems[0].feature, 0);
}

TEST(GeoJsonTest, MultiPolygonAndHoles) {
  json doc = Valid();
  // Right community's grid as two parts; a hole in the district is fine when nothing needs it.
  doc["features"][6]["geometry"] = {
      {"type", "MultiPolygon"},
      {"coordinates", {Rect(2, 0, 4, 1.9)["coordinates"], Rect(2, 2, 4, 4)["coordinates"]}}};
  GeoJsonImport r = ImportGeoJson(doc.dump());
  ASSERT_TRUE(r.ok()) << All(r);
  EXPECT_EQ(r.places.Find("370112001002001")->shape.size(), 2u);
  std::string out = ExportGeoJson(r.places);
  EXPECT_NE(out.find("MultiPolygon"), std::string::npos);
  EXPECT_TRUE(ImportGeoJson(out).ok());
}

}  // namespace
}  // namespace hotline::geo
