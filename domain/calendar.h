// The working-day calendar: which local dates are working days (weekends,
// public holidays, 调休 make-up working days), office hours, and deadline
// arithmetic in working days / working hours. Pure: no I/O, no clock.
// Thread-safety: const methods are safe to call concurrently; mutation
// (SetDay, SetOfficeHours, ...) needs external synchronisation, so the service
// swaps in a new calendar instead of editing a shared one.
//
// How limits are counted (docs/deadlines.md):
//  - Local time is UTC + a fixed offset (China: +08:00, no DST), so every local
//    day is exactly 86400 s long.
//  - A working day is Monday-Friday unless it is a holiday; Saturday/Sunday
//    only when it is a make-up working day (调休上班).
//  - "Within N working days" follows Chinese administrative practice: the day
//    the order is received does not count (even if it is a working day), and
//    the limit ends at 24:00 local of the N-th working day after it.
//  - "Within N working hours" counts office hours on working days only,
//    starting at once (the receiving day counts for hours).
//  - Every search is capped at kMaxSearchDays calendar days so that a
//    calendar where everything is a holiday cannot loop forever; when the cap
//    is hit the result is the end of the searched range (documented per call).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/clock.h"
#include "domain/result.h"

namespace hotline {

// Timestamps given to the calendar are clamped to years 0001..9999 so that
// no input, however absurd, can overflow the arithmetic.
inline constexpr Timestamp kMinTimestamp = -62135596800;  // 0001-01-01T00:00:00Z
inline constexpr Timestamp kMaxTimestamp = 253402300799;  // 9999-12-31T23:59:59Z
inline Timestamp ClampTimestamp(Timestamp t) {
  return t < kMinTimestamp ? kMinTimestamp : t > kMaxTimestamp ? kMaxTimestamp : t;
}

// A date on the local (Beijing) calendar.
struct CivilDate {
  int year = 1970, month = 1, day = 1;
  auto operator<=>(const CivilDate&) const = default;
};

// "2026-10-01".
std::string FormatDate(CivilDate d);
// Strict "YYYY-MM-DD" (4-2-2 digits), month 1..12, day valid for the month
// (leap years included). Anything else: nullopt.
std::optional<CivilDate> ParseDate(std::string_view s);
// Days since 1970-01-01 (negative before). Valid for any proleptic Gregorian date.
std::int64_t DaysFromCivil(CivilDate d);
CivilDate CivilFromDays(std::int64_t days);
// 0 = Sunday, 1 = Monday, ... 6 = Saturday.
int Weekday(CivilDate d);

// A date that differs from the weekly pattern: a public holiday (working =
// false) or a 调休 make-up working day (working = true). Entries that agree
// with the weekly pattern (a holiday on a Saturday) are allowed: they carry
// the holiday's name for display and change nothing in the arithmetic.
struct SpecialDay {
  CivilDate date;
  bool working = false;
  std::string name;  // "国庆节", "国庆节调休上班"
};

class WorkCalendar {
 public:
  // Upper bound of every day-by-day search (about ten years).
  static constexpr int kMaxSearchDays = 3660;
  // Years a special day may fall in; keeps the arithmetic far from overflow.
  static constexpr int kMinYear = 1970, kMaxYear = 9999;

  // An offset outside -14 h..+14 h is clamped to that range.
  // Default: UTC+8 (China, no DST).
  explicit WorkCalendar(int utc_offset_seconds = 8 * 3600);

  int utc_offset_seconds() const { return utc_offset_; }

  // Adds or replaces (same date) one special day. Errors: date out of
  // [kMinYear, kMaxYear] or not a real date ("date"), name longer than 64
  // bytes ("name").
  Status SetDay(const SpecialDay& day);
  // Removes the special day on `d`; kNotFound if there is none.
  Status RemoveDay(CivilDate d);
  // Sorted by date, one entry per date.
  const std::vector<SpecialDay>& special_days() const { return days_; }

  // True when at least one special day falls in `year`: a calendar that does
  // not cover the coming year counts plain weekends only and should be
  // flagged to the admin (the State Council publishes each year's holidays
  // in the autumn before).
  bool CoversYear(int year) const;

