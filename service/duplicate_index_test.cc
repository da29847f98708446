#include "service/duplicate_index.h"

#include <gtest/gtest.h>

#include <string>

namespace hotline {
namespace {

constexpr Timestamp kNow = 1795399200;  // 2026-11-23 10:00 Beijing
constexpr std::int64_t kDay = 86400;

const std::string kLamp = "历山路与花园路路口的路灯连续三晚不亮，行人过马路很危险，请尽快维修";
const std::string kLampAgain =
    "历山路与花园路路口的路灯连续三晚不亮了，行人晚上过马路很危险，请尽快派人维修";
const std::string kNoise = "洪家楼南区12号楼楼下烧烤店每晚十点后噪音扰民，油烟也很大";

WorkOrder Order(Id id, std::optional<Id> street, Timestamp at, std::string phone = "") {
  WorkOrder o;
  o.id = id;
  o.place.street_id = street;
  o.created_at = at;
  o.caller_phone = std::move(phone);
  return o;
}

std::vector<Id> Ids(const std::vector<DuplicateCandidate>& cs) {
  std::vector<Id> out;
  for (const auto& c : cs) out.push_back(c.order_id);
  return out;
}

TEST(DuplicateIndexTest, SamePlaceAndSubjectWhateverTheWords) {
  // Six households of one compound call about its heating, each in their own words.
  const std::string first =
      "洪家楼街道祥泰小区1号楼2单元，这几天暖气一直不热，家里室温只有十三四度，老人孩子受不了，"
      "多次打供热公司电话无人处理，请尽快解决";
  const std::string second = "祥泰小区3号楼暖气不热";
  const std::uint64_t xiangtai = 11, other_compound = 12;
  const DuplicateMatter heating{xiangtai, "100301"};
  DuplicateIndex idx;
  idx.Add(Order(1, 7, kNow - 2 * kDay), DuplicateIndex::Fingerprint(first), heating);
  idx.Add(Order(2, 7, kNow - kDay), DuplicateIndex::Fingerprint(first), {other_compound, "100301"});
  idx.Add(Order(3, 7, kNow - kDay),
          DuplicateIndex::Fingerprint("祥泰小区南门烧烤店油烟大，每晚吵到十二点"),
          {xiangtai, "120402"});
  idx.Add(Order(4, 7, kNow - 40 * kDay), DuplicateIndex::Fingerprint(first), heating);
  const auto fp = DuplicateIndex::Fingerprint(second);
  ASSERT_LT(text::EstimateJaccard(fp, DuplicateIndex::Fingerprint(first)), 0.3)
      << "the words alone would not find it";
  auto found = idx.Find(Order(9, 7, kNow), fp, kNow, heating);
  // Not order 2 (another compound, although its text is the same as 1's), not 3 (another
  // subject), not 4 (outside the window).
  ASSERT_EQ(Ids(found), std::vector<Id>{1});
  EXPECT_EQ(found[0].reason, "same_place_same_subject");
  // Without a place, or with a broad subject, the place says nothing.
  EXPECT_TRUE(idx.Find(Order(9, 7, kNow), fp, kNow, {0, "100301"}).empty());
  EXPECT_TRUE(idx.Find(Order(9, 7, kNow), fp, kNow, {xiangtai, "10"}).empty());
  // A corrected place moves the order to the other compound's list.
  idx.Move(1, 7, {other_compound, "100301"});
  EXPECT_TRUE(idx.Find(Order(9, 7, kNow), fp, kNow, heating).empty());
  EXPECT_EQ(Ids(idx.Find(Order(9, 7, kNow), fp, kNow, {other_compound, "100301"})),
            (std::vector<Id>{2, 1}));
}

TEST(DuplicateIndexTest, SimilarTextInTheSameStreetOrWithoutAPlace) {
  DuplicateIndex idx;
  const auto lamp = DuplicateIndex::Fingerprint(kLamp);
  idx.Add(Order(1, 7, kNow - kDay), lamp);
  idx.Add(Order(2, 8, kNow - kDay), lamp);             // another street
  idx.Add(Order(3, std::nullopt, kNow - kDay), lamp);  // no place yet
  idx.Add(Order(4, 7, kNow - kDay), DuplicateIndex::Fingerprint(kNoise));
  const auto again = DuplicateIndex::Fingerprint(kLampAgain);
  auto found = idx.Find(Order(9, 7, kNow), again, kNow);
  EXPECT_EQ(Ids(found), (std::vector<Id>{3, 1}));
  EXPECT_EQ(found[0].reason, "similar_text_same_place");
  // Without a place, every street's repeats are candidates.
  EXPECT_EQ(Ids(idx.Find(Order(9, std::nullopt, kNow), again, kNow)), (std::vector<Id>{3, 2, 1}));
}

TEST(DuplicateIndexTest, SameCallerWhateverTheText) {
  DuplicateIndex idx;
  idx.Add(Order(1, 7, kNow - kDay, "13812345678"), DuplicateIndex::Fingerprint(kNoise));
  auto found = idx.Find(Order(2, 8, kNow, "13812345678"), DuplicateIndex::Fingerprint(kLamp), kNow);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].reason, "same_caller");
}

