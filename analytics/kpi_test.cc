// Hand-checked cases: each formula of docs/kpis.md on a few orders with a known answer.
#include "analytics/kpi.h"

#include <gtest/gtest.h>

#include "analytics/kpi_engine.h"

namespace hotline::analytics {
namespace {

// Units: district 1; street 2; community 3; grids 4, 5; department 6; centre 9.
std::vector<Unit> Org() {
  auto u = [](Id id, UnitKind k, std::optional<Id> parent) {
    Unit x;
    x.id = id;
    x.kind = k;
    x.parent_id = parent;
    return x;
  };
  return {u(1, UnitKind::kDistrict, std::nullopt),
          u(2, UnitKind::kStreet, 1),
          u(3, UnitKind::kCommunity, 2),
          u(4, UnitKind::kGrid, 3),
          u(5, UnitKind::kGrid, 3),
          u(6, UnitKind::kDepartment, 1),
          u(7, UnitKind::kStreet, 1),
          u(9, UnitKind::kCenter, 1)};
}

const Day kD = DayOfDate(2026, 10, 12);  // a Monday
Timestamp At(Day d, int hour) { return StartOf(d) + hour * 3600; }
// 24:00 of day d: the way working-day limits end.
Timestamp EndOf(Day d) { return StartOf(d + 1); }

class Kpi : public ::testing::Test {
 protected:
  Kpi() : engine_(UnitTree(Org())) {}

  Id New(Channel ch = Channel::kHotline, Nature n = Nature::kComplaint, Timestamp at = At(kD, 9),
         std::string subject = "0101") {
    Id id = ++next_;
    OrderFacts f{id, ch, n, subject, 4, 3, 2};
    EXPECT_TRUE(engine_.AddOrder(f).ok());
    Ev(id, at, "intake", State::kReceived, State::kReceived);
    return id;
  }
  void Ev(Id id, Timestamp at, const std::string& action, State from, State to,
          std::string data = "{}", Id unit = 9) {
    Event e;
    e.order_id = id;
    e.at = at;
    e.action = action;
    e.from = from;
    e.to = to;
    e.unit_id = unit;
    e.data_json = std::move(data);
    ASSERT_TRUE(engine_.Apply(e).ok());
  }
  void Dispatch(Id id, Timestamp at, Id lead, Timestamp due) {
    Ev(id, at, "dispatch", State::kReceived, State::kDispatched,
       "{\"lead_unit_id\":" + std::to_string(lead) + ",\"assist_unit_ids\":[],\"sign_due\":" +
           std::to_string(at + 86400) + ",\"due_at\":" + std::to_string(due) + "}");
  }
  void Sign(Id id, Timestamp at, bool on_time, Id unit) {
    Ev(id, at, "sign", State::kDispatched, State::kInProgress,
       std::string("{\"on_time\":") + (on_time ? "true" : "false") + "}", unit);
  }
  void Reply(Id id, Timestamp at, bool resolved, bool on_time, Id unit) {
    Ev(id, at, "reply", State::kInProgress, State::kReplied,
       std::string("{\"resolved\":") + (resolved ? "true" : "false") +
           ",\"on_time\":" + (on_time ? "true" : "false") + "}",
       unit);
  }
  void Callback(Id id, Timestamp at, const std::string& rating) {
    Ev(id, at, "callback", State::kReplied, State::kVisited, "{\"rating\":\"" + rating + "\"}");
  }
  Ratio M(Id unit, const std::string& metric, DayRange r = {kD, kD + 7}) {
    return engine_.Report(unit, r, cfg_).metrics.at(metric);
  }

