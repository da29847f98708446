#include "service/calendar_json.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

namespace hotline {
namespace {

using nlohmann::json;

const std::string kHolidayFile =
    std::string(HOTLINE_SOURCE_DATA_DIR) + "/calendar/cn_holidays.json";

CivilDate D(int y, int m, int d) { return CivilDate{y, m, d}; }

Timestamp At(const WorkCalendar& cal, CivilDate d, int hour) {
  return cal.StartOfDay(d) + hour * 3600;
}

WorkCalendar Shipped() {
  Result<WorkCalendar> cal = LoadCalendarFile(kHolidayFile);
  EXPECT_TRUE(cal.ok()) << cal.status().ToString();
  return cal.ok() ? *cal : WorkCalendar();
}

TEST(HolidayData, KnownFactsFromTheStateCouncilNotices) {
  WorkCalendar cal = Shipped();
  EXPECT_EQ(cal.utc_offset_seconds(), 8 * 3600);
  EXPECT_NE(cal.source().find("国办发明电〔2024〕12号"), std::string::npos);
  // 2025 National Day + Mid-Autumn: 10-01..10-08 off, 09-28 and 10-11 working.
  for (int day = 1; day <= 8; ++day) EXPECT_FALSE(cal.IsWorkingDay(D(2025, 10, day))) << day;
  EXPECT_TRUE(cal.IsWorkingDay(D(2025, 9, 28)));
  EXPECT_TRUE(cal.IsWorkingDay(D(2025, 10, 11)));
  EXPECT_TRUE(cal.IsWorkingDay(D(2025, 10, 9)));
  // 2024 Spring Festival: 02-10..02-17 off, Sundays 02-04 and 02-18 working.
  EXPECT_TRUE(cal.IsWorkingDay(D(2024, 2, 4)));
  EXPECT_TRUE(cal.IsWorkingDay(D(2024, 2, 18)));
  for (int day = 10; day <= 17; ++day) EXPECT_FALSE(cal.IsWorkingDay(D(2024, 2, day))) << day;
  EXPECT_TRUE(cal.IsWorkingDay(D(2024, 2, 9)));  // 除夕 2024 was not a public holiday
  // 2025 New Year: one day, no make-up.
  EXPECT_FALSE(cal.IsWorkingDay(D(2025, 1, 1)));
  EXPECT_TRUE(cal.IsWorkingDay(D(2025, 1, 2)));
  // 2026: New Year 01-01..03 with Sunday 01-04 working; Spring Festival
  // 02-15..02-23 with Saturdays 02-14 and 02-28 working.
  EXPECT_FALSE(cal.IsWorkingDay(D(2026, 1, 2)));
  EXPECT_TRUE(cal.IsWorkingDay(D(2026, 1, 4)));
  EXPECT_TRUE(cal.IsWorkingDay(D(2026, 2, 14)));
  EXPECT_FALSE(cal.IsWorkingDay(D(2026, 2, 23)));
  EXPECT_TRUE(cal.IsWorkingDay(D(2026, 2, 28)));
  EXPECT_TRUE(cal.CoversYear(2024));
  EXPECT_TRUE(cal.CoversYear(2026));
  EXPECT_FALSE(cal.CoversYear(2027));  // the admin adds it when published
  // Published yearly totals of working days.
  EXPECT_EQ(cal.WorkingDaysInRange(D(2024, 1, 1), D(2025, 1, 1)), 251);
  EXPECT_EQ(cal.WorkingDaysInRange(D(2025, 1, 1), D(2026, 1, 1)), 248);
}

TEST(HolidayData, OrdersAcrossRealHolidays) {
  WorkCalendar cal = Shipped();
  // Friday 2025-09-26 15:00 + 5 working days: 09-28, 09-29, 09-30, 10-09, 10-10.
  EXPECT_EQ(cal.AddWorkingDays(At(cal, D(2025, 9, 26), 15), 5), At(cal, D(2025, 10, 11), 0));
  EXPECT_EQ(cal.AddWorkingDays(At(cal, D(2025, 9, 26), 15), 5), 1760112000);
  // Friday 2026-02-13 + 5: 02-14 (make-up), 02-24, 02-25, 02-26, 02-27.
  EXPECT_EQ(cal.AddWorkingDays(At(cal, D(2026, 2, 13), 10), 5), At(cal, D(2026, 2, 28), 0));
}

TEST(CalendarJson, ShippedFileRoundTripsByteForByte) {
  std::ifstream in(kHolidayFile, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  Result<WorkCalendar> cal = CalendarFromJson(text.str());
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  EXPECT_EQ(CalendarToJson(*cal), text.str());
}

TEST(CalendarJson, OffsetAndOfficeHoursRoundTrip) {
  WorkCalendar cal(-(5 * 3600 + 30 * 60));
  ASSERT_TRUE(cal.SetOfficeHours(8 * 60 + 30, 17 * 60 + 30).ok());
  ASSERT_TRUE(cal.SetDay({D(2027, 1, 1), false, "New \"Year\""}).ok());
  cal.set_source("test");
  Result<WorkCalendar> back = CalendarFromJson(CalendarToJson(cal));
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << CalendarToJson(cal);
  EXPECT_EQ(back->utc_offset_seconds(), cal.utc_offset_seconds());
  EXPECT_EQ(back->office_start_minute(), 8 * 60 + 30);
  EXPECT_EQ(back->office_end_minute(), 17 * 60 + 30);
  ASSERT_EQ(back->special_days().size(), 1u);
  EXPECT_EQ(back->special_days()[0].name, "New \"Year\"");
  EXPECT_EQ(CalendarToJson(*back), CalendarToJson(cal));
  Result<WorkCalendar> empty = CalendarFromJson(CalendarToJson(WorkCalendar()));
  ASSERT_TRUE(empty.ok()) << CalendarToJson(WorkCalendar());
  EXPECT_TRUE(empty->special_days().empty());
}

TEST(CalendarJson, MalformedDocumentsNameTheEntry) {
  auto field = [](std::string_view text) {
    Result<WorkCalendar> r = CalendarFromJson(text);
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    return r.status().field();
  };
  const std::string ok_day = R"({"date": "2026-01-01", "working": false, "name": "元旦"})";
  EXPECT_EQ(field("{"), "");
  EXPECT_EQ(field("[]"), "");
  EXPECT_EQ(field(R"({"utc_offset": "+08:00"})"), "days");
  EXPECT_EQ(field(R"({"days": {}})"), "days");
  EXPECT_EQ(field(R"({"days": [], "utc_offset": "+8"})"), "utc_offset");
  EXPECT_EQ(field(R"({"days": [], "utc_offset": "+15:00"})"), "utc_offset");
  EXPECT_EQ(field(R"({"days": [], "holidays": []})"), "holidays");
  EXPECT_EQ(field(R"({"days": [], "office_hours": {"start": "17:00", "end": "09:00"}})"),
            "office_hours");
  EXPECT_EQ(field(R"({"days": [], "office_hours": {"start": "9", "end": "17:00"}})"),
            "office_hours.start");
  EXPECT_EQ(field(R"({"days": [)" + ok_day + R"(, {"date": "2026-02-30", "working": false}]})"),
            "days[1].date");
  EXPECT_EQ(field(R"({"days": [)" + ok_day + "," + ok_day + "]}"), "days[1].date");
  EXPECT_EQ(field(R"({"days": [{"date": "2026-01-01"}]})"), "days[0].working");
  EXPECT_EQ(field(R"({"days": [{"date": "2026-01-01", "working": "no"}]})"), "days[0].working");
  EXPECT_EQ(field(R"({"days": [{"date": "2026-01-01", "workng": true, "working": true}]})"),
            "days[0].workng");
  EXPECT_EQ(field(R"({"days": [{"date": 20260101, "working": true}]})"), "days[0].date");
  EXPECT_EQ(field(R"({"days": [{"date": "1969-12-31", "working": true}]})"), "days[0].date");
  EXPECT_EQ(field(R"({"days": [{"date": "2026-01-01", "working": true, "name": 3}]})"),
            "days[0].name");
  EXPECT_EQ(field(R"({"days": [7]})"), "days[0]");

  Result<WorkCalendar> missing = LoadCalendarFile("/nonexistent/cn_holidays.json");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().field(), "path");
}

// Admins upload these files: no byte string may crash the loader, and
// whatever it accepts must survive a round trip.
TEST(CalendarJson, RandomlyMutatedFilesNeverCrash) {
  std::ifstream in(kHolidayFile, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string original = buf.str();
  std::mt19937 rng(2025);
  const char kBytes[] = "{}[]\",:0123456789-+ tfnaeluZ\\\x00\xff\xe5";
  int accepted = 0;
  for (int i = 0; i < 500; ++i) {
    std::string text = original;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t pos = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[pos] = kBytes[rng() % (sizeof kBytes - 1)];
          break;
        case 1:
          text.erase(pos, 1 + rng() % 8);
          break;
        default:
          text.insert(pos, 1, kBytes[rng() % (sizeof kBytes - 1)]);
          break;
      }
      if (text.empty()) text = "x";
    }
    Result<WorkCalendar> cal = CalendarFromJson(text);
    if (!cal.ok()) {
      EXPECT_EQ(cal.status().code(), Code::kInvalidArgument);
      continue;
    }
    ++accepted;
    Result<WorkCalendar> again = CalendarFromJson(CalendarToJson(*cal));
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(CalendarToJson(*again), CalendarToJson(*cal));
  }
  EXPECT_GT(accepted, 0);  // some mutations (inside names) stay valid
}

TEST(RuleJson, ParsesBothLimitFormsAndRoundTrips) {
  json j = json::parse(R"({"id": 7, "subject_prefix": "0103", "urgency": "urgent",
                           "nature": "投诉", "sign": "2h", "handle": {"amount": 24, "unit": "natural_hours"},
                           "return_window": "1 natural_hours"})");
  Result<DeadlineRule> r = RuleFromJson(j);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->id, 7);
  EXPECT_EQ(r->urgency, Urgency::kUrgent);
  EXPECT_EQ(r->nature, Nature::kComplaint);
  EXPECT_EQ(r->sign, (Limit{2, LimitUnit::kNaturalHours}));
  EXPECT_EQ(r->handle, (Limit{24, LimitUnit::kNaturalHours}));
  EXPECT_EQ(r->max_extension, (Limit{10, LimitUnit::kWorkingDays}));  // default
  json out = RuleToJson(*r);
  EXPECT_EQ(out["handle"], json::parse(R"({"amount": 24, "unit": "natural_hours"})"));
  EXPECT_EQ(out["nature"], "complaint");
  Result<DeadlineRule> back = RuleFromJson(out);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *r);

  Result<DeadlineRule> any = RuleFromJson(json::parse(R"({"urgency": null, "nature": "any"})"));
  ASSERT_TRUE(any.ok());
  EXPECT_FALSE(any->urgency.has_value());
  EXPECT_FALSE(any->nature.has_value());
  EXPECT_TRUE(RuleToJson(*any)["urgency"].is_null());
}

