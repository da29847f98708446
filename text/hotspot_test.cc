#include "text/hotspot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "text/normalize.h"

namespace hotline::text {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kT0 = 1'780'000'000;

class HotspotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto n = Normalizer::Create();
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    norm_ = std::move(*n);
  }
  HotspotAppeal A(std::string title, std::string content, std::int64_t at, std::string caller,
                  std::string place = "", std::int64_t support = 0) {
    HotspotAppeal a;
    a.id = next_id_++;
    a.title = norm_->Normalize(title);
    a.content = norm_->Normalize(content);
    a.at = at;
    a.caller = std::move(caller);
    a.place_key = std::move(place);
    a.support = support;
    return a;
  }
  // Members' ids of a hotspot.
  static std::vector<std::uint64_t> Ids(const Hotspot& h, const std::vector<HotspotAppeal>& in) {
    std::vector<std::uint64_t> out;
    for (size_t m : h.members) out.push_back(in[m].id);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::unique_ptr<Normalizer> norm_;
  std::uint64_t next_id_ = 1;
};

// Complaints about one community's problem, worded differently by different callers.
const char* kNoise[][2] = {
    {"魅力之城小区楼下餐馆油烟噪音扰民",
     "魅力之城小区临街的餐馆每天晚上油烟和噪音扰民，严重影响休息"},
    {"投诉魅力之城小区餐馆油烟", "魅力之城小区一楼餐馆油烟直排，噪音扰民，居民无法开窗"},
    {"魅力之城小区餐饮店噪音扰民", "魅力之城小区临街餐饮店深夜噪音扰民，油烟很大，请处理"},
    {"魅力之城小区油烟噪音问题", "魅力之城小区楼下餐馆油烟噪音扰民已经半年了"},
    {"再次反映魅力之城小区餐馆扰民", "魅力之城小区餐馆油烟噪音扰民，多次投诉没有解决"},
};

// Unrelated appeals scattered over the district.
const char* kScattered[][2] = {
    {"公积金贷款额度咨询", "请问公积金贷款最高额度是多少，二套房首付比例多少"},
    {"幼儿园收费过高", "某幼儿园每月收费三千元，是否符合规定"},
    {"路灯不亮", "解放路与和平路交叉口路灯坏了一个月没人修"},
    {"社保转移手续", "外地社保如何转入本市，需要哪些材料"},
    {"出租车拒载", "火车站出租车拒载绕路，要求查处"},
    {"学校周边交通拥堵", "实验小学门口上下学时段交通拥堵严重"},
};

