// Projection checkpoints through the service (docs/storage.md "Projections"): a restart from
// a checkpoint plus the events after it (a kill between checkpoints) answers the KPIs, the
// dashboard and the map exactly as before and as a rebuild from the whole log; a damaged
// checkpoint, or one of another organisation, is rebuilt.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/hotline_service.h"
#include "service/service_test_fixture.h"

namespace hotline {
namespace {

using testing::In;
using testing::SmallCity;

constexpr std::int64_t kHour = 3600;

class CheckpointServiceTest : public SmallCity {
 protected:
  CheckpointServiceTest() {
    ckpt_dir_ = std::filesystem::temp_directory_path() /
                ("hotline_ckptsvc_" + std::to_string(getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(ckpt_dir_);
    options_.checkpoint_dir = ckpt_dir_.string();
    options_.checkpoint_every_events = 1 << 30;  // only the explicit writes of the tests
    options_.checkpoint_every_seconds = 1 << 30;
  }
  ~CheckpointServiceTest() override { std::filesystem::remove_all(ckpt_dir_); }
  std::string CkptPath() const { return (ckpt_dir_ / "kpi.ckpt").string(); }

  void Ok(const Actor& a, Id id, ActionInput in) {
    auto v = svc_->Act(a, id, in, std::nullopt);
    ASSERT_TRUE(v.ok()) << ToString(in.action) << ": " << v.status().ToString();
  }
  void Handle(Id id, const Actor& unit, Rating rating, bool close) {
    Ok(dispatcher_, id, In(Action::kDispatch));
    clock_.Advance(kHour);
    Ok(unit, id, In(Action::kSign));
    clock_.Advance(kHour);
    ActionInput r = In(Action::kReply);
    r.reply = Reply{};
    r.reply->contacted_at = clock_.Now() - 60;
    r.reply->contact_method = "phone";
    r.reply->resolved = true;
    r.reply->actions_taken = "已清运";
    r.reply->public_text = "已处理。";
    Ok(unit, id, r);
    clock_.Advance(kHour);
    ActionInput cb = In(Action::kCallback);
    cb.rating = rating;
    Ok(agent_, id, cb);
    if (close) Ok(agent_, id, In(Action::kClose, "已向诉求人解释政策"));
  }
  Id Order(const std::string& grid, const std::string& subject = "020101") {
    IntakeRequest r = Appeal(subject);
    r.grid_id = UnitId(grid);
    return NewOrder(r);
  }
  // Some history: handled, closed, dispatched-and-overdue, excluded orders on two streets.
  void Work(int round) {
    for (int i = 0; i < 3; ++i) {
      Id a = Order("370112001001001");
      Handle(a, s1_, i % 2 ? Rating::kSatisfied : Rating::kVeryUnsatisfied, i != 1);
      Id b = Order("370112002001001", i == 2 ? "010101" : "020101");
      if (i == 0) {
        ActionInput ex = In(Action::kExcludeFromKpi, "诉求人要求超出政策规定，经审核不合理");
        Handle(b, s2_, Rating::kSatisfied, false);
        ex.kpi_unit_id = UnitId("370112002");
        ex.kpi_basis = "unreasonable";
        Ok(supervisor_, b, ex);
      } else {
        Ok(dispatcher_, b, In(Action::kDispatch));  // left open: overdue days later
      }
      clock_.Advance(5 * kHour + round);
    }
  }
  // What a user reads: the KPIs of the area, the streets and departments, the supervisor's
  // dashboard and the map's per-unit counts, as text.
  std::string Answers() {
    std::ostringstream out;
    const analytics::Day today = analytics::DayOf(clock_.Now());
    KpiQuery q;
    q.unit_id = 0;
    q.range = {today - 40, today + 1};
    q.compare = true;
    for (std::optional<UnitKind> group :
         {std::optional<UnitKind>{}, std::optional<UnitKind>{UnitKind::kStreet},
          std::optional<UnitKind>{UnitKind::kDepartment}}) {
      q.group = group;
      auto rows = svc_->Kpis(admin_, q);
      EXPECT_TRUE(rows.ok()) << rows.status().ToString();
      if (!rows.ok()) return "";
      for (const KpiRow& r : *rows) {
        out << "kpi " << r.unit.id << ":";
        for (auto v : r.change.current.counters.v) out << ' ' << v;
        out << " overdue " << r.change.current.overdue_at_end << " prev";
        for (auto v : r.change.previous.counters.v) out << ' ' << v;
        out << '\n';
      }
    }
    auto d = svc_->Dashboard(supervisor_, today);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    if (!d.ok()) return "";
    out << "dashboard " << d->today_received << ' ' << d->today_closed << ' ' << d->today_assigned
        << ' ' << d->mtd_assigned << ' ' << d->mtd_received << ' ' << d->red << ' ' << d->yellow
        << ' ' << d->green << " mtd";
    for (auto v : d->mtd.counters.v) out << ' ' << v;
    out << " trend";
    for (auto v : d->trend_assigned) out << ' ' << v;
    for (const auto& row : d->street_ranking)
      out << " rank " << row.unit.id << '=' << row.row.rank << '/' << row.row.score.value_or(-1);
    out << " red_list " << d->red_list.size() << '\n';
    auto grids = svc_->MapGrids(admin_, clock_.Now() - 40 * 86400, 0, UnitKind::kStreet, {});
    EXPECT_TRUE(grids.ok());
    if (grids.ok())
      for (const MapUnitFeature& f : *grids)
        out << "map " << f.unit.id << ' ' << f.counts.count << ' ' << f.counts.open << ' '
            << f.counts.overdue << ' ' << f.counts.red << ' ' << static_cast<int>(f.light) << '\n';
    return out.str();
  }

  std::filesystem::path ckpt_dir_;
};

TEST_F(CheckpointServiceTest, KillBetweenCheckpointsLosesNothing) {
  EXPECT_NE(svc_->KpiFeedSummary().find("rebuilt"), std::string::npos)
      << "the first start has no checkpoint: " << svc_->KpiFeedSummary();
  Work(1);
  ASSERT_TRUE(svc_->WriteCheckpoint().ok());  // a clean shutdown's checkpoint
  ASSERT_TRUE(std::filesystem::exists(CkptPath()));
  Work(2);  // more orders and late changes, then a kill (no checkpoint)
  clock_.Advance(3 * 86400);
  const std::string before = Answers();
  ASSERT_NE(before.find("kpi "), std::string::npos);
  ASSERT_NE(before.find("map "), std::string::npos);
  Restart();
  EXPECT_NE(svc_->KpiFeedSummary().find("from checkpoint"), std::string::npos)
      << svc_->KpiFeedSummary();
  EXPECT_EQ(Answers(), before) << "checkpoint + tail";
  // The same as a rebuild from the whole log.
  std::filesystem::remove_all(ckpt_dir_);
  Restart();
  EXPECT_NE(svc_->KpiFeedSummary().find("rebuilt"), std::string::npos) << svc_->KpiFeedSummary();
  EXPECT_EQ(Answers(), before) << "rebuild";
  // A rebuild writes a fresh checkpoint at once, and it is used at the next start.
  ASSERT_TRUE(std::filesystem::exists(CkptPath()));
  Restart();
  EXPECT_NE(svc_->KpiFeedSummary().find("from checkpoint"), std::string::npos);
  EXPECT_EQ(Answers(), before) << "fresh checkpoint";
}

TEST_F(CheckpointServiceTest, DamagedCheckpointIsRebuilt) {
  Work(1);
  ASSERT_TRUE(svc_->WriteCheckpoint().ok());
  const std::string before = Answers();
  std::string bytes;
  {
    std::ifstream in(CkptPath(), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bytes.size(), 100u);
  for (const std::string& bad : {bytes.substr(0, bytes.size() / 2),
                                 bytes.substr(0, 60) + char(bytes[60] ^ 1) + bytes.substr(61)}) {
    {
      std::ofstream out(CkptPath(), std::ios::binary | std::ios::trunc);
      out << bad;
    }
    Restart();
    EXPECT_NE(svc_->KpiFeedSummary().find("rebuilt"), std::string::npos) << svc_->KpiFeedSummary();
    EXPECT_EQ(Answers(), before);
  }
}

TEST_F(CheckpointServiceTest, AnotherOrganisationInvalidatesTheCheckpoint) {
  Work(1);
  ASSERT_TRUE(svc_->WriteCheckpoint().ok());
  // A new grid under street 2 (the service re-rolls its engine; the checkpoint is older).
  std::vector<ImportError> errors;
  ASSERT_TRUE(svc_->ImportUnits(admin_,
                                "code,name,kind,parent_code,grid_kind\n"
                                "370112002001002,洪家楼第二网格,grid,370112002001,basic\n",
                                true, &errors)
                  .ok());
  Id c = Order("370112002001002");
  Ok(dispatcher_, c, In(Action::kDispatch));
  const std::string before = Answers();
  Restart();
  EXPECT_NE(svc_->KpiFeedSummary().find("rebuilt"), std::string::npos) << svc_->KpiFeedSummary();
  EXPECT_EQ(Answers(), before);
}

}  // namespace
}  // namespace hotline
