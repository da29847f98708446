// KPIs through the service (docs/kpis.md §8): numbers after real actions equal a
// from-scratch recomputation over the stored event log, exclusions change exactly
// one unit's numbers, rankings, 三量, the dashboard, jurisdiction and configuration.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "analytics/kpi_engine.h"
#include "service/hotline_service.h"
#include "service/service_test_fixture.h"

namespace hotline {
namespace {

using analytics::Counter;
using analytics::Counters;
using analytics::DayRange;
using testing::kMonday10;
using testing::SmallCity;

constexpr std::int64_t kHour = 3600, kDay = 86400;

using testing::In;

class KpiServiceTest : public SmallCity {
 protected:
  Id Street1() { return UnitId("370112001"); }
  Id Street2() { return UnitId("370112002"); }
  DayRange November() { return analytics::MonthRange(2026, 11); }
  analytics::Day Today() { return analytics::DayOf(clock_.Now()); }

  Id NewOrder(const std::string& grid = "370112001001001", const std::string& subject = "020101",
              Channel ch = Channel::kHotline, std::optional<Timestamp> at = std::nullopt,
              std::string content = "") {
    IntakeRequest r = Appeal(subject);
    r.grid_id = UnitId(grid);
    r.channel = ch;
    if (!content.empty()) r.content = content;
    r.received_at = at;
    bool existed = false;
    auto v = svc_->Intake(at ? admin_ : agent_, r, &existed);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? v->order.id : 0;
  }
  void Ok(const Actor& a, Id id, ActionInput in) {
    auto v = svc_->Act(a, id, in, std::nullopt);
    ASSERT_TRUE(v.ok()) << ToString(in.action) << ": " << v.status().ToString();
  }
  void Reply(const Actor& a, Id id) {
    ActionInput in = In(Action::kReply);
    in.reply = ::hotline::Reply{};
    in.reply->contacted_at = clock_.Now() - 60;
    in.reply->contact_method = "phone";
    in.reply->resolved = true;
    in.reply->actions_taken = "已清运";
    in.reply->public_text = "已处理。";
    Ok(a, id, in);
  }
  void Callback(Id id, Rating rating) {
    ActionInput in = In(Action::kCallback);
    in.rating = rating;
    Ok(agent_, id, in);
  }
  // Dispatched by the catalogue, signed, replied, called back.
  void Handle(Id id, const Actor& unit, Rating rating) {
    Ok(dispatcher_, id, In(Action::kDispatch));
    clock_.Advance(kHour);
    Ok(unit, id, In(Action::kSign));
    clock_.Advance(kHour);
    Reply(unit, id);
    clock_.Advance(kHour);
    Callback(id, rating);
  }

