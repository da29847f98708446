#include "api/routes.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api/json_codec.h"
#include "api/route_util.h"
#include "domain/workflow.h"
#include "service/csv.h"

namespace hotline::api {
namespace {

using namespace route;  // NOLINT: the handlers are written against the shared helpers

// Sets ActionInput::subject_code where the workflow supports re-classifying in an action.
template <typename T>
bool SetSubjectCode(T& in, std::string code) {
  if constexpr (requires { in.subject_code = code; }) {
    in.subject_code = std::move(code);
    return true;
  } else {
    return false;
  }
}

// -- auth --

HttpResponse Health(Ctx& c) {
  if (auto st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  return JsonReply(200, Json{{"status", "ok"},
                             {"version", kApiVersion},
                             {"schema", kApiSchema},
                             {"time", FormatTime(c.svc.clock().Now())}});
}

// Readiness for a load balancer: 200 while the store answers, 503 when it does not (the node
// stays alive — /health — and is taken out of rotation until the store is back).
HttpResponse Ready(Ctx& c) {
  if (auto st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  Status st = c.svc.Ping();
  if (!st.ok())
    return JsonReply(503,
                     Json{{"ready", false}, {"store", "unavailable"}, {"detail", st.message()}});
  return JsonReply(200, Json{{"ready", true}, {"store", "ok"}});
}

HttpResponse Login(Ctx& c) {
  auto body = ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());
  JsonReader r(*body);
  r.RejectUnknown({"login", "password"});
  auto login = r.String("login");
  auto password = r.String("password");
  if (r.ok() && (!login || login->empty())) r.Fail("login", "login is required");
  if (r.ok() && !password) r.Fail("password", "password is required");
  if (!r.ok()) return Fail(r.status());
  LoginRefusal refusal;
  auto res = c.svc.Login(*login, *password, c.req.remote, &refusal);
  if (!res.ok()) {
    if (refusal.kind == LoginRefusal::Kind::kNone) return Fail(res.status());
    HttpResponse out = HttpResponse::Error(
        refusal.kind == LoginRefusal::Kind::kRateLimited ? 429 : 503, res.status());
    out.headers.emplace_back("Retry-After", std::to_string(refusal.retry_after_seconds));
    return out;
  }
  return JsonReply(200, Json{{"token", res->token},
                             {"expires_at", FormatTime(res->expires_at)},
                             {"user", RenderUser(c.svc, res->user, true)}});
}

HttpResponse Logout(Ctx& c) {
  if (auto st = c.svc.Logout(c.token); !st.ok()) return Fail(st);
  HttpResponse res;
  res.status = 204;
  return res;
}

HttpResponse GetMe(Ctx& c) {
  auto me = c.svc.Me(c.actor);
  if (!me.ok()) return Fail(me.status());
  return JsonReply(200, RenderUser(c.svc, *me, true));
}

// -- orders --

HttpResponse CreateOrder(Ctx& c) {
  auto body = ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());
  JsonReader r(*body);
  r.RejectUnknown({"channel", "nature", "urgency", "subject_code", "title", "content", "caller",
                   "confidential", "reported_unit", "place", "received_at"});
  IntakeRequest req;
  req.channel = r.Enum<Channel>("channel").value_or(Channel::kHotline);
  req.nature = r.Enum<Nature>("nature");
  req.urgency = r.Enum<Urgency>("urgency").value_or(Urgency::kNormal);
  req.subject_code = r.String("subject_code").value_or("");
  req.title = r.String("title", 400).value_or("");
  req.content = r.String("content", kMaxContentBytes).value_or("");
  if (const Json* caller = r.Object("caller")) {
    JsonReader cr(*caller, "caller.");
    cr.RejectUnknown({"name", "phone", "id_no"});
    req.caller_name = cr.String("name").value_or("");
    req.caller_phone = cr.String("phone").value_or("");
    req.caller_id_no = cr.String("id_no").value_or("");
    r.Fail(cr.status());
  }
  req.confidential = r.Bool("confidential").value_or(false);
  req.reported_unit_id = UnitField(r, c.svc, "reported_unit");
  ParsePlace(r, c.svc, req);
  req.received_at = r.Time("received_at");
  if (!r.ok()) return Fail(r.status());
  req.idempotency_key = c.req.Header("idempotency-key");
  if (req.idempotency_key.size() > 200)
    return Fail(Invalid("Idempotency-Key", "Idempotency-Key must be at most 200 bytes"));

  bool existed = false;
  auto view = c.svc.Intake(c.actor, req, &existed);
  if (!view.ok()) return Fail(view.status());
  HttpResponse res = JsonReply(existed ? 200 : 201, RenderOrder(c.svc, *view));
  res.headers.emplace_back("Location", "/api/v1/orders/" + std::to_string(view->order.id));
  return res;
}

Result<OrderQuery> ParseOrderQuery(Ctx& c, int* page, int* page_size) {
  const HttpRequest& req = c.req;
  HOTLINE_RETURN_IF_ERROR(CheckQuery(
      req, {"status", "unit",    "lead_unit", "grid",       "community", "street", "channel",
            "nature", "urgency", "light",     "supervised", "from",      "to",     "q",
            "phone",  "subject", "sort",      "page",       "page_size", "review", "offset"}));
  OrderQuery q;
  if (const auto* s = QueryParam(req, "status")) {
    std::size_t start = 0;
    while (start <= s->size()) {
      std::size_t end = s->find(',', start);
      if (end == std::string::npos) end = s->size();
      std::string name = s->substr(start, end - start);
      name.erase(0, name.find_first_not_of(' '));
      name.erase(name.find_last_not_of(' ') + 1);
      if (!name.empty()) {
        auto st = Parse<State>(name);
        if (!st)
          return Invalid("status", "status must be a comma list of " + AllowedNames<State>() +
                                       " (got \"" + name.substr(0, 64) + "\")");
        q.states.push_back(*st);
      }
      start = end + 1;
    }
  }
  auto unit = [&](const char* key, std::optional<Id>* out) -> Status {
    if (const auto* v = QueryParam(req, key)) {
      auto id = ResolveUnit(c.svc, *v, key);
      if (!id.ok()) return id.status();
      *out = *id;
    }
    return Status::Ok();
  };
  HOTLINE_RETURN_IF_ERROR(unit("unit", &q.unit_id));
  HOTLINE_RETURN_IF_ERROR(unit("lead_unit", &q.lead_unit_id));
  HOTLINE_RETURN_IF_ERROR(unit("grid", &q.grid_id));
  HOTLINE_RETURN_IF_ERROR(unit("community", &q.community_id));
  HOTLINE_RETURN_IF_ERROR(unit("street", &q.street_id));
  auto enum_param = [&]<typename E>(const char* key, std::optional<E>* out) -> Status {
    if (const auto* v = QueryParam(req, key)) {
      auto e = Parse<E>(*v);
      if (!e)
        return Invalid(key, std::string(key) + " must be one of " + AllowedNames<E>() + " (got \"" +
                                v->substr(0, 64) + "\")");
      *out = *e;
    }
    return Status::Ok();
  };
  HOTLINE_RETURN_IF_ERROR(enum_param("channel", &q.channel));
  HOTLINE_RETURN_IF_ERROR(enum_param("nature", &q.nature));
  HOTLINE_RETURN_IF_ERROR(enum_param("urgency", &q.urgency));
  HOTLINE_RETURN_IF_ERROR(enum_param("light", &q.light));
  if (const auto* v = QueryParam(req, "supervised")) {
    q.supervised = ParseBool(*v);
    if (!q.supervised) return Invalid("supervised", "supervised must be true or false");
  }
  if (const auto* v = QueryParam(req, "from")) {
    HOTLINE_ASSIGN_OR_RETURN(q.created_from, ParseTime(*v, "from"));
  }
  if (const auto* v = QueryParam(req, "to")) {
    HOTLINE_ASSIGN_OR_RETURN(q.created_to, ParseTime(*v, "to", /*end_of_day=*/true));
  }
  if (q.created_from && q.created_to && *q.created_to < *q.created_from)
    return Invalid("to", "to must not be before from");
  if (const auto* v = QueryParam(req, "q")) q.text = *v;
  if (const auto* v = QueryParam(req, "review")) {
    // The dispatcher's review queue: received orders that wait with a classifier suggestion.
    auto on = ParseBool(*v);
    if (!on) return Invalid("review", "review must be 1 or 0");
    if (*on) {
      // status=received says the same thing; any other state cannot be in the queue.
      for (State st : q.states)
        if (st != State::kReceived)
          return Invalid("review",
                         "review=1 lists received orders; leave out status or send "
                         "status=received");
      q.states = {State::kReceived};
      q.with_suggestion = true;
    }
  }
  if (const auto* v = QueryParam(req, "phone")) q.caller_phone = *v;
  if (const auto* v = QueryParam(req, "subject")) q.subject_prefix = *v;
  if (const auto* v = QueryParam(req, "sort")) {
    if (*v == "newest") {
      q.sort = OrderQuery::Sort::kNewest;
    } else if (*v == "oldest") {
      q.sort = OrderQuery::Sort::kOldest;
    } else if (*v == "due") {
      q.sort = OrderQuery::Sort::kDueSoonest;
    } else {
      return Invalid("sort", "sort must be one of newest, oldest, due");
    }
  }
  *page = 1;
  *page_size = 20;
  if (const auto* v = QueryParam(req, "page")) {
    auto n = ParseInt(*v);
    if (!n || *n < 1 || *n > 1000000) return Invalid("page", "page must be an integer >= 1");
    *page = static_cast<int>(*n);
  }
  if (const auto* v = QueryParam(req, "page_size")) {
    auto n = ParseInt(*v);
    if (!n || *n < 1 || *n > 200)
      return Invalid("page_size", "page_size must be an integer from 1 to 200");
    *page_size = static_cast<int>(*n);
  }
  if (std::int64_t(*page - 1) * *page_size > 100'000'000)
    return Invalid("page", "page is out of range");
  q.limit = *page_size;
  q.offset = (*page - 1) * *page_size;
  // offset: rows to skip, for a client that joins several lists into one paged view; it
  // replaces page (the reply then says the page the offset falls in).
  if (const auto* v = QueryParam(req, "offset")) {
    if (QueryParam(req, "page")) return Invalid("offset", "send page or offset, not both");
    auto n = ParseInt(*v);
    if (!n || *n < 0 || *n > 100'000'000)
      return Invalid("offset", "offset must be an integer from 0 to 100000000");
    q.offset = static_cast<int>(*n);
    *page = static_cast<int>(*n / *page_size) + 1;
  }
  return q;
}

HttpResponse ListOrders(Ctx& c) {
  int page = 1, page_size = 20;
  auto q = ParseOrderQuery(c, &page, &page_size);
  if (!q.ok()) return Fail(q.status());
  auto res = c.svc.ListOrders(c.actor, std::move(*q));
  if (!res.ok()) return Fail(res.status());
  Json items = Json::array();
  for (const OrderView& v : res->items) items.push_back(RenderOrder(c.svc, v));
  return JsonReply(200, Json{{"items", std::move(items)},
                             {"total", res->total},
                             {"page", page},
                             {"page_size", page_size}});
}

HttpResponse GetOrder(Ctx& c) {
  if (auto st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  auto id = PathOrder(c);
  if (!id.ok()) return Fail(id.status());
  auto view = c.svc.GetOrder(c.actor, *id);
  if (!view.ok()) return Fail(view.status());
  return JsonReply(200, RenderOrder(c.svc, *view));
}

HttpResponse GetContact(Ctx& c) {
  auto id = PathOrder(c);
  if (!id.ok()) return Fail(id.status());
  auto view = c.svc.RevealContact(c.actor, *id);
  if (!view.ok()) return Fail(view.status());
  return JsonReply(200, RenderOrder(c.svc, *view));
}

HttpResponse GetEvents(Ctx& c) {
  auto id = PathOrder(c);
  if (!id.ok()) return Fail(id.status());
  auto events = c.svc.Events(c.actor, *id);
  if (!events.ok()) return Fail(events.status());
  return JsonReply(200, Json{{"items", RenderEvents(c.svc, *events)}});
}

HttpResponse GetDuplicates(Ctx& c) {
  auto id = PathOrder(c);
  if (!id.ok()) return Fail(id.status());
  auto d = c.svc.FindDuplicates(c.actor, *id);
  if (!d.ok()) return Fail(d.status());
  return JsonReply(200, Json{{"items", RenderDuplicates(*d)}});
}

HttpResponse GetSuggestion(Ctx& c) {
  auto id = PathOrder(c);
  if (!id.ok()) return Fail(id.status());
  auto s = c.svc.SuggestDispatch(c.actor, *id);
  if (!s.ok()) return Fail(s.status());
  Json assist = Json::array();
  for (Id u : s->assist_unit_ids) assist.push_back(UnitRef(c.svc, u));
  return JsonReply(200, Json{{"lead_unit", UnitRef(c.svc, s->lead_unit_id)},
                             {"assist_units", std::move(assist)},
                             {"rule_id", s->rule_id ? Json(*s->rule_id) : Json(nullptr)},
                             {"reason", s->reason}});
}

HttpResponse Act(Ctx& c) {
  const std::string& name = c.req.params["action"];
  auto action = Parse<Action>(name);
  if (!action)
    return Fail(Status(Code::kNotFound,
                       "unknown action \"" + name.substr(0, 64) + "\" (expected one of " +
                           AllowedNames<Action>() + ")",
                       "action"));
  auto id = PathOrder(c);
  if (!id.ok()) return Fail(id.status());
  auto body = ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());

  JsonReader r(*body);
  r.RejectUnknown({"text", "lead_unit", "assist_units", "subject_code", "reply", "rating",
                   "extension_days", "merge_into", "basis", "expect_version", "unit_id", "place"});
  ActionInput in;
  in.action = *action;
  in.text = r.String("text").value_or("");
  in.lead_unit_id = UnitField(r, c.svc, "lead_unit");
  if (const Json* a = r.Get("assist_units")) {
    if (!a->is_array()) {
      r.Fail("assist_units", "assist_units must be an array of unit codes or ids");
    } else {
      for (std::size_t i = 0; i < a->size() && r.ok(); ++i) {
        auto u = ResolveUnitJson(c.svc, (*a)[i], "assist_units");
        if (!u.ok()) {
          r.Fail(u.status());
        } else if (std::find(in.assist_unit_ids.begin(), in.assist_unit_ids.end(), *u) ==
                   in.assist_unit_ids.end()) {
          in.assist_unit_ids.push_back(*u);
        }
      }
    }
  }
  if (auto code = r.String("subject_code")) {
    if (!SetSubjectCode(in, *code))
      r.Fail("subject_code", "subject_code cannot be changed by an action");
  }
  if (const Json* reply = r.Object("reply")) {
    JsonReader rr(*reply, "reply.");
    rr.RejectUnknown({"contacted_at", "contact_method", "resolved", "unresolved_reason",
                      "actions_taken", "public_text"});
    Reply rep;
    rep.contacted_at = rr.Time("contacted_at").value_or(0);
    rep.contact_method = rr.String("contact_method").value_or("");
    auto resolved = rr.Bool("resolved");
    // A unit's reply says whether the matter is resolved (解决率 counts it); an agent's direct
    // answer (answer) is a reply to a question and needs no such flag.
    if (!resolved && rr.ok() && in.action == Action::kReply)
      rr.Fail("resolved", "reply.resolved (true or false) is required");
    rep.resolved = resolved.value_or(false);
    rep.unresolved_reason = rr.String("unresolved_reason").value_or("");
    rep.actions_taken = rr.String("actions_taken").value_or("");
    rep.public_text = rr.String("public_text").value_or("");
    r.Fail(rr.status());
    in.reply = std::move(rep);
  }
  in.rating = r.Enum<Rating>("rating");
  in.extension_days = static_cast<int>(r.Int("extension_days", 1, 365).value_or(0));
  if (const Json* m = r.Get("merge_into")) {
    if (m->is_number_integer() && m->get<std::int64_t>() > 0) {
      in.merge_into = m->get<Id>();
    } else if (m->is_string()) {
      auto target = ResolveOrder(c.svc, m->get<std::string>(), "merge_into");
      if (target.ok()) {
        in.merge_into = *target;
      } else {
        r.Fail(Invalid("merge_into", target.status().message()));
      }
    } else {
      r.Fail("merge_into", "merge_into must be an order id or number");
    }
  }
  if (in.action == Action::kExcludeFromKpi || in.action == Action::kIncludeInKpi) {
    ParseKpiExclusion(r, c.svc, in);  // routes_kpi.cc
  } else {
    in.basis = r.Enum<RejectBasis>("basis");
  }
  if (r.Get("place")) {
    // relocate: the corrected place, in the intake body's form (units, lon/lat, address).
    IntakeRequest probe;
    ParsePlace(r, c.svc, probe);
    if (r.ok() && in.action != Action::kRelocate)
      r.Fail("place", "place is only sent with relocate");
    in.place = Place{probe.grid_id, probe.community_id, probe.street_id,
                     probe.address, probe.lon,          probe.lat};
    in.place_gcj02 = probe.gcj02;
  }
  auto expect = r.Int("expect_version", 0, std::int64_t(1) << 53);
  if (!r.ok()) return Fail(r.status());

  auto view = c.svc.Act(c.actor, *id, in, expect);
  if (!view.ok()) return Fail(ToApiField(view.status()));
  return JsonReply(200, RenderOrder(c.svc, *view));
}

// -- organisation --

HttpResponse ListUnits(Ctx& c) {
  if (auto st = CheckQuery(c.req, {"kind", "parent", "active"}); !st.ok()) return Fail(st);
  std::optional<UnitKind> kind;
  if (const auto* v = QueryParam(c.req, "kind")) {
    kind = Parse<UnitKind>(*v);
    if (!kind) return Fail(Invalid("kind", "kind must be one of " + AllowedNames<UnitKind>()));
  }
  std::optional<Id> parent;
  if (const auto* v = QueryParam(c.req, "parent")) {
    auto p = ResolveUnit(c.svc, *v, "parent");
    if (!p.ok()) return Fail(p.status());
    parent = *p;
  }
  std::optional<bool> active;
  if (const auto* v = QueryParam(c.req, "active")) {
    active = ParseBool(*v);
    if (!active) return Fail(Invalid("active", "active must be true or false"));
  }
  Json items = Json::array();
  for (const Unit& u : c.svc.Units()) {
    if (kind && u.kind != *kind) continue;
    if (parent && u.parent_id != parent) continue;
    if (active && u.active != *active) continue;
    items.push_back(RenderUnit(c.svc, u));
  }
  return JsonReply(200, Json{{"items", std::move(items)}});
}

HttpResponse ImportUnits(Ctx& c) {
  const bool csv = IsCsv(c.req);
  if (!csv) {
    Json j = Json::parse(c.req.body, nullptr, false);
    if (j.is_discarded() || !(j.is_array() || j.is_object()))
      return Fail(Invalid("body", "the body must be a JSON array or object of units, or text/csv"));
  }
  std::vector<ImportError> errors;
  auto res = c.svc.ImportUnits(c.actor, c.req.body, csv, &errors);
  if (!res.ok()) {
    if (!errors.empty()) return FailRows(res.status(), errors);
    return Fail(res.status());
  }
  if (!errors.empty()) return FailRows(Status::Ok(), errors);
  Json items = Json::array();
  for (const Unit& u : *res) items.push_back(RenderUnit(c.svc, u));
  return JsonReply(201, Json{{"items", std::move(items)}});
}

HttpResponse PatchUnit(Ctx& c) {
  auto id = PathId(c);
  if (!id.ok()) return Fail(id.status());
  auto unit = c.svc.FindUnit(*id);
  if (!unit.ok()) return Fail(Status(Code::kNotFound, "no unit " + std::to_string(*id), "id"));
  auto body = ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());
  JsonReader r(*body);
  r.RejectUnknown({"code", "name", "kind", "grid_kind", "parent", "active"});
  Unit u = *unit;
  if (auto v = r.String("code")) u.code = *v;
  if (auto v = r.String("name")) u.name = *v;
  if (auto v = r.Enum<UnitKind>("kind")) u.kind = *v;
  if (auto v = r.Enum<GridKind>("grid_kind")) u.grid_kind = *v;
  if (auto v = UnitField(r, c.svc, "parent")) u.parent_id = *v;
  if (auto v = r.Bool("active")) u.active = *v;
  if (!r.ok()) return Fail(r.status());
  auto res = c.svc.UpdateUnit(c.actor, u);
  if (!res.ok()) return Fail(res.status());
  return JsonReply(200, RenderUnit(c.svc, *res));
}

HttpResponse ListUsers(Ctx& c) {
  if (auto st = CheckQuery(c.req, {"unit", "role"}); !st.ok()) return Fail(st);
  std::optional<Id> unit;
  if (const auto* v = QueryParam(c.req, "unit")) {
    auto u = ResolveUnit(c.svc, *v, "unit");
    if (!u.ok()) return Fail(u.status());
    unit = *u;
  }
  std::optional<Role> role;
  if (const auto* v = QueryParam(c.req, "role")) {
    role = Parse<Role>(*v);
    if (!role) return Fail(Invalid("role", "role must be one of " + AllowedNames<Role>()));
  }
  const bool admin = c.actor.role == Role::kAdmin;
  Json items = Json::array();
  for (const User& u : c.svc.Users()) {
    if (unit && u.unit_id != *unit) continue;
    if (role && u.role != *role) continue;
    items.push_back(RenderUser(c.svc, u, admin));
  }
  return JsonReply(200, Json{{"items", std::move(items)}});
}

// A JSON array of flat user objects as CSV with a header of their keys (the
// service imports users from CSV).
Result<std::string> UsersJsonToCsv(const std::string& body) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_object()) j = Json::array({j});
  if (j.is_discarded() || !j.is_array())
    return Invalid("body", "the body must be text/csv or a JSON array of users");
  std::vector<std::string> columns;
  for (std::size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_object())
      return Invalid("body", "row " + std::to_string(i + 1) + " must be a JSON object");
    for (auto it = j[i].begin(); it != j[i].end(); ++it) {
      if (std::find(columns.begin(), columns.end(), it.key()) == columns.end())
        columns.push_back(it.key());
      if (it->is_object() || it->is_array())
        return Invalid(it.key(), "row " + std::to_string(i + 1) + ": " + it.key() +
                                     " must be a string, number or boolean");
    }
  }
  std::string csv;
  for (std::size_t k = 0; k < columns.size(); ++k) csv += (k ? "," : "") + CsvEscape(columns[k]);
  csv += "\n";
  for (const Json& row : j) {
    for (std::size_t k = 0; k < columns.size(); ++k) {
      auto it = row.find(columns[k]);
      std::string v;
      if (it != row.end() && !it->is_null())
        v = it->is_string() ? it->get<std::string>() : Dump(*it);
      csv += (k ? "," : "") + CsvEscape(v);
    }
    csv += "\n";
  }
  return csv;
}

