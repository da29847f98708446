#include "domain/calendar.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

namespace hotline {
namespace {

constexpr std::int64_t kDay = 86400;

CivilDate D(int y, int m, int d) { return CivilDate{y, m, d}; }

CivilDate NextDay(CivilDate d, int n = 1) { return CivilFromDays(DaysFromCivil(d) + n); }

// Local (UTC+8) wall-clock time as a Timestamp.
Timestamp At(const WorkCalendar& cal, CivilDate d, int hour, int minute = 0, int second = 0) {
  return cal.StartOfDay(d) + hour * 3600 + minute * 60 + second;
}

// The 2025 National Day + Mid-Autumn holiday (国办发明电〔2024〕12号):
// 10-01..10-08 off, Sunday 09-28 and Saturday 10-11 working.
WorkCalendar NationalDay2025() {
  WorkCalendar cal;
  for (int day = 1; day <= 8; ++day) {
    EXPECT_TRUE(cal.SetDay({D(2025, 10, day), false, "国庆节、中秋节"}).ok());
  }
  EXPECT_TRUE(cal.SetDay({D(2025, 9, 28), true, "国庆节调休上班"}).ok());
  EXPECT_TRUE(cal.SetDay({D(2025, 10, 11), true, "国庆节调休上班"}).ok());
  return cal;
}

TEST(CivilDate, FormatAndStrictParse) {
  EXPECT_EQ(FormatDate(D(2026, 10, 1)), "2026-10-01");
  EXPECT_EQ(ParseDate("2024-02-29"), D(2024, 2, 29));
  EXPECT_EQ(ParseDate("2000-02-29"), D(2000, 2, 29));
  EXPECT_FALSE(ParseDate("1900-02-29"));
  EXPECT_FALSE(ParseDate("2025-02-29"));
  EXPECT_FALSE(ParseDate("2025-04-31"));
  EXPECT_FALSE(ParseDate("2025-13-01"));
  EXPECT_FALSE(ParseDate("2025-00-10"));
  EXPECT_FALSE(ParseDate("2025-1-01"));
  EXPECT_FALSE(ParseDate("2025-10-011"));
  EXPECT_FALSE(ParseDate("2025/10/01"));
  EXPECT_FALSE(ParseDate("２０２５-10-01"));
  EXPECT_FALSE(ParseDate(""));
}

TEST(CivilDate, DayNumbersRoundTripAndWeekdays) {
  EXPECT_EQ(DaysFromCivil(D(1970, 1, 1)), 0);
  EXPECT_EQ(CivilFromDays(-1), D(1969, 12, 31));
  for (std::int64_t n = -800; n < 200000; n += 7) {
    ASSERT_EQ(DaysFromCivil(CivilFromDays(n)), n);
  }
  EXPECT_EQ(Weekday(D(2025, 10, 1)), 3);  // Wednesday
  EXPECT_EQ(Weekday(D(2025, 9, 28)), 0);  // Sunday
  EXPECT_EQ(Weekday(D(2026, 2, 14)), 6);  // Saturday
}

TEST(WorkCalendar, WeekendsHolidaysAndMakeUpDays) {
  WorkCalendar cal = NationalDay2025();
  EXPECT_TRUE(cal.IsWorkingDay(D(2025, 9, 26)));   // Friday
  EXPECT_FALSE(cal.IsWorkingDay(D(2025, 9, 27)));  // Saturday
  EXPECT_TRUE(cal.IsWorkingDay(D(2025, 9, 28)));   // Sunday, make-up
  for (int day = 1; day <= 8; ++day) EXPECT_FALSE(cal.IsWorkingDay(D(2025, 10, day)));
  EXPECT_TRUE(cal.IsWorkingDay(D(2025, 10, 9)));
  EXPECT_TRUE(cal.IsWorkingDay(D(2025, 10, 11)));   // Saturday, make-up
  EXPECT_FALSE(cal.IsWorkingDay(D(2025, 10, 12)));  // Sunday
  // September 2025 without the holiday: 22 weekdays + the make-up Sunday.
  EXPECT_EQ(cal.WorkingDaysInRange(D(2025, 9, 1), D(2025, 10, 1)), 23);
  // October: 23 weekdays - 6 weekday holidays + 1 make-up Saturday.
  EXPECT_EQ(cal.WorkingDaysInRange(D(2025, 10, 1), D(2025, 11, 1)), 18);
}

TEST(WorkCalendar, SetDayReplacesKeepsSortedAndRejectsBadInput) {
  WorkCalendar cal;
  ASSERT_TRUE(cal.SetDay({D(2026, 1, 4), true, "元旦调休上班"}).ok());
  ASSERT_TRUE(cal.SetDay({D(2026, 1, 1), false, "元旦"}).ok());
  ASSERT_TRUE(cal.SetDay({D(2026, 1, 1), false, "New Year"}).ok());
  ASSERT_EQ(cal.special_days().size(), 2u);
  EXPECT_EQ(cal.special_days()[0].date, D(2026, 1, 1));
  EXPECT_EQ(cal.special_days()[0].name, "New Year");
  EXPECT_EQ(cal.special_days()[1].date, D(2026, 1, 4));

  Status st = cal.SetDay({D(2025, 2, 29), false, "x"});
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.field(), "date");
  EXPECT_EQ(cal.SetDay({D(1969, 12, 31), false, "x"}).field(), "date");
  EXPECT_EQ(cal.SetDay({D(2026, 5, 1), false, std::string(200, 'x')}).field(), "name");
  EXPECT_EQ(cal.special_days().size(), 2u);  // bad input changes nothing