  KpiEngine engine_;
  KpiConfig cfg_;
  Id next_ = 0;
};

TEST_F(Kpi, ResponseRateCountsAssignmentsSignedInTimeAtTheDispatchDay) {
  Id a = New(), b = New(), c = New(), d = New();
  for (Id id : {a, b, c, d}) Dispatch(id, At(kD, 10), 4, EndOf(kD + 5));
  Sign(a, At(kD, 11), true, 4);
  Sign(b, At(kD + 2, 11), false, 4);  // late; counted in the dispatch day's bucket
  // c never signed: stays in the denominator.
  // d returned unsigned and reassigned to grid 5: not grid 4's assignment any more.
  Ev(d, At(kD, 12), "request_return", State::kDispatched, State::kReturnRequested, "{}", 4);
  Ev(d, At(kD, 13), "approve_return", State::kReturnRequested, State::kDispatched,
     "{\"lead_unit_id\":5,\"assist_unit_ids\":[],\"sign_due\":0,\"due_at\":" +
         std::to_string(EndOf(kD + 5)) + "}");
  EXPECT_EQ(M(4, "response_rate"), (Ratio{1, 3}));
  EXPECT_EQ(M(5, "response_rate"), (Ratio{0, 1}));
  EXPECT_EQ(M(3, "response_rate"), (Ratio{1, 4}));  // community = grids 4 + 5
  EXPECT_EQ(M(kAllUnits, "response_rate"), (Ratio{1, 4}));
  EXPECT_EQ(M(4, "sign_on_time_rate"), (Ratio{1, 2}));
  EXPECT_EQ(M(4, "return_rate"), (Ratio{1, 4}));  // 1 return request / 4 assignments
  // Only the dispatch day holds the assignments.
  EXPECT_EQ(M(4, "response_rate", {kD + 1, kD + 7}), (Ratio{0, 0}));
  EXPECT_FALSE(M(4, "response_rate", {kD + 1, kD + 7}).value().has_value());
}

TEST_F(Kpi, ResolutionOnTimeCompletionAndSatisfaction) {
  Id a = New(), b = New(), c = New(), d = New();
  for (Id id : {a, b, c, d}) {
    Dispatch(id, At(kD, 10), 6, EndOf(kD + 4));
    Sign(id, At(kD, 11), true, 6);
  }
  Reply(a, At(kD + 1, 9), true, true, 6);
  Reply(b, At(kD + 1, 9), true, true, 6);
  Reply(c, At(kD + 1, 9), false, true, 6);
  Reply(d, At(kD + 6, 9), true, false, 6);
  Callback(a, At(kD + 2, 9), "satisfied");
  Callback(b, At(kD + 2, 9), "basically_satisfied");
  Callback(c, At(kD + 2, 9), "unsatisfied");
  Callback(d, At(kD + 7, 9), "unreachable");
  EXPECT_EQ(M(6, "resolution_rate"), (Ratio{3, 4}));
  EXPECT_EQ(M(6, "completion_on_time_rate"), (Ratio{3, 4}));
  // (100 + 80 + 0) / 3 rated; unreachable excluded.
  EXPECT_EQ(M(6, "satisfaction_rate", {kD, kD + 14}), (Ratio{1.8, 3}));
  cfg_.satisfaction_points[Rating::kBasicallySatisfied] = 60;
  EXPECT_EQ(M(6, "satisfaction_rate", {kD, kD + 14}), (Ratio{1.6, 3}));
  // A department's orders do not count for the street.
  EXPECT_EQ(M(2, "resolution_rate"), (Ratio{0, 0}));
  EXPECT_EQ(M(1, "resolution_rate"), (Ratio{3, 4}));
}

TEST_F(Kpi, RedoExtensionAndDirectAnswer) {
  Id a = New(), b = New(Channel::kHotline, Nature::kConsultation);
  Dispatch(a, At(kD, 10), 4, EndOf(kD + 4));
  Sign(a, At(kD, 11), true, 4);
  Ev(a, At(kD, 12), "request_extension", State::kInProgress, State::kExtensionRequested, "{}", 4);
  Ev(a, At(kD, 13), "approve_extension", State::kExtensionRequested, State::kInProgress,
     "{\"extension_days\":3,\"old_due_at\":1,\"due_at\":" + std::to_string(EndOf(kD + 7)) + "}");
  Reply(a, At(kD + 1, 9), true, true, 4);
  Callback(a, At(kD + 1, 10), "very_unsatisfied");
  Ev(a, At(kD + 1, 11), "redo", State::kVisited, State::kDispatched,
     "{\"lead_unit_id\":4,\"due_at\":" + std::to_string(EndOf(kD + 6)) + "}");
  Sign(a, At(kD + 1, 12), true, 4);
  Reply(a, At(kD + 2, 9), true, true, 4);
  Callback(a, At(kD + 2, 10), "very_satisfied");
  Ev(b, At(kD, 9) + 300, "answer", State::kReceived, State::kReplied, "{}", 9);
  Callback(b, At(kD, 15), "satisfied");
  EXPECT_EQ(M(4, "redo_rate"), (Ratio{1, 2}));       // 1 redo / 2 replies
  EXPECT_EQ(M(4, "extension_rate"), (Ratio{1, 2}));  // 1 approved / 2 assignments (redo = new)
  EXPECT_EQ(M(4, "response_rate"), (Ratio{2, 2}));
  EXPECT_EQ(M(4, "satisfaction_rate"), (Ratio{1, 2}));
  // The direct answer's callback belongs to the answering unit (the centre), not to grid 4.
  EXPECT_EQ(M(9, "satisfaction_rate"), (Ratio{1, 1}));
  EXPECT_EQ(M(kAllUnits, "satisfaction_rate"), (Ratio{2, 3}));
  // 直办率 is by place: both orders are in grid 4.
  EXPECT_EQ(M(4, "direct_answer_rate"), (Ratio{1, 2}));
}

TEST_F(Kpi, MergedDuplicatesCountOnceAndNeverInUnitScores) {
  Id a = New(), b = New(Channel::kHotline, Nature::kComplaint, At(kD, 10));
  Dispatch(a, At(kD, 11), 4, EndOf(kD + 4));
  Dispatch(b, At(kD, 11), 4, EndOf(kD + 4));
  Ev(b, At(kD + 1, 9), "merge", State::kDispatched, State::kMerged,
     "{\"merge_into\":" + std::to_string(a) + "}");
  Counters c = engine_.Sum(2, {kD, kD + 7});
  EXPECT_EQ(c[Counter::kReceived], 2);
  EXPECT_EQ(c[Counter::kDuplicates], 1);
  EXPECT_EQ(Volume(c, Channel::kHotline, cfg_.hotline_complaints), 1);
  EXPECT_EQ(c[Counter::kAssigned], 1);
  EXPECT_EQ(M(4, "response_rate"), (Ratio{0, 1}));
  EXPECT_EQ(engine_.OverdueAtEndOf(4, kD + 10), 1);  // only a
}

TEST_F(Kpi, OverdueAtTheEndOfADay) {
  Id a = New(), b = New();
  Dispatch(a, At(kD, 10), 4, EndOf(kD + 2));
  Dispatch(b, At(kD, 10), 6, EndOf(kD + 2));
  Sign(a, At(kD, 11), true, 4);
  EXPECT_EQ(engine_.OverdueAtEndOf(4, kD + 2), 0);  // due 24:00 of kD+2: still in time
  EXPECT_EQ(engine_.OverdueAtEndOf(4, kD + 3), 1);
  EXPECT_EQ(engine_.OverdueAtEndOf(2, kD + 3), 1);
  EXPECT_EQ(engine_.OverdueAtEndOf(kAllUnits, kD + 3), 2);
  Reply(a, At(kD + 4, 9), true, false, 4);
  EXPECT_EQ(engine_.OverdueAtEndOf(4, kD + 3), 1);  // the past is unchanged
  EXPECT_EQ(engine_.OverdueAtEndOf(4, kD + 4), 0);
  EXPECT_EQ(engine_.OverdueAtEndOf(kAllUnits, kD + 30), 1);
  // Suspended orders are not open: the clock stops.
  Ev(b, At(kD + 5, 9), "suspend", State::kDispatched, State::kSuspended, "{}");
  EXPECT_EQ(engine_.OverdueAtEndOf(6, kD + 5), 0);
  EXPECT_EQ(engine_.OverdueAtEndOf(6, kD + 4), 1);
  EXPECT_EQ(engine_.Report(6, {kD + 4, kD + 5}, cfg_).overdue_at_end, 1);
}

TEST_F(Kpi, ExcludeFromKpiIsRetroactiveAndRevocable) {
  Id a = New(), b = New();
  Dispatch(a, At(kD, 10), 4, EndOf(kD + 4));
  Dispatch(b, At(kD, 10), 4, EndOf(kD + 4));
  Sign(a, At(kD, 11), true, 4);
  EXPECT_EQ(M(4, "response_rate"), (Ratio{1, 2}));
  Ev(b, At(kD + 3, 9), "exclude_from_kpi", State::kDispatched, State::kDispatched,
     "{\"unit_id\":4}", 9);
  EXPECT_EQ(M(4, "response_rate"), (Ratio{1, 1}));
  EXPECT_EQ(M(2, "response_rate"), (Ratio{1, 1}));
  EXPECT_EQ(engine_.Sum(2, {kD, kD + 7})[Counter::kReceived], 2);  // volumes keep it
  Ev(b, At(kD + 3, 10), "include_in_kpi", State::kDispatched, State::kDispatched, "{\"unit_id\":4}",
     9);
  EXPECT_EQ(M(4, "response_rate"), (Ratio{1, 2}));
}

TEST_F(Kpi, LateEventsCorrectPastDays) {
  Id a = New();
  Dispatch(a, At(kD, 10), 4, EndOf(kD + 4));
  Counters before = engine_.Sum(4, {kD, kD + 1});
  Reply(a, At(kD, 15), true, true, 4);  // arrives before the sign it follows
  Sign(a, At(kD, 11), true, 4);
  EXPECT_EQ(M(4, "response_rate"), (Ratio{1, 1}));
  EXPECT_EQ(M(4, "resolution_rate"), (Ratio{1, 1}));
  EXPECT_NE(before, engine_.Sum(4, {kD, kD + 1}));
}

TEST_F(Kpi, SlicesBySubjectAndChannel) {
  New(Channel::kHotline, Nature::kComplaint, At(kD, 9), "0101");
  New(Channel::kOnlineOpinion, Nature::kComplaint, At(kD, 9), "0203");
  New(Channel::kPetition, Nature::kHelp, At(kD, 9), "");
  DayRange w{kD, kD + 1};
  EXPECT_EQ(engine_.Sum(2, w)[Counter::kReceived], 3);
  EXPECT_EQ(engine_.Sum(2, w, {1, std::nullopt})[Counter::kReceived], 1);
  EXPECT_EQ(engine_.Sum(2, w, {-1, std::nullopt})[Counter::kReceived], 1);
  EXPECT_EQ(engine_.Sum(2, w, {std::nullopt, Channel::kPetition})[Counter::kReceived], 1);
  auto by = engine_.SumByChannel(2, w);
  EXPECT_EQ(by[static_cast<size_t>(Channel::kOnlineOpinion)][Counter::kReceived], 1);
}

TEST_F(Kpi, RankingByConfiguredWeights) {
  // Street 2 (via grid 4): response 1/1, resolution 0/1. Street 7: nothing -> unranked.
  // Department 6: response 0/1.
  Id a = New(), b = New();
  Dispatch(a, At(kD, 10), 4, EndOf(kD + 4));
  Sign(a, At(kD, 11), true, 4);
  Reply(a, At(kD, 12), false, true, 4);
  Dispatch(b, At(kD, 10), 6, EndOf(kD + 4));
  DayRange oct = MonthRange(2026, 10);
  auto rows = engine_.Rank(UnitKind::kStreet, oct, cfg_);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].unit_id, 2);
  EXPECT_EQ(rows[0].rank, 1);
  EXPECT_NEAR(*rows[0].score, 30.0 * 100 / 65, 1e-9);  // response 30 of (30 + 35); no callbacks
  EXPECT_EQ(rows[1].unit_id, 7);
  EXPECT_EQ(rows[1].rank, 0);
  auto cfg = ParseKpiConfig(R"({"weights":{"resolution_rate":1}})");
  ASSERT_TRUE(cfg.ok());
  rows = engine_.Rank(UnitKind::kStreet, oct, *cfg);
  EXPECT_NEAR(*rows[0].score, 0.0, 1e-9);
  auto depts = engine_.Rank(UnitKind::kDepartment, oct, cfg_);
  ASSERT_EQ(depts.size(), 1u);
  EXPECT_NEAR(*depts[0].score, 0.0, 1e-9);
}

