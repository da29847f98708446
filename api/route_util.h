// Shared pieces of the route handlers (api/routes*.cc): who may call a route, the
// handler context, JSON replies and errors, query and path helpers. Internal to api/.
#pragma once

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_server.h"
#include "api/json_codec.h"
#include "service/hotline_service.h"

namespace hotline::api::route {

// Who may call a route.
enum class Access {
  kPublic,  // no token
  kUser,    // any authenticated user
  kStaff,   // any role but citizen
  kAdmin,   // admin only
};

struct Ctx {
  HttpRequest& req;
  HotlineService& svc;
  Actor actor;
  std::string token;
};

using Fn = HttpResponse (*)(Ctx&);

struct Route {
  const char* method;
  const char* pattern;
  Access access;
  Fn fn;
};

// -- responses --

inline std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

inline HttpResponse JsonReply(int status, const Json& j) {
  return HttpResponse::Json(status, Dump(j));
}

inline HttpResponse Fail(const Status& st) {
  return HttpResponse::Error(HttpStatusFor(st.code()), st);
}

// An error with row-level details (imports): {"error":{code,message,field,rows:[...]}}.
inline HttpResponse FailRows(const Status& st, const std::vector<ImportError>& rows) {
  Json items = Json::array();
  for (const ImportError& r : rows)
    items.push_back(Json{{"row", r.row},
                         {"field", r.field.empty() ? Json(nullptr) : Json(r.field)},
                         {"message", r.message}});
  const Status shown =
      st.ok() ? Invalid("body", "the import has " + std::to_string(rows.size()) + " bad rows") : st;
  Json err{{"code", CodeName(shown.code())}, {"message", shown.message()}, {"rows", items}};
  err["field"] = shown.field().empty() ? Json(nullptr) : Json(shown.field());
  return JsonReply(HttpStatusFor(shown.code()), Json{{"error", std::move(err)}});
}

// -- request helpers --

inline std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

inline std::string BearerToken(const HttpRequest& req) {
  std::string h = req.Header("authorization");
  if (h.size() > 7 && Lower(h.substr(0, 7)) == "bearer ") {
    std::string t = h.substr(7);
    t.erase(0, t.find_first_not_of(' '));
    t.erase(t.find_last_not_of(' ') + 1);
    return t;
  }
  return {};
}

inline bool IsCsv(const HttpRequest& req) {
  return Lower(req.Header("content-type")).find("text/csv") != std::string::npos;
}

// Rejects query parameters the route does not know (a misspelt filter must not
// silently return everything).
inline Status CheckQuery(const HttpRequest& req, std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : req.query) {
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      std::string list;
      for (auto n : known) list += (list.empty() ? "" : ", ") + std::string(n);
      return Invalid(k,
                     "unknown query parameter " + k +
                         (list.empty() ? " (none accepted)" : " (expected one of " + list + ")"));
    }
  }
  return Status::Ok();
}

inline const std::string* QueryParam(const HttpRequest& req, const char* key) {
  auto it = req.query.find(key);
  return it == req.query.end() ? nullptr : &it->second;
}

// A unit named by its code, or by its numeric id.
inline Result<Id> ResolveUnit(const HotlineService& svc, const std::string& text,
                              const std::string& field) {
  if (text.empty()) return Invalid(field, field + " must name a unit (code or id)");
  if (auto u = svc.FindUnitByCode(text); u.ok()) return u->id;
  if (auto n = ParseInt(text)) {
    if (auto u = svc.FindUnit(*n); u.ok()) return u->id;
  }
  return Invalid(field, field + ": unknown unit \"" + text.substr(0, 64) + "\"");
}

inline Result<Id> ResolveUnitJson(const HotlineService& svc, const Json& v,
                                  const std::string& field) {
  if (v.is_string()) return ResolveUnit(svc, v.get<std::string>(), field);
  if (v.is_number_integer()) {
    const Id id = v.get<Id>();
    if (auto u = svc.FindUnit(id); u.ok()) return u->id;
    return Invalid(field, field + ": unknown unit id " + std::to_string(id));
  }
  return Invalid(field, field + " must be a unit code (string) or id (integer)");
}

