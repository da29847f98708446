// HotlineService::Hotspots: clustering over the store's orders, scope, merged orders, cache,
// errors naming the field.
#include <gtest/gtest.h>

#include "service/service_test_fixture.h"

namespace hotline::testing {
namespace {

class HotspotService : public SmallCity {
 protected:
  Id Add(const std::string& content, const std::string& phone, const char* grid) {
    IntakeRequest r = Appeal();
    r.content = content;
    r.title.clear();
    r.caller_phone = phone;
    r.grid_id = UnitId(grid);
    bool existed = false;
    auto v = svc_->Intake(agent_, r, &existed);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    clock_.Advance(600);
    return v.ok() ? v->order.id : 0;
  }
  // Four neighbours complain about the same thing in 甸柳 (street 山大路); two unrelated
  // appeals in 洪家楼.
  void Burst() {
    const char* grid1 = "370112001001001";
    const char* grid2 = "370112002001001";
    burst_ = {
        Add("甸柳小区3号楼楼下烧烤店每晚油烟噪音扰民，联系电话13811112222", "13811112222", grid1),
        Add("甸柳小区3号楼下烧烤店油烟大噪音扰民到凌晨", "13811113333", grid1),
        Add("投诉甸柳小区烧烤店夜间油烟噪音扰民", "13811114444", grid1),
        Add("甸柳小区楼下烧烤店每天晚上油烟噪音扰民，无法休息", "13811115555", grid1)};
    Add("洪家楼南区路灯坏了一个月没人修", "13911110000", grid2);
    Add("咨询公租房申请需要准备哪些材料", "13911110001", grid2);
  }
  HotspotQuery Range() {
    HotspotQuery q;
    q.from = kMonday10 - 86400;
    q.to = kMonday10 + 2 * 86400;
    return q;
  }
  std::vector<Id> burst_;
};

TEST_F(HotspotService, BurstInOneCommunityIsTheHotspotWithItsPlaceAndOrders) {
  Burst();
  auto hot = svc_->Hotspots(agent_, Range());
  ASSERT_TRUE(hot.ok()) << hot.status().ToString();
  ASSERT_EQ(hot->size(), 1u);
  const HotspotView& h = (*hot)[0];
  EXPECT_EQ(h.count, 4);
  EXPECT_EQ(h.distinct_callers, 4);
  EXPECT_EQ(h.order_ids, burst_);
  EXPECT_EQ(h.id, "h" + std::to_string(burst_[0]));
  EXPECT_EQ(h.street_id, UnitId("370112001"));
  EXPECT_EQ(h.community_id, UnitId("370112001001"));
  EXPECT_EQ(h.first_at, kMonday10);
  EXPECT_EQ(h.last_at, kMonday10 + 3 * 600);
  EXPECT_GT(h.heat, 0);
  // Titles are shown in lists: personal numbers masked.
  EXPECT_EQ(h.title.find("13811112222"), std::string::npos);
}

TEST_F(HotspotService, ScopedToTheCallersJurisdiction) {
  Burst();
  auto mine = svc_->Hotspots(s1_, Range());
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  auto other = svc_->Hotspots(s2_, Range());
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty()) << "洪家楼 must not see 山大路's hotspot";
  // Naming a street outside the jurisdiction is as if it did not exist.
  HotspotQuery q = Range();
  q.street_id = UnitId("370112001");
  auto forbidden = svc_->Hotspots(s2_, q);
  EXPECT_EQ(forbidden.status().code(), Code::kNotFound);
  EXPECT_EQ(forbidden.status().field(), "street");
  // District-wide staff may filter by street.
  auto filtered = svc_->Hotspots(agent_, q);
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(filtered->size(), 1u);
  q.street_id = UnitId("370112002");
  EXPECT_TRUE(svc_->Hotspots(agent_, q)->empty());
  // Citizens see no hotspots.
  EXPECT_EQ(svc_->Hotspots(citizen_, Range()).status().code(), Code::kForbidden);
}

TEST_F(HotspotService, BadQueriesNameTheField) {
  HotspotQuery q = Range();
  q.to = q.from;
  EXPECT_EQ(svc_->Hotspots(agent_, q).status().field(), "to");
  q = Range();
  q.to = q.from + 400 * 86400;
  EXPECT_EQ(svc_->Hotspots(agent_, q).status().field(), "to");
  q = Range();
  q.limit = 0;
  EXPECT_EQ(svc_->Hotspots(agent_, q).status().field(), "limit");
  q = Range();
  q.street_id = UnitId("370112001001");  // a community
  auto st = svc_->Hotspots(agent_, q).status();
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.field(), "street");
}

TEST_F(HotspotService, MergedDuplicatesCountOnceAndTheCacheExpires) {
  Burst();
  ASSERT_EQ((*svc_->Hotspots(agent_, Range()))[0].count, 4);
  ActionInput m;
  m.action = Action::kMerge;
  m.merge_into = burst_[0];
  ASSERT_TRUE(svc_->Act(agent_, burst_[1], m, std::nullopt).ok());
  // Within the cache period the dashboard gets the same answer...
  EXPECT_EQ((*svc_->Hotspots(agent_, Range()))[0].count, 4);
  // ...afterwards the merged order is left out.
  clock_.Advance(61);
  auto hot = svc_->Hotspots(agent_, Range());
  ASSERT_EQ(hot->size(), 1u);
  EXPECT_EQ((*hot)[0].count, 3);
  for (Id id : (*hot)[0].order_ids) EXPECT_NE(id, burst_[1]);
}

}  // namespace
}  // namespace hotline::testing
