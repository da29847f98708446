#include "analytics/kpi.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "domain/calendar.h"

namespace hotline::analytics {

namespace {

constexpr std::int64_t kDaySeconds = 86400;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool ParseInt(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

template <typename E>
bool In(const std::vector<E>& set, E x) {
  return set.empty() || std::find(set.begin(), set.end(), x) != set.end();
}

}  // namespace

std::string_view CounterName(int i) {
  auto nature = [](int k) { return ToString(static_cast<Nature>(k)); };
  static std::vector<std::string> names = [&] {
    std::vector<std::string> n(kNumCounters);
    n[0] = "received";
    n[1] = "duplicates";
    for (int k = 0; k < 6; ++k) {
      n[static_cast<size_t>(Index(Counter::kReceivedByNature, k))] =
          "received." + std::string(nature(k));
      n[static_cast<size_t>(Index(Counter::kDuplicatesByNature, k))] =
          "duplicates." + std::string(nature(k));
      n[static_cast<size_t>(Index(Counter::kRating, k))] =
          "rating." + std::string(ToString(static_cast<Rating>(k)));
    }
    auto set = [&](Counter c, const char* s) { n[static_cast<size_t>(Index(c))] = s; };
    set(Counter::kDirectAnswered, "direct_answered");
    set(Counter::kFirstDispatched, "first_dispatched");
    set(Counter::kRejected, "rejected");
    set(Counter::kAssigned, "assigned");
    set(Counter::kResponseDen, "response_den");
    set(Counter::kResponseNum, "response_num");
    set(Counter::kSigned, "signed");
    set(Counter::kSignedOnTime, "signed_on_time");
    set(Counter::kReplied, "replied");
    set(Counter::kResolved, "resolved");
    set(Counter::kRepliedOnTime, "replied_on_time");
    set(Counter::kReturnRequested, "return_requested");
    set(Counter::kReturnApproved, "return_approved");
    set(Counter::kExtensionApproved, "extension_approved");
    set(Counter::kRedo, "redo");
    set(Counter::kSupervised, "supervised");
    set(Counter::kOverdueDelta, "overdue_delta");
    return n;
  }();
  if (i < 0 || i >= kNumCounters) return "?";
  return names[static_cast<size_t>(i)];
}

Day DayOf(Timestamp t, int off) { return static_cast<Day>(FloorDiv(t + off, kDaySeconds)); }
Timestamp StartOf(Day d, int off) { return static_cast<Timestamp>(d) * kDaySeconds - off; }

Day DayOfDate(int y, int m, int d) { return static_cast<Day>(DaysFromCivil(CivilDate{y, m, d})); }

DayRange MonthRange(int y, int m) {
  int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
  return {DayOfDate(y, m, 1), DayOfDate(ny, nm, 1)};
}

DayRange WeekRange(Day d) {
  int wd = Weekday(CivilFromDays(d));  // 0 = Sunday
  Day monday = d - ((wd + 6) % 7);
  return {monday, monday + 7};
}

DayRange PreviousRange(DayRange r) {
  CivilDate a = CivilFromDays(r.from);
  if (a.day == 1) {
    DayRange m = MonthRange(a.year, a.month);
    if (m == r) {
      int py = a.month == 1 ? a.year - 1 : a.year, pm = a.month == 1 ? 12 : a.month - 1;
      return MonthRange(py, pm);
    }
  }
  return {r.from - r.days(), r.from};
}

Result<DayRange> ParseMonth(std::string_view s) {
  int y = 0, m = 0;
  if (s.size() != 7 || s[4] != '-' || !ParseInt(s.substr(0, 4), y) ||
      !ParseInt(s.substr(5, 2), m) || m < 1 || m > 12 || y < 1970 || y > 9999)
    return Invalid("month", "month must look like 2026-10");
  return MonthRange(y, m);
}

Result<Day> ParseDay(std::string_view s, const std::string& field) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !ParseInt(s.substr(0, 4), y) ||
      !ParseInt(s.substr(5, 2), m) || !ParseInt(s.substr(8, 2), d) || m < 1 || m > 12 || d < 1 ||
      y < 1970 || y > 9999)
    return Invalid(field, field + " must be a date like 2026-10-01");
  Day day = DayOfDate(y, m, d);
  CivilDate back = CivilFromDays(day);
  if (back.day != d || back.month != m) return Invalid(field, field + " is not a real date");
  return day;
}