inline std::optional<Id> UnitField(JsonReader& r, const HotlineService& svc, const char* key) {
  const Json* v = r.Get(key);
  if (!v) return std::nullopt;
  auto id = ResolveUnitJson(svc, *v, r.Path(key));
  if (!id.ok()) {
    r.Fail(id.status());
    return std::nullopt;
  }
  return *id;
}

// An order named by its numeric id or by its order number `no`.
inline Result<Id> ResolveOrder(HotlineService& svc, const std::string& text,
                               const std::string& field) {
  if (text.empty()) return Invalid(field, field + " must be an order id or number");
  if (text.size() <= 12) {
    if (auto n = ParseInt(text)) return *n;
  }
  if (text.size() > 64) return Invalid(field, field + " is not an order id or number");
  auto o = svc.store().GetOrderByNo(text);
  if (!o.ok()) {
    if (o.status().code() == Code::kNotFound)
      return Status(Code::kNotFound, "no such order", field);
    return o.status();
  }
  return o->id;
}

inline Result<Id> PathOrder(Ctx& c) { return ResolveOrder(c.svc, c.req.params["id"], "id"); }

inline Result<Id> PathId(Ctx& c) {
  const std::string& s = c.req.params["id"];
  auto n = ParseInt(s);
  if (!n) return Invalid("id", "id must be a positive integer (got \"" + s.substr(0, 32) + "\")");
  return *n;
}

// The workflow names ActionInput members; the API names body fields.
inline Status ToApiField(const Status& st) {
  static const std::pair<std::string_view, std::string_view> kNames[] = {
      {"lead_unit_id", "lead_unit"}, {"assist_unit_ids", "assist_units"}};
  for (auto [from, to] : kNames)
    if (st.field() == from) return Status(st.code(), st.message(), std::string(to));
  return st;
}

// The "place" object of an intake or suggest body into `req` (errors recorded on `r`).
inline void ParsePlace(JsonReader& r, const HotlineService& svc, IntakeRequest& req) {
  if (const Json* place = r.Object("place")) {
    JsonReader pr(*place, "place.");
    pr.RejectUnknown({"grid", "community", "street", "address", "lon", "lat", "datum"});
    req.grid_id = UnitField(pr, svc, "grid");
    req.community_id = UnitField(pr, svc, "community");
    req.street_id = UnitField(pr, svc, "street");
    req.address = pr.String("address").value_or("");
    req.lon = pr.Number("lon", -180, 180);
    req.lat = pr.Number("lat", -90, 90);
    if (pr.ok() && req.lon.has_value() != req.lat.has_value())
      pr.Fail(req.lon ? "lat" : "lon", "place.lon and place.lat must be given together");
    if (auto datum = pr.String("datum")) {
      if (*datum == "gcj02")
        req.gcj02 = true;
      else if (*datum != "wgs84")
        pr.Fail("datum", "datum must be wgs84 or gcj02");
    }
    r.Fail(pr.status());
  }
}

// Route tables contributed by the feature files (routes_*.cc); routes.cc has the core.
std::vector<Route> CoreRoutes();
std::vector<Route> KpiRoutes();  // routes_kpi.cc: KPIs, rankings, volumes, dashboard, reports
// exclude_from_kpi / include_in_kpi body fields unit_id and basis (routes_kpi.cc).
void ParseKpiExclusion(JsonReader& r, const HotlineService& svc, ActionInput& in);
std::vector<Route> PlaceRoutes();     // routes_place.cc: gazetteer, address resolution, map layers
std::vector<Route> IntelRoutes();     // routes_intel.cc: classifier, auto-dispatch, suggest
std::vector<Route> HotspotsRoutes();  // routes_hotspots.cc
std::vector<Route> PublicRoutes();    // routes_public.cc: no login (web UI tracking)
// The /public routes' shared rate limit per client address (routes_public.cc), and its 429.
bool AllowPublic(const std::string& remote);
HttpResponse TooManyPublic();
std::vector<Route> Open311Routes();
std::vector<Route> KbRoutes();  // routes_kb.cc: knowledge base (issue 17)   // routes_open311.cc:
                                // GeoReport v2 and its API keys

}  // namespace hotline::api::route