  KpiRow Row(Id unit, DayRange r, const Actor* as = nullptr) {
    KpiQuery q;
    q.unit_id = unit;
    q.range = r;
    auto rows = svc_->Kpis(as ? *as : admin_, q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(rows->size(), 1u);
    return rows->front();
  }

  // A fresh engine over the stored orders and events: what the service must agree with.
  std::unique_ptr<analytics::KpiEngine> Recomputed() {
    auto e = std::make_unique<analytics::KpiEngine>(analytics::UnitTree(svc_->Units()));
    OrderQuery q;
    q.limit = 1000;
    auto page = store_->ListOrders(q);
    EXPECT_TRUE(page.ok());
    for (const WorkOrder& o : page->items) {
      EXPECT_TRUE(e->AddOrder(analytics::FactsOf(o)).ok());
      std::vector<Event> events = store_->ListEvents(o.id).value();
      for (const Event& ev : events) EXPECT_TRUE(e->Apply(ev).ok());
    }
    return e;
  }
  void ExpectMatchesLog() {
    auto e = Recomputed();
    const analytics::Day today = Today();
    for (Id unit : {Id{0}, Street1(), Street2(), UnitId("D01"), UnitId("D02"),
                    UnitId("370112001001"), UnitId("370112001001001")}) {
      for (DayRange r : {November(), DayRange{today, today + 1}, DayRange{today - 40, today + 30},
                         analytics::MonthRange(2026, 10)}) {
        KpiRow row = Row(unit, r);
        EXPECT_EQ(row.change.current.counters, e->Sum(unit, r)) << "unit " << unit;
        EXPECT_EQ(row.change.current.overdue_at_end, e->OverdueAtEndOf(unit, r.to - 1))
            << "unit " << unit;
      }
    }
  }
};

TEST_F(KpiServiceTest, NumbersAfterRealActionsEqualARecomputationOverTheStoredLog) {
  clock_.Set(kMonday10 - 14 * kDay);
  Id a = NewOrder();
  Handle(a, s1_, Rating::kSatisfied);
  Ok(dispatcher_, a, In(Action::kClose));
  Id b = NewOrder("370112002001001");
  Handle(b, s2_, Rating::kUnsatisfied);
  Ok(dispatcher_, b, In(Action::kRedo, "市民不满意"));  // a second assignment for street 2
  Id c = NewOrder("370112001001001", "010101");         // a department matter: D01
  Ok(dispatcher_, c, In(Action::kDispatch));
  clock_.Advance(3 * kDay);
  Ok(d1_, c, In(Action::kSign));  // late
  Id d = NewOrder();
  ActionInput merge = In(Action::kMerge);
  merge.merge_into = a;
  Ok(agent_, d, merge);  // a duplicate: counted once
  Id e = NewOrder("370112002001001");
  Ok(dispatcher_, e, In(Action::kDispatch));  // never signed: overdue by now
  clock_.Set(kMonday10);
  Id f = NewOrder();
  ActionInput answer = In(Action::kAnswer);
  answer.reply = ::hotline::Reply{};
  answer.reply->public_text = "已告知办理流程。";
  Ok(agent_, f, answer);
  // Reclassified at dispatch: the new subject's slice gets it.
  Id g = NewOrder("370112002001001", "020101");
  ActionInput re = In(Action::kDispatch);
  re.subject_code = "010101";
  Ok(dispatcher_, g, re);

  ExpectMatchesLog();
  // Hand-checked: street 1 signed its one assignment in time; street 2 one of three.
  KpiRow s1 = Row(Street1(), November());
  EXPECT_EQ(s1.change.current.metrics.at("response_rate"), (analytics::Ratio{1, 1}));
  EXPECT_EQ(s1.change.current.counters[Counter::kReceived], 4);  // a, c, d (duplicate), f
  EXPECT_EQ(s1.change.current.counters[Counter::kDuplicates], 1);
  KpiRow s2 = Row(Street2(), November());
  EXPECT_EQ(s2.change.current.counters[Counter::kAssigned], 3);  // b, b's redo, e
  EXPECT_EQ(s2.change.current.metrics.at("response_rate").num, 1);
  EXPECT_EQ(s2.change.current.overdue_at_end, 2);  // b's redo and e, unsigned past due
  EXPECT_EQ(Row(UnitId("D01"), November()).change.current.metrics.at("response_rate"),
            (analytics::Ratio{0, 2}));  // c signed late, g not yet
  KpiQuery sliced;
  sliced.unit_id = 0;
  sliced.range = November();
  sliced.slice.subject1 = 1;
  EXPECT_EQ(svc_->Kpis(admin_, sliced)->front().change.current.counters[Counter::kReceived], 2)
      << "c and the reclassified g";

  // The engine fed at open from the log agrees with the one fed action by action.
  Counters before = Row(0, November()).change.current.counters;
  Restart();
  EXPECT_EQ(Row(0, November()).change.current.counters, before);
  EXPECT_NE(svc_->KpiFeedSummary().find("7 orders"), std::string::npos) << svc_->KpiFeedSummary();
  ExpectMatchesLog();
}

TEST_F(KpiServiceTest, ACitizensOwnRatingCountsLikeACallbackAndStaysTheirs) {
  // A web appeal from the citizen's account, rated by the citizen after logging in.
  IntakeRequest r = Appeal();
  r.channel = Channel::kWeb;
  r.caller_name.clear();
  r.caller_phone.clear();
  bool existed = false;
  auto web = svc_->Intake(citizen_, r, &existed);
  ASSERT_TRUE(web.ok()) << web.status().ToString();
  const Id mine = web->order.id;
  Ok(dispatcher_, mine, In(Action::kDispatch));
  Ok(s1_, mine, In(Action::kSign));
  clock_.Advance(kHour);
  Reply(s1_, mine);
  auto offered = svc_->GetOrder(citizen_, mine)->actions;
  EXPECT_EQ(offered, std::vector<Action>{Action::kCallback}) << "the citizen is offered the rating";
  ActionInput rate = In(Action::kCallback, "清理得很干净");
  rate.rating = Rating::kUnreachable;
  EXPECT_EQ(svc_->Act(citizen_, mine, rate, std::nullopt).status().field(), "rating");
  rate.rating = Rating::kVerySatisfied;
  Ok(citizen_, mine, rate);
  EXPECT_EQ(svc_->Act(agent_, mine, rate, std::nullopt).status().code(), Code::kFailedPrecondition)
      << "rated once: no second callback";

  // A phone appeal rated on the public page with its number and phone; a wrong phone is refused
  // as not found and changes nothing.
  const Id phoned = NewOrder();
  Handle(phoned, s1_, Rating::kSatisfied);  // called back by an agent: no longer rateable
  const std::string phoned_no = store_->GetOrder(phoned)->no;
  EXPECT_EQ(svc_->RatePublic(phoned_no, "13812345678", Rating::kSatisfied, "").status().code(),
            Code::kFailedPrecondition);
  const Id other = NewOrder();
  Ok(dispatcher_, other, In(Action::kDispatch));
  Ok(s1_, other, In(Action::kSign));
  clock_.Advance(kHour);
  Reply(s1_, other);
  const WorkOrder before = store_->GetOrder(other).value();
  EXPECT_EQ(svc_->RatePublic(before.no, "13812345670", Rating::kSatisfied, "").status().code(),
            Code::kNotFound);
  EXPECT_EQ(svc_->RatePublic(before.no, "138 1234 5678", Rating::kUnreachable, "").status().field(),
            "rating");
  EXPECT_EQ(store_->GetOrder(other)->version, before.version);
  auto rated = svc_->RatePublic(before.no, "138 1234 5678", Rating::kVeryUnsatisfied, "还是很脏");
  ASSERT_TRUE(rated.ok()) << rated.status().ToString();
  EXPECT_EQ(rated->state, State::kVisited);
  // The unsatisfied rating opens the redo path exactly like an agent's callback.
  Ok(dispatcher_, other, In(Action::kRedo, "市民评价不满意"));

  // Counted once each, as the KPI engine over the stored log counts them.
  const analytics::Counters c = Row(Street1(), November()).change.current.counters;
  EXPECT_EQ(c.ByRating(Rating::kVerySatisfied), 1);
  EXPECT_EQ(c.ByRating(Rating::kSatisfied), 1);
  EXPECT_EQ(c.ByRating(Rating::kVeryUnsatisfied), 1);
  EXPECT_EQ(c, Recomputed()->Sum(Street1(), November()));

  // The unit sees that the citizen rated, never which account did it.
  for (Id id : {mine, other}) {
    const std::vector<Event> events = svc_->Events(s1_, id).value();
    bool by_citizen = false;
    for (const Event& e : events) {
      EXPECT_FALSE(e.user_id && *e.user_id == citizen_.user_id) << e.action;
      by_citizen |=
          e.action == "callback" && e.data_json.find("\"by\":\"citizen\"") != std::string::npos;
    }
    EXPECT_TRUE(by_citizen);
  }
  auto own = svc_->Events(citizen_, mine).value();
  EXPECT_EQ(own.front().user_id, citizen_.user_id) << "the citizen sees their own steps";
}

TEST_F(KpiServiceTest, ExclusionChangesExactlyThatUnitsNumbersAndIsAudited) {
  Id a = NewOrder();
  Handle(a, s1_, Rating::kVeryUnsatisfied);
  Id b = NewOrder("370112002001001");
  Handle(b, s2_, Rating::kSatisfied);
  const DayRange nov = November();
  KpiRow s1 = Row(Street1(), nov), s2 = Row(Street2(), nov), all = Row(0, nov);
  ASSERT_EQ(s1.change.current.counters[Counter::kAssigned], 1);

  ActionInput ex = In(Action::kExcludeFromKpi, "诉求人要求超出政策规定，经审核不合理");
  ex.kpi_unit_id = Street1();
  ex.kpi_basis = "unreasonable";
  EXPECT_EQ(svc_->Act(s1_, a, ex, std::nullopt).status().code(), Code::kForbidden)
      << "never the unit that benefits";
  Ok(supervisor_, a, ex);
  EXPECT_EQ(store_->GetOrder(a)->state, State::kVisited) << "the state does not change";

  KpiRow s1x = Row(Street1(), nov);
  for (int i = 0; i < analytics::kNumCounters; ++i) {
    auto idx = static_cast<size_t>(i);
    // Place counters (volumes, direct answers, first dispatches) come before the lead ones.
    const bool place = i < analytics::Index(Counter::kAssigned);
    if (place) {
      EXPECT_EQ(s1x.change.current.counters.v[idx], s1.change.current.counters.v[idx])
          << analytics::CounterName(i) << ": volumes keep the appeal";
    } else {
      EXPECT_EQ(s1x.change.current.counters.v[idx], 0) << analytics::CounterName(i);
    }
    // Street 2 is untouched; the district loses exactly what street 1 lost.
    EXPECT_EQ(Row(Street2(), nov).change.current.counters.v[idx],
              s2.change.current.counters.v[idx]);
    EXPECT_EQ(Row(0, nov).change.current.counters.v[idx] - all.change.current.counters.v[idx],
              s1x.change.current.counters.v[idx] - s1.change.current.counters.v[idx])
        << analytics::CounterName(i);
  }
  // Second exclusion: 409; include restores; include without exclusion: 409.
  auto again = svc_->Act(supervisor_, a, ex, std::nullopt);
  EXPECT_EQ(again.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(again.status().field(), "unit_id");
  ActionInput other = ex;
  other.kpi_unit_id = Street2();
  EXPECT_EQ(svc_->Act(supervisor_, a, other, std::nullopt).status().field(), "unit_id")
      << "street 2 never led order a";
  ActionInput in = In(Action::kIncludeInKpi, "复核后恢复考核");
  in.kpi_unit_id = Street1();
  Ok(admin_, a, in);
  EXPECT_EQ(Row(Street1(), nov).change.current.counters, s1.change.current.counters);
  EXPECT_EQ(svc_->Act(admin_, a, in, std::nullopt).status().code(), Code::kFailedPrecondition);
  // The audit trail is the log.
  auto events = store_->ListEvents(a).value();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[events.size() - 2].action, "exclude_from_kpi");
  EXPECT_EQ(events[events.size() - 2].data_json,
            R"({"unit_id":)" + std::to_string(Street1()) + R"(,"basis":"unreasonable"})");
  EXPECT_EQ(events[events.size() - 2].user_id, supervisor_.user_id);
  EXPECT_EQ(events.back().action, "include_in_kpi");
  ExpectMatchesLog();
}

TEST_F(KpiServiceTest, RankingsOrderStreetsByCompositeAndKeepThePreviousRank) {
  clock_.Set(kMonday10 - 30 * kDay);  // October: street 2 does better
  Id o1 = NewOrder("370112002001001");
  Handle(o1, s2_, Rating::kSatisfied);
  Id o2 = NewOrder();
  Ok(dispatcher_, o2, In(Action::kDispatch));
  clock_.Set(kMonday10);  // November: street 1 does better
  Id a = NewOrder();
  Handle(a, s1_, Rating::kSatisfied);
  Id b = NewOrder("370112002001001");
  Ok(dispatcher_, b, In(Action::kDispatch));  // not signed

  auto r = svc_->Rankings(admin_, UnitKind::kStreet, November());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[0].unit.id, Street1());
  EXPECT_EQ(r->rows[0].row.rank, 1);
  EXPECT_NEAR(*r->rows[0].row.score, 100.0, 1e-9);
  EXPECT_EQ(r->rows[0].previous_rank, 2);
  EXPECT_EQ(r->rows[1].unit.id, Street2());
  EXPECT_EQ(r->rows[1].row.rank, 2);
  EXPECT_NEAR(*r->rows[1].row.score, 0.0, 1e-9);  // only the response rate has data: 0/1
  EXPECT_EQ(r->rows[1].previous_rank, 1);
  // Departments with no assignment are listed unranked.
  auto d = svc_->Rankings(admin_, UnitKind::kDepartment, November());
  ASSERT_EQ(d->rows.size(), 2u);
  EXPECT_EQ(d->rows[0].row.rank, 0);
  EXPECT_FALSE(d->rows[0].row.score.has_value());
  // Jurisdiction: a street sees its own row only.
  auto mine = svc_->Rankings(s2_, UnitKind::kStreet, November());
  ASSERT_EQ(mine->rows.size(), 1u);
  EXPECT_EQ(mine->rows[0].unit.id, Street2());
  EXPECT_EQ(mine->rows[0].row.rank, 2) << "the rank among all streets";
  // Weights are configuration: with only the satisfaction rate, street 2 is unranked
  // data-wise (no callback in November) and street 1 keeps 100.
  ASSERT_TRUE(svc_->PutKpiConfigJson(admin_, R"({"weights":{"satisfaction_rate":1}})").ok());
  auto w = svc_->Rankings(admin_, UnitKind::kStreet, November());
  EXPECT_EQ(w->rows[0].unit.id, Street1());
  EXPECT_FALSE(w->rows[1].row.score.has_value());
}

TEST_F(KpiServiceTest, ThreeVolumesFlagAllFellOnlyWhenEachFell) {
  const Timestamp oct = kMonday10 - 30 * kDay;
  for (int i = 0; i < 2; ++i) {
    NewOrder("370112001001001", "020101", Channel::kHotline, oct + i);
    NewOrder("370112001001001", "020101", Channel::kOnlineOpinion, oct + i);
    NewOrder("370112001001001", "020101", Channel::kPetition, oct + i);
  }
  NewOrder("370112001001001", "020101", Channel::kHotline, kMonday10 - kHour);
  NewOrder("370112001001001", "020101", Channel::kOnlineOpinion, kMonday10 - kHour);
  NewOrder("370112001001001", "020101", Channel::kPetition, kMonday10 - kHour);
  NewOrder("370112002001001", "020101", Channel::kPetition, kMonday10 - kHour);

  auto v = svc_->Volumes(admin_, UnitKind::kStreet, November(), std::nullopt);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->size(), 2u);
  const VolumeRow& s1 = (*v)[0].unit.id == Street1() ? (*v)[0] : (*v)[1];
  const VolumeRow& s2 = (*v)[0].unit.id == Street1() ? (*v)[1] : (*v)[0];
  EXPECT_EQ(s1.three.hotline_complaints, 1);
  EXPECT_EQ(s1.three.prev_hotline_complaints, 2);
  EXPECT_EQ(s1.three.petition, 1);
  EXPECT_TRUE(s1.three.all_fell);
  EXPECT_FALSE(s2.three.all_fell) << "its petitions rose from 0 to 1";
  EXPECT_EQ(s1.by_channel[static_cast<size_t>(Channel::kOnlineOpinion)], 1);
  EXPECT_EQ(s1.by_nature[static_cast<size_t>(Nature::kComplaint)], 3);
  // One more petition in November: petitions no longer fell.
  NewOrder("370112001001001", "020101", Channel::kPetition, kMonday10 - kHour);
  NewOrder("370112001001001", "020101", Channel::kPetition, kMonday10 - kHour);
  v = svc_->Volumes(admin_, UnitKind::kStreet, November(), std::nullopt);
  EXPECT_FALSE(((*v)[0].unit.id == Street1() ? (*v)[0] : (*v)[1]).three.all_fell);
  // A street user sees its own street only.
  EXPECT_EQ(svc_->Volumes(s2_, UnitKind::kStreet, November(), std::nullopt)->size(), 1u);
}

TEST_F(KpiServiceTest, DashboardSummarisesTheCallersJurisdiction) {
  clock_.Set(kMonday10 - 21 * kDay);
  Id late = NewOrder("370112001001001", "020101", Channel::kHotline, std::nullopt,
                     "13912345678 楼下垃圾无人清理");
  Ok(dispatcher_, late, In(Action::kDispatch));  // overdue by today
  clock_.Set(kMonday10);
  NewOrder();
  NewOrder("370112002001001");
  IntakeRequest web = Appeal();
  web.channel = Channel::kWeb;
  bool existed;
  ASSERT_TRUE(svc_->Intake(citizen_, web, &existed).ok());
  Id f = NewOrder();
  ActionInput answer = In(Action::kAnswer);
  answer.reply = ::hotline::Reply{};
  answer.reply->public_text = "已告知办理流程。";
  Ok(agent_, f, answer);
  Ok(agent_, f, In(Action::kClose));

  auto d = svc_->Dashboard(admin_, Today());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->unit_id, 0);
  EXPECT_EQ(d->today_received, 4);
  EXPECT_EQ(d->today_by_channel[static_cast<size_t>(Channel::kHotline)], 3);
  EXPECT_EQ(d->today_by_channel[static_cast<size_t>(Channel::kWeb)], 1);
  EXPECT_EQ(d->today_closed, 1);
  EXPECT_EQ(d->mtd_received, 5);
  EXPECT_EQ(d->red, 1);
  ASSERT_EQ(d->red_list.size(), 1u);
  EXPECT_EQ(d->red_list[0].id, late);
  EXPECT_EQ(d->red_list[0].title.find("13912345678"), std::string::npos)
      << "titles are masked: " << d->red_list[0].title;
  ASSERT_EQ(d->trend_days.size(), 30u);
  EXPECT_EQ(d->trend_days.back(), Today());
  EXPECT_EQ(d->trend_by_channel[static_cast<size_t>(Channel::kHotline)].back(), 3);
  EXPECT_EQ(d->trend_by_channel[static_cast<size_t>(Channel::kHotline)][30 - 22], 1)
      << "the late order's day";
  // Assignments (派入): the late order was dispatched on its day, nothing today.
  EXPECT_EQ(d->today_assigned, 0);
  ASSERT_EQ(d->trend_assigned.size(), 30u);
  EXPECT_EQ(d->trend_assigned[30 - 22], 1);
  EXPECT_EQ(d->street_ranking.size(), 2u);
  EXPECT_EQ(d->department_ranking.size(), 2u);
  EXPECT_EQ(d->mtd.metrics.at("response_rate").den, 1);