const std::vector<std::string>& MetricNames() {
  static const std::vector<std::string> kNames = {
      "response_rate",     "resolution_rate",         "satisfaction_rate",
      "sign_on_time_rate", "completion_on_time_rate", "return_rate",
      "redo_rate",         "extension_rate",          "direct_answer_rate"};
  return kNames;
}

bool LowerIsBetter(std::string_view m) {
  return m == "return_rate" || m == "redo_rate" || m == "extension_rate";
}

Ratio Metric(const Counters& c, std::string_view m, const KpiConfig& cfg) {
  auto r = [](std::int64_t n, std::int64_t d) {
    return Ratio{static_cast<double>(n), static_cast<double>(d)};
  };
  if (m == "response_rate") return r(c[Counter::kResponseNum], c[Counter::kResponseDen]);
  if (m == "resolution_rate") return r(c[Counter::kResolved], c[Counter::kReplied]);
  if (m == "satisfaction_rate") {
    double points = 0, rated = 0;
    for (const auto& [rating, p] : cfg.satisfaction_points) {
      if (rating == Rating::kUnreachable) continue;
      points += static_cast<double>(c.ByRating(rating)) * p / 100.0;
    }
    for (int k = 0; k < 6; ++k)
      if (static_cast<Rating>(k) != Rating::kUnreachable)
        rated += static_cast<double>(c.ByRating(static_cast<Rating>(k)));
    return {points, rated};
  }
  if (m == "sign_on_time_rate") return r(c[Counter::kSignedOnTime], c[Counter::kSigned]);
  if (m == "completion_on_time_rate") return r(c[Counter::kRepliedOnTime], c[Counter::kReplied]);
  if (m == "return_rate") return r(c[Counter::kReturnRequested], c[Counter::kAssigned]);
  if (m == "redo_rate") return r(c[Counter::kRedo], c[Counter::kReplied]);
  if (m == "extension_rate") return r(c[Counter::kExtensionApproved], c[Counter::kAssigned]);
  if (m == "direct_answer_rate")
    return r(c[Counter::kDirectAnswered],
             c[Counter::kDirectAnswered] + c[Counter::kFirstDispatched]);
  return {};
}

std::int64_t Volume(const Counters& c, Channel channel, const VolumeDef& def) {
  if (!In(def.channels, channel)) return 0;
  std::int64_t n = 0;
  for (int k = 0; k < 6; ++k) {
    if (!In(def.natures, static_cast<Nature>(k))) continue;
    n += c.ByNature(Counter::kReceivedByNature, static_cast<Nature>(k)) -
         c.ByNature(Counter::kDuplicatesByNature, static_cast<Nature>(k));
  }
  return n;
}

std::optional<double> CompositeScore(const Counters& c, const KpiConfig& cfg) {
  double sum = 0, wsum = 0;
  for (const auto& [name, w] : cfg.weights) {
    if (w == 0) continue;
    auto v = Metric(c, name, cfg).value();
    if (!v) continue;
    double score = LowerIsBetter(name) ? 1.0 - *v : *v;
    sum += w * score * 100.0;
    wsum += w;
  }
  if (wsum == 0) return std::nullopt;
  return sum / wsum;
}

