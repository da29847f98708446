#include "domain/calendar.h"

#include <algorithm>
#include <cstdio>

namespace hotline {
namespace {

constexpr std::int64_t kDay = 86400;

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool IsValidDate(CivilDate d) {
  return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= DaysInMonth(d.year, d.month);
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// 0 = Sunday ... 6 = Saturday; day 0 (1970-01-01) was a Thursday.
int WeekdayOfDayNumber(std::int64_t day) { return static_cast<int>(((day % 7 + 7) % 7 + 4) % 7); }

bool IsWeekend(int weekday) { return weekday == 0 || weekday == 6; }

// Monday-Friday among day numbers [from, to).
std::int64_t WeekdaysInRange(std::int64_t from, std::int64_t to) {
  if (to <= from) return 0;
  std::int64_t n = to - from;
  std::int64_t count = n / 7 * 5;
  int wd = WeekdayOfDayNumber(from);
  for (std::int64_t i = 0; i < n % 7; ++i) {
    if (!IsWeekend((wd + static_cast<int>(i)) % 7)) ++count;
  }
  return count;
}

}  // namespace

std::int64_t DaysFromCivil(CivilDate d) {
  // Howard Hinnant's days_from_civil (proleptic Gregorian).
  std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t yoe = y - era * 400;
  std::int64_t mp = d.month + (d.month > 2 ? -3 : 9);
  std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(std::int64_t z) {
  z += 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = yoe + era * 400;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{static_cast<int>(y + (month <= 2 ? 1 : 0)), month, day};
}

int Weekday(CivilDate d) { return WeekdayOfDayNumber(DaysFromCivil(d)); }

std::string FormatDate(CivilDate d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::optional<CivilDate> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto digits = [&](std::size_t pos, std::size_t len, int& out) {
    out = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  CivilDate d;
  if (!digits(0, 4, d.year) || !digits(5, 2, d.month) || !digits(8, 2, d.day)) return std::nullopt;
  if (!IsValidDate(d)) return std::nullopt;
  return d;
}

WorkCalendar::WorkCalendar(int utc_offset_seconds)
    : utc_offset_(std::clamp(utc_offset_seconds, -14 * 3600, 14 * 3600)) {
  Reindex();
}

Status WorkCalendar::SetDay(const SpecialDay& day) {
  if (day.date.year < kMinYear || day.date.year > kMaxYear)
    return Invalid("date", "year must be between 1970 and 9999");
  if (!IsValidDate(day.date)) return Invalid("date", "not a real calendar date");
  if (day.name.size() > 100) return Invalid("name", "at most 100 bytes");
  auto it = std::lower_bound(days_.begin(), days_.end(), day.date,
                             [](const SpecialDay& a, CivilDate d) { return a.date < d; });
  if (it != days_.end() && it->date == day.date) {
    *it = day;
  } else {
    days_.insert(it, day);
  }
  Reindex();
  return Status::Ok();
}

Status WorkCalendar::RemoveDay(CivilDate d) {
  auto it = std::lower_bound(days_.begin(), days_.end(), d,
                             [](const SpecialDay& a, CivilDate x) { return a.date < x; });
  if (it == days_.end() || it->date != d)
    return Status(Code::kNotFound, "no special day on " + FormatDate(d), "date");
  days_.erase(it);
  Reindex();
  return Status::Ok();
}

bool WorkCalendar::CoversYear(int year) const {
  auto it = std::lower_bound(days_.begin(), days_.end(), CivilDate{year, 1, 1},
                             [](const SpecialDay& a, CivilDate d) { return a.date < d; });
  return it != days_.end() && it->date.year == year;
}

void WorkCalendar::Reindex() {
  day_numbers_.clear();
  working_.clear();
  delta_prefix_.assign(1, 0);
  for (const SpecialDay& d : days_) {
    std::int64_t n = DaysFromCivil(d.date);
    bool weekday = !IsWeekend(WeekdayOfDayNumber(n));
    day_numbers_.push_back(n);
    working_.push_back(d.working);
    delta_prefix_.push_back(delta_prefix_.back() + (d.working ? 1 : 0) - (weekday ? 1 : 0));
  }
}

bool WorkCalendar::IsWorkingDayNumber(std::int64_t day) const {
  auto it = std::lower_bound(day_numbers_.begin(), day_numbers_.end(), day);
  if (it != day_numbers_.end() && *it == day) return working_[it - day_numbers_.begin()];
  return !IsWeekend(WeekdayOfDayNumber(day));
}

bool WorkCalendar::IsWorkingDay(CivilDate d) const { return IsWorkingDayNumber(DaysFromCivil(d)); }

std::int64_t WorkCalendar::WorkingDaysInDayRange(std::int64_t from, std::int64_t to) const {
  if (to <= from) return 0;
  auto lo = std::lower_bound(day_numbers_.begin(), day_numbers_.end(), from) - day_numbers_.begin();
  auto hi = std::lower_bound(day_numbers_.begin(), day_numbers_.end(), to) - day_numbers_.begin();
  return WeekdaysInRange(from, to) + delta_prefix_[hi] - delta_prefix_[lo];
}

std::int64_t WorkCalendar::WorkingDaysInRange(CivilDate from, CivilDate to) const {
  return WorkingDaysInDayRange(DaysFromCivil(from), DaysFromCivil(to));
}

std::int64_t WorkCalendar::LocalDay(Timestamp t) const {
  return FloorDiv(ClampTimestamp(t) + utc_offset_, kDay);
}

Timestamp WorkCalendar::DayStart(std::int64_t day) const { return day * kDay - utc_offset_; }

CivilDate WorkCalendar::LocalDate(Timestamp t) const { return CivilFromDays(LocalDay(t)); }

Timestamp WorkCalendar::StartOfDay(CivilDate d) const { return DayStart(DaysFromCivil(d)); }

Status WorkCalendar::SetOfficeHours(int start_minute, int end_minute) {
  if (start_minute < 0 || end_minute > 24 * 60 || start_minute >= end_minute)
    return Invalid("office_hours", "need 0 <= start < end <= 1440 minutes after midnight");
  office_start_ = start_minute;
  office_end_ = end_minute;
  return Status::Ok();
}

Timestamp WorkCalendar::AddWorkingDays(Timestamp from, int n) const {
  from = ClampTimestamp(from);
  if (n <= 0) return from;
  const std::int64_t start = LocalDay(from);
  // Walk forward with a cursor into the sorted special days: one binary
  // search, then O(1) per calendar day and no allocation.
  std::size_t i =
      std::upper_bound(day_numbers_.begin(), day_numbers_.end(), start) - day_numbers_.begin();
  int wd = WeekdayOfDayNumber(start);
  int found = 0;
  for (std::int64_t day = start + 1; day <= start + kMaxSearchDays; ++day) {
    wd = (wd + 1) % 7;
    while (i < day_numbers_.size() && day_numbers_[i] < day) ++i;
    bool working =
        (i < day_numbers_.size() && day_numbers_[i] == day) ? working_[i] : !IsWeekend(wd);
    if (working && ++found == n) return DayStart(day + 1);
  }
  return DayStart(start + kMaxSearchDays + 1);
}

Timestamp WorkCalendar::AddWorkingHours(Timestamp from, int hours) const {
  from = ClampTimestamp(from);
  if (hours <= 0) return from;
  std::int64_t remaining = std::int64_t{hours} * 3600;
  std::int64_t day = LocalDay(from);
  Timestamp t = from;
  for (int k = 0; k <= kMaxSearchDays; ++k, ++day) {
    if (IsWorkingDayNumber(day)) {
      Timestamp sod = DayStart(day);
      Timestamp open = sod + office_start_ * 60, close = sod + office_end_ * 60;
      Timestamp s = std::max(t, open);
      if (s < close) {
        if (close - s >= remaining) return s + remaining;
        remaining -= close - s;
      }
    }
    t = DayStart(day + 1);
  }
  return t;
}

std::int64_t WorkCalendar::WorkingSecondsBetween(Timestamp a, Timestamp b) const {
  a = ClampTimestamp(a);
  b = ClampTimestamp(b);
  if (b < a) return -WorkingSecondsBetween(b, a);
  std::int64_t da = LocalDay(a), db = LocalDay(b);
  if (da == db) return IsWorkingDayNumber(da) ? b - a : 0;
  std::int64_t total = IsWorkingDayNumber(da) ? DayStart(da + 1) - a : 0;
  total += WorkingDaysInDayRange(da + 1, db) * kDay;
  if (IsWorkingDayNumber(db)) total += b - DayStart(db);
  return total;
}

std::int64_t WorkCalendar::OfficeSecondsBetween(Timestamp a, Timestamp b) const {
  a = ClampTimestamp(a);
  b = ClampTimestamp(b);
  if (b < a) return -OfficeSecondsBetween(b, a);
  // Office seconds of [x, y) within day `day` (x, y inside that day).
  auto in_day = [&](std::int64_t day, Timestamp x, Timestamp y) -> std::int64_t {
    if (!IsWorkingDayNumber(day)) return 0;
    Timestamp sod = DayStart(day);
    Timestamp lo = std::max(x, sod + office_start_ * 60);
    Timestamp hi = std::min(y, sod + office_end_ * 60);
    return hi > lo ? hi - lo : 0;
  };
  std::int64_t da = LocalDay(a), db = LocalDay(b);
  if (da == db) return in_day(da, a, b);
  std::int64_t total = in_day(da, a, DayStart(da + 1));
  total += WorkingDaysInDayRange(da + 1, db) * (office_end_ - office_start_) * 60;
  total += in_day(db, DayStart(db), b);
  return total;
}

Timestamp WorkCalendar::SubtractWorkingDays(Timestamp deadline, int n) const {
  return SubtractWorkingSeconds(deadline, std::int64_t{n} * kDay);
}

Timestamp WorkCalendar::SubtractWorkingSeconds(Timestamp deadline, std::int64_t seconds) const {
  deadline = ClampTimestamp(deadline);
  if (seconds <= 0) return deadline;
  std::int64_t remaining = seconds;
  Timestamp cur = deadline;
  std::int64_t day = LocalDay(deadline);
  for (int k = 0; k <= kMaxSearchDays; ++k, --day) {
    Timestamp sod = DayStart(day);
    if (IsWorkingDayNumber(day)) {
      // Budget used up exactly at a day boundary: the non-working days just
      // crossed add no working time, so the earliest instant is the end of
      // this working day.
      if (remaining == 0) return cur;
      if (cur - sod > remaining) return cur - remaining;
      remaining -= cur - sod;
    }
    cur = sod;
  }
  return cur;
}

Timestamp WorkCalendar::SubtractOfficeSeconds(Timestamp deadline, std::int64_t seconds) const {
  deadline = ClampTimestamp(deadline);
  if (seconds <= 0) return deadline;
  std::int64_t remaining = seconds;
  Timestamp cur = deadline;
  std::int64_t day = LocalDay(deadline);
  for (int k = 0; k <= kMaxSearchDays; ++k, --day) {
    Timestamp sod = DayStart(day);
    if (IsWorkingDayNumber(day)) {
      Timestamp open = sod + office_start_ * 60;
      Timestamp end = std::min(cur, sod + office_end_ * 60);
      if (end > open) {
        if (remaining == 0) return end;
        if (end - open > remaining) return end - remaining;
        remaining -= end - open;
      }
    }
    cur = sod;
  }
  return cur;
}

}  // namespace hotline
