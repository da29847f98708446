// Knowledge base routes (issue 17; docs/kb.md "API"): list, search, read, draft, review,
// answer a call from an entry, import and export. Scope and roles are the service's
// (service/hotline_service_kb.cc); here: parse -> service -> render.
#include <string>
#include <unordered_map>

#include "api/route_util.h"

namespace hotline::api::route {
namespace {

using Names = std::unordered_map<std::string, std::string>;

// Staff display names by login: events and versions name their author by login.
Names StaffNames(HotlineService& svc) {
  Names n;
  for (const User& u : svc.Users()) n[u.login] = u.display_name;
  return n;
}

Json RenderKbEntry(HotlineService& svc, const KbEntryView& v, const Names& names) {
  Json j = Json::parse(kb::EntryToJson(v.entry));
  auto name_of = [&](const Json& login) {
    auto it = names.find(login.get<std::string>());
    return it == names.end() ? Json(nullptr) : Json(it->second);
  };
  for (Json& e : j["events"]) e["actor_name"] = name_of(e["actor"]);
  for (Json& e : j["versions"]) e["author_name"] = name_of(e["author"]);
  for (Json& e : j["corrections"]) e["actor_name"] = name_of(e["actor"]);
  auto unit = svc.FindUnitByCode(v.entry.owning_unit);
  j["owning_unit_name"] = unit.ok() ? Json(unit->name) : Json(nullptr);
  j["full"] = v.full;
  if (v.full) j["similar_questions"] = v.questions;
  j["light"] = v.full ? Json(std::string(ToString(v.light))) : Json(nullptr);
  const kb::EntryVersion* live = kb::PublishedVersion(v.entry);
  j["published"] = live
                       ? Json::parse(kb::EntryToJson(kb::Entry{.versions = {*live}}))["versions"][0]
                       : Json(nullptr);
  Json ratings = Json::object();
  for (const auto& [name, n] : v.usage.ratings) ratings[name] = n;
  j["usage"] = {{"answered", v.usage.answered}, {"rated", v.usage.rated}, {"ratings", ratings}};
  return j;
}

// The content fields of a create or update body (errors recorded on `r`).
kb::EntryContent ParseContent(JsonReader& r) {
  kb::EntryContent c;
  c.title = r.String("title", 300).value_or("");
  auto body = r.String("body");
  if (!body && r.ok()) r.Fail("body", "body (the answer as the agent says it) is required");
  c.body = body.value_or("");
  auto strings = [&](const char* key, std::vector<std::string>& out) {
    const Json* a = r.Get(key);
    if (!a) return;
    if (!a->is_array()) return r.Fail(key, std::string(key) + " must be an array of strings");
    for (const Json& s : *a) {
      if (!s.is_string() || s.get<std::string>().empty() || s.get<std::string>().size() > 2000)
        return r.Fail(key, std::string(key) + " must be an array of non-empty strings");
      out.push_back(s.get<std::string>());
    }
  };
  strings("subjects", c.subjects);
  strings("attachments", c.attachments);
  if (const Json* src = r.Object("source")) {
    JsonReader sr(*src, "source.");
    sr.RejectUnknown({"name", "number", "link"});
    c.source.name = sr.String("name", 1000).value_or("");
    c.source.number = sr.String("number", 200).value_or("");
    c.source.link = sr.String("link", 2000).value_or("");
    r.Fail(sr.status());
  }
  c.valid_from = r.Time("valid_from").value_or(0);
  c.valid_until = r.Time("valid_until").value_or(0);
  c.review_due = r.Time("review_due").value_or(0);
  return c;
}

// GET /kb/entries?state=&unit=&mine=
HttpResponse ListEntries(Ctx& c) {
  if (Status st = CheckQuery(c.req, {"state", "unit", "mine"}); !st.ok()) return Fail(st);
  KbListQuery q;
  if (const auto* v = QueryParam(c.req, "state")) {
    auto s = kb::ParseEntryState(*v);
    if (!s.ok())
      return Fail(
          Invalid("state", "state must be draft, submitted, published, expired or withdrawn"));
    q.state = *s;
  }
  if (const auto* v = QueryParam(c.req, "unit")) {
    auto u = c.svc.FindUnitByCode(*v);
    if (!u.ok())
      return Fail(Invalid("unit", "unit: unknown unit code \"" + v->substr(0, 64) + "\""));
    q.unit = *v;
  }
  if (const auto* v = QueryParam(c.req, "mine")) {
    auto b = ParseBool(*v);
    if (!b) return Fail(Invalid("mine", "mine must be true or false"));
    q.mine = *b;
  }
  auto list = c.svc.KbList(c.actor, q);
  if (!list.ok()) return Fail(list.status());
  Json items = Json::array();
  const Names names = StaffNames(c.svc);
  for (const KbEntryView& v : *list) items.push_back(RenderKbEntry(c.svc, v, names));
  return JsonReply(200, Json{{"items", items}, {"total", items.size()}});
}

// GET /kb/search?q=&subject=&unit=&limit=
HttpResponse Search(Ctx& c) {
  if (Status st = CheckQuery(c.req, {"q", "subject", "unit", "limit"}); !st.ok()) return Fail(st);
  const std::string* q = QueryParam(c.req, "q");
  if (!q || q->find_first_not_of(" \t") == std::string::npos)
    return Fail(Invalid("q", "q (the caller's words) is required"));
  if (q->size() > 2000) return Fail(Invalid("q", "q is longer than 2000 bytes"));
  kb::SearchOptions opt;
  opt.limit = 5;
  if (const auto* v = QueryParam(c.req, "limit")) {
    auto n = ParseInt(*v);
    if (!n || *n < 1 || *n > 50) return Fail(Invalid("limit", "limit must be 1 to 50"));
    opt.limit = static_cast<size_t>(*n);
  }
  if (const auto* v = QueryParam(c.req, "subject")) opt.subject = *v;
  if (const auto* v = QueryParam(c.req, "unit")) {
    if (!c.svc.FindUnitByCode(*v).ok())
      return Fail(Invalid("unit", "unit: unknown unit code \"" + v->substr(0, 64) + "\""));
    opt.unit = *v;
  }
  auto hits = c.svc.KbSearch(c.actor, *q, opt);
  if (!hits.ok()) return Fail(hits.status());
  Json items = Json::array();
  const Names names = StaffNames(c.svc);
  for (const KbHitView& h : *hits) {
    Json j = RenderKbEntry(c.svc, h.view, names);
    j["score"] = h.hit.score;
    j["snippet"] = h.hit.snippet;
    j["snippet_html"] = kb::MarkedSnippetHtml(h.hit);
    items.push_back(std::move(j));
  }
  return JsonReply(200, Json{{"items", items}});
}

HttpResponse GetEntry(Ctx& c) {
  auto v = c.svc.KbGet(c.actor, c.req.params["id"]);
  if (!v.ok()) return Fail(v.status());
  return JsonReply(200, RenderKbEntry(c.svc, *v, StaffNames(c.svc)));
}

// POST /kb/entries {id?, owning_unit?, title, body, subjects, source, valid_*, review_due, ...}
HttpResponse CreateEntry(Ctx& c) {
  auto body = ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());
  JsonReader r(*body);
  r.RejectUnknown({"id", "owning_unit", "title", "body", "subjects", "source", "valid_from",
                   "valid_until", "review_due", "attachments"});
  const std::string id = r.String("id", 64).value_or("");
  const std::string unit = r.String("owning_unit", 64).value_or("");
  kb::EntryContent content = ParseContent(r);
  if (!r.ok()) return Fail(r.status());
  auto v = c.svc.KbCreate(c.actor, id, unit, content);
  if (!v.ok()) return Fail(v.status());
  return JsonReply(201, RenderKbEntry(c.svc, *v, StaffNames(c.svc)));
}

// PUT /kb/entries/{id} {content fields..., expected_version}: a new version in draft.
HttpResponse UpdateEntry(Ctx& c) {
  auto body = ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());
  JsonReader r(*body);
  r.RejectUnknown({"title", "body", "subjects", "source", "valid_from", "valid_until", "review_due",
                   "attachments", "expected_version", "note"});
  kb::EntryRequest req;
  req.action = kb::EntryAction::kUpdate;
  req.content = ParseContent(r);
  req.expected_version = static_cast<int>(r.Int("expected_version", 1, 1 << 30).value_or(0));
  req.note = r.String("note", 2000).value_or("");
  if (!r.ok()) return Fail(r.status());
  auto v = c.svc.KbAct(c.actor, c.req.params["id"], req);
  if (!v.ok()) return Fail(v.status());
  return JsonReply(200, RenderKbEntry(c.svc, *v, StaffNames(c.svc)));
}

