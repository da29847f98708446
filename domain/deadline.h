// Time limits (时限): a limit value with its unit, the rule table that picks
// the limits for an order by subject x urgency x nature, and the
// red/yellow/green light policy. Pure: no I/O, no clock.
// Thread-safety: plain values; DeadlineRules const methods are safe to call
// concurrently, mutation needs external synchronisation.
// How limits are counted: domain/calendar.h and docs/deadlines.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/calendar.h"
#include "domain/clock.h"
#include "domain/result.h"
#include "domain/types.h"

namespace hotline {

struct Limit {
  int amount = 0;
  LimitUnit unit = LimitUnit::kWorkingDays;
  bool operator==(const Limit&) const = default;
};

// Largest accepted amount per unit: a year (366 days, 8784 hours).
inline constexpr int kMaxLimitDays = 366;
inline constexpr int kMaxLimitHours = 366 * 24;

// "5 working_days".
std::string FormatLimit(Limit limit);
// Accepts "<amount> <unit>" with or without the space. Units: working_days /
// wd / 工作日, working_hours / wh / 工作小时, natural_days / nd / d / 自然日 / 天,
// natural_hours / nh / h / 自然小时 / 小时 (singular "working_day" etc. too).
// Errors (field "limit"): not that form, amount not in 1..max for the unit.
Result<Limit> ParseLimit(std::string_view text);
// Errors (field `field`, e.g. "handle"): amount <= 0 or above the unit's
// maximum, or an out-of-range unit.
Status ValidateLimit(const Limit& limit, const std::string& field);

// The deadline of `limit` counted from `from`:
//  working days  -> cal.AddWorkingDays (24:00 of the N-th working day after
//                   the receiving day);
//  working hours -> cal.AddWorkingHours (office hours on working days);
//  natural days  -> 24:00 local of the N-th calendar day after the receiving
//                   day (the receiving day does not count, as for working days);
//  natural hours -> from + N * 3600.
// A limit with amount <= 0 returns `from`.
Timestamp AddLimit(const WorkCalendar& cal, Timestamp from, Limit limit);

// The deadline after an extension of `extension` granted on a limit due at
// `due`. Days (working or natural) are added after the local date on which
// the current limit ends (due is 24:00 of day D -> the N-th day after D), so
// the extension never loses or gains a day; hours run on from `due` itself.
// due == 0 (no deadline) returns 0; amount <= 0 returns `due`.
Timestamp ExtendDeadline(const WorkCalendar& cal, Timestamp due, Limit extension);

// One row of the deadline rule table.
struct DeadlineRule {
  Id id = 0;
  std::string subject_prefix;      // "" = every subject; "01", "0103", "010305" more specific
  std::optional<Urgency> urgency;  // nullopt = any
  std::optional<Nature> nature;    // nullopt = any
  Limit sign{1, LimitUnit::kWorkingDays};            // sign for (签收) within
  Limit handle{5, LimitUnit::kWorkingDays};          // whole case: reply within
  Limit return_window{2, LimitUnit::kWorkingDays};   // a return (退单) may be requested within
                                                     // this after dispatch
  Limit max_extension{10, LimitUnit::kWorkingDays};  // one extension adds at most this
  bool operator==(const DeadlineRule&) const = default;
};

// Names the bad field: "id" (negative), "subject_prefix" (digits only, even
// length, at most 6), "urgency"/"nature" (out of range), "sign", "handle",
// "return_window", "max_extension" (amount 1..max, see ValidateLimit; sign and
// return_window may not exceed handle when counted in the same unit).
Status ValidateRule(const DeadlineRule& rule);

// The rule table. Always holds exactly one catch-all rule (prefix "", any
// urgency, any nature), so Match always finds a rule.
class DeadlineRules {
 public:
  // Holds only the catch-all rule with the Shandong reference values
  // (DeadlineRule's defaults), id 1.
  DeadlineRules();

  // Adds a rule, or replaces the rule with the same (subject_prefix, urgency,
  // nature), or — when rule.id names an existing rule — updates that rule.
  // id 0 means "assign one" (or keep the replaced rule's id).
  // Errors: ValidateRule's; kConflict when rule.id names one rule and the key
  // another; kFailedPrecondition when the update would change the catch-all
  // rule's key (it can be replaced, not removed).
  Status Upsert(DeadlineRule rule);
  // kNotFound for an unknown id; kFailedPrecondition for the catch-all rule.
  Status Remove(Id id);
  // Most specific first (see Match); the catch-all rule is last.
  const std::vector<DeadlineRule>& rules() const { return rules_; }
  const DeadlineRule* Find(Id id) const;

  // Most specific match: longest subject prefix first, then urgency set beats
  // any, then nature set beats any. Always returns a rule (the catch-all).
  // The reference stays valid until the next Upsert/Remove.
  const DeadlineRule& Match(std::string_view subject_code, Urgency u, Nature n) const;

 private:
  void Sort();
  std::vector<DeadlineRule> rules_;
};

// The rule table a district starts with (docs/deadlines.md has the sources):
//   every subject            sign 1 wd, handle 5 wd, return 2 wd, extension <= 10 wd
//   urgency urgent (紧急)     sign 2 nh, handle 24 nh, return 2 nh, extension <= 24 nh
//   urgency critical (特急)   sign 1 nh, handle 2 nh, return 1 nh, extension <= 2 nh
//   nature consultation (咨询) sign 1 wd, handle 3 wd, return 1 wd, extension <= 5 wd
DeadlineRules DefaultRules();

struct LightPolicy {
  // Yellow when this much or less is left. Default: 1 working day (Shandong
  // yellow card). Amount 0 means no yellow phase.
  Limit yellow_before{1, LimitUnit::kWorkingDays};
  // For a limit shorter than twice yellow_before (a 2-hour critical case),
  // yellow in the last `short_limit_fraction` of the span instead.
  // Default: 0.25. Must be in (0, 1].
  double short_limit_fraction = 0.25;
};

// Errors ("yellow_before", "short_limit_fraction").
Status ValidateLightPolicy(const LightPolicy& p);

// When the light of an order that started at `start` and is due at `due`
// turns yellow. The span and the time left are measured the way
// yellow_before is counted (working days: WorkingSecondsBetween; working
// hours: office seconds; natural: wall-clock seconds). Normally the earliest
// instant from which at most yellow_before is left; for a short span
// (< 2 x yellow_before so measured) the last short_limit_fraction of the
// wall-clock span (24-hour case from 10:00 -> yellow at 04:00). Returns 0 when
// due == 0 (no deadline); never earlier than start, never later than due.
Timestamp YellowAt(const WorkCalendar& cal, Timestamp start, Timestamp due, const LightPolicy& p);

// kNone when due == 0; red when now > due (24:00 itself is still in time);
// yellow when yellow_at != 0 and now >= yellow_at; green otherwise.
Light LightAt(Timestamp now, Timestamp yellow_at, Timestamp due);

}  // namespace hotline
