// GET /api/v1/hotspots (docs/openapi.yaml, docs/hotspots.md).
#include "api/route_util.h"

namespace hotline::api {
namespace route {
namespace {

// A strict local date "YYYY-MM-DD" as the UTC timestamp of its local midnight.
Result<Timestamp> LocalDay(const HotlineService& svc, const std::string& text,
                           const std::string& field) {
  auto d = ParseDate(text);
  if (!d)
    return Invalid(field,
                   field + " must be a date YYYY-MM-DD (got \"" + text.substr(0, 32) + "\")");
  return svc.config()->calendar.StartOfDay(*d);
}

Json UnitRef(const HotlineService& svc, const std::optional<Id>& id) {
  if (!id) return nullptr;
  auto u = svc.FindUnit(*id);
  if (!u.ok()) return nullptr;
  return Json{{"id", u->id}, {"code", u->code}, {"name", u->name}};
}

HttpResponse GetHotspots(Ctx& c) {
  if (Status st = CheckQuery(c.req, {"from", "to", "street", "limit"}); !st.ok()) return Fail(st);
  const auto cfg = c.svc.config();
  HotspotQuery q;
  // Defaults: the 30 days up to and including today.
  const CivilDate today = cfg->calendar.LocalDate(c.svc.clock().Now());
  q.to = cfg->calendar.StartOfDay(CivilFromDays(DaysFromCivil(today) + 1));
  q.from = cfg->calendar.StartOfDay(CivilFromDays(DaysFromCivil(today) - 29));
  if (const auto* v = QueryParam(c.req, "from")) {
    auto t = LocalDay(c.svc, *v, "from");
    if (!t.ok()) return Fail(t.status());
    q.from = *t;
  }
  if (const auto* v = QueryParam(c.req, "to")) {
    auto t = LocalDay(c.svc, *v, "to");
    if (!t.ok()) return Fail(t.status());
    q.to = *t;
  }
  if (const auto* v = QueryParam(c.req, "street")) {
    auto id = ResolveUnit(c.svc, *v, "street");
    if (!id.ok()) return Fail(id.status());
    q.street_id = *id;
  }
  if (const auto* v = QueryParam(c.req, "limit")) {
    auto n = ParseInt(*v);
    if (!n || *n < 1 || *n > 100)
      return Fail(Invalid("limit", "limit must be an integer from 1 to 100"));
    q.limit = static_cast<int>(*n);
  }
  auto found = c.svc.Hotspots(c.actor, q);
  if (!found.ok()) return Fail(found.status());
  Json items = Json::array();
  for (const HotspotView& h : *found) {
    Json place{{"street", UnitRef(c.svc, h.street_id)},
               {"community", UnitRef(c.svc, h.community_id)},
               {"name", h.place_name.empty() ? Json(nullptr) : Json(h.place_name)},
               {"lon", h.lon ? Json(*h.lon) : Json(nullptr)},
               {"lat", h.lat ? Json(*h.lat) : Json(nullptr)}};
    items.push_back(Json{{"id", h.id},
                         {"title", h.title},
                         {"count", h.count},
                         {"distinct_callers", h.distinct_callers},
                         {"growth", h.growth},
                         {"heat", h.heat},
                         {"support", h.support},
                         {"first_at", FormatTime(h.first_at)},
                         {"last_at", FormatTime(h.last_at)},
                         {"place", std::move(place)},
                         {"keywords", h.keywords},
                         {"order_ids", h.order_ids}});
  }
  return JsonReply(200, Json{{"from", FormatDate(cfg->calendar.LocalDate(q.from))},
                             {"to", FormatDate(cfg->calendar.LocalDate(q.to))},
                             {"items", std::move(items)}});
}

}  // namespace

std::vector<Route> HotspotsRoutes() {
  return {
      {"GET", "/api/v1/hotspots", Access::kStaff, GetHotspots},
  };
}

}  // namespace route
}  // namespace hotline::api