TEST(RuleJson, InvalidFieldsAreNamed) {
  auto field = [](const char* text) {
    Result<DeadlineRule> r = RuleFromJson(json::parse(text));
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << text;
    return r.status().field();
  };
  EXPECT_EQ(field("[]"), "");
  EXPECT_EQ(field(R"({"id": -1})"), "id");
  EXPECT_EQ(field(R"({"id": "7"})"), "id");
  EXPECT_EQ(field(R"({"subject_prefix": "013"})"), "subject_prefix");
  EXPECT_EQ(field(R"({"subject_prefix": 1})"), "subject_prefix");
  EXPECT_EQ(field(R"({"urgency": "very"})"), "urgency");
  EXPECT_EQ(field(R"({"nature": 2})"), "nature");
  EXPECT_EQ(field(R"({"handle": {"amount": 0, "unit": "working_days"}})"), "handle.amount");
  EXPECT_EQ(field(R"({"handle": {"amount": 1.5, "unit": "working_days"}})"), "handle.amount");
  EXPECT_EQ(field(R"({"handle": {"amount": 99999999999, "unit": "working_days"}})"),
            "handle.amount");
  EXPECT_EQ(field(R"({"handle": {"amount": 5, "unit": "weeks"}})"), "handle.unit");
  EXPECT_EQ(field(R"({"handle": {"amount": 5}})"), "handle.unit");
  EXPECT_EQ(field(R"({"handle": {"amount": 5, "unit": "wd", "x": 1}})"), "handle.x");
  EXPECT_EQ(field(R"({"sign": "soon"})"), "sign");
  EXPECT_EQ(field(R"({"sign": 5})"), "sign");
  EXPECT_EQ(field(R"({"sign": "9 working_days"})"), "sign");  // exceeds handle (5)
  EXPECT_EQ(field(R"({"deadline": "5wd"})"), "deadline");
}

