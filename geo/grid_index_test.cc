#include "geo/grid_index.h"

#include <gtest/gtest.h>

#include <thread>

#include "geo/geojson.h"

namespace hotline::geo {
namespace {

Place Rect(std::string code, double x0, double y0, double x1, double y1) {
  Place p;
  p.code = code;
  p.name = code;
  p.kind = *KindOfCode(code);
  Polygon poly;
  bg::append(poly.outer(), Point(x0, y0));
  bg::append(poly.outer(), Point(x1, y0));
  bg::append(poly.outer(), Point(x1, y1));
  bg::append(poly.outer(), Point(x0, y1));
  bg::append(poly.outer(), Point(x0, y0));
  bg::correct(poly);
  p.shape.push_back(poly);
  return p;
}

// Street [0,4]x[0,4]; community A [0,2]x[0,4] with grids A1 [0,2]x[0,2] and
// A2 [0,2]x[2,3] (the strip y in (3,4) of A has no grid); community B
// [2,4]x[0,4] with grid B1 = all of B.
PlaceSet Sample() {
  PlaceSet s;
  s.places = {Rect("370112001", 0, 0, 4, 4),       Rect("370112001001", 0, 0, 2, 4),
              Rect("370112001002", 2, 0, 4, 4),    Rect("370112001001001", 0, 0, 2, 2),
              Rect("370112001001002", 0, 2, 2, 3), Rect("370112001002001", 2, 0, 4, 4)};
  s.SortByCode();
  return s;
}

std::string Code(const Place* p) { return p ? p->code : "-"; }

TEST(GridIndexTest, InsideAGrid) {
  GridIndex idx(Sample());
  Resolution r = idx.Resolve(1, 1);
  EXPECT_EQ(Code(r.grid), "370112001001001");
  EXPECT_EQ(Code(r.community), "370112001001");
  EXPECT_EQ(Code(r.street), "370112001");
  EXPECT_EQ(Code(idx.Resolve(3, 3.5).grid), "370112001002001");
  EXPECT_EQ(idx.grid_count(), 3u);
}

TEST(GridIndexTest, OutsideEveryGridButInsideACommunity) {
  GridIndex idx(Sample());
  Resolution r = idx.Resolve(1, 3.5);
  EXPECT_EQ(r.grid, nullptr);
  EXPECT_EQ(Code(r.community), "370112001001");
  EXPECT_EQ(Code(r.street), "370112001");
}

TEST(GridIndexTest, OutsideEverything) {
  GridIndex idx(Sample());
  Resolution r = idx.Resolve(5, 5);
  EXPECT_FALSE(r.found());
  EXPECT_EQ(r.community, nullptr);
  EXPECT_EQ(r.street, nullptr);
  EXPECT_FALSE(idx.Resolve(-0.0001, 1).found());
}

TEST(GridIndexTest, SharedBorderGoesToTheLowestCode) {
  GridIndex idx(Sample());
  // Border between A1 and A2 (y = 2) and between A1 and B1 (x = 2).
  EXPECT_EQ(Code(idx.Resolve(1, 2).grid), "370112001001001");
  EXPECT_EQ(Code(idx.Resolve(2, 1).grid), "370112001001001");
  EXPECT_EQ(Code(idx.Resolve(2, 1).community), "370112001001");  // the grid's, consistently
  // Corner shared by A1, A2 and B1.
  EXPECT_EQ(Code(idx.Resolve(2, 2).grid), "370112001001001");
  // Border between A2 and B1 (x = 2, y in (2,3)).
  EXPECT_EQ(Code(idx.Resolve(2, 2.5).grid), "370112001001002");
  // The outer edge of the district still counts as inside (covered_by).
  EXPECT_EQ(Code(idx.Resolve(4, 1).grid), "370112001002001");
  EXPECT_EQ(Code(idx.Resolve(0, 0).grid), "370112001001001");
  // Border of A's gridless strip with B1: B1.
  EXPECT_EQ(Code(idx.Resolve(2, 3.5).grid), "370112001002001");
}

TEST(GridIndexTest, ConcurrentReadsAgree) {
  GridIndex idx(Sample());
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        double x = (i % 400) / 100.0, y = (i / 400 % 400) / 100.0;
        Resolution r = idx.Resolve(x, y);
        if (!r.street) ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace hotline::geo