namespace {

using nlohmann::json;

template <typename E>
Status ParseSet(const json& j, const std::string& field, std::vector<E>& out) {
  out.clear();
  if (!j.is_array()) return Invalid(field, field + " must be an array of names");
  for (const auto& x : j) {
    std::optional<E> e = x.is_string() ? Parse<E>(x.get<std::string>()) : std::nullopt;
    if (!e) return Invalid(field, field + ": unknown name; allowed: " + AllowedNames<E>());
    out.push_back(*e);
  }
  return {};
}

Status ParseVolume(const json& j, const std::string& field, VolumeDef& def) {
  if (!j.is_object()) return Invalid(field, field + " must be an object");
  if (j.contains("channels"))
    HOTLINE_RETURN_IF_ERROR(ParseSet(j["channels"], field + ".channels", def.channels));
  if (j.contains("natures"))
    HOTLINE_RETURN_IF_ERROR(ParseSet(j["natures"], field + ".natures", def.natures));
  return {};
}

template <typename E>
json Names(const std::vector<E>& v) {
  json a = json::array();
  for (E e : v) a.push_back(std::string(ToString(e)));
  return a;
}

}  // namespace

Result<KpiConfig> ParseKpiConfig(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Invalid("kpi", "the KPI configuration must be a JSON object");
  KpiConfig c;
  if (j.contains("satisfaction_points")) {
    const json& sp = j["satisfaction_points"];
    if (!sp.is_object())
      return Invalid("satisfaction_points", "satisfaction_points must be an object");
    for (const auto& [k, v] : sp.items()) {
      std::string f = "satisfaction_points." + k;
      auto r = Parse<Rating>(k);
      if (!r || *r == Rating::kUnreachable)
        return Invalid(f, f + ": unknown rating (unreachable callbacks are never rated)");
      if (!v.is_number_integer() || v.get<int>() < 0 || v.get<int>() > 100)
        return Invalid(f, f + " must be an integer 0..100");
      c.satisfaction_points[*r] = v.get<int>();
    }
  }
  if (j.contains("weights")) {
    const json& w = j["weights"];
    if (!w.is_object()) return Invalid("weights", "weights must be an object");
    c.weights.clear();
    for (const auto& [k, v] : w.items()) {
      std::string f = "weights." + k;
      const auto& names = MetricNames();
      if (std::find(names.begin(), names.end(), k) == names.end())
        return Invalid(f, f + ": unknown metric");
      if (!v.is_number() || v.get<double>() < 0) return Invalid(f, f + " must be a number >= 0");
      c.weights[k] = v.get<double>();
    }
  }
  if (j.contains("min_assigned")) {
    if (!j["min_assigned"].is_number_integer() || j["min_assigned"].get<std::int64_t>() < 0)
      return Invalid("min_assigned", "min_assigned must be an integer >= 0");
    c.min_assigned = j["min_assigned"].get<std::int64_t>();
  }
  if (j.contains("three_volumes")) {
    const json& tv = j["three_volumes"];
    if (!tv.is_object()) return Invalid("three_volumes", "three_volumes must be an object");
    for (const auto& [k, v] : tv.items()) {
      std::string f = "three_volumes." + k;
      VolumeDef* d = k == "hotline_complaints" ? &c.hotline_complaints
                     : k == "online_opinion"   ? &c.online_opinion
                     : k == "petition"         ? &c.petition
                                               : nullptr;
      if (!d)
        return Invalid(f, f + ": unknown measure (hotline_complaints, online_opinion, petition)");
      HOTLINE_RETURN_IF_ERROR(ParseVolume(v, f, *d));
    }
  }
  return c;
}

std::string KpiConfigToJson(const KpiConfig& c) {
  json j;
  for (const auto& [r, p] : c.satisfaction_points)
    j["satisfaction_points"][std::string(ToString(r))] = p;
  j["weights"] = json::object();
  for (const auto& [k, w] : c.weights) j["weights"][k] = w;
  j["min_assigned"] = c.min_assigned;
  auto vol = [](const VolumeDef& d) {
    return json{{"channels", Names(d.channels)}, {"natures", Names(d.natures)}};
  };
  j["three_volumes"] = {{"hotline_complaints", vol(c.hotline_complaints)},
                        {"online_opinion", vol(c.online_opinion)},
                        {"petition", vol(c.petition)}};
  return j.dump(2);
}

}  // namespace hotline::analytics