TEST_F(Kpi, ThreeVolumesFallTogether) {
  Day sep = MonthRange(2026, 9).from, oct = MonthRange(2026, 10).from;
  for (int i = 0; i < 2; ++i) {
    New(Channel::kHotline, Nature::kComplaint, At(sep + 3, 9));
    New(Channel::kOnlineOpinion, Nature::kHelp, At(sep + 3, 9));
    New(Channel::kPetition, Nature::kComplaint, At(sep + 3, 9));
  }
  New(Channel::kHotline, Nature::kComplaint, At(oct + 3, 9));
  New(Channel::kHotline, Nature::kConsultation, At(oct + 3, 9));  // not a complaint
  New(Channel::kOnlineOpinion, Nature::kHelp, At(oct + 3, 9));
  New(Channel::kPetition, Nature::kComplaint, At(oct + 3, 9));
  auto rows = engine_.VolumeTrend(UnitKind::kStreet, MonthRange(2026, 10), cfg_);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].unit_id, 2);
  EXPECT_EQ(rows[0].hotline_complaints, 1);
  EXPECT_EQ(rows[0].prev_hotline_complaints, 2);
  EXPECT_TRUE(rows[0].all_fell);
  EXPECT_FALSE(rows[1].all_fell);  // street 7: 0 -> 0
  auto pc = engine_.Compare(2, MonthRange(2026, 10), cfg_);
  EXPECT_EQ(pc.received_delta, 4 - 6);
  EXPECT_EQ(pc.previous.range, MonthRange(2026, 9));
}