HttpResponse ImportUsers(Ctx& c) {
  std::string csv = c.req.body;
  if (!IsCsv(c.req)) {
    auto converted = UsersJsonToCsv(c.req.body);
    if (!converted.ok()) return Fail(converted.status());
    csv = std::move(*converted);
  }
  std::vector<ImportError> errors;
  auto res = c.svc.ImportUsers(c.actor, csv, &errors);
  if (!res.ok()) {
    if (!errors.empty()) return FailRows(res.status(), errors);
    return Fail(res.status());
  }
  if (!errors.empty()) return FailRows(Status::Ok(), errors);
  Json items = Json::array();
  for (const User& u : *res) items.push_back(RenderUser(c.svc, u, true));
  return JsonReply(201, Json{{"items", std::move(items)}});
}

HttpResponse PatchUser(Ctx& c) {
  auto id = PathId(c);
  if (!id.ok()) return Fail(id.status());
  auto body = ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());
  JsonReader r(*body);
  r.RejectUnknown({"role", "unit", "active", "password"});
  auto role = r.Enum<Role>("role");
  auto unit = UnitField(r, c.svc, "unit");
  auto active = r.Bool("active");
  auto password = r.String("password");
  if (!r.ok()) return Fail(r.status());
  auto res = c.svc.UpdateUser(c.actor, *id, role, unit, active, password);
  if (!res.ok()) return Fail(res.status());
  return JsonReply(200, RenderUser(c.svc, *res, true));
}

