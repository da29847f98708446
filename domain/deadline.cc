#include "domain/deadline.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace hotline {
namespace {

constexpr std::int64_t kDay = 86400;

bool IsDayUnit(LimitUnit u) { return u == LimitUnit::kWorkingDays || u == LimitUnit::kNaturalDays; }

bool IsValidUnit(LimitUnit u) {
  return u == LimitUnit::kWorkingDays || u == LimitUnit::kWorkingHours ||
         u == LimitUnit::kNaturalDays || u == LimitUnit::kNaturalHours;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<LimitUnit> ParseUnitToken(std::string_view token) {
  std::string t(token);
  for (char& c : t) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (auto u = Parse<LimitUnit>(t)) return u;
  struct Alias {
    const char* name;
    LimitUnit unit;
  };
  static constexpr Alias kAliases[] = {
      {"wd", LimitUnit::kWorkingDays},
      {"working_day", LimitUnit::kWorkingDays},
      {"wh", LimitUnit::kWorkingHours},
      {"working_hour", LimitUnit::kWorkingHours},
      {"nd", LimitUnit::kNaturalDays},
      {"d", LimitUnit::kNaturalDays},
      {"natural_day", LimitUnit::kNaturalDays},
      {"天", LimitUnit::kNaturalDays},
      {"nh", LimitUnit::kNaturalHours},
      {"h", LimitUnit::kNaturalHours},
      {"natural_hour", LimitUnit::kNaturalHours},
      {"小时", LimitUnit::kNaturalHours},
  };
  for (const Alias& a : kAliases) {
    if (t == a.name) return a.unit;
  }
  return std::nullopt;
}

bool IsSubjectPrefix(std::string_view p) {
  if (p.size() > 6 || p.size() % 2 != 0) return false;
  return std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsValidUrgency(Urgency u) {
  return u == Urgency::kNormal || u == Urgency::kUrgent || u == Urgency::kCritical;
}

bool IsValidNature(Nature n) {
  for (const auto& e : EnumNames<Nature>()) {
    if (e.value == n) return true;
  }
  return false;
}

bool SameKey(const DeadlineRule& a, const DeadlineRule& b) {
  return a.subject_prefix == b.subject_prefix && a.urgency == b.urgency && a.nature == b.nature;
}

bool IsCatchAll(const DeadlineRule& r) {
  return r.subject_prefix.empty() && !r.urgency && !r.nature;
}

}  // namespace

std::string FormatLimit(Limit limit) {
  return std::to_string(limit.amount) + " " + std::string(ToString(limit.unit));
}

Status ValidateLimit(const Limit& limit, const std::string& field) {
  if (!IsValidUnit(limit.unit))
    return Invalid(field, "unit must be one of " + AllowedNames<LimitUnit>());
  int max = IsDayUnit(limit.unit) ? kMaxLimitDays : kMaxLimitHours;
  if (limit.amount <= 0 || limit.amount > max)
    return Invalid(field, "amount must be between 1 and " + std::to_string(max) + " for " +
                              std::string(ToString(limit.unit)));
  return Status::Ok();
}

Result<Limit> ParseLimit(std::string_view text) {
  std::string_view s = Trim(text);
  std::size_t i = 0;
  long long amount = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (i >= 9) return Invalid("limit", "amount too large in \"" + std::string(text) + "\"");
    amount = amount * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 0)
    return Invalid("limit", "expected \"<amount> <unit>\", e.g. \"5 working_days\" or \"24h\"");
  std::optional<LimitUnit> unit = ParseUnitToken(Trim(s.substr(i)));
  if (!unit)
    return Invalid("limit", "unknown unit in \"" + std::string(text) +
                                "\"; use working_days (wd), working_hours (wh), natural_days "
                                "(nd, d) or natural_hours (nh, h)");
  Limit limit{static_cast<int>(amount), *unit};
  HOTLINE_RETURN_IF_ERROR(ValidateLimit(limit, "limit"));
  return limit;
}

Timestamp AddLimit(const WorkCalendar& cal, Timestamp from, Limit limit) {
  from = ClampTimestamp(from);
  if (limit.amount <= 0) return from;
  switch (limit.unit) {
    case LimitUnit::kWorkingDays:
      return cal.AddWorkingDays(from, limit.amount);
    case LimitUnit::kWorkingHours:
      return cal.AddWorkingHours(from, limit.amount);
    case LimitUnit::kNaturalDays: {
      // Like working days, the receiving day does not count (民法典 art. 201).
      Timestamp start = cal.StartOfDay(cal.LocalDate(from));
      return start + (std::int64_t{limit.amount} + 1) * kDay;
    }
    case LimitUnit::kNaturalHours:
      return from + std::int64_t{limit.amount} * 3600;
  }
  return from;
}

Timestamp ExtendDeadline(const WorkCalendar& cal, Timestamp due, Limit extension) {
  if (due == 0) return 0;
  if (extension.amount <= 0) return due;
  switch (extension.unit) {
    case LimitUnit::kWorkingDays:
    case LimitUnit::kNaturalDays:
      // A day-unit deadline is 24:00 of its last day, i.e. 00:00 of the next
      // one; one second earlier is still that last day, which then plays the
      // role of the (uncounted) receiving day.
      return AddLimit(cal, due - 1, extension);
    case LimitUnit::kWorkingHours:
    case LimitUnit::kNaturalHours:
      return AddLimit(cal, due, extension);
  }
  return due;
}

Status ValidateRule(const DeadlineRule& rule) {
  if (rule.id < 0) return Invalid("id", "must not be negative");
  if (!IsSubjectPrefix(rule.subject_prefix))
    return Invalid("subject_prefix",
                   "must be \"\" or a subject code of 2, 4 or 6 digits (e.g. \"0103\")");
  if (rule.urgency && !IsValidUrgency(*rule.urgency))
    return Invalid("urgency", "must be one of " + AllowedNames<Urgency>());
  if (rule.nature && !IsValidNature(*rule.nature))
    return Invalid("nature", "must be one of " + AllowedNames<Nature>());
  HOTLINE_RETURN_IF_ERROR(ValidateLimit(rule.sign, "sign"));
  HOTLINE_RETURN_IF_ERROR(ValidateLimit(rule.handle, "handle"));
  HOTLINE_RETURN_IF_ERROR(ValidateLimit(rule.return_window, "return_window"));
  HOTLINE_RETURN_IF_ERROR(ValidateLimit(rule.max_extension, "max_extension"));
  // Only comparable in the same unit; across units the order depends on the
  // calendar, so it is left to the admin.
  if (rule.sign.unit == rule.handle.unit && rule.sign.amount > rule.handle.amount)
    return Invalid("sign", "the sign limit may not exceed the handle limit");
  if (rule.return_window.unit == rule.handle.unit && rule.return_window.amount > rule.handle.amount)
    return Invalid("return_window", "the return window may not exceed the handle limit");
  return Status::Ok();
}

DeadlineRules::DeadlineRules() {
  DeadlineRule catch_all;
  catch_all.id = 1;
  rules_.push_back(catch_all);
}

void DeadlineRules::Sort() {
  auto key = [](const DeadlineRule& r) {
    return std::make_tuple(-static_cast<int>(r.subject_prefix.size()), !r.urgency.has_value(),
                           !r.nature.has_value(), std::string_view(r.subject_prefix),
                           r.urgency.value_or(Urgency::kNormal),
                           r.nature.value_or(Nature::kConsultation), r.id);
  };
  std::sort(rules_.begin(), rules_.end(),
            [&](const DeadlineRule& a, const DeadlineRule& b) { return key(a) < key(b); });
}

const DeadlineRule* DeadlineRules::Find(Id id) const {
  for (const DeadlineRule& r : rules_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

Status DeadlineRules::Upsert(DeadlineRule rule) {
  HOTLINE_RETURN_IF_ERROR(ValidateRule(rule));
  auto by_key = std::find_if(rules_.begin(), rules_.end(),
                             [&](const DeadlineRule& r) { return SameKey(r, rule); });
  auto by_id = rule.id == 0 ? rules_.end()
                            : std::find_if(rules_.begin(), rules_.end(),
                                           [&](const DeadlineRule& r) { return r.id == rule.id; });
  if (by_id != rules_.end() && by_key != rules_.end() && by_id != by_key)
    return Status(Code::kConflict,
                  "rule " + std::to_string(by_key->id) +
                      " already has this subject_prefix, urgency and nature",
                  "id");
  auto target = by_key != rules_.end() ? by_key : by_id;
  if (target != rules_.end()) {
    if (IsCatchAll(*target) && !IsCatchAll(rule))
      return Status(Code::kFailedPrecondition,
                    "the catch-all rule (every subject, any urgency, any nature) can be "
                    "changed but must stay catch-all",
                    "subject_prefix");
    if (rule.id == 0) rule.id = target->id;
    *target = std::move(rule);
  } else {
    if (rule.id == 0) {
      Id max_id = 0;
      for (const DeadlineRule& r : rules_) max_id = std::max(max_id, r.id);
      rule.id = max_id + 1;
    }
    rules_.push_back(std::move(rule));
  }
  Sort();
  return Status::Ok();
}

Status DeadlineRules::Remove(Id id) {
  auto it =
      std::find_if(rules_.begin(), rules_.end(), [&](const DeadlineRule& r) { return r.id == id; });
  if (it == rules_.end())
    return Status(Code::kNotFound, "no deadline rule " + std::to_string(id), "id");
  if (IsCatchAll(*it))
    return Status(Code::kFailedPrecondition,
                  "the catch-all rule cannot be removed; change its limits instead", "id");
  rules_.erase(it);
  return Status::Ok();
}

const DeadlineRule& DeadlineRules::Match(std::string_view subject_code, Urgency u, Nature n) const {
  // rules_ is sorted most specific first, so the first match wins.
  for (const DeadlineRule& r : rules_) {
    if (subject_code.substr(0, r.subject_prefix.size()) != r.subject_prefix) continue;
    if (r.urgency && *r.urgency != u) continue;
    if (r.nature && *r.nature != n) continue;
    return r;
  }
  return rules_.back();  // unreachable: the catch-all is always present and last
}

DeadlineRules DefaultRules() {
  DeadlineRules rules;  // catch-all: Shandong 2020 reference values
  DeadlineRule urgent;
  urgent.urgency = Urgency::kUrgent;
  urgent.sign = {2, LimitUnit::kNaturalHours};
  urgent.handle = {24, LimitUnit::kNaturalHours};
  urgent.return_window = {2, LimitUnit::kNaturalHours};
  urgent.max_extension = {24, LimitUnit::kNaturalHours};
  (void)rules.Upsert(urgent);

  DeadlineRule critical;
  critical.urgency = Urgency::kCritical;
  critical.sign = {1, LimitUnit::kNaturalHours};
  critical.handle = {2, LimitUnit::kNaturalHours};
  critical.return_window = {1, LimitUnit::kNaturalHours};
  critical.max_extension = {2, LimitUnit::kNaturalHours};
  (void)rules.Upsert(critical);

  DeadlineRule consultation;
  consultation.nature = Nature::kConsultation;
  consultation.sign = {1, LimitUnit::kWorkingDays};
  consultation.handle = {3, LimitUnit::kWorkingDays};
  consultation.return_window = {1, LimitUnit::kWorkingDays};
  consultation.max_extension = {5, LimitUnit::kWorkingDays};
  (void)rules.Upsert(consultation);
  return rules;
}

Status ValidateLightPolicy(const LightPolicy& p) {
  if (p.yellow_before.amount != 0) {
    HOTLINE_RETURN_IF_ERROR(ValidateLimit(p.yellow_before, "yellow_before"));
  } else if (!IsValidUnit(p.yellow_before.unit)) {
    return Invalid("yellow_before", "unit must be one of " + AllowedNames<LimitUnit>());
  }
  if (!(p.short_limit_fraction > 0.0 && p.short_limit_fraction <= 1.0))
    return Invalid("short_limit_fraction", "must be greater than 0 and at most 1");
  return Status::Ok();
}

Timestamp YellowAt(const WorkCalendar& cal, Timestamp start, Timestamp due, const LightPolicy& p) {
  if (due == 0) return 0;
  start = ClampTimestamp(start);
  due = ClampTimestamp(due);
  if (due <= start) return due;
  if (p.yellow_before.amount <= 0) return due;  // no yellow phase
  const std::int64_t amount = p.yellow_before.amount;
  std::int64_t span = 0, before = 0;
  switch (p.yellow_before.unit) {
    case LimitUnit::kWorkingDays:
      span = cal.WorkingSecondsBetween(start, due);
      before = amount * kDay;
      break;
    case LimitUnit::kWorkingHours:
      span = cal.OfficeSecondsBetween(start, due);
      before = amount * 3600;
      break;
    case LimitUnit::kNaturalDays:
      span = due - start;
      before = amount * kDay;
      break;
    case LimitUnit::kNaturalHours:
      span = due - start;
      before = amount * 3600;
      break;
  }
  if (span < 2 * before) {
    // A short limit (a 2-hour critical case, a 24-hour case over a weekend):
    // "1 working day left" would be yellow from the start, so take the last
    // fraction of the wall-clock span instead.
    double f = std::clamp(p.short_limit_fraction, 0.0, 1.0);
    return due - static_cast<std::int64_t>(std::llround(static_cast<double>(due - start) * f));
  }
  Timestamp y = due;
  switch (p.yellow_before.unit) {
    case LimitUnit::kWorkingDays:
      y = cal.SubtractWorkingSeconds(due, before);
      break;
    case LimitUnit::kWorkingHours:
      y = cal.SubtractOfficeSeconds(due, before);
      break;
    case LimitUnit::kNaturalDays:
    case LimitUnit::kNaturalHours:
      y = due - before;
      break;
  }
  return std::clamp(y, start, due);
}

Light LightAt(Timestamp now, Timestamp yellow_at, Timestamp due) {
  if (due == 0) return Light::kNone;
  if (now > due) return Light::kRed;
  if (yellow_at != 0 && now >= yellow_at) return Light::kYellow;
  return Light::kGreen;
}

}  // namespace hotline
