// KPI values of the analytics subsystem (docs/kpis.md): the additive counters
// kept per (unit, day, subject level 1, channel), the day ranges that select
// them, the configuration (satisfaction scores, composite weights, 三量
// definitions) and the rates derived from counters. Everything here is a
// plain value; every rate is a numerator/denominator pair so that it can be
// summed over days and units before dividing.
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"
#include "domain/types.h"

namespace hotline::analytics {

// Local (Beijing) calendar day: days since 1970-01-01 in the engine's UTC offset.
using Day = std::int32_t;

// The counters. Attribution (docs/kpis.md §2): "place" counters go to the
// order's grid/community/street (属地); "lead" counters go to the lead unit at
// the time of the event (or, for a direct answer, the answering unit).
enum class Counter : int {
  // place: volumes (time basis: intake)
  kReceived,          // intakes
  kDuplicates,        // intakes later merged into another order (并单), at the intake day
  kReceivedByNature,  // + Nature: 6 counters
  kDuplicatesByNature = kReceivedByNature + 6,  // + Nature: 6 counters
  kDirectAnswered = kDuplicatesByNature + 6,    // answer (直接答复)
  kFirstDispatched,                             // first dispatch of an order (转办)
  kRejected,                                    // reject (不予受理)
  // lead: handling
  kAssigned,                    // assignments: dispatch, reassignment, redo (dispatch day)
  kResponseDen,                 // assignments minus those taken back unsigned (return, merge)
  kResponseNum,                 // of those, signed within the sign limit (dispatch day)
  kSigned,                      // sign events
  kSignedOnTime,                // sign events with on_time
  kReplied,                     // unit replies (not direct answers)
  kResolved,                    // unit replies marked resolved
  kRepliedOnTime,               // unit replies before due_at
  kReturnRequested,             // request_return
  kReturnApproved,              // approve_return (to the returning unit)
  kExtensionApproved,           // approve_extension
  kRedo,                        // redo
  kSupervised,                  // supervise
  kRating,                      // + Rating: 6 counters (callbacks by rating)
  kOverdueDelta = kRating + 6,  // difference-encoded: open and past due at the end of the day
  kCount
};
inline constexpr int kNumCounters = static_cast<int>(Counter::kCount);

constexpr int Index(Counter c) { return static_cast<int>(c); }
constexpr int Index(Counter base, int offset) { return static_cast<int>(base) + offset; }

struct Counters {
  std::array<std::int64_t, kNumCounters> v{};

  std::int64_t operator[](Counter c) const { return v[static_cast<size_t>(Index(c))]; }
  std::int64_t& operator[](Counter c) { return v[static_cast<size_t>(Index(c))]; }
  std::int64_t ByNature(Counter base, Nature n) const {
    return v[static_cast<size_t>(Index(base, static_cast<int>(n)))];
  }
  std::int64_t ByRating(Rating r) const {
    return v[static_cast<size_t>(Index(Counter::kRating, static_cast<int>(r)))];
  }
  Counters& operator+=(const Counters& o) {
    for (size_t i = 0; i < v.size(); ++i) v[i] += o.v[i];
    return *this;
  }
  Counters& operator-=(const Counters& o) {
    for (size_t i = 0; i < v.size(); ++i) v[i] -= o.v[i];
    return *this;
  }
  bool operator==(const Counters&) const = default;
  bool IsZero() const {
    for (auto x : v)
      if (x) return false;
    return true;
  }
};
std::string_view CounterName(int index);

// Half-open range of local days [from, to).
struct DayRange {
  Day from = 0;
  Day to = 0;
  Day days() const { return to - from; }
  bool Contains(Day d) const { return d >= from && d < to; }
  bool operator==(const DayRange&) const = default;
};
// The local day of an instant for a UTC offset (default UTC+8).
Day DayOf(Timestamp t, int utc_offset_seconds = 8 * 3600);
// The first instant of a local day.
Timestamp StartOf(Day d, int utc_offset_seconds = 8 * 3600);
Day DayOfDate(int year, int month, int day);
DayRange MonthRange(int year, int month);
// The Monday-to-Sunday week containing `d`.
DayRange WeekRange(Day d);
// The period before: the previous calendar month for a whole month, the same
// number of days immediately before otherwise.
DayRange PreviousRange(DayRange r);
// "2026-10" -> that month. Errors (field "month").
Result<DayRange> ParseMonth(std::string_view text);
// "2026-10-01" -> that day. Errors (field `field`).
Result<Day> ParseDay(std::string_view text, const std::string& field);

// One 三量 measure: intakes (duplicates counted once) whose channel and nature
// are in the sets; an empty set means "any".
struct VolumeDef {
  std::vector<Channel> channels;
  std::vector<Nature> natures;
};

// The KPI configuration document ("kpi" document; docs/kpis.md §4).
struct KpiConfig {
  // Points per rating, 0..100. Default: 100/100/80/0/0; unreachable is never rated.
  std::map<Rating, int> satisfaction_points = {{Rating::kVerySatisfied, 100},
                                               {Rating::kSatisfied, 100},
                                               {Rating::kBasicallySatisfied, 80},
                                               {Rating::kUnsatisfied, 0},
                                               {Rating::kVeryUnsatisfied, 0}};
  // Composite score weights by metric name (see MetricNames()). Default: the
  // Beijing 三率 at 30/35/35 (Zhungeer's published weights).
  std::map<std::string, double> weights = {
      {"response_rate", 30}, {"resolution_rate", 35}, {"satisfaction_rate", 35}};
  // A unit is ranked only with at least this many assignments in the period. Default: 1.
  std::int64_t min_assigned = 1;
  // 三量. Default: hotline complaints = channel hotline, natures complaint and
  // report; online opinion = channel online_opinion; petitions = channel petition.
  VolumeDef hotline_complaints{{Channel::kHotline}, {Nature::kComplaint, Nature::kReport}};
  VolumeDef online_opinion{{Channel::kOnlineOpinion}, {}};
  VolumeDef petition{{Channel::kPetition}, {}};
};
// Parses the JSON document; absent keys keep their defaults. Errors name the
// field ("weights.foo", "satisfaction_points.satisfied", ...).
Result<KpiConfig> ParseKpiConfig(std::string_view json);
std::string KpiConfigToJson(const KpiConfig& c);

// A ratio kept as its parts; value() is nullopt when den == 0.
struct Ratio {
  double num = 0;
  double den = 0;
  std::optional<double> value() const {
    if (den == 0) return std::nullopt;
    return num / den;
  }
  bool operator==(const Ratio&) const = default;
};

// Metric names in the order they are reported: response_rate, resolution_rate,
// satisfaction_rate, sign_on_time_rate, completion_on_time_rate, return_rate,
// redo_rate, extension_rate, direct_answer_rate. The last four
// "lower is better" metrics enter a composite score as (1 - rate).
const std::vector<std::string>& MetricNames();
bool LowerIsBetter(std::string_view metric);
// The metric's numerator/denominator from summed counters. REQUIRES: a name of MetricNames().
Ratio Metric(const Counters& c, std::string_view metric, const KpiConfig& cfg);

// Unique intakes (duplicates counted once) matching a 三量 definition, given
// counters already filtered to one channel.
std::int64_t Volume(const Counters& c, Channel channel, const VolumeDef& def);

// Composite score 0..100: sum(w_m * score_m) / sum(w_m) over the weighted
// metrics whose denominator is not zero (score_m = rate, or 1 - rate when
// lower is better, times 100). nullopt when no weighted metric has data.
std::optional<double> CompositeScore(const Counters& c, const KpiConfig& cfg);

}  // namespace hotline::analytics