// POST /kb/entries/{id}/actions/{action} {note, expected_version}
HttpResponse ActOnEntry(Ctx& c) {
  static const std::pair<const char*, kb::EntryAction> kActions[] = {
      {"submit", kb::EntryAction::kSubmit}, {"publish", kb::EntryAction::kPublish},
      {"return", kb::EntryAction::kReturn}, {"withdraw", kb::EntryAction::kWithdraw},
      {"expire", kb::EntryAction::kExpire}, {"correction", kb::EntryAction::kCorrection}};
  const std::string& name = c.req.params["action"];
  std::optional<kb::EntryAction> action;
  for (const auto& [n, a] : kActions)
    if (name == n) action = a;
  if (!action)
    return Fail(Status(Code::kNotFound,
                       "unknown action \"" + name.substr(0, 64) +
                           "\" (expected submit, publish, return, withdraw, expire or correction)",
                       "action"));
  Json empty = Json::object();
  Result<Json> body = c.req.body.empty() ? Result<Json>(empty) : ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());
  JsonReader r(*body);
  r.RejectUnknown({"note", "expected_version"});
  kb::EntryRequest req;
  req.action = *action;
  req.note = r.String("note", 2000).value_or("");
  req.expected_version = static_cast<int>(r.Int("expected_version", 1, 1 << 30).value_or(0));
  if (!r.ok()) return Fail(r.status());
  auto v = c.svc.KbAct(c.actor, c.req.params["id"], req);
  if (!v.ok()) return Fail(v.status());
  return JsonReply(200, RenderKbEntry(c.svc, *v, StaffNames(c.svc)));
}