TEST_F(Kpi, SetUnitsRollsUpUnderTheNewTree) {
  Id a = New();
  Dispatch(a, At(kD, 10), 4, EndOf(kD + 4));
  EXPECT_EQ(M(2, "response_rate"), (Ratio{0, 1}));
  EXPECT_EQ(M(7, "response_rate"), (Ratio{0, 0}));
  // Community 3 moves from street 2 to street 7: grid 4's assignment follows it.
  std::vector<Unit> org = Org();
  for (Unit& u : org)
    if (u.id == 3) u.parent_id = 7;
  Counters before = engine_.Sum(kAllUnits, {kD, kD + 7});
  engine_.SetUnits(UnitTree(org));
  EXPECT_EQ(M(2, "response_rate"), (Ratio{0, 0}));
  EXPECT_EQ(M(7, "response_rate"), (Ratio{0, 1}));
  EXPECT_EQ(M(4, "response_rate"), (Ratio{0, 1}));
  EXPECT_EQ(engine_.Sum(kAllUnits, {kD, kD + 7}), before);
  EXPECT_EQ(engine_.Sum(7, {kD, kD + 7})[Counter::kReceived], 1);
}

TEST(KpiPeriods, MonthsWeeksAndPrevious) {
  EXPECT_EQ(MonthRange(2026, 12).days(), 31);
  EXPECT_EQ(PreviousRange(MonthRange(2026, 3)), MonthRange(2026, 2));
  EXPECT_EQ(PreviousRange(MonthRange(2026, 1)), MonthRange(2025, 12));
  DayRange w = WeekRange(DayOfDate(2026, 10, 15));  // Thursday
  EXPECT_EQ(w.from, DayOfDate(2026, 10, 12));
  EXPECT_EQ(PreviousRange(w), (DayRange{w.from - 7, w.from}));
  EXPECT_EQ(DayOf(StartOf(kD)), kD);
  EXPECT_EQ(DayOf(StartOf(kD) - 1), kD - 1);
  EXPECT_EQ(*ParseMonth("2026-10"), MonthRange(2026, 10));
  EXPECT_FALSE(ParseMonth("2026-13").ok());
  EXPECT_FALSE(ParseDay("2026-02-30", "from").ok());
  EXPECT_EQ(*ParseDay("2026-10-12", "from"), kD);
}