  // Where the special days come from (the State Council notices); free text.
  const std::string& source() const { return source_; }
  void set_source(std::string source) { source_ = std::move(source); }

  bool IsWorkingDay(CivilDate d) const;
  // Number of working days in [from, to); 0 when to <= from. O(log specials).
  std::int64_t WorkingDaysInRange(CivilDate from, CivilDate to) const;

  CivilDate LocalDate(Timestamp t) const;
  // Local midnight (00:00) of `d` as a UTC Timestamp.
  Timestamp StartOfDay(CivilDate d) const;

  // Office hours on working days, minutes after local midnight, used for
  // limits in working hours. One interval; the lunch break is not modelled.
  // Default: 09:00-17:00 (540..1020), i.e. 8 working hours per working day.
  // Errors ("office_hours"): unless 0 <= start < end <= 1440.
  Status SetOfficeHours(int start_minute, int end_minute);
  int office_start_minute() const { return office_start_; }
  int office_end_minute() const { return office_end_; }

  // 24:00 local of the n-th working day after the local date of `from` (the
  // receiving day itself never counts). n <= 0 returns `from`. If fewer than
  // n working days exist within kMaxSearchDays after that date, returns the
  // end of the searched range (LocalDate(from) + kMaxSearchDays, 24:00).
  Timestamp AddWorkingDays(Timestamp from, int n) const;
  // The instant at which `hours` office hours on working days have elapsed
  // since `from` (counting starts at `from`; outside office hours it starts
  // at the next opening). Ending exactly at closing time returns closing
  // time, not the next opening. hours <= 0 returns `from`. Capped like
  // AddWorkingDays (returns the start of the day after the searched range).
  Timestamp AddWorkingHours(Timestamp from, int hours) const;

  // Seconds of [a, b) that fall on working dates (a working date counts the
  // whole 24 h). Antisymmetric: negative when b < a. O(log specials).
  std::int64_t WorkingSecondsBetween(Timestamp a, Timestamp b) const;
  // Seconds of [a, b) inside office hours on working dates; negative when b < a.
  std::int64_t OfficeSecondsBetween(Timestamp a, Timestamp b) const;

  // The earliest instant t <= deadline with
  // WorkingSecondsBetween(t, deadline) <= n * 86400: from t on, at most n
  // working days are left (so if the deadline is Monday 24:00, one working
  // day before is Friday 24:00 — over the weekend only Monday is left).
  // n <= 0 returns `deadline`. Capped at kMaxSearchDays back.
  Timestamp SubtractWorkingDays(Timestamp deadline, int n) const;
  // Same with an amount of working seconds (24 h per working date).
  Timestamp SubtractWorkingSeconds(Timestamp deadline, std::int64_t seconds) const;
  // The earliest instant t <= deadline with OfficeSecondsBetween(t, deadline)
  // <= seconds. seconds <= 0 returns `deadline`.
  Timestamp SubtractOfficeSeconds(Timestamp deadline, std::int64_t seconds) const;
  Timestamp SubtractWorkingHours(Timestamp deadline, int hours) const {
    return SubtractOfficeSeconds(deadline, std::int64_t{hours} * 3600);
  }

 private:
  bool IsWorkingDayNumber(std::int64_t day) const;
  // Working days among day numbers [from, to).
  std::int64_t WorkingDaysInDayRange(std::int64_t from, std::int64_t to) const;
  std::int64_t LocalDay(Timestamp t) const;
  Timestamp DayStart(std::int64_t day) const;
  void Reindex();

  int utc_offset_;
  int office_start_ = 9 * 60;
  int office_end_ = 17 * 60;
  std::string source_;
  std::vector<SpecialDay> days_;  // sorted by date
  // Parallel to days_: day number, working flag, and the running sum of each
  // entry's effect on the weekday count (+1 make-up weekend day, -1 weekday
  // holiday, 0 redundant) so that a range count is two binary searches.
  std::vector<std::int64_t> day_numbers_;
  std::vector<bool> working_;
  std::vector<std::int64_t> delta_prefix_;  // size days_.size() + 1
};

}  // namespace hotline
