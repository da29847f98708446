#include "geo/coords.h"

#include <gtest/gtest.h>

#include <random>

namespace hotline::geo {
namespace {

// Published reference pairs (WGS-84 -> GCJ-02): wandergis/coordTransform's
// README example (Beijing, Tiananmen) and eviltransform's Shanghai vector.
struct Pair {
  LonLat wgs, gcj;
};
const Pair kReference[] = {
    {{116.404, 39.915}, {116.41024449916938, 39.91640428150164}},
    {{121.5272106, 31.1774276}, {121.531541859215, 31.17530398364597}},
};

TEST(CoordsTest, WgsToGcjMatchesPublishedPairs) {
  for (const Pair& p : kReference) {
    LonLat g = Wgs84ToGcj02(p.wgs);
    EXPECT_NEAR(g.lon, p.gcj.lon, 1e-6) << p.wgs.lon << "," << p.wgs.lat;
    EXPECT_NEAR(g.lat, p.gcj.lat, 1e-6) << p.wgs.lon << "," << p.wgs.lat;
  }
}

TEST(CoordsTest, GcjToWgsInvertsPublishedPairs) {
  for (const Pair& p : kReference) {
    LonLat w = Gcj02ToWgs84(p.gcj);
    EXPECT_LT(DistanceMeters(w, p.wgs), 0.5);
    EXPECT_NEAR(w.lon, p.wgs.lon, 1e-6);
    EXPECT_NEAR(w.lat, p.wgs.lat, 1e-6);
  }
}

TEST(CoordsTest, OffsetInJinanIsHundredsOfMetres) {
  LonLat hongjialou{117.0660, 36.6820};  // 洪家楼, Licheng
  LonLat g = Wgs84ToGcj02(hongjialou);
  double d = DistanceMeters(hongjialou, g);
  EXPECT_GT(d, 100);
  EXPECT_LT(d, 1000);
  EXPECT_EQ(ToWgs84(hongjialou, Datum::kWgs84).lon, hongjialou.lon);
}

TEST(CoordsTest, RoundTripAcrossChinaUnderHalfAMetre) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> lon(73.7, 134.7), lat(18.2, 53.5);
  double worst = 0;
  for (int i = 0; i < 20000; ++i) {
    LonLat w{lon(rng), lat(rng)};
    LonLat back = Gcj02ToWgs84(Wgs84ToGcj02(w));
    worst = std::max(worst, DistanceMeters(w, back));
  }
  EXPECT_LT(worst, 0.5);
  EXPECT_LT(worst, 0.01);  // in fact centimetres
}

TEST(CoordsTest, NoOffsetOutsideChina) {
  LonLat london{-0.1276, 51.5072};
  EXPECT_TRUE(OutsideChina(london));
  LonLat g = Wgs84ToGcj02(london);
  EXPECT_EQ(g.lon, london.lon);
  EXPECT_EQ(g.lat, london.lat);
  LonLat tokyo{139.69, 35.68};
  EXPECT_EQ(Gcj02ToWgs84(tokyo).lon, tokyo.lon);
}

TEST(CoordsTest, ParseDatum) {
  EXPECT_EQ(ParseDatum("WGS-84"), Datum::kWgs84);
  EXPECT_EQ(ParseDatum("gcj02"), Datum::kGcj02);
  EXPECT_EQ(ParseDatum("GCJ_02"), Datum::kGcj02);
  EXPECT_FALSE(ParseDatum("bd09").has_value());
  EXPECT_EQ(DatumName(Datum::kGcj02), "gcj02");
}

TEST(CoordsTest, DistanceAndValidity) {
  // One degree of latitude is ~111.2 km.
  EXPECT_NEAR(DistanceMeters({117, 36}, {117, 37}), 111195, 10);
  EXPECT_TRUE(ValidLonLat({117, 36}));
  EXPECT_FALSE(ValidLonLat({190, 36}));
  EXPECT_FALSE(ValidLonLat({117, std::nan("")}));
}

}  // namespace
}  // namespace hotline::geo