  // Street 2's handler: its street only.
  auto s2 = svc_->Dashboard(s2_, Today());
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(s2->unit_id, Street2());
  EXPECT_EQ(s2->today_received, 1);
  EXPECT_EQ(s2->red, 0);
  EXPECT_TRUE(s2->red_list.empty());
  ASSERT_EQ(s2->street_ranking.size(), 1u);
  EXPECT_TRUE(s2->department_ranking.empty());
  EXPECT_EQ(svc_->Dashboard(citizen_, Today()).status().code(), Code::kForbidden);
}

TEST_F(KpiServiceTest, JurisdictionAndGroups) {
  Id a = NewOrder();
  Handle(a, s1_, Rating::kSatisfied);
  KpiQuery q;
  q.range = November();
  // Default unit: the caller's own.
  auto mine = svc_->Kpis(s1_, q);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->front().unit.id, Street1());
  EXPECT_EQ(mine->front().change.current.counters[Counter::kAssigned], 1);
  // Below: fine; beside or above: not found.
  q.unit_id = UnitId("370112001001");
  EXPECT_TRUE(svc_->Kpis(s1_, q).ok());
  q.unit_id = Street2();
  EXPECT_EQ(svc_->Kpis(s1_, q).status().code(), Code::kNotFound);
  q.unit_id = 0;
  EXPECT_EQ(svc_->Kpis(s1_, q).status().code(), Code::kNotFound);
  EXPECT_TRUE(svc_->Kpis(admin_, q).ok());
  EXPECT_EQ(svc_->Kpis(citizen_, q).status().code(), Code::kForbidden);
  // Groups: one row per child unit of the kind.
  q.unit_id = 0;
  q.group = UnitKind::kStreet;
  q.compare = true;
  auto streets = svc_->Kpis(admin_, q);
  ASSERT_EQ(streets->size(), 2u);
  q.unit_id.reset();
  q.group = UnitKind::kCommunity;
  auto communities = svc_->Kpis(s1_, q);
  ASSERT_EQ(communities->size(), 1u);
  EXPECT_EQ(communities->front().unit.code, "370112001001");
  // A new street imported later joins the rankings.
  std::vector<ImportError> errors;
  ASSERT_TRUE(svc_->ImportUnits(admin_,
                                "code,name,kind,parent_code,grid_kind\n"
                                "370112003,新街道,street,370112,\n",
                                true, &errors)
                  .ok());
  EXPECT_EQ(svc_->Rankings(admin_, UnitKind::kStreet, November())->rows.size(), 3u);
  ExpectMatchesLog();
}