TEST(RuleJson, RuleTablesRoundTrip) {
  DeadlineRules defaults = DefaultRules();
  json j = RulesToJson(defaults);
  ASSERT_EQ(j.size(), defaults.rules().size());
  Result<DeadlineRules> back = RulesFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->rules(), defaults.rules());

  Result<DeadlineRules> bad =
      RulesFromJson(json::parse(R"([{"subject_prefix": "01"}, {"handle": "0 wd"}])"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "[1].handle");
  EXPECT_EQ(RulesFromJson(json::object()).status().code(), Code::kInvalidArgument);
}

TEST(LightPolicyJson, RoundTripAndErrors) {
  LightPolicy p{{4, LimitUnit::kWorkingHours}, 0.5};
  Result<LightPolicy> back = LightPolicyFromJson(LightPolicyToJson(p));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->yellow_before, p.yellow_before);
  EXPECT_EQ(back->short_limit_fraction, 0.5);
  Result<LightPolicy> none = LightPolicyFromJson(
      json::parse(R"({"yellow_before": {"amount": 0, "unit": "working_days"}})"));
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->yellow_before.amount, 0);
  EXPECT_EQ(LightPolicyFromJson(json::parse(R"({"short_limit_fraction": 2})")).status().field(),
            "short_limit_fraction");
  EXPECT_EQ(
      LightPolicyFromJson(json::parse(R"({"yellow_before": "1 fortnight"})")).status().field(),
      "yellow_before");
}

}  // namespace
}  // namespace hotline
