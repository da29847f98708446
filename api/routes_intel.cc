// Routes of the intelligence helper (docs/dispatch.md): the classifier and its hot swap, the
// auto_dispatch configuration document, and the agent console's POST /suggest.
#include <string>
#include <vector>

#include "api/json_codec.h"
#include "api/route_util.h"

namespace hotline::api {
namespace {

using namespace route;  // NOLINT: the handlers are written against the shared helpers

Json RenderClassifier(const std::optional<ClassifierInfo>& c) {
  if (!c) return nullptr;
  return Json{{"model", c->model},
              {"algorithm", c->algorithm},
              {"labels", c->labels},
              {"path", c->path.empty() ? Json(nullptr) : Json(c->path)},
              {"loaded_at", FormatTime(c->loaded_at)}};
}

// The subject model's fields at the top (the contract's shape), both models below.
Json RenderClassifiers(const ClassifiersInfo& info) {
  Json j;
  const auto& top = info.subject ? info.subject : info.nature;
  j["model"] = top ? Json(top->model) : Json(nullptr);
  j["algorithm"] = top ? Json(top->algorithm) : Json(nullptr);
  j["labels"] = top ? top->labels : 0;
  j["loaded_at"] = top ? Json(FormatTime(top->loaded_at)) : Json(nullptr);
  j["dir"] = info.dir.empty() ? Json(nullptr) : Json(info.dir);
  j["subject"] = RenderClassifier(info.subject);
  j["nature"] = RenderClassifier(info.nature);
  return j;
}

HttpResponse GetClassifier(Ctx& c) {
  if (auto st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  return JsonReply(200, RenderClassifiers(c.svc.Classifiers()));
}

HttpResponse ReloadClassifier(Ctx& c) {
  if (auto st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  auto body = ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());
  JsonReader r(*body);
  r.RejectUnknown({"path"});
  std::string path = r.String("path").value_or("");
  if (r.ok() && r.Get("path") && path.empty()) r.Fail("path", "path must not be empty");
  if (!r.ok()) return Fail(r.status());
  auto info = c.svc.ReloadClassifiers(c.actor, path);
  if (!info.ok()) return Fail(info.status());
  return JsonReply(200, RenderClassifiers(*info));
}

HttpResponse GetAutoDispatch(Ctx& c) {
  if (auto st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  return HttpResponse::Json(200, c.svc.AutoDispatchJson());
}

HttpResponse PutAutoDispatch(Ctx& c) {
  if (auto st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  if (auto st = c.svc.PutAutoDispatchJson(c.actor, c.req.body); !st.ok()) return Fail(st);
  return HttpResponse::Json(200, c.svc.AutoDispatchJson());
}

Json Guess(const SubjectGuess& g) {
  return Json{{"code", g.code}, {"name", g.name}, {"confidence", g.confidence}};
}

HttpResponse Suggest(Ctx& c) {
  if (auto st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  auto body = ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());
  JsonReader r(*body);
  r.RejectUnknown({"title", "content", "place", "caller", "channel", "nature", "subject_code"});
  IntakeRequest req;
  req.title = r.String("title", 400).value_or("");
  req.content = r.String("content", kMaxContentBytes).value_or("");
  req.channel = r.Enum<Channel>("channel").value_or(Channel::kHotline);
  req.nature = r.Enum<Nature>("nature");
  req.subject_code = r.String("subject_code").value_or("");
  if (const Json* caller = r.Object("caller")) {
    JsonReader cr(*caller, "caller.");
    cr.RejectUnknown({"name", "phone", "id_no"});
    req.caller_phone = cr.String("phone").value_or("");
    r.Fail(cr.status());
  }
  ParsePlace(r, c.svc, req);
  if (!r.ok()) return Fail(r.status());

  auto s = c.svc.Suggest(c.actor, req);
  if (!s.ok()) return Fail(s.status());
  Json j;
  j["model"] = s->model.empty() ? Json(nullptr) : Json(s->model);
  j["nature_model"] = s->nature_model.empty() ? Json(nullptr) : Json(s->nature_model);
  if (s->nature) {
    j["nature"] = {{"value", std::string(ToString(s->nature->value))},
                   {"label_zh", std::string(ZhLabel(s->nature->value))},
                   {"confidence", s->nature->confidence}};
  } else {
    j["nature"] = nullptr;
  }
  j["subject"] = s->subject ? Guess(*s->subject) : Json(nullptr);
  Json alts = Json::array();
  for (const SubjectGuess& g : s->alternatives) alts.push_back(Guess(g));
  j["alternatives"] = std::move(alts);
  if (s->dispatch && s->dispatch->lead_unit_id) {
    Json assist = Json::array();
    for (Id u : s->dispatch->assist_unit_ids) assist.push_back(UnitRef(c.svc, u));
    j["dispatch"] = {
        {"lead_unit", UnitRef(c.svc, s->dispatch->lead_unit_id)},
        {"assist_units", std::move(assist)},
        {"rule_id", s->dispatch->rule_id ? Json(*s->dispatch->rule_id) : Json(nullptr)},
        {"rule", s->dispatch->reason},
        {"auto", s->auto_dispatch}};
  } else {
    j["dispatch"] = nullptr;
  }
  j["auto_dispatch"] = {{"auto", s->auto_dispatch}, {"reason", s->auto_reason}};
  j["duplicates"] = RenderDuplicates(s->duplicates);
  Json history = Json::array();
  for (const WorkOrder& o : s->caller_history) {
    history.push_back({{"id", o.id},
                       {"no", o.no},
                       {"title", o.title},
                       {"state", std::string(ToString(o.state))},
                       {"state_label", std::string(ZhLabel(o.state))},
                       {"created_at", FormatTime(o.created_at)}});
  }
  j["caller_history"] = std::move(history);
  return JsonReply(200, j);
}

}  // namespace

std::vector<route::Route> route::IntelRoutes() {
  return {
      {"GET", "/api/v1/classifier", Access::kStaff, GetClassifier},
      {"POST", "/api/v1/classifier/reload", Access::kAdmin, ReloadClassifier},
      {"GET", "/api/v1/config/auto-dispatch", Access::kAdmin, GetAutoDispatch},
      {"PUT", "/api/v1/config/auto-dispatch", Access::kAdmin, PutAutoDispatch},
      {"POST", "/api/v1/suggest", Access::kStaff, Suggest},
  };
}

}  // namespace hotline::api
