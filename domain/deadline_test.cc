#include "domain/deadline.h"

#include <gtest/gtest.h>

namespace hotline {
namespace {

CivilDate D(int y, int m, int d) { return CivilDate{y, m, d}; }

Timestamp At(const WorkCalendar& cal, CivilDate d, int hour, int minute = 0, int second = 0) {
  return cal.StartOfDay(d) + hour * 3600 + minute * 60 + second;
}

WorkCalendar NationalDay2025() {
  WorkCalendar cal;
  for (int day = 1; day <= 8; ++day) EXPECT_TRUE(cal.SetDay({D(2025, 10, day), false, ""}).ok());
  EXPECT_TRUE(cal.SetDay({D(2025, 9, 28), true, ""}).ok());
  EXPECT_TRUE(cal.SetDay({D(2025, 10, 11), true, ""}).ok());
  return cal;
}

TEST(Limit, FormatAndParse) {
  EXPECT_EQ(FormatLimit({5, LimitUnit::kWorkingDays}), "5 working_days");
  struct Case {
    const char* text;
    Limit want;
  } cases[] = {
      {"5 working_days", {5, LimitUnit::kWorkingDays}},
      {"24 natural_hours", {24, LimitUnit::kNaturalHours}},
      {"5wd", {5, LimitUnit::kWorkingDays}},
      {"2wh", {2, LimitUnit::kWorkingHours}},
      {"3d", {3, LimitUnit::kNaturalDays}},
      {"24h", {24, LimitUnit::kNaturalHours}},
      {" 1 working_day ", {1, LimitUnit::kWorkingDays}},
      {"7 nd", {7, LimitUnit::kNaturalDays}},
      {"10 WD", {10, LimitUnit::kWorkingDays}},
      {"5个工作日", {0, LimitUnit::kWorkingDays}},  // not accepted: see below
      {"5工作日", {5, LimitUnit::kWorkingDays}},
      {"2 小时", {2, LimitUnit::kNaturalHours}},
  };
  for (const Case& c : cases) {
    Result<Limit> r = ParseLimit(c.text);
    if (c.want.amount == 0) {
      EXPECT_FALSE(r.ok()) << c.text;
      continue;
    }
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().ToString();
    EXPECT_EQ(*r, c.want) << c.text;
    EXPECT_EQ(ParseLimit(FormatLimit(*r)).value(), c.want);  // round trip
  }
  for (const char* bad :
       {"", "5", "wd", "0 wd", "-1 wd", "5 weeks", "99999999999 wd", "400 d", "9000 h", "1.5 wd"}) {
    Result<Limit> r = ParseLimit(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().field(), "limit");
  }
}

TEST(Limit, AddLimitInEveryUnit) {
  WorkCalendar cal = NationalDay2025();
  const Timestamp fri = At(cal, D(2025, 9, 19), 15);
  EXPECT_EQ(AddLimit(cal, fri, {5, LimitUnit::kWorkingDays}), At(cal, D(2025, 9, 27), 0));
  EXPECT_EQ(AddLimit(cal, fri, {3, LimitUnit::kWorkingHours}), At(cal, D(2025, 9, 22), 10));
  // Natural days: the receiving day does not count; ends at 24:00 of Monday.
  EXPECT_EQ(AddLimit(cal, fri, {3, LimitUnit::kNaturalDays}), At(cal, D(2025, 9, 23), 0));
  EXPECT_EQ(AddLimit(cal, fri, {24, LimitUnit::kNaturalHours}), At(cal, D(2025, 9, 20), 15));
  EXPECT_EQ(AddLimit(cal, fri, {0, LimitUnit::kNaturalHours}), fri);
}

TEST(Limit, ExtensionsContinueFromTheOldDeadline) {
  WorkCalendar cal = NationalDay2025();
  // Due 09-30 24:00; +2 working days skips the holiday: 10-09, 10-10.
  const Timestamp due = At(cal, D(2025, 10, 1), 0);
  EXPECT_EQ(ExtendDeadline(cal, due, {2, LimitUnit::kWorkingDays}), At(cal, D(2025, 10, 11), 0));
  EXPECT_EQ(ExtendDeadline(cal, due, {3, LimitUnit::kNaturalDays}), At(cal, D(2025, 10, 4), 0));
  EXPECT_EQ(ExtendDeadline(cal, due, {5, LimitUnit::kNaturalHours}), due + 5 * 3600);
  // Working hours run on from the old deadline (Monday 16:00 + 2 h).
  const Timestamp mon16 = At(cal, D(2025, 9, 22), 16);
  EXPECT_EQ(ExtendDeadline(cal, mon16, {2, LimitUnit::kWorkingHours}), At(cal, D(2025, 9, 23), 10));
  // A 10-working-day extension of a 5-working-day limit = a 15-working-day limit.
  const Timestamp received = At(cal, D(2025, 9, 26), 15);
  EXPECT_EQ(ExtendDeadline(cal, AddLimit(cal, received, {5, LimitUnit::kWorkingDays}),
                           {10, LimitUnit::kWorkingDays}),
            AddLimit(cal, received, {15, LimitUnit::kWorkingDays}));
  EXPECT_EQ(ExtendDeadline(cal, 0, {2, LimitUnit::kWorkingDays}), 0);
  EXPECT_EQ(ExtendDeadline(cal, due, {0, LimitUnit::kWorkingDays}), due);
}

TEST(DeadlineRule, ValidationNamesTheBadField) {
  EXPECT_TRUE(ValidateRule(DeadlineRule{}).ok());
  auto field_of = [](auto mutate) {
    DeadlineRule r;
    mutate(r);
    Status st = ValidateRule(r);
    EXPECT_EQ(st.code(), Code::kInvalidArgument);
    return st.field();
  };
  EXPECT_EQ(field_of([](DeadlineRule& r) { r.id = -1; }), "id");
  EXPECT_EQ(field_of([](DeadlineRule& r) { r.subject_prefix = "1"; }), "subject_prefix");
  EXPECT_EQ(field_of([](DeadlineRule& r) { r.subject_prefix = "0a"; }), "subject_prefix");
  EXPECT_EQ(field_of([](DeadlineRule& r) { r.subject_prefix = "01020304"; }), "subject_prefix");
  EXPECT_EQ(field_of([](DeadlineRule& r) { r.urgency = static_cast<Urgency>(9); }), "urgency");
  EXPECT_EQ(field_of([](DeadlineRule& r) { r.nature = static_cast<Nature>(-1); }), "nature");
  EXPECT_EQ(field_of([](DeadlineRule& r) { r.sign.amount = 0; }), "sign");
  EXPECT_EQ(field_of([](DeadlineRule& r) { r.handle = {400, LimitUnit::kWorkingDays}; }), "handle");
  EXPECT_EQ(field_of([](DeadlineRule& r) { r.return_window.unit = static_cast<LimitUnit>(7); }),
            "return_window");
  EXPECT_EQ(field_of([](DeadlineRule& r) { r.max_extension.amount = -3; }), "max_extension");
  EXPECT_EQ(field_of([](DeadlineRule& r) { r.sign.amount = 6; }), "sign");  // > handle 5 wd
}

TEST(DeadlineRules, MostSpecificRuleWins) {
  DeadlineRules rules;
  ASSERT_EQ(rules.rules().size(), 1u);
  DeadlineRule roads;
  roads.subject_prefix = "01";
  roads.handle = {7, LimitUnit::kWorkingDays};
  ASSERT_TRUE(rules.Upsert(roads).ok());
  DeadlineRule potholes;
  potholes.subject_prefix = "0103";
  potholes.handle = {4, LimitUnit::kWorkingDays};
  ASSERT_TRUE(rules.Upsert(potholes).ok());
  DeadlineRule urgent_roads;
  urgent_roads.subject_prefix = "01";
  urgent_roads.urgency = Urgency::kUrgent;
  urgent_roads.handle = {24, LimitUnit::kNaturalHours};
  urgent_roads.sign = {1, LimitUnit::kNaturalHours};
  urgent_roads.return_window = {1, LimitUnit::kNaturalHours};
  ASSERT_TRUE(rules.Upsert(urgent_roads).ok());
  DeadlineRule road_consult;
  road_consult.subject_prefix = "01";
  road_consult.nature = Nature::kConsultation;
  road_consult.handle = {3, LimitUnit::kWorkingDays};
  ASSERT_TRUE(rules.Upsert(road_consult).ok());

  auto handle = [&](std::string_view code, Urgency u, Nature n) {
    return FormatLimit(rules.Match(code, u, n).handle);
  };
  EXPECT_EQ(handle("020101", Urgency::kNormal, Nature::kComplaint), "5 working_days");
  EXPECT_EQ(handle("010201", Urgency::kNormal, Nature::kComplaint), "7 working_days");
  // A longer prefix beats urgency and nature on a shorter one.
  EXPECT_EQ(handle("010305", Urgency::kUrgent, Nature::kConsultation), "4 working_days");
  // Same prefix: urgency set beats nature set.
  EXPECT_EQ(handle("010201", Urgency::kUrgent, Nature::kConsultation), "24 natural_hours");
  EXPECT_EQ(handle("010201", Urgency::kNormal, Nature::kConsultation), "3 working_days");
  EXPECT_EQ(handle("", Urgency::kUrgent, Nature::kHelp), "5 working_days");
  EXPECT_EQ(rules.rules().back().subject_prefix, "");  // catch-all last
}

TEST(DeadlineRules, UpsertReplacesSameKeyAndProtectsTheCatchAll) {
  DeadlineRules rules;
  DeadlineRule r;
  r.subject_prefix = "02";
  ASSERT_TRUE(rules.Upsert(r).ok());
  ASSERT_EQ(rules.rules().size(), 2u);
  const Id id = rules.Match("0201", Urgency::kNormal, Nature::kHelp).id;
  EXPECT_EQ(id, 2);
  r.handle = {8, LimitUnit::kWorkingDays};
  ASSERT_TRUE(rules.Upsert(r).ok());  // same key: replaces, keeps the id
  ASSERT_EQ(rules.rules().size(), 2u);
  EXPECT_EQ(rules.Find(id)->handle.amount, 8);

  // Updating by id may move the rule to a new key...
  DeadlineRule moved = *rules.Find(id);
  moved.subject_prefix = "0205";
  ASSERT_TRUE(rules.Upsert(moved).ok());
  EXPECT_EQ(rules.Match("0201", Urgency::kNormal, Nature::kHelp).id, 1);
  // ...but not onto another rule's key.
  DeadlineRule clash;
  clash.id = id;
  EXPECT_EQ(rules.Upsert(clash).code(), Code::kConflict);
  // The catch-all can be changed, not removed nor narrowed.
  DeadlineRule catch_all;
  catch_all.handle = {6, LimitUnit::kWorkingDays};
  ASSERT_TRUE(rules.Upsert(catch_all).ok());
  EXPECT_EQ(rules.Match("99", Urgency::kNormal, Nature::kHelp).handle.amount, 6);
  EXPECT_EQ(rules.Match("99", Urgency::kNormal, Nature::kHelp).id, 1);
  EXPECT_EQ(rules.Remove(1).code(), Code::kFailedPrecondition);
  DeadlineRule narrowed = *rules.Find(1);
  narrowed.subject_prefix = "03";
  EXPECT_EQ(rules.Upsert(narrowed).code(), Code::kFailedPrecondition);
  EXPECT_EQ(rules.Remove(42).code(), Code::kNotFound);
  EXPECT_TRUE(rules.Remove(id).ok());
  EXPECT_EQ(rules.rules().size(), 1u);
  // Invalid rules change nothing.
  DeadlineRule bad;
  bad.subject_prefix = "x";
  EXPECT_EQ(rules.Upsert(bad).field(), "subject_prefix");
  EXPECT_EQ(rules.rules().size(), 1u);
}

TEST(DeadlineRules, DefaultsFollowTheReferenceValues) {
  DeadlineRules rules = DefaultRules();
  const DeadlineRule& normal = rules.Match("010101", Urgency::kNormal, Nature::kComplaint);
  EXPECT_EQ(normal.handle, (Limit{5, LimitUnit::kWorkingDays}));
  EXPECT_EQ(normal.max_extension, (Limit{10, LimitUnit::kWorkingDays}));
  EXPECT_EQ(normal.return_window, (Limit{2, LimitUnit::kWorkingDays}));
  EXPECT_EQ(normal.sign, (Limit{1, LimitUnit::kWorkingDays}));
  EXPECT_EQ(rules.Match("010101", Urgency::kNormal, Nature::kConsultation).handle,
            (Limit{3, LimitUnit::kWorkingDays}));
  EXPECT_EQ(rules.Match("010101", Urgency::kUrgent, Nature::kHelp).handle,
            (Limit{24, LimitUnit::kNaturalHours}));
  EXPECT_EQ(rules.Match("", Urgency::kCritical, Nature::kConsultation).handle,
            (Limit{2, LimitUnit::kNaturalHours}));
  for (const DeadlineRule& r : rules.rules()) EXPECT_TRUE(ValidateRule(r).ok()) << r.id;
}

TEST(Lights, GreenYellowRedAcrossNationalDay) {
  WorkCalendar cal = NationalDay2025();
  LightPolicy policy;
  ASSERT_TRUE(ValidateLightPolicy(policy).ok());
  const Timestamp received = At(cal, D(2025, 9, 26), 15);
  const Timestamp due = AddLimit(cal, received, {5, LimitUnit::kWorkingDays});
  const Timestamp yellow = YellowAt(cal, received, due, policy);
  EXPECT_EQ(yellow, At(cal, D(2025, 10, 10), 0));  // last working day (10-10) begins

  Timestamp now = received;  // a fake clock we move by hand
  EXPECT_EQ(LightAt(now, yellow, due), Light::kGreen);
  now = At(cal, D(2025, 10, 5), 12);  // in the holiday: 2 working days left
  EXPECT_EQ(LightAt(now, yellow, due), Light::kGreen);
  now = At(cal, D(2025, 10, 9), 23, 59, 59);
  EXPECT_EQ(LightAt(now, yellow, due), Light::kGreen);
  now += 1;
  EXPECT_EQ(LightAt(now, yellow, due), Light::kYellow);
  now = due;  // 24:00 itself is still in time
  EXPECT_EQ(LightAt(now, yellow, due), Light::kYellow);
  now += 1;
  EXPECT_EQ(LightAt(now, yellow, due), Light::kRed);
  EXPECT_EQ(LightAt(now, yellow, 0), Light::kNone);
  EXPECT_EQ(LightAt(now - 10, 0, due), Light::kGreen);  // yellow not computed
}

TEST(Lights, YellowOverTheWeekendBeforeAMondayDeadline) {
  WorkCalendar cal;
  LightPolicy policy;
  const Timestamp received = At(cal, D(2025, 9, 15), 10);  // Monday
  const Timestamp due = AddLimit(cal, received, {5, LimitUnit::kWorkingDays});
  EXPECT_EQ(due, At(cal, D(2025, 9, 23), 0));  // Monday 22nd, 24:00
  EXPECT_EQ(YellowAt(cal, received, due, policy), At(cal, D(2025, 9, 20), 0));  // Saturday
}

TEST(Lights, ShortLimitsTurnYellowInTheirLastQuarter) {
  WorkCalendar cal;
  LightPolicy policy;
  // Critical: 2 natural hours from 10:00 -> due 12:00, yellow at 11:30.
  const Timestamp received = At(cal, D(2025, 9, 17), 10);
  const Timestamp due = AddLimit(cal, received, {2, LimitUnit::kNaturalHours});
  const Timestamp yellow = YellowAt(cal, received, due, policy);
  EXPECT_EQ(yellow, At(cal, D(2025, 9, 17), 11, 30));
  EXPECT_EQ(LightAt(yellow - 1, yellow, due), Light::kGreen);
  EXPECT_EQ(LightAt(yellow, yellow, due), Light::kYellow);
  EXPECT_EQ(LightAt(due + 1, yellow, due), Light::kRed);
  // Urgent: 24 natural hours from Friday 10:00 -> yellow Saturday 04:00.
  const Timestamp fri = At(cal, D(2025, 9, 19), 10);
  EXPECT_EQ(YellowAt(cal, fri, AddLimit(cal, fri, {24, LimitUnit::kNaturalHours}), policy),
            At(cal, D(2025, 9, 20), 4));
  // Policy in natural hours; no yellow phase; degenerate spans.
  LightPolicy hours{{6, LimitUnit::kNaturalHours}, 0.25};
  const Timestamp due3d = AddLimit(cal, fri, {3, LimitUnit::kNaturalDays});
  EXPECT_EQ(YellowAt(cal, fri, due3d, hours), due3d - 6 * 3600);
  LightPolicy none{{0, LimitUnit::kWorkingDays}, 0.25};
  EXPECT_TRUE(ValidateLightPolicy(none).ok());
  EXPECT_EQ(YellowAt(cal, fri, due3d, none), due3d);
  EXPECT_EQ(YellowAt(cal, fri, 0, policy), 0);
  EXPECT_EQ(YellowAt(cal, fri, fri - 5, policy), fri - 5);
  // Working-hours policy: from Friday 17:00 only Monday 09:00-11:00 is left.
  LightPolicy office{{2, LimitUnit::kWorkingHours}, 0.25};
  EXPECT_EQ(YellowAt(cal, At(cal, D(2025, 9, 18), 9), At(cal, D(2025, 9, 22), 11), office),
            At(cal, D(2025, 9, 19), 17));
  EXPECT_EQ(YellowAt(cal, At(cal, D(2025, 9, 18), 9), At(cal, D(2025, 9, 22), 10), office),
            At(cal, D(2025, 9, 19), 16));
}

TEST(Lights, PolicyValidation) {
  EXPECT_EQ(ValidateLightPolicy({{1, LimitUnit::kWorkingDays}, 0.0}).field(),
            "short_limit_fraction");
  EXPECT_EQ(ValidateLightPolicy({{1, LimitUnit::kWorkingDays}, 1.5}).field(),
            "short_limit_fraction");
  EXPECT_EQ(ValidateLightPolicy({{-1, LimitUnit::kWorkingDays}, 0.25}).field(), "yellow_before");
}

}  // namespace
}  // namespace hotline