// POST /users/{id}/unlock: clears a login lock (docs/access.md "Login").
HttpResponse UnlockUser(Ctx& c) {
  auto id = PathId(c);
  if (!id.ok()) return Fail(id.status());
  auto res = c.svc.UnlockUser(c.actor, *id);
  if (!res.ok()) return Fail(res.status());
  return JsonReply(200, RenderUser(c.svc, *res, true));
}

// -- configuration documents --

HttpResponse Document(const std::string& json) {
  return HttpResponse::Json(200, json.empty() ? "{}" : json);
}

HttpResponse PutDocument(Ctx& c, Status (HotlineService::*put)(const Actor&, const std::string&),
                         std::string (HotlineService::*get)() const) {
  Json j = Json::parse(c.req.body, nullptr, false);
  if (j.is_discarded() || !(j.is_object() || j.is_array()))
    return Fail(Invalid("body", "the request body must be a JSON object or array"));
  if (auto st = (c.svc.*put)(c.actor, c.req.body); !st.ok()) return Fail(st);
  return Document((c.svc.*get)());
}

#define HOTLINE_DOCUMENT(Name)                                                            \
  HttpResponse Get##Name(Ctx& c) { return Document(c.svc.Name##Json()); }                 \
  HttpResponse Put##Name(Ctx& c) {                                                        \
    return PutDocument(c, &HotlineService::Put##Name##Json, &HotlineService::Name##Json); \
  }