  EXPECT_TRUE(cal.RemoveDay(D(2026, 1, 4)).ok());
  EXPECT_FALSE(cal.IsWorkingDay(D(2026, 1, 4)));
  EXPECT_EQ(cal.RemoveDay(D(2026, 1, 4)).code(), Code::kNotFound);
}

TEST(WorkCalendar, LocalDateIsBeijingTime) {
  WorkCalendar cal;
  // 2025-09-30T16:00:00Z is 2025-10-01 00:00 in Beijing.
  const Timestamp midnight = 1759248000;
  EXPECT_EQ(cal.LocalDate(midnight), D(2025, 10, 1));
  EXPECT_EQ(cal.LocalDate(midnight - 1), D(2025, 9, 30));
  EXPECT_EQ(cal.StartOfDay(D(2025, 10, 1)), midnight);
  WorkCalendar utc(0);
  EXPECT_EQ(utc.LocalDate(midnight), D(2025, 9, 30));
  EXPECT_EQ(utc.StartOfDay(D(1970, 1, 1)), 0);
}

TEST(WorkCalendar, FiveWorkingDaysAcrossNationalDay2025) {
  WorkCalendar cal = NationalDay2025();
  // Received Friday 2025-09-26 15:00. The receiving day does not count; the
  // working days are 09-28 (make-up Sunday), 09-29, 09-30, 10-09, 10-10.
  const Timestamp received = At(cal, D(2025, 9, 26), 15);
  EXPECT_EQ(received, 1758870000);
  const Timestamp due = cal.AddWorkingDays(received, 5);
  EXPECT_EQ(due, At(cal, D(2025, 10, 11), 0));  // 24:00 on Friday 10-10
  EXPECT_EQ(due, 1760112000);
  EXPECT_EQ(cal.LocalDate(due - 1), D(2025, 10, 10));
  // Three working days end on 09-30, before the holiday.
  EXPECT_EQ(cal.AddWorkingDays(received, 3), At(cal, D(2025, 10, 1), 0));
  // Received during the holiday: the first working day after it is 10-09.
  EXPECT_EQ(cal.AddWorkingDays(At(cal, D(2025, 10, 3), 10), 1), At(cal, D(2025, 10, 10), 0));
  // Received just before midnight vs. just after: a whole working day apart.
  EXPECT_EQ(cal.AddWorkingDays(At(cal, D(2025, 9, 29), 23, 59, 59), 1), At(cal, D(2025, 10, 1), 0));
  EXPECT_EQ(cal.AddWorkingDays(At(cal, D(2025, 9, 30), 0), 1), At(cal, D(2025, 10, 10), 0));
  EXPECT_EQ(cal.AddWorkingDays(received, 0), received);
}

TEST(WorkCalendar, WorkingHoursCountOfficeHoursOnly) {
  WorkCalendar cal = NationalDay2025();
  EXPECT_EQ(cal.office_start_minute(), 9 * 60);
  EXPECT_EQ(cal.office_end_minute(), 17 * 60);
  // Friday 2025-09-19 16:00 + 2 working hours: 1 h on Friday, 1 h on Monday.
  EXPECT_EQ(cal.AddWorkingHours(At(cal, D(2025, 9, 19), 16), 2), At(cal, D(2025, 9, 22), 10));
  // Received at night: counting starts at the next opening.
  EXPECT_EQ(cal.AddWorkingHours(At(cal, D(2025, 9, 22), 20), 3), At(cal, D(2025, 9, 23), 12));
  EXPECT_EQ(cal.AddWorkingHours(At(cal, D(2025, 9, 22), 6), 3), At(cal, D(2025, 9, 22), 12));
  // Ending exactly at closing time stays on that day.
  EXPECT_EQ(cal.AddWorkingHours(At(cal, D(2025, 9, 22), 9), 8), At(cal, D(2025, 9, 22), 17));
  // Across the holiday: 09-30 afternoon, then 10-09.
  EXPECT_EQ(cal.AddWorkingHours(At(cal, D(2025, 9, 30), 15), 4), At(cal, D(2025, 10, 9), 11));
  // A make-up Saturday has office hours.
  EXPECT_EQ(cal.AddWorkingHours(At(cal, D(2025, 10, 10), 16), 2), At(cal, D(2025, 10, 11), 10));
  EXPECT_EQ(cal.OfficeSecondsBetween(At(cal, D(2025, 9, 19), 16), At(cal, D(2025, 9, 22), 10)),
            2 * 3600);

  ASSERT_TRUE(cal.SetOfficeHours(8 * 60 + 30, 17 * 60 + 30).ok());
  // Friday 17:00 + 2 h: 30 min on Friday, 90 min on Monday from 08:30.
  EXPECT_EQ(cal.AddWorkingHours(At(cal, D(2025, 9, 19), 17), 2), At(cal, D(2025, 9, 22), 10));
  EXPECT_EQ(cal.SetOfficeHours(600, 600).field(), "office_hours");
  EXPECT_EQ(cal.SetOfficeHours(-1, 600).field(), "office_hours");
  EXPECT_EQ(cal.SetOfficeHours(600, 1441).field(), "office_hours");
  EXPECT_EQ(cal.office_start_minute(), 8 * 60 + 30);  // unchanged by the bad calls
}

TEST(WorkCalendar, WorkingSecondsBetweenCountsWholeWorkingDates) {
  WorkCalendar cal = NationalDay2025();
  // Friday noon to Monday noon: 12 h + 12 h.
  const Timestamp fri = At(cal, D(2025, 9, 19), 12), mon = At(cal, D(2025, 9, 22), 12);
  EXPECT_EQ(cal.WorkingSecondsBetween(fri, mon), kDay);
  EXPECT_EQ(cal.WorkingSecondsBetween(mon, fri), -kDay);
  EXPECT_EQ(cal.WorkingSecondsBetween(fri, fri), 0);
  // Inside the holiday nothing counts.
  EXPECT_EQ(cal.WorkingSecondsBetween(At(cal, D(2025, 10, 2), 1), At(cal, D(2025, 10, 7), 1)), 0);
  // Across it: 09-30 from 18:00 (6 h) + 10-09 until 06:00 (6 h).
  EXPECT_EQ(cal.WorkingSecondsBetween(At(cal, D(2025, 9, 30), 18), At(cal, D(2025, 10, 9), 6)),
            12 * 3600);
}

TEST(WorkCalendar, SubtractWorkingDaysIsTheEarliestInstantWithThatMuchLeft) {
  WorkCalendar cal = NationalDay2025();
  // Due Monday 2025-09-22 24:00: from Saturday 00:00 only Monday is left.
  const Timestamp due = At(cal, D(2025, 9, 23), 0);
  EXPECT_EQ(cal.SubtractWorkingDays(due, 1), At(cal, D(2025, 9, 20), 0));
  EXPECT_EQ(cal.SubtractWorkingDays(due, 2), At(cal, D(2025, 9, 19), 0));
  // Due 10-09 24:00: one working day before is the end of 09-30.
  EXPECT_EQ(cal.SubtractWorkingDays(At(cal, D(2025, 10, 10), 0), 1), At(cal, D(2025, 10, 1), 0));
  // Mid-day deadline.
  EXPECT_EQ(cal.SubtractWorkingDays(At(cal, D(2025, 9, 24), 12), 1), At(cal, D(2025, 9, 23), 12));
  EXPECT_EQ(cal.SubtractWorkingDays(due, 0), due);
  // Office hours backwards: due Monday 10:00, 2 h before is Friday 16:00.
  EXPECT_EQ(cal.SubtractWorkingHours(At(cal, D(2025, 9, 22), 10), 2), At(cal, D(2025, 9, 19), 16));
  // Exactly at opening: the earliest instant is the previous closing time.
  EXPECT_EQ(cal.SubtractWorkingHours(At(cal, D(2025, 9, 22), 10), 1), At(cal, D(2025, 9, 19), 17));
}

TEST(WorkCalendar, EverythingAHolidayStopsAtTheCap) {
  WorkCalendar cal;
  const CivilDate first = D(2030, 1, 1);
  const std::int64_t n0 = DaysFromCivil(first);
  for (std::int64_t n = n0; n <= n0 + WorkCalendar::kMaxSearchDays + 10; ++n) {
    CivilDate d = CivilFromDays(n);
    if (cal.IsWorkingDay(d)) {
      ASSERT_TRUE(cal.SetDay({d, false, "holiday"}).ok());
    }
  }
  const Timestamp from = cal.StartOfDay(first) - 3600;  // 2029-12-31 23:00
  const Timestamp cap = cal.StartOfDay(NextDay(D(2029, 12, 31), WorkCalendar::kMaxSearchDays + 1));
  EXPECT_EQ(cal.AddWorkingDays(from, 1), cap);
  EXPECT_GT(cal.AddWorkingHours(from, 1), from);
  const Timestamp late = cal.StartOfDay(NextDay(first, 3000));
  EXPECT_LE(cal.SubtractWorkingDays(late, 1), late);
  EXPECT_EQ(cal.WorkingSecondsBetween(cal.StartOfDay(first), late), 0);
}

TEST(WorkCalendar, AbsurdTimestampsAreClampedNotOverflowed) {
  WorkCalendar cal = NationalDay2025();
  const Timestamp lo = std::numeric_limits<Timestamp>::min();
  const Timestamp hi = std::numeric_limits<Timestamp>::max();
  EXPECT_EQ(cal.LocalDate(hi), D(10000, 1, 1));  // 9999-12-31T23:59:59Z is 08:00 next day
  EXPECT_EQ(cal.LocalDate(lo), D(1, 1, 1));
  EXPECT_GT(cal.AddWorkingDays(hi, 5), kMaxTimestamp);
  EXPECT_GE(cal.AddWorkingHours(hi, 5), kMaxTimestamp);
  EXPECT_GT(cal.WorkingSecondsBetween(lo, hi), 0);
  EXPECT_GT(cal.OfficeSecondsBetween(lo, hi), 0);
  EXPECT_LE(cal.SubtractWorkingDays(lo, 5), kMinTimestamp);
  EXPECT_LE(cal.SubtractWorkingHours(hi, 5), kMaxTimestamp);
  EXPECT_GT(cal.AddWorkingDays(lo, std::numeric_limits<int>::max()), kMinTimestamp);
}

// Property: on random calendars, counting forward and measuring agree.
TEST(WorkCalendar, RandomCalendarsForwardAndBackwardCountingAgree) {
  std::mt19937 rng(12345);
  const std::int64_t base = DaysFromCivil(D(2024, 1, 1));
  for (int round = 0; round < 40; ++round) {
    WorkCalendar cal;
    std::uniform_int_distribution<int> offset(0, 3 * 366);
    int specials = std::uniform_int_distribution<int>(0, 120)(rng);
    for (int i = 0; i < specials; ++i) {
      ASSERT_TRUE(cal.SetDay({CivilFromDays(base + offset(rng)), rng() % 3 == 0, ""}).ok());
    }
    for (int trial = 0; trial < 50; ++trial) {
      const Timestamp from =
          cal.StartOfDay(CivilFromDays(base + offset(rng))) + static_cast<int>(rng() % kDay);
      const int n = std::uniform_int_distribution<int>(1, 30)(rng);
      const Timestamp due = cal.AddWorkingDays(from, n);
      const CivilDate next = NextDay(cal.LocalDate(from));
      ASSERT_EQ(cal.WorkingSecondsBetween(cal.StartOfDay(next), due), n * kDay);
      ASSERT_EQ(cal.WorkingDaysInRange(next, cal.LocalDate(due)), n);
      ASSERT_TRUE(cal.IsWorkingDay(cal.LocalDate(due - 1)));
      ASSERT_EQ(cal.StartOfDay(cal.LocalDate(due)), due);  // always a midnight

      // Brute force the same count day by day.
      int walked = 0;
      CivilDate d = next;
      while (cal.StartOfDay(d) < due) walked += cal.IsWorkingDay(d), d = NextDay(d);
      ASSERT_EQ(walked, n);

      const Timestamp back = cal.SubtractWorkingDays(due, n);
      ASSERT_EQ(cal.WorkingSecondsBetween(back, due), n * kDay);
      ASSERT_GT(cal.WorkingSecondsBetween(back - 1, due), n * kDay);  // earliest such instant

      const int hours = std::uniform_int_distribution<int>(1, 40)(rng);
      const Timestamp end = cal.AddWorkingHours(from, hours);
      ASSERT_EQ(cal.OfficeSecondsBetween(from, end), hours * 3600);
      const Timestamp hback = cal.SubtractWorkingHours(end, hours);
      ASSERT_LE(hback, from);
      ASSERT_EQ(cal.OfficeSecondsBetween(hback, end), hours * 3600);
      ASSERT_GT(cal.OfficeSecondsBetween(hback - 1, end), hours * 3600);
    }
  }
}

}  // namespace
}  // namespace hotline
