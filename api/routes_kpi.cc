// KPI routes (docs/kpis.md §8, /work contract): /kpis, /rankings, /volumes,
// /dashboard, /reports/monthly, /config/kpi, and the body of the
// exclude_from_kpi / include_in_kpi actions. Parse -> service -> render.
#include <cstdio>
#include <string>
#include <vector>

#include "analytics/kpi.h"
#include "api/kpi_report.h"
#include "api/route_util.h"
#include "domain/calendar.h"
#include "domain/workflow.h"

namespace hotline::api {
namespace {

using namespace route;  // NOLINT: the handlers are written against the shared helpers
using analytics::Counter;
using analytics::Day;
using analytics::DayRange;

// Longest period a query may cover (ten years of days).
constexpr Day kMaxDays = 3660;

std::string FormatDay(Day d) {
  CivilDate c = CivilFromDays(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
  return buf;
}

std::string FormatMonth(Day d) { return FormatDay(d).substr(0, 7); }

Json RangeJson(DayRange r) { return Json{{"from", FormatDay(r.from)}, {"to", FormatDay(r.to)}}; }

Json Num(std::optional<double> v) { return v ? Json(*v) : Json(nullptr); }

Json UnitJson(const Unit& u) {
  return Json{
      {"id", u.id}, {"code", u.code}, {"name", u.name}, {"kind", std::string(ToString(u.kind))}};
}

// [from, to) from the query; default: this month so far. Errors name the field.
Result<DayRange> ParseRange(Ctx& c) {
  const Day today = c.svc.KpiToday();
  CivilDate t = CivilFromDays(today);
  DayRange r{analytics::DayOfDate(t.year, t.month, 1), today + 1};
  if (const auto* v = QueryParam(c.req, "from")) {
    HOTLINE_ASSIGN_OR_RETURN(r.from, analytics::ParseDay(*v, "from"));
  }
  if (const auto* v = QueryParam(c.req, "to")) {
    HOTLINE_ASSIGN_OR_RETURN(r.to, analytics::ParseDay(*v, "to"));
  }
  if (r.from >= r.to)
    return Invalid("from", "from (" + FormatDay(r.from) + ") must be before to (" +
                               FormatDay(r.to) + "; to is exclusive)");
  if (r.days() > kMaxDays) return Invalid("to", "a period may cover at most 3660 days");
  return r;
}

Result<DayRange> ParseMonthParam(Ctx& c, bool required) {
  const auto* v = QueryParam(c.req, "month");
  if (!v) {
    if (required) return Invalid("month", "month is required, like 2026-10");
    CivilDate t = CivilFromDays(c.svc.KpiToday());
    return analytics::MonthRange(t.year, t.month);
  }
  return analytics::ParseMonth(*v);
}

Result<UnitKind> ParseKind(Ctx& c, const char* key, std::initializer_list<UnitKind> allowed,
                           UnitKind def) {
  const auto* v = QueryParam(c.req, key);
  if (!v) return def;
  auto k = Parse<UnitKind>(*v);
  std::string names;
  for (UnitKind a : allowed) names += (names.empty() ? "" : ", ") + std::string(ToString(a));
  if (!k || std::find(allowed.begin(), allowed.end(), *k) == allowed.end())
    return Invalid(
        key, std::string(key) + " must be one of " + names + " (got \"" + v->substr(0, 64) + "\")");
  return *k;
}

// unit=<id|code|0>.
Result<std::optional<Id>> ParseUnitParam(Ctx& c) {
  const auto* v = QueryParam(c.req, "unit");
  if (!v) return std::optional<Id>{};
  if (*v == "0") return std::optional<Id>{analytics::kAllUnits};
  HOTLINE_ASSIGN_OR_RETURN(Id id, ResolveUnit(c.svc, *v, "unit"));
  return std::optional<Id>{id};
}

Json MetricJson(const analytics::MetricChange& m, bool compare) {
  Json j{{"num", m.current.num}, {"den", m.current.den}, {"value", Num(m.current.value())}};
  j["previous"] = compare ? Num(m.previous.value()) : Json(nullptr);
  j["delta"] = Num(m.delta);
  return j;
}

Json CountersJson(const analytics::KpiReport& k) {
  Json j = Json::object();
  for (int i = 0; i < analytics::kNumCounters; ++i) {
    if (i == analytics::Index(Counter::kOverdueDelta)) continue;
    j[std::string(analytics::CounterName(i))] = k.counters.v[static_cast<size_t>(i)];
  }
  j["overdue_at_end"] = k.overdue_at_end;
  return j;
}

HttpResponse GetKpis(Ctx& c) {
  if (auto st = CheckQuery(c.req, {"unit", "from", "to", "subject", "channel", "group", "compare"});
      !st.ok())
    return Fail(st);
  KpiQuery q;
  auto range = ParseRange(c);
  if (!range.ok()) return Fail(range.status());
  q.range = *range;
  auto unit = ParseUnitParam(c);
  if (!unit.ok()) return Fail(unit.status());
  q.unit_id = *unit;
  if (const auto* v = QueryParam(c.req, "subject")) {
    if (*v == "unclassified") {
      q.slice.subject1 = -1;
    } else {
      int s = analytics::Subject1Of(*v);
      if (s < 0 || v->size() != 2)
        return Fail(Invalid("subject",
                            "subject must be a level-1 subject code like 03, or "
                            "unclassified"));
      q.slice.subject1 = s;
    }
  }
  if (const auto* v = QueryParam(c.req, "channel")) {
    auto ch = Parse<Channel>(*v);
    if (!ch)
      return Fail(Invalid("channel", "channel must be one of " + AllowedNames<Channel>() +
                                         " (got \"" + v->substr(0, 64) + "\")"));
    q.slice.channel = *ch;
  }
  if (QueryParam(c.req, "group")) {
    auto g = ParseKind(c, "group",
                       {UnitKind::kStreet, UnitKind::kCommunity, UnitKind::kGrid,
                        UnitKind::kDepartment, UnitKind::kDistrict},
                       UnitKind::kStreet);
    if (!g.ok()) return Fail(g.status());
    q.group = *g;
  }
  if (const auto* v = QueryParam(c.req, "compare")) {
    if (*v != "previous")
      return Fail(
          Invalid("compare", "compare must be previous (got \"" + v->substr(0, 64) + "\")"));
    q.compare = true;
  }
  auto rows = c.svc.Kpis(c.actor, q);
  if (!rows.ok()) return Fail(rows.status());
  Json items = Json::array();
  for (const KpiRow& row : *rows) {
    Json metrics = Json::object();
    for (const auto& [name, m] : row.change.metrics) metrics[name] = MetricJson(m, q.compare);
    items.push_back(Json{{"unit", UnitJson(row.unit)},
                         {"metrics", std::move(metrics)},
                         {"counters", CountersJson(row.change.current)},
                         {"composite", Num(row.change.current.composite)}});
  }
  Json out = RangeJson(q.range);
  out["previous"] = q.compare ? RangeJson(analytics::PreviousRange(q.range)) : Json(nullptr);
  out["rows"] = std::move(items);
  return JsonReply(200, out);
}

Json WeightsJson(const analytics::KpiConfig& cfg) {
  Json w = Json::object();
  for (const auto& [k, v] : cfg.weights) w[k] = v;
  return w;
}

Json RankingRowJson(const RankingRow& r, bool full) {
  Json unit{{"id", r.unit.id}, {"code", r.unit.code}, {"name", r.unit.name}};
  Json j{{"rank", r.row.rank > 0 ? Json(r.row.rank) : Json(nullptr)},
         {"unit", std::move(unit)},
         {"score", Num(r.row.score)}};
  if (full) {
    j["previous_rank"] = r.previous_rank > 0 ? Json(r.previous_rank) : Json(nullptr);
    Json m = Json::object();
    for (const auto& [name, ratio] : r.row.report.metrics) m[name] = Num(ratio.value());
    j["metrics"] = std::move(m);
    j["assigned"] = r.row.report.counters[Counter::kAssigned];
  }
  return j;
}

HttpResponse GetRankings(Ctx& c) {
  if (auto st = CheckQuery(c.req, {"month", "kind"}); !st.ok()) return Fail(st);
  auto month = ParseMonthParam(c, false);
  if (!month.ok()) return Fail(month.status());
  auto kind = ParseKind(c, "kind", {UnitKind::kStreet, UnitKind::kDepartment, UnitKind::kDistrict},
                        UnitKind::kStreet);
  if (!kind.ok()) return Fail(kind.status());
  auto r = c.svc.Rankings(c.actor, *kind, *month);
  if (!r.ok()) return Fail(r.status());
  Json rows = Json::array();
  for (const RankingRow& row : r->rows) rows.push_back(RankingRowJson(row, true));
  return JsonReply(200, Json{{"month", FormatMonth(month->from)},
                             {"kind", std::string(ToString(*kind))},
                             {"weights", WeightsJson(r->config)},
                             {"min_assigned", r->config.min_assigned},
                             {"rows", std::move(rows)}});
}

Json ThreeJson(const analytics::VolumeTrendRow& t) {
  return Json{
      {"hotline_complaints",
       {{"current", t.hotline_complaints}, {"previous", t.prev_hotline_complaints}}},
      {"online_opinion", {{"current", t.online_opinion}, {"previous", t.prev_online_opinion}}},
      {"petition", {{"current", t.petition}, {"previous", t.prev_petition}}},
      {"all_fell", t.all_fell}};
}

template <typename E>
Json ByEnum(const std::vector<std::int64_t>& v) {
  Json j = Json::object();
  for (size_t i = 0; i < v.size(); ++i) j[std::string(ToString(static_cast<E>(i)))] = v[i];
  return j;
}

HttpResponse GetVolumes(Ctx& c) {
  if (auto st = CheckQuery(c.req, {"from", "to", "kind", "by", "unit"}); !st.ok()) return Fail(st);
  auto range = ParseRange(c);
  if (!range.ok()) return Fail(range.status());
  auto kind = ParseKind(
      c, "kind", {UnitKind::kStreet, UnitKind::kCommunity, UnitKind::kGrid, UnitKind::kDepartment},
      UnitKind::kStreet);
  if (!kind.ok()) return Fail(kind.status());
  bool by_channel = true, by_nature = true;
  if (const auto* v = QueryParam(c.req, "by")) {
    if (*v == "channel") {
      by_nature = false;
    } else if (*v == "nature") {
      by_channel = false;
    } else {
      return Fail(Invalid("by", "by must be channel or nature (got \"" + v->substr(0, 64) + "\")"));
    }
  }
  auto unit = ParseUnitParam(c);
  if (!unit.ok()) return Fail(unit.status());
  auto rows = c.svc.Volumes(c.actor, *kind, *range, *unit);
  if (!rows.ok()) return Fail(rows.status());
  Json items = Json::array();
  for (const VolumeRow& r : *rows) {
    Json j{{"unit", UnitJson(r.unit)}, {"three", ThreeJson(r.three)}};
    if (by_channel) j["by_channel"] = ByEnum<Channel>(r.by_channel);
    if (by_nature) j["by_nature"] = ByEnum<Nature>(r.by_nature);
    items.push_back(std::move(j));
  }
  Json out = RangeJson(*range);
  out["previous"] = RangeJson(analytics::PreviousRange(*range));
  out["rows"] = std::move(items);
  return JsonReply(200, out);
}

HttpResponse GetDashboard(Ctx& c) {
  if (auto st = CheckQuery(c.req, {"date"}); !st.ok()) return Fail(st);
  Day date = c.svc.KpiToday();
  if (const auto* v = QueryParam(c.req, "date")) {
    auto d = analytics::ParseDay(*v, "date");
    if (!d.ok()) return Fail(d.status());
    date = *d;
  }
  auto d = c.svc.Dashboard(c.actor, date);
  if (!d.ok()) return Fail(d.status());
  const Timestamp now = c.svc.clock().Now();
  Json rates = Json::object();
  // 直办率 (direct_answer_rate) beside the three rates: the share of appeals the centre answered
  // on the phone (issue 17; docs/kpis.md), for the dashboard's scope unit.
  for (const char* m :
       {"response_rate", "resolution_rate", "satisfaction_rate", "direct_answer_rate"}) {
    const analytics::Ratio& r = d->mtd.metrics.at(m);
    rates[m] = Json{{"num", r.num}, {"den", r.den}, {"value", Num(r.value())}};
  }
  Json days = Json::array();
  for (Day day : d->trend_days) days.push_back(FormatDay(day));
  Json trend_channels = Json::object();
  for (size_t ch = 0; ch < d->trend_by_channel.size(); ++ch)
    trend_channels[std::string(ToString(static_cast<Channel>(ch)))] = d->trend_by_channel[ch];
  Json streets = Json::array(), departments = Json::array();
  for (const RankingRow& r : d->street_ranking) streets.push_back(RankingRowJson(r, false));
  for (const RankingRow& r : d->department_ranking) departments.push_back(RankingRowJson(r, false));
  Json districts = Json::array();
  for (const RankingRow& r : d->district_ranking) districts.push_back(RankingRowJson(r, false));
  Json red = Json::array();
  // Deadlines are counted in working days (docs/lifecycle.md): how many whole working days
  // have passed since the deadline, beside the hours.
  const WorkCalendar& calendar = c.svc.config()->calendar;
  const CivilDate today = calendar.LocalDate(now);
  for (const WorkOrder& o : d->red_list) {
    Json unit = nullptr;
    if (o.lead_unit_id) {
      auto u = c.svc.FindUnit(*o.lead_unit_id);
      unit = Json{{"id", *o.lead_unit_id}, {"name", u.ok() ? u->name : ""}};
    }
    red.push_back(Json{{"id", o.id},
                       {"no", o.no},
                       {"title", o.title},
                       {"state", std::string(ToString(o.state))},
                       {"unit", std::move(unit)},
                       {"due_at", FormatTime(o.due_at)},
                       {"overdue_hours", (now - o.due_at) / 3600},
                       {"overdue_working_days",
                        calendar.WorkingDaysInRange(calendar.LocalDate(o.due_at), today)}});
  }
  Json scope = d->unit_id == analytics::kAllUnits ? Json(nullptr) : UnitRef(c.svc, d->unit_id);
  return JsonReply(200,
                   Json{{"date", FormatDay(d->date)},
                        {"month", FormatMonth(d->month_to_date.from)},
                        {"scope", std::move(scope)},
                        {"today",
                         {{"received", d->today_received},
                          {"assigned", d->today_assigned},
                          {"by_channel", ByEnum<Channel>(d->today_by_channel)},
                          {"closed", d->today_closed}}},
                        {"month_to_date",
                         {{"from", FormatDay(d->month_to_date.from)},
                          {"to", FormatDay(d->month_to_date.to)},
                          {"received", d->mtd_received},
                          {"assigned", d->mtd_assigned},
                          {"by_channel", ByEnum<Channel>(d->mtd_by_channel)},
                          {"by_nature", ByEnum<Nature>(d->mtd_by_nature)}}},
                        {"rates", std::move(rates)},
                        {"composite", Num(d->mtd.composite)},
                        {"lights", {{"red", d->red}, {"yellow", d->yellow}, {"green", d->green}}},
                        {"trend",
                         {{"days", std::move(days)},
                          {"by_channel", std::move(trend_channels)},
                          {"assigned", d->trend_assigned}}},
                        {"three", ThreeJson(d->three)},
                        {"street_ranking", std::move(streets)},
                        {"department_ranking", std::move(departments)},
                        {"district_ranking", std::move(districts)},
                        {"red_list", std::move(red)}});
}

HttpResponse GetMonthlyReport(Ctx& c) {
  if (auto st = CheckQuery(c.req, {"month", "format"}); !st.ok()) return Fail(st);
  auto month = ParseMonthParam(c, true);
  if (!month.ok()) return Fail(month.status());
  std::string format = "xlsx";
  if (const auto* v = QueryParam(c.req, "format")) format = *v;
  if (format != "xlsx" && format != "csv")
    return Fail(
        Invalid("format", "format must be xlsx or csv (got \"" + format.substr(0, 32) + "\")"));
  auto data = c.svc.MonthlyReportData(c.actor, *month);
  if (!data.ok()) return Fail(data.status());
  const std::string name = "hotline-kpi-" + FormatMonth(month->from);
  auto sheets = report::MonthlySheets(*data);
  HttpResponse res;
  if (format == "csv") {
    res.body = report::ToCsv(sheets);
    res.content_type = "text/csv; charset=utf-8";
  } else {
    auto x = report::ToXlsx(sheets, "12345热线考核月报 " + FormatMonth(month->from));
    if (!x.ok()) return Fail(x.status());
    res.body = std::move(*x);
    res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }
  res.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"" + name + "." + format + "\"");
  (void)c.svc.store().AppendAudit({c.svc.clock().Now(), c.actor.user_id, "export", std::nullopt,
                                   "monthly report " + name + "." + format});
  return res;
}

HttpResponse GetKpiConfig(Ctx& c) {
  if (auto st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  return HttpResponse::Json(200, c.svc.KpiConfigJson());
}

HttpResponse PutKpiConfig(Ctx& c) {
  Json j = Json::parse(c.req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Fail(Invalid("body", "the request body must be a JSON object"));
  if (auto st = c.svc.PutKpiConfigJson(c.actor, c.req.body); !st.ok()) return Fail(st);
  return HttpResponse::Json(200, c.svc.KpiConfigJson());
}

}  // namespace

void route::ParseKpiExclusion(JsonReader& r, const HotlineService& svc, ActionInput& in) {
  if (const Json* v = r.Get("unit_id")) {
    auto id = ResolveUnitJson(svc, *v, "unit_id");
    if (id.ok())
      in.kpi_unit_id = *id;
    else
      r.Fail(id.status());
  }
  if (auto b = r.String("basis")) in.kpi_basis = *b;
}

std::vector<route::Route> route::KpiRoutes() {
  return {
      {"GET", "/api/v1/kpis", Access::kStaff, GetKpis},
      {"GET", "/api/v1/rankings", Access::kStaff, GetRankings},
      {"GET", "/api/v1/volumes", Access::kStaff, GetVolumes},
      {"GET", "/api/v1/dashboard", Access::kStaff, GetDashboard},
      {"GET", "/api/v1/reports/monthly", Access::kStaff, GetMonthlyReport},
      {"GET", "/api/v1/config/kpi", Access::kAdmin, GetKpiConfig},
      {"PUT", "/api/v1/config/kpi", Access::kAdmin, PutKpiConfig},
  };
}

}  // namespace hotline::api