HOTLINE_DOCUMENT(Taxonomy)
HOTLINE_DOCUMENT(Catalogue)
HOTLINE_DOCUMENT(Rules)
HOTLINE_DOCUMENT(Calendar)
HOTLINE_DOCUMENT(LightPolicy)
#undef HOTLINE_DOCUMENT

// Boundaries: GeoJSON in and out; import problems listed like import rows.
HttpResponse GetBoundaries(Ctx& c) {
  HttpResponse r = HttpResponse::Json(200, c.svc.BoundariesGeoJson());
  r.content_type = "application/geo+json; charset=utf-8";
  return r;
}

HttpResponse PutBoundaries(Ctx& c) {
  std::vector<std::string> problems;
  Status st = c.svc.PutBoundariesGeoJson(c.actor, c.req.body, &problems);
  if (!st.ok()) {
    if (problems.empty()) return Fail(st);
    Json items = Json::array();
    for (const std::string& p : problems) items.push_back(p);
    return JsonReply(HttpStatusFor(st.code()), Json{{"error",
                                                     {{"code", CodeName(st.code())},
                                                      {"field", "body"},
                                                      {"message", st.message()},
                                                      {"problems", std::move(items)}}}});
  }
  return JsonReply(200, Json{{"status", "imported"}});
}