TEST(DuplicateIndexTest, OnlyTheWindowCountsAndOldOrdersAreDropped) {
  DuplicateOptions opt;
  opt.window_seconds = 30 * kDay;
  DuplicateIndex idx(opt);
  const auto lamp = DuplicateIndex::Fingerprint(kLamp);
  idx.Add(Order(1, 7, kNow - 40 * kDay), lamp);
  idx.Add(Order(2, 7, kNow - 10 * kDay), lamp);
  EXPECT_EQ(Ids(idx.Find(Order(9, 7, kNow), lamp, kNow)), std::vector<Id>{2});
  // As new orders arrive, those older than the window before the newest are dropped.
  for (Id id = 100; id < 100 + 5000; ++id)
    idx.Add(Order(id, 1 + id % 17, kNow, "139" + std::to_string(id)),
            DuplicateIndex::Fingerprint(kNoise + std::to_string(id)));
  EXPECT_EQ(idx.size(), 5001u) << "order 1 left the window and the index";
  EXPECT_EQ(Ids(idx.Find(Order(9, 7, kNow), lamp, kNow)), std::vector<Id>{2});
}

TEST(DuplicateIndexTest, ABucketKeepsItsNewestOrders) {
  DuplicateOptions opt;
  opt.max_bucket = 8;
  opt.max_results = 100;
  DuplicateIndex idx(opt);
  const auto lamp = DuplicateIndex::Fingerprint(kLamp);
  // 100 identical appeals in one street: every band of each lands in the same bucket.
  for (Id id = 1; id <= 100; ++id) idx.Add(Order(id, 7, kNow - kDay + id), lamp);
  EXPECT_LE(idx.largest_bucket(), 16u);
  auto found = Ids(idx.Find(Order(999, 7, kNow), lamp, kNow));
  ASSERT_FALSE(found.empty());
  ASSERT_LE(found.size(), 16u);
  for (Id id : found) EXPECT_GT(id, 84) << "only the newest orders of a full bucket are compared";
  // Other streets' buckets are their own: a street with one matching order still finds it.
  idx.Add(Order(500, 9, kNow - kDay), lamp);
  EXPECT_EQ(Ids(idx.Find(Order(999, 9, kNow), lamp, kNow)), std::vector<Id>{500});
}

TEST(DuplicateIndexTest, AFrequentCallerShowsTheirNewestOrders) {
  DuplicateOptions opt;
  opt.max_bucket = 16;
  DuplicateIndex idx(opt);
  for (Id id = 1; id <= 1000; ++id)
    idx.Add(Order(id, 1 + id % 17, kNow - kDay + id, "13812345678"),
            DuplicateIndex::Fingerprint(kNoise + std::to_string(id)));
  auto found =
      Ids(idx.Find(Order(2000, 3, kNow, "13812345678"), DuplicateIndex::Fingerprint(kLamp), kNow));
  EXPECT_EQ(found, (std::vector<Id>{1000, 999, 998, 997, 996}));
}

}  // namespace
}  // namespace hotline