// POST /kb/entries/{id}/answer {order, version?, question?}: the call answered from the entry.
HttpResponse AnswerFromEntry(Ctx& c) {
  auto body = ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());
  JsonReader r(*body);
  r.RejectUnknown({"order", "version", "question"});
  std::optional<Id> order;
  if (const Json* o = r.Get("order")) {
    if (o->is_number_integer() && o->get<std::int64_t>() > 0) {
      order = o->get<Id>();
    } else if (o->is_string()) {
      auto id = ResolveOrder(c.svc, o->get<std::string>(), "order");
      if (!id.ok()) return Fail(id.status());
      order = *id;
    } else {
      r.Fail("order", "order must be an order id or number");
    }
  } else {
    r.Fail("order", "order (the call being answered) is required");
  }
  const int version = static_cast<int>(r.Int("version", 1, 1 << 30).value_or(0));
  const std::string question = r.String("question", 4000).value_or("");
  if (!r.ok()) return Fail(r.status());
  auto view = c.svc.KbAnswer(c.actor, *order, c.req.params["id"], version, question);
  if (!view.ok()) return Fail(view.status());
  return JsonReply(200, RenderOrder(c.svc, *view));
}

// POST /kb/import?publish=  (text/csv, xlsx (application/vnd.openxmlformats-officedocument.
// spreadsheetml.sheet) or a JSON array; the columns of kb/entry_io.h)
HttpResponse Import(Ctx& c) {
  if (Status st = CheckQuery(c.req, {"publish"}); !st.ok()) return Fail(st);
  bool publish = false;
  if (const auto* v = QueryParam(c.req, "publish")) {
    auto b = ParseBool(*v);
    if (!b) return Fail(Invalid("publish", "publish must be true or false"));
    publish = *b;
  }
  std::vector<kb::RowError> errors;
  const std::string type = Lower(c.req.Header("content-type"));
  const char* format = IsCsv(c.req)                                      ? "csv"
                       : type.find("spreadsheetml") != std::string::npos ? "xlsx"
                                                                         : "json";
  auto out = c.svc.KbImport(c.actor, c.req.body, format, publish, &errors);
  if (!out.ok()) {
    if (errors.empty()) return Fail(out.status());
    std::vector<ImportError> rows;
    for (const auto& e : errors) rows.push_back({static_cast<int>(e.row), e.field, e.message});
    return FailRows(out.status(), rows);
  }
  Json ids = Json::array();
  for (const KbEntryView& v : *out) ids.push_back(v.entry.id);
  return JsonReply(201, Json{{"imported", ids.size()}, {"ids", ids}});
}