// The audit log, newest first: filtered by order (id or number), user (login or id), action,
// from/to (dates or times), paged (page, page_size; `limit` is the older name of page_size).
HttpResponse GetAudit(Ctx& c) {
  if (auto st = CheckQuery(c.req,
                           {"order", "user", "action", "from", "to", "page", "page_size", "limit"});
      !st.ok())
    return Fail(st);
  AuditQuery q;
  if (const auto* v = QueryParam(c.req, "order")) {
    auto id = ResolveOrder(c.svc, *v, "order");
    if (!id.ok()) return Fail(id.status());
    q.order_id = *id;
  }
  if (const auto* v = QueryParam(c.req, "user")) {
    for (const User& u : c.svc.Users())
      if (u.login == *v || std::to_string(u.id) == *v) q.user_id = u.id;
    if (!q.user_id)
      return Fail(Invalid("user", "no user with login or id \"" + v->substr(0, 64) + "\""));
  }
  if (const auto* v = QueryParam(c.req, "action")) q.action = *v;
  if (const auto* v = QueryParam(c.req, "from")) {
    auto t = ParseTime(*v, "from");
    if (!t.ok()) return Fail(t.status());
    q.from = *t;
  }
  if (const auto* v = QueryParam(c.req, "to")) {
    auto t = ParseTime(*v, "to", /*end_of_day=*/true);
    if (!t.ok()) return Fail(t.status());
    q.to = *t;
  }
  if (q.from && q.to && *q.to < *q.from) return Fail(Invalid("to", "to must not be before from"));
  int page = 1, page_size = 100;
  for (const char* key : {"limit", "page_size"}) {
    if (const auto* v = QueryParam(c.req, key)) {
      auto n = ParseInt(*v);
      if (!n || *n < 1 || *n > 1000)
        return Fail(Invalid(key, std::string(key) + " must be an integer from 1 to 1000"));
      page_size = static_cast<int>(*n);
    }
  }
  if (const auto* v = QueryParam(c.req, "page")) {
    auto n = ParseInt(*v);
    if (!n || *n < 1 || *n > 1000000) return Fail(Invalid("page", "page must be an integer >= 1"));
    page = static_cast<int>(*n);
  }
  q.limit = page_size;
  q.offset = (page - 1) * page_size;
  auto res = c.svc.QueryAudit(c.actor, q);
  if (!res.ok()) return Fail(res.status());
  Json items = Json::array();
  std::map<Id, Json> numbers;  // order id -> its number, read once per page
  for (const AuditEntry& e : res->items) {
    Json j{{"at", FormatTime(e.at)},
           {"user", {{"id", e.user_id}, {"display_name", c.svc.UserDisplayName(e.user_id)}}},
           {"action", e.action},
           {"detail", e.detail}};
    j["order_id"] = e.order_id ? Json(*e.order_id) : Json(nullptr);
    j["order_no"] = nullptr;
    if (e.order_id) {
      auto it = numbers.find(*e.order_id);
      if (it == numbers.end()) {
        auto o = c.svc.store().GetOrder(*e.order_id);
        it = numbers.emplace(*e.order_id, o.ok() ? Json(o->no) : Json(nullptr)).first;
      }
      j["order_no"] = it->second;
    }
    items.push_back(std::move(j));
  }
  return JsonReply(200, Json{{"items", std::move(items)},
                             {"total", res->total},
                             {"page", page},
                             {"page_size", page_size}});
}

}  // namespace