TEST_F(KpiServiceTest, ConfigurationIsValidatedStoredAndAudited) {
  auto bad = svc_->PutKpiConfigJson(admin_, R"({"weights":{"speed":10}})");
  EXPECT_EQ(bad.code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.field(), "weights.speed");
  EXPECT_EQ(svc_->PutKpiConfigJson(s1_, R"({"min_assigned":3})").code(), Code::kForbidden);
  ASSERT_TRUE(svc_->PutKpiConfigJson(admin_, R"({"min_assigned":3})").ok());
  Restart();
  EXPECT_EQ(svc_->KpiSettings().min_assigned, 3);
  EXPECT_EQ(svc_->KpiSettings().weights.at("response_rate"), 30) << "absent keys keep defaults";
  auto audit = store_->ListAudit(std::nullopt, 50).value();
  EXPECT_TRUE(std::any_of(audit.begin(), audit.end(),
                          [](const AuditEntry& e) { return e.action == "put_kpi"; }));
}

TEST_F(KpiServiceTest, ConcurrentReadersWhileOrdersAreCommitted) {
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&] {
      while (!done.load()) {
        KpiQuery q;
        q.range = November();
        q.group = UnitKind::kStreet;
        EXPECT_TRUE(svc_->Kpis(admin_, q).ok());
        EXPECT_TRUE(svc_->Dashboard(dispatcher_, Today()).ok());
        reads.fetch_add(1);
      }
    });
  std::vector<std::thread> writers;
  for (int t = 0; t < 2; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < 15; ++i) {
        Id id = NewOrder(t ? "370112002001001" : "370112001001001");
        EXPECT_TRUE(svc_->Act(dispatcher_, id, In(Action::kDispatch), std::nullopt).ok());
      }
    });
  for (auto& w : writers) w.join();
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(Row(0, November()).change.current.counters[Counter::kAssigned], 30);
  ExpectMatchesLog();
}

}  // namespace
}  // namespace hotline
