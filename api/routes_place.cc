// Place routes (issue 4, docs/place.md): address resolution for the agent
// console, the gazetteer (list, CSV import) and the map layers.
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "api/route_util.h"

namespace hotline::api {
namespace {

using namespace route;  // NOLINT: the handlers are written against the shared helpers

Json UnitJson(const Unit& u) { return Json{{"id", u.id}, {"code", u.code}, {"name", u.name}}; }

Json UnitIdJson(const HotlineService& svc, std::optional<Id> id) {
  if (!id) return nullptr;
  auto u = svc.FindUnit(*id);
  if (!u.ok()) return Json{{"id", *id}};
  return UnitJson(*u);
}

Json UnitCodeJson(const HotlineService& svc, const std::string& code) {
  if (code.empty()) return nullptr;
  auto u = svc.FindUnitByCode(code);
  if (!u.ok()) return Json{{"code", code}};
  return UnitJson(*u);
}

Json OptNumber(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

// POST /places/resolve {"address": "..."}
HttpResponse ResolvePlace(Ctx& c) {
  auto body = ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());
  JsonReader r(*body);
  r.RejectUnknown({"address"});
  auto address = r.String("address");
  if (r.ok() && !address) r.Fail("address", "address is required");
  if (!r.ok()) return Fail(r.status());
  auto look = c.svc.ResolveAddress(c.actor, *address);
  if (!look.ok()) return Fail(look.status());
  Json place = nullptr;
  if (look->status == "resolved")
    place = Json{{"street", UnitIdJson(c.svc, look->street_id)},
                 {"community", UnitIdJson(c.svc, look->community_id)},
                 {"grid", UnitIdJson(c.svc, look->grid_id)},
                 {"name", look->name},
                 {"kind", look->kind},
                 {"detail", look->detail},
                 {"lon", OptNumber(look->lon)},
                 {"lat", OptNumber(look->lat)}};
  Json cands = Json::array();
  for (const PlaceCandidate& p : look->candidates)
    cands.push_back(Json{{"name", p.name},
                         {"kind", p.kind},
                         {"score", std::round(p.score * 1000) / 1000},
                         {"street", UnitIdJson(c.svc, p.street_id)},
                         {"community", UnitIdJson(c.svc, p.community_id)},
                         {"grid", UnitIdJson(c.svc, p.grid_id)}});
  return JsonReply(200, Json{{"status", look->status},
                             {"place", std::move(place)},
                             {"candidates", std::move(cands)}});
}

Result<int> IntParam(const HttpRequest& req, const char* key, int def, int min, int max) {
  const std::string* v = QueryParam(req, key);
  if (!v) return def;
  auto n = ParseInt(*v);
  if (!n || *n < min || *n > max)
    return Invalid(key, std::string(key) + " must be an integer from " + std::to_string(min) +
                            " to " + std::to_string(max));
  return static_cast<int>(*n);
}

// GET /gazetteer?q=&page=&page_size=
HttpResponse ListGazetteer(Ctx& c) {
  if (auto st = CheckQuery(c.req, {"q", "page", "page_size"}); !st.ok()) return Fail(st);
  auto page = IntParam(c.req, "page", 1, 1, 1000000);
  if (!page.ok()) return Fail(page.status());
  auto size = IntParam(c.req, "page_size", 50, 1, 500);
  if (!size.ok()) return Fail(size.status());
  const std::string* q = QueryParam(c.req, "q");
  if (q && q->size() > 200) return Fail(Invalid("q", "q is longer than 200 bytes"));
  auto res = c.svc.ListGazetteer(c.actor, q ? *q : "", (*page - 1) * *size, *size);
  if (!res.ok()) return Fail(res.status());
  Json items = Json::array();
  for (const GazetteerItem& it : res->items) {
    const geo::GazetteerEntry& e = it.entry;
    items.push_back(Json{{"name", e.name},
                         {"kind", std::string(geo::EntryKindName(e.kind))},
                         {"aliases", e.aliases},
                         {"street", UnitCodeJson(c.svc, e.street_code)},
                         {"community", UnitCodeJson(c.svc, e.community_code)},
                         {"grid", UnitCodeJson(c.svc, e.grid_code)},
                         {"lon", e.location ? Json(e.location->lon) : Json(nullptr)},
                         {"lat", e.location ? Json(e.location->lat) : Json(nullptr)},
                         {"source", it.source}});
  }
  return JsonReply(200, Json{{"items", std::move(items)},
                             {"total", res->total},
                             {"page", *page},
                             {"page_size", *size}});
}

// POST /gazetteer (text/csv)
HttpResponse ImportGazetteer(Ctx& c) {
  if (!IsCsv(c.req)) return Fail(Invalid("Content-Type", "the gazetteer is imported as text/csv"));
  std::vector<ImportError> errors;
  auto n = c.svc.ImportGazetteerCsv(c.actor, c.req.body, &errors);
  if (!n.ok()) return errors.empty() ? Fail(n.status()) : FailRows(n.status(), errors);
  return JsonReply(201, Json{{"imported", *n}});
}

// from/to: local dates or times, `to` exclusive; default: the current month so far.
Status TimeRange(Ctx& c, Timestamp* from, Timestamp* to) {
  *to = 0;
  if (const auto* v = QueryParam(c.req, "from")) {
    HOTLINE_ASSIGN_OR_RETURN(*from, ParseTime(*v, "from"));
  } else {
    std::string today = FormatTime(c.svc.clock().Now()).substr(0, 8) + "01";
    HOTLINE_ASSIGN_OR_RETURN(*from, ParseTime(today, "from"));
  }
  if (const auto* v = QueryParam(c.req, "to")) {
    HOTLINE_ASSIGN_OR_RETURN(*to, ParseTime(*v, "to"));
    if (*to <= *from) return Invalid("to", "to must be after from (to is exclusive)");
  }
  return {};
}

Result<std::optional<Light>> LightParam(const HttpRequest& req) {
  const std::string* v = QueryParam(req, "light");
  if (!v) return std::optional<Light>{};
  auto l = Parse<Light>(*v);
  if (!l) return Invalid("light", "light must be one of " + AllowedNames<Light>());
  return std::optional<Light>(*l);
}

// GET /map/grids?from=&to=&level=&light=  (GeoJSON)
HttpResponse MapGrids(Ctx& c) {
  if (auto st = CheckQuery(c.req, {"from", "to", "level", "light"}); !st.ok()) return Fail(st);
  Timestamp from = 0, to = 0;
  if (auto st = TimeRange(c, &from, &to); !st.ok()) return Fail(st);
  UnitKind level = UnitKind::kStreet;
  if (const auto* v = QueryParam(c.req, "level")) {
    auto k = Parse<UnitKind>(*v);
    if (!k || (*k != UnitKind::kDistrict && *k != UnitKind::kStreet && *k != UnitKind::kCommunity &&
               *k != UnitKind::kGrid))
      return Fail(Invalid("level", "level must be district, street, community or grid"));
    level = *k;
  }
  auto light = LightParam(c.req);
  if (!light.ok()) return Fail(light.status());
  auto features = c.svc.MapGrids(c.actor, from, to, level, *light);
  if (!features.ok()) return Fail(features.status());
  // Assembled as text: the geometries are cached GeoJSON, not re-parsed per request.
  std::string out = R"({"type":"FeatureCollection","features":[)";
  bool first = true;
  for (const MapUnitFeature& f : *features) {
    Json props{{"id", f.unit.id},
               {"code", f.unit.code},
               {"name", f.unit.name},
               {"kind", std::string(ToString(f.unit.kind))},
               {"count", f.counts.count},
               {"open", f.counts.open},
               {"overdue", f.counts.overdue},
               {"red", f.counts.red},
               {"yellow", f.counts.yellow},
               {"light", std::string(ToString(f.light))}};
    out += first ? "" : ",";
    first = false;
    out += R"({"type":"Feature","id":)" + std::to_string(f.unit.id) + R"(,"properties":)" +
           Dump(props) + R"(,"geometry":)" + (f.geometry ? *f.geometry : std::string("null")) + "}";
  }
  out += "]}";
  HttpResponse r = HttpResponse::Json(200, std::move(out));
  r.content_type = "application/geo+json; charset=utf-8";
  return r;
}

Status ParseBbox(const std::string& text, MapOrdersQuery* q) {
  double v[4];
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    size_t end = text.find(',', pos);
    if ((i < 3) != (end != std::string::npos))
      return Invalid("bbox", "bbox must be minLon,minLat,maxLon,maxLat (four numbers)");
    if (end == std::string::npos) end = text.size();
    auto r = std::from_chars(text.data() + pos, text.data() + end, v[i]);
    if (r.ec != std::errc() || r.ptr != text.data() + end || !std::isfinite(v[i]))
      return Invalid("bbox", "bbox must be minLon,minLat,maxLon,maxLat (four numbers)");
    pos = end + 1;
  }
  if (v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90)
    return Invalid("bbox", "bbox is out of range (lon -180..180, lat -90..90, WGS-84)");
  if (v[0] > v[2] || v[1] > v[3])
    return Invalid("bbox", "bbox must be minLon,minLat,maxLon,maxLat with min <= max");
  q->min_lon = v[0];
  q->min_lat = v[1];
  q->max_lon = v[2];
  q->max_lat = v[3];
  return {};
}

// GET /map/orders?bbox=&from=&to=&limit=&light=
HttpResponse MapOrders(Ctx& c) {
  if (auto st = CheckQuery(c.req, {"bbox", "from", "to", "limit", "light"}); !st.ok())
    return Fail(st);
  MapOrdersQuery q;
  const std::string* bbox = QueryParam(c.req, "bbox");
  if (!bbox) return Fail(Invalid("bbox", "bbox=minLon,minLat,maxLon,maxLat is required"));
  if (auto st = ParseBbox(*bbox, &q); !st.ok()) return Fail(st);
  if (auto st = TimeRange(c, &q.from, &q.to); !st.ok()) return Fail(st);
  auto limit = IntParam(c.req, "limit", 2000, 1, 10000);
  if (!limit.ok()) return Fail(limit.status());
  q.limit = *limit;
  auto light = LightParam(c.req);
  if (!light.ok()) return Fail(light.status());
  q.light = *light;
  auto res = c.svc.MapOrders(c.actor, q);
  if (!res.ok()) return Fail(res.status());
  const Timestamp now = c.svc.clock().Now();
  Json items = Json::array();
  for (const MapPoint& p : res->items)
    items.push_back(Json{{"id", p.id},
                         {"no", p.no},
                         {"lon", *p.lon},
                         {"lat", *p.lat},
                         {"light", std::string(ToString(MapIndex::LightOf(p, now)))},
                         {"state", std::string(ToString(p.state))},
                         {"subject_code", p.subject_code},
                         {"nature", std::string(ToString(p.nature))},
                         {"title", p.title},
                         {"created_at", FormatTime(p.created_at)}});
  return JsonReply(
      200, Json{{"items", std::move(items)}, {"total", res->total}, {"truncated", res->truncated}});
}

}  // namespace

// The place route table (docs/openapi.yaml documents each row).
std::vector<route::Route> route::PlaceRoutes() {
  return {
      {"POST", "/api/v1/places/resolve", Access::kStaff, ResolvePlace},
      {"GET", "/api/v1/gazetteer", Access::kStaff, ListGazetteer},
      {"POST", "/api/v1/gazetteer", Access::kAdmin, ImportGazetteer},
      {"GET", "/api/v1/map/grids", Access::kStaff, MapGrids},
      {"GET", "/api/v1/map/orders", Access::kStaff, MapOrders},
  };
}

}  // namespace hotline::api