// The core route table (docs/openapi.yaml documents each row).
std::vector<route::Route> route::CoreRoutes() {
  return {
      {"GET", "/api/v1/health", Access::kPublic, Health},
      {"GET", "/api/v1/ready", Access::kPublic, Ready},
      {"POST", "/api/v1/auth/login", Access::kPublic, Login},
      {"POST", "/api/v1/auth/logout", Access::kUser, Logout},
      {"GET", "/api/v1/me", Access::kUser, GetMe},

      {"POST", "/api/v1/orders", Access::kUser, CreateOrder},
      {"GET", "/api/v1/orders", Access::kUser, ListOrders},
      {"GET", "/api/v1/orders/{id}", Access::kUser, GetOrder},
      {"GET", "/api/v1/orders/{id}/events", Access::kUser, GetEvents},
      {"GET", "/api/v1/orders/{id}/contact", Access::kStaff, GetContact},
      {"GET", "/api/v1/orders/{id}/dispatch-suggestion", Access::kStaff, GetSuggestion},
      {"GET", "/api/v1/orders/{id}/duplicates", Access::kStaff, GetDuplicates},
      {"POST", "/api/v1/orders/{id}/actions/{action}", Access::kUser, Act},

      {"GET", "/api/v1/units", Access::kStaff, ListUnits},
      {"POST", "/api/v1/units", Access::kAdmin, ImportUnits},
      {"PATCH", "/api/v1/units/{id}", Access::kAdmin, PatchUnit},
      {"GET", "/api/v1/users", Access::kStaff, ListUsers},
      {"POST", "/api/v1/users", Access::kAdmin, ImportUsers},
      {"PATCH", "/api/v1/users/{id}", Access::kAdmin, PatchUser},
      {"POST", "/api/v1/users/{id}/unlock", Access::kAdmin, UnlockUser},

      {"GET", "/api/v1/taxonomy", Access::kUser, GetTaxonomy},
      {"PUT", "/api/v1/taxonomy", Access::kAdmin, PutTaxonomy},
      {"GET", "/api/v1/catalogue", Access::kAdmin, GetCatalogue},
      {"PUT", "/api/v1/catalogue", Access::kAdmin, PutCatalogue},
      {"GET", "/api/v1/deadline-rules", Access::kAdmin, GetRules},
      {"PUT", "/api/v1/deadline-rules", Access::kAdmin, PutRules},
      {"GET", "/api/v1/boundaries", Access::kStaff, GetBoundaries},
      {"PUT", "/api/v1/boundaries", Access::kAdmin, PutBoundaries},
      {"GET", "/api/v1/calendar", Access::kAdmin, GetCalendar},
      {"PUT", "/api/v1/calendar", Access::kAdmin, PutCalendar},
      {"GET", "/api/v1/light-policy", Access::kAdmin, GetLightPolicy},
      {"PUT", "/api/v1/light-policy", Access::kAdmin, PutLightPolicy},
      {"GET", "/api/v1/audit", Access::kStaff, GetAudit},  // admins and supervisors
  };
}