TEST(KpiConfigDoc, ParsesAndNamesBadFields) {
  auto c = ParseKpiConfig(
      R"({"satisfaction_points":{"basically_satisfied":60},"weights":{"response_rate":1,"return_rate":2},
          "min_assigned":5,"three_volumes":{"petition":{"channels":["petition","email"]}}})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->satisfaction_points.at(Rating::kBasicallySatisfied), 60);
  EXPECT_EQ(c->satisfaction_points.at(Rating::kSatisfied), 100);
  EXPECT_EQ(c->weights.size(), 2u);
  EXPECT_EQ(c->min_assigned, 5);
  EXPECT_EQ(c->petition.channels.size(), 2u);
  auto back = ParseKpiConfig(KpiConfigToJson(*c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->weights, c->weights);
  EXPECT_EQ(ParseKpiConfig(R"({"weights":{"speed":1}})").status().field(), "weights.speed");
  EXPECT_EQ(ParseKpiConfig(R"({"satisfaction_points":{"satisfied":101}})").status().field(),
            "satisfaction_points.satisfied");
  EXPECT_EQ(ParseKpiConfig(R"({"satisfaction_points":{"unreachable":0}})").status().field(),
            "satisfaction_points.unreachable");
  EXPECT_EQ(
      ParseKpiConfig(R"({"three_volumes":{"petition":{"channels":["fax"]}}})").status().field(),
      "three_volumes.petition.channels");
  EXPECT_FALSE(ParseKpiConfig("[1]").ok());
}

}  // namespace
}  // namespace hotline::analytics