// GET /kb/export?format=csv|json
HttpResponse Export(Ctx& c) {
  if (Status st = CheckQuery(c.req, {"format"}); !st.ok()) return Fail(st);
  bool csv = true;
  if (const auto* v = QueryParam(c.req, "format")) {
    if (*v == "json")
      csv = false;
    else if (*v != "csv")
      return Fail(Invalid("format", "format must be csv or json"));
  }
  auto text = c.svc.KbExport(c.actor, csv);
  if (!text.ok()) return Fail(text.status());
  HttpResponse resp;
  resp.status = 200;
  resp.content_type = csv ? "text/csv; charset=utf-8" : "application/json";
  resp.body = std::move(*text);
  return resp;
}

// GET /public/kb?q=&limit= (no login): the FAQ page. Published entries only, public fields only;
// rate-limited with the other /public routes.
HttpResponse PublicFaq(Ctx& c) {
  if (!AllowPublic(c.req.remote)) return TooManyPublic();
  if (Status st = CheckQuery(c.req, {"q", "limit"}); !st.ok()) return Fail(st);
  std::string q;
  if (const auto* v = QueryParam(c.req, "q")) q = *v;
  if (q.size() > 500) return Fail(Invalid("q", "q is longer than 500 bytes"));
  size_t limit = 20;
  if (const auto* v = QueryParam(c.req, "limit")) {
    auto n = ParseInt(*v);
    if (!n || *n < 1 || *n > 50) return Fail(Invalid("limit", "limit must be 1 to 50"));
    limit = static_cast<size_t>(*n);
  }
  Json items = Json::array();
  for (const KbHitView& h : c.svc.KbPublic(q, limit)) {
    const kb::EntryVersion* live = kb::PublishedVersion(h.view.entry);
    if (live == nullptr) continue;
    const kb::EntryContent& ct = live->content;
    auto unit = c.svc.FindUnitByCode(h.view.entry.owning_unit);
    Json j{{"id", h.view.entry.id},
           {"title", ct.title},
           {"body", ct.body},
           {"subjects", ct.subjects},
           {"source",
            {{"name", ct.source.name}, {"number", ct.source.number}, {"link", ct.source.link}}},
           {"unit_name", unit.ok() ? Json(unit->name) : Json(nullptr)},
           {"valid_until", ct.valid_until ? Json(FormatTime(ct.valid_until)) : Json(nullptr)},
           {"updated_at", FormatTime(live->created_at)}};
    if (!q.empty()) j["snippet_html"] = kb::MarkedSnippetHtml(h.hit);
    items.push_back(std::move(j));
  }
  return JsonReply(200, Json{{"items", items}});
}

}  // namespace

std::vector<Route> KbRoutes() {
  return {
      {"GET", "/api/v1/kb/entries", Access::kStaff, ListEntries},
      {"POST", "/api/v1/kb/entries", Access::kStaff, CreateEntry},
      {"GET", "/api/v1/kb/entries/{id}", Access::kStaff, GetEntry},
      {"PUT", "/api/v1/kb/entries/{id}", Access::kStaff, UpdateEntry},
      {"POST", "/api/v1/kb/entries/{id}/actions/{action}", Access::kStaff, ActOnEntry},
      {"POST", "/api/v1/kb/entries/{id}/answer", Access::kStaff, AnswerFromEntry},
      {"GET", "/api/v1/kb/search", Access::kStaff, Search},
      {"POST", "/api/v1/kb/import", Access::kStaff, Import},
      {"GET", "/api/v1/kb/export", Access::kStaff, Export},
      {"GET", "/api/v1/public/kb", Access::kPublic, PublicFaq},
  };
}

}  // namespace hotline::api::route