TEST_F(HotspotTest, BurstInOneCommunityClustersAndRanksAboveScatteredAppeals) {
  std::vector<HotspotAppeal> in;
  for (int i = 0; i < 5; ++i)
    in.push_back(A(kNoise[i][0], kNoise[i][1], kT0 + i * 3600, "caller" + std::to_string(i)));
  for (int i = 0; i < 6; ++i)
    in.push_back(
        A(kScattered[i][0], kScattered[i][1], kT0 + i * kDay, "other" + std::to_string(i)));
  // One more pair of near-copies, from one caller: a smaller, weaker hotspot.
  in.push_back(A("路灯不亮", "解放路与和平路交叉口路灯坏了一个月没人修，再次反映", kT0 + 7 * kDay,
                 "other2"));

  auto hot = FindHotspots(in);
  ASSERT_EQ(hot.size(), 2u);
  EXPECT_THAT(Ids(hot[0], in), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_EQ(hot[0].count, 5);
  EXPECT_EQ(hot[0].distinct_callers, 5);
  EXPECT_EQ(hot[0].place_name, "魅力之城小区");
  EXPECT_EQ(hot[0].first_at, kT0);
  EXPECT_EQ(hot[0].last_at, kT0 + 4 * 3600);
  EXPECT_THAT(hot[0].keywords, Contains("油烟"));
  EXPECT_THAT(hot[0].keywords, Contains("噪音"));
  EXPECT_THAT(Ids(hot[1], in), ElementsAre(8, 12));
  EXPECT_EQ(hot[1].distinct_callers, 1);
  EXPECT_GT(hot[0].heat, hot[1].heat);
  // The scattered appeals are no hotspot at all.
  for (const Hotspot& h : hot)
    for (size_t m : h.members) EXPECT_NE(in[m].id, 6u);
}

TEST_F(HotspotTest, DifferentPlaceKeysAreNeverLinked) {
  std::vector<HotspotAppeal> in;
  for (int i = 0; i < 4; ++i)
    in.push_back(A(kNoise[i][0], kNoise[i][1], kT0 + i * 3600, "c" + std::to_string(i),
                   i < 2 ? "street-1" : "street-2"));
  auto hot = FindHotspots(in);
  ASSERT_EQ(hot.size(), 2u);
  EXPECT_THAT(Ids(hot[0], in), ::testing::AnyOf(ElementsAre(1, 2), ElementsAre(3, 4)));
  // An unknown place is compatible with both, but does not bridge them.
  in.push_back(A(kNoise[4][0], kNoise[4][1], kT0 + 5 * 3600, "c9", ""));
  hot = FindHotspots(in);
  ASSERT_EQ(hot.size(), 2u);
  EXPECT_EQ(hot[0].count, 3);
  EXPECT_EQ(hot[1].count, 2);
}

TEST_F(HotspotTest, AppealsFarApartInTimeAreNotLinked) {
  std::vector<HotspotAppeal> in = {A(kNoise[0][0], kNoise[0][1], kT0, "a"),
                                   A(kNoise[1][0], kNoise[1][1], kT0 + 200 * kDay, "b")};
  EXPECT_THAT(FindHotspots(in), IsEmpty());
  HotspotOptions wide;
  wide.link_window_seconds = 365 * kDay;
  EXPECT_EQ(FindHotspots(in, wide).size(), 1u);
}

TEST_F(HotspotTest, TraditionalAndFullWidthVariantsClusterWithSimplified) {
  std::vector<HotspotAppeal> in = {
      A("魅力之城小区楼下餐馆油烟噪音扰民",
        "魅力之城小区临街的餐馆每天晚上油烟和噪音扰民，严重影响休息", kT0, "a"),
      A("魅力之城小區樓下餐館油煙噪音擾民",
        "魅力之城小區臨街的餐館每天晚上油煙和噪音擾民，嚴重影響休息", kT0 + 3600, "b"),
      A("魅力之城小区楼下餐馆油烟噪音扰民！！",
        "魅力之城小区１２栋临街的餐馆每天晚上油烟和噪音扰民", kT0 + 7200, "c"),
      A("幼儿园收费过高", "某幼儿园每月收费三千元，是否符合规定", kT0, "d"),
  };
  auto hot = FindHotspots(in);
  ASSERT_EQ(hot.size(), 1u);
  EXPECT_THAT(Ids(hot[0], in), ElementsAre(1, 2, 3));
}

TEST_F(HotspotTest, HeatGrowsWithDistinctCallersGrowthAndSupportAsDocumented) {
  // Distinct callers weigh more than repeats by the same caller.
  EXPECT_GT(HeatIndex(5, 5, 0, 0), HeatIndex(5, 1, 0, 0));
  EXPECT_NEAR(HeatIndex(5, 5, 0, 0), 10 * std::log2(6.0), 1e-9);
  EXPECT_NEAR(HeatIndex(5, 1, 0, 0), 10 * (1 + 0.5 * std::log2(5.0)), 1e-9);
  // Support adds a quarter of its log.
  EXPECT_NEAR(HeatIndex(2, 2, 15, 0) - HeatIndex(2, 2, 0, 0), 10 * 0.25 * 4, 1e-9);
  // Growth multiplies by 1 + growth/4, clamped to [-1, 4].
  EXPECT_NEAR(HeatIndex(3, 3, 0, 4) / HeatIndex(3, 3, 0, 0), 2.0, 1e-9);
  EXPECT_NEAR(HeatIndex(3, 3, 0, 40) / HeatIndex(3, 3, 0, 0), 2.0, 1e-9);
  EXPECT_NEAR(HeatIndex(3, 3, 0, -1) / HeatIndex(3, 3, 0, 0), 0.75, 1e-9);
}

TEST_F(HotspotTest, SameSizedClustersRankByGrowthAndDistinctCallers) {
  const std::int64_t end = kT0 + 30 * kDay;
  std::vector<HotspotAppeal> in;
  // Cluster A (noise complaints): 4 appeals, all in the last week before `end`.
  for (int i = 0; i < 4; ++i)
    in.push_back(A(kNoise[i][0], kNoise[i][1], end - 2 * kDay + i * 3600, "n" + std::to_string(i)));
  // Cluster B (a school crossing): 4 appeals, three weeks earlier, same callers count.
  const char* school[][2] = {
      {"实验小学门口交通拥堵", "实验小学门口上下学时段交通拥堵严重，家长车辆乱停"},
      {"实验小学门口拥堵", "实验小学门口每天上下学交通拥堵，车辆乱停乱放"},
      {"实验小学上下学交通拥堵", "实验小学门口交通拥堵严重，建议增设交警疏导"},
      {"实验小学门口车辆乱停", "实验小学门口上下学交通拥堵，车辆乱停，孩子很危险"},
  };
  for (int i = 0; i < 4; ++i)
    in.push_back(
        A(school[i][0], school[i][1], end - 20 * kDay + i * 3600, "s" + std::to_string(i)));
  HotspotOptions opt;
  opt.range_end = end;
  auto hot = FindHotspots(in, opt);
  ASSERT_EQ(hot.size(), 2u);
  EXPECT_EQ(hot[0].count, 4);
  EXPECT_EQ(hot[1].count, 4);
  EXPECT_EQ(hot[0].place_name, "魅力之城小区");  // growing: 4 this week, 0 the week before
  EXPECT_EQ(hot[0].recent, 4);
  EXPECT_DOUBLE_EQ(hot[0].growth, 4.0);
  EXPECT_DOUBLE_EQ(hot[1].growth, 0.0);

  // Now the school cluster's four appeals come from one caller, the noise cluster is old too:
  // distinct callers decide.
  for (auto& a : in) a.at = a.at < end - 10 * kDay ? a.at : a.at - 18 * kDay;
  for (int i = 4; i < 8; ++i) in[static_cast<size_t>(i)].caller = "same";
  hot = FindHotspots(in, opt);
  ASSERT_EQ(hot.size(), 2u);
  EXPECT_EQ(hot[0].place_name, "魅力之城小区");
  EXPECT_EQ(hot[1].distinct_callers, 1);
  EXPECT_GT(hot[0].heat, hot[1].heat);
}

TEST_F(HotspotTest, SupportRaisesHeat) {
  std::vector<HotspotAppeal> in = {A(kNoise[0][0], kNoise[0][1], kT0, "a"),
                                   A(kNoise[1][0], kNoise[1][1], kT0 + 1, "b"),
                                   A(kScattered[2][0], kScattered[2][1], kT0, "c", "", 100),
                                   A(kScattered[2][0], kScattered[2][1], kT0 + 5, "d", "", 200)};
  auto hot = FindHotspots(in);
  ASSERT_EQ(hot.size(), 2u);
  EXPECT_EQ(hot[0].support, 300);
  EXPECT_EQ(hot[1].support, 0);
}

// The options FindHotspots used before the cohesion check: single linkage at 0.35.
HotspotOptions SingleLinkage() {
  HotspotOptions o;
  o.min_similarity = 0.35;
  o.min_cohesion = 0;
  return o;
}

TEST_F(HotspotTest, ChainOfLinksDoesNotJoinUnlikeAppeals) {
  // A shares half its words with B, B the other half with C; A and C share nothing. Single
  // linkage chained all three into one hotspot; the cohesion check keeps C out of A's cluster.
  const std::string p = "学校门口交通拥堵", q = "楼下烧烤油烟熏人", r = "货车深夜鸣笛噪音",
                    t = "水管爆裂停水三天";
  std::vector<HotspotAppeal> in = {A(p + q, p + "，" + q, kT0, "a"),
                                   A(q + r, q + "，" + r, kT0 + 3600, "b"),
                                   A(r + t, r + "，" + t, kT0 + 7200, "c")};
  auto chained = FindHotspots(in, SingleLinkage());
  ASSERT_EQ(chained.size(), 1u);
  EXPECT_THAT(Ids(chained[0], in), ElementsAre(1, 2, 3));

  auto hot = FindHotspots(in);
  ASSERT_EQ(hot.size(), 1u);
  EXPECT_EQ(hot[0].count, 2);
  const std::vector<std::uint64_t> ids = Ids(hot[0], in);
  EXPECT_FALSE(std::find(ids.begin(), ids.end(), 1u) != ids.end() &&
               std::find(ids.begin(), ids.end(), 3u) != ids.end())
      << "A and C in one hotspot";
}

TEST_F(HotspotTest, DifferentlyWordedPostsAboutOneMatterStillCluster) {
  // One compound's residents on one matter (a railway planned next to their buildings), in two
  // wordings that share little beyond the compound's name, each posted by several people: as
  // groups they are one matter at one named place.
  const char* kRail[][2] = {
      {"绿地海外滩小区距高铁线路太近",
       "绿地海外滩小区距规划的高铁线路只有三十米，噪音和震动会严重影响业主生活，请重新论证选线"},
      {"绿地海外滩小区距高铁线路太近了",
       "绿地海外滩小区距规划的高铁线路只有三十米，噪音和震动会严重影响业主生活，请重新论证选线！"},
      {"绿地海外滩小区会饱受列车困扰",
       "按照现在的方案，长赣铁路从绿地海外滩小区旁边经过，列车通过时全天轰鸣，开发商卖房时隐瞒了此"
       "事"},
      {"绿地海外滩小区会饱受列车困扰！",
       "按照现在的方案，长赣铁路从绿地海外滩小区旁边经过，列车通过时全天轰鸣，开发商卖房时隐瞒了此"
       "事"},
      {"绿地海外滩小区业主会饱受列车困扰",
       "按照现在的方案，长赣铁路从绿地海外滩小区旁边经过，列车噪音影响业主生活，开发商卖房时隐瞒"
       "了"},
  };
  std::vector<HotspotAppeal> in;
  for (int i = 0; i < 5; ++i)
    in.push_back(A(kRail[i][0], kRail[i][1], kT0 + i * kDay, "r" + std::to_string(i)));
  for (int i = 0; i < 6; ++i)
    in.push_back(
        A(kScattered[i][0], kScattered[i][1], kT0 + i * kDay, "other" + std::to_string(i)));
  auto hot = FindHotspots(in);
  ASSERT_EQ(hot.size(), 1u);
  EXPECT_THAT(Ids(hot[0], in), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_EQ(hot[0].place_name, "绿地海外滩小区");
  // The wordings share only the compound and a few words: a stricter cohesion splits them.
  HotspotOptions strict;
  strict.min_cohesion = 0.6;
  EXPECT_EQ(FindHotspots(in, strict).size(), 2u);
}

TEST_F(HotspotTest, TextCopiedFromAnotherCompoundsComplaintStaysWithItsOwnCompound) {
  // Residents of 魅力之城 complain about restaurant fumes; 润芳园's residents about theirs. One
  // 魅力之城 post reuses most of a 润芳园 post's text: it names its own compound, and belongs
  // with it, not with the compound whose words it borrowed.
  const char* kPosts[][2] = {
      {"魅力之城小区底层餐馆油烟扰民",
       "魅力之城小区底层餐馆油烟直排，晚上烧烤到凌晨，居民无法开窗"},
      {"魅力之城小区楼下餐馆油烟扰民", "魅力之城小区楼下几家餐馆油烟直排，烧烤到凌晨，严重扰民"},
      {"润芳园小区临街门面油烟直排扰民",
       "润芳园小区临街的张师傅烧烤、津市米粉、沙县小吃等门面无证经营，长期油烟熏人，一天到晚都是烟"
       "，没有烟道"},
      {"润芳园小区临街门面油烟扰民",
       "润芳园小区临街张师傅烧烤、津市米粉、沙县小吃无证经营，长期油烟熏人，一天到晚都是烟"},
      {"魅力之城小区临街门面油烟扰民",
       "魅力之城小区楼下烧烤摊无证经营，长期油烟熏人，一天到晚都是烟，没有烟道，晚上烧烤到凌晨"},
  };
  std::vector<HotspotAppeal> in;
  for (int i = 0; i < 5; ++i)
    in.push_back(A(kPosts[i][0], kPosts[i][1], kT0 + i * 3600, "p" + std::to_string(i)));
  // On wording alone it goes with the posts it copied.
  HotspotOptions words_only;
  words_only.place_bonus = 0;
  auto by_words = FindHotspots(in, words_only);
  ASSERT_EQ(by_words.size(), 2u);
  EXPECT_THAT(Ids(by_words[0], in), ::testing::AnyOf(ElementsAre(1, 2), ElementsAre(3, 4, 5)));
  EXPECT_THAT(Ids(by_words[1], in), ::testing::AnyOf(ElementsAre(1, 2), ElementsAre(3, 4, 5)));
  // Naming different compounds counts against joining the 润芳园 cluster; naming its own
  // compound counts for joining the 魅力之城 one.
  auto hot = FindHotspots(in);
  ASSERT_EQ(hot.size(), 2u);
  EXPECT_THAT(Ids(hot[0], in), ::testing::AnyOf(ElementsAre(1, 2, 5), ElementsAre(3, 4)));
  EXPECT_THAT(Ids(hot[1], in), ::testing::AnyOf(ElementsAre(1, 2, 5), ElementsAre(3, 4)));
}

TEST(PlaceNames, FindsCompoundsRoadsAndVillages) {
  EXPECT_THAT(ExtractPlaceNames("A市A5区魅力之城小区临街餐饮店油烟噪音扰民"),
              ElementsAre("魅力之城小区"));
  EXPECT_THAT(ExtractPlaceNames("座落在A市A3区联丰路米兰春天G2栋320"), ElementsAre("联丰路"));
  EXPECT_THAT(ExtractPlaceNames("反映A7县春华镇金鼎村水泥路问题"), ElementsAre("春华镇", "金鼎村"));
  EXPECT_THAT(ExtractPlaceNames("关于伊景园滨河苑捆绑销售车位的投诉"),
              ElementsAre("伊景园", "滨河苑"));
  EXPECT_THAT(ExtractPlaceNames("这条马路和道路两旁的公园"), IsEmpty());
  // 外 inside a name does not cut it.
  EXPECT_THAT(ExtractPlaceNames("A4区绿地海外滩小区距高铁太近"), ElementsAre("绿地海外滩小区"));
}

TEST(PlaceNames, FindsTheDistrict) {
  EXPECT_EQ(ExtractDistrict("A市A5区魅力之城小区"), "A5区");
  EXPECT_EQ(ExtractDistrict("反映A7县春华镇"), "A7县");
  EXPECT_EQ(ExtractDistrict("济南市历城区洪家楼街道"), "历城区");
  EXPECT_EQ(ExtractDistrict("万达B区小区门口"), "");
}

}  // namespace
}  // namespace hotline::text