namespace {

// Every route: the core table plus the feature tables.
const std::vector<Route>& AllRoutes() {
  static const std::vector<Route> all = [] {
    std::vector<Route> v = CoreRoutes();
    for (Route& r : KpiRoutes()) v.push_back(r);
    for (Route& r : PlaceRoutes()) v.push_back(r);
    for (Route& r : IntelRoutes()) v.push_back(r);
    for (Route& r : HotspotsRoutes()) v.push_back(r);
    for (Route& r : PublicRoutes()) v.push_back(r);
    for (Route& r : Open311Routes()) v.push_back(r);
    for (Route& r : KbRoutes()) v.push_back(r);
    return v;
  }();
  return all;
}

// Authentication and role gate, then the handler; exceptions become 500.
HttpResponse Run(const Route& route, HotlineService& svc, HttpRequest& req) {
  try {
    Ctx c{req, svc, Actor{}, {}};
    if (route.access != Access::kPublic) {
      c.token = BearerToken(req);
      if (c.token.empty())
        return Fail(Status(Code::kUnauthenticated,
                           "missing \"Authorization: Bearer <token>\" header", "Authorization"));
      auto actor = svc.Authenticate(c.token);
      if (!actor.ok()) return Fail(actor.status());
      c.actor = *actor;
      if (route.access == Access::kStaff && c.actor.role == Role::kCitizen)
        return Fail(Status(Code::kForbidden, "citizens may not use this endpoint"));
      if (route.access == Access::kAdmin && c.actor.role != Role::kAdmin)
        return Fail(Status(Code::kForbidden, "only an admin may use this endpoint"));
    }
    return route.fn(c);
  } catch (const std::exception& e) {
    return Fail(Status(Code::kInternal, std::string("internal error: ") + e.what()));
  }
}

}  // namespace

void RegisterRoutes(Router& router, HotlineService& service) {
  for (const Route& route : AllRoutes()) {
    router.Add(route.method, route.pattern,
               [&route, &service](HttpRequest& req) { return Run(route, service, req); });
  }
}

}  // namespace hotline::api
