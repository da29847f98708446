#include "text/minhash.h"

#include <gtest/gtest.h>

namespace hotline::text {
namespace {

TEST(MinHash, NearCopiesScoreHighAndDifferentAppealsLow) {
  const char* a =
      "洪家楼南区12号楼楼下烧烤店每天晚上十点以后噪音扰民，油烟很大，希望相关部门处理。";
  const char* b = "洪家楼南区12号楼楼下烧烤店每天晚上十点后噪音扰民,油烟大,希望有关部门尽快处理!";
  const char* c = "咨询公租房申请需要哪些材料，在哪里办理，多长时间能审批下来。";
  double near = EstimateJaccard(MinHashOf(a), MinHashOf(b));
  double far = EstimateJaccard(MinHashOf(a), MinHashOf(c));
  EXPECT_GT(near, 0.45);
  EXPECT_LT(far, 0.1);
  EXPECT_EQ(EstimateJaccard(MinHashOf(a), MinHashOf(a)), 1.0);
}

TEST(MinHash, NearCopiesShareABandKey) {
  auto ka =
      BandKeys(MinHashOf("历城区全福街道全福小区3号楼暖气不热，室温只有十二度，家里有老人孩子"));
  auto kb =
      BandKeys(MinHashOf("历城区全福街道全福小区3号楼暖气不热，室温只有12度左右，家里有老人孩子"));
  int shared = 0;
  for (int i = 0; i < kBands; ++i)
    shared += ka[static_cast<size_t>(i)] == kb[static_cast<size_t>(i)];
  EXPECT_GT(shared, 0);
}

TEST(MinHash, ShortAndEmptyTextsAreDefined) {
  EXPECT_EQ(EstimateJaccard(MinHashOf(""), MinHashOf("")), 1.0);
  EXPECT_EQ(EstimateJaccard(MinHashOf("停水"), MinHashOf("停水")), 1.0);
  EXPECT_LT(EstimateJaccard(MinHashOf("停水"), MinHashOf("停电")), 1.0);
  MinHashOf("\xff\xfe\xe4");  // invalid UTF-8 is skipped, not a crash
}

}  // namespace
}  // namespace hotline::text
