// JSON for the working-day calendar (data/calendar/cn_holidays.json) and for
// deadline rules and the light policy, as the admin API and the data files
// carry them. Every error names the offending entry ("days[12].date",
// "handle.amount") and a rejected document changes nothing.
// Thread-safety: free functions on values; safe from any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "domain/calendar.h"
#include "domain/deadline.h"
#include "domain/result.h"

namespace hotline {

// Most special days one calendar document may carry (~40 years of holidays).
inline constexpr std::size_t kMaxCalendarDays = 5000;

// {"utc_offset": "+08:00",            optional, default +08:00 (±HH:MM, at most 14 h)
//  "source": "...",                   optional free text (the State Council notices)
//  "office_hours": {"start": "09:00", "end": "17:00"},   optional, default 09:00-17:00
//  "days": [{"date": "2026-01-01", "working": false, "name": "元旦"}, ...]}
// "date" and "working" are required, "name" optional; a date may appear once;
// unknown keys are errors (a typo must not silently drop a holiday).
Result<WorkCalendar> CalendarFromJson(std::string_view text);
// The same format, one day per line; office_hours only when not the default,
// so the shipped file round-trips byte for byte.
std::string CalendarToJson(const WorkCalendar& cal);
// Reads and parses a calendar file; kNotFound (field "path") when unreadable.
Result<WorkCalendar> LoadCalendarFile(const std::string& path);

// {"amount": 5, "unit": "working_days"} or the string form "5 working_days" /
// "5wd" (see ParseLimit). Errors name `field` ("handle", "handle.amount").
Result<Limit> LimitFromJson(const nlohmann::json& j, const std::string& field);
nlohmann::json LimitToJson(Limit limit);

// Fields: id, subject_prefix, urgency, nature (wire name, Chinese label, or
// null = any), sign, handle, return_window, max_extension (limits as above).
// Missing fields take DeadlineRule's defaults; the result passes ValidateRule.
Result<DeadlineRule> RuleFromJson(const nlohmann::json& j);
nlohmann::json RuleToJson(const DeadlineRule& rule);
// An array of rules upserted in order into a table that starts with only the
// catch-all rule; errors are prefixed "[i]." with the rule's index.
Result<DeadlineRules> RulesFromJson(const nlohmann::json& j);
nlohmann::json RulesToJson(const DeadlineRules& rules);

// {"yellow_before": {"amount": 1, "unit": "working_days"}, "short_limit_fraction": 0.25}
Result<LightPolicy> LightPolicyFromJson(const nlohmann::json& j);
nlohmann::json LightPolicyToJson(const LightPolicy& p);

}  // namespace hotline
