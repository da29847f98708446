// Intelligence at intake (docs/dispatch.md): the classifier models and their hot swap, the
// suggestion stored on every order, auto-dispatch above a confidence threshold through the
// normal workflow, the auto_dispatch configuration document and the agent console's /suggest.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

#include "classify/classifier.h"
#include "service/hotline_service.h"
#include "service/pii.h"
#include "service/service_impl.h"

namespace hotline {

using nlohmann::json;

namespace {

constexpr const char* kAutoDispatchKey = "auto_dispatch";
constexpr const char* kSubjectFile = "subject.bin";
constexpr const char* kNatureFile = "nature.bin";
constexpr int kTopK = 3;
constexpr int kHistoryLimit = 10;

bool Blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// The first `n` code points of UTF-8 text: intake's default title, so /suggest classifies the
// same text intake will.
std::string Utf8Prefix(std::string_view s, size_t n) {
  size_t i = 0;
  for (size_t count = 0; i < s.size() && count < n; ++count) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  }
  return std::string(s.substr(0, std::min(i, s.size())));
}

// ---- the auto_dispatch document ----

json AutoDispatchToJson(const AutoDispatchPolicy& p) {
  return {{"enabled", p.enabled}, {"min_confidence", p.min_confidence}};
}

// Fields left out keep their current value.
Status AutoDispatchFromJson(const std::string& text, AutoDispatchPolicy& p) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Invalid("body", "not valid JSON");
  if (!j.is_object()) return Invalid("body", "a JSON object is expected");
  for (const auto& [key, value] : j.items())
    if (key != "enabled" && key != "min_confidence")
      return Invalid(key, "unknown field " + key + " (expected enabled, min_confidence)");
  if (auto it = j.find("enabled"); it != j.end()) {
    if (!it->is_boolean()) return Invalid("enabled", "enabled must be true or false");
    p.enabled = it->get<bool>();
  }
  if (auto it = j.find("min_confidence"); it != j.end()) {
    if (!it->is_number()) return Invalid("min_confidence", "min_confidence must be a number");
    double v = it->get<double>();
    if (!(v > 0 && v <= 1))
      return Invalid("min_confidence", "min_confidence must be in (0, 1] (got " + it->dump() + ")");
    p.min_confidence = v;
  }
  return {};
}

std::string RenderAutoDispatch(const Config& c, const Directory&) {
  return AutoDispatchToJson(c.auto_dispatch).dump();
}

// ---- models ----

bool IsSubjectCode(std::string_view s) {
  if (s.empty() || s.size() > 6 || s.size() % 2) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

ClassifierInfo InfoOf(const classify::Classifier& c, std::string path, Timestamp now) {
  return {c.version(), std::string(c.algorithm()), static_cast<int>(c.labels().size()),
          std::move(path), now};
}

// Loads <dir>/subject.bin and <dir>/nature.bin (each when present). All errors name "path".
Result<std::shared_ptr<IntelModels>> LoadModels(const std::string& dir, Timestamp now) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (dir.empty()) return Invalid("path", "the model directory is empty");
  if (!fs::is_directory(dir, ec))
    return Invalid("path", "no model directory " + dir + " (it should hold " + kSubjectFile +
                               " and/or " + kNatureFile + ")");
  auto m = std::make_shared<IntelModels>();
  bool any = false;
  for (const char* name : {kSubjectFile, kNatureFile}) {
    std::string path = (fs::path(dir) / name).string();
    if (!fs::exists(path, ec)) continue;
    any = true;
    auto c = classify::LoadClassifier(path);
    if (!c.ok()) {
      const std::string& why = c.status().message();
      return Invalid("path", why.find(path) != std::string::npos ? why : path + ": " + why);
    }
    std::shared_ptr<const classify::Classifier> model(std::move(c).value());
    bool subject = name == kSubjectFile;
    for (const std::string& label : model->labels()) {
      bool fits = subject ? IsSubjectCode(label) : Parse<Nature>(label).has_value();
      if (!fits)
        return Invalid("path", path + ": label \"" + label.substr(0, 40) + "\" is not a " +
                                   (subject ? "subject code" : "nature") +
                                   " (is this model in the right file?)");
    }
    if (subject) {
      m->subject_info = InfoOf(*model, path, now);
      m->subject = std::move(model);
    } else {
      m->nature_info = InfoOf(*model, path, now);
      m->nature = std::move(model);
    }
  }
  if (!any)
    return Invalid(
        "path", "neither " + std::string(kSubjectFile) + " nor " + kNatureFile + " is in " + dir);
  return m;
}

// The classifiers' answer for one text.
struct Guesses {
  std::string model, nature_model;
  std::optional<NatureGuess> nature;
  std::vector<SubjectGuess> subjects;  // top 3 known to the taxonomy, most probable first
};

Guesses Classify(const IntelModels& m, const Config& cfg, const std::string& normalized) {
  Guesses g;
  if (m.subject) {
    g.model = m.subject->version();
    // Ask for a few more than shown: labels the taxonomy no longer has are skipped.
    for (const classify::Prediction& p : m.subject->Predict(normalized, kTopK + 2)) {
      const Subject* s = cfg.FindSubject(p.label);
      if (!s) continue;
      g.subjects.push_back({s->code, s->name, p.probability});
      if (g.subjects.size() == kTopK) break;
    }
  }
  if (m.nature) {
    g.nature_model = m.nature->version();
    auto top = m.nature->Predict(normalized, 1);
    if (!top.empty())
      if (auto n = Parse<Nature>(top.front().label))
        g.nature = NatureGuess{*n, top.front().probability};
  }
  return g;
}

std::string FormatConfidence(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

// ---- the decision ----

namespace {

struct Decision {
  bool automatic = false;
  std::string reason;
  DispatchSuggestion dispatch;  // from the catalogue, for the predicted (or given) subject
  bool has_dispatch = false;
};

// Everything intake and /suggest need: guesses, the catalogue's proposal and whether intake
// would dispatch by itself. `o` is the order as it would be stored (id 0 before storing).
struct IntelDecision {
  Guesses guesses;
  Decision decision;
};

// What Decide reads besides the request.
struct IntelEnv {
  const Directory& dir;
  const DuplicateIndex& duplicates;
  Store& store;
  Timestamp now;
};

IntelDecision Decide(const IntelEnv& m, const Config& cfg, Guesses guesses, const IntakeRequest& r,
                     const WorkOrder& o, const std::string& normalized) {
  IntelDecision out;
  out.guesses = std::move(guesses);
  const Guesses& g = out.guesses;
  Decision& d = out.decision;
  const SubjectGuess* top = g.subjects.empty() ? nullptr : &g.subjects.front();
  // The dispatch proposal: for the agent's subject when given, else the predicted one.
  std::string subject = !r.subject_code.empty() ? r.subject_code : top ? top->code : "";
  if (!subject.empty()) {
    WorkOrder probe = o;
    probe.subject_code = subject;
    d.dispatch = SuggestFromCatalogue(cfg, probe);
    d.has_dispatch = true;
    if (d.dispatch.lead_unit_id) std::erase(d.dispatch.assist_unit_ids, *d.dispatch.lead_unit_id);
  }
  const AutoDispatchPolicy& p = cfg.auto_dispatch;
  auto no = [&](std::string why) {
    d.automatic = false;
    d.reason = std::move(why);
    return out;
  };
  if (!p.enabled) return no("auto-dispatch is switched off");
  if (r.received_at) return no("imported appeals are not dispatched automatically");
  if (!top) return no("no subject suggestion (no subject model loaded)");
  if (o.nature == Nature::kConsultation)
    return no("consultations are answered by the agent or dispatched by hand");
  if (!r.subject_code.empty() && r.subject_code != top->code)
    return no("the agent chose subject " + r.subject_code);
  if (top->confidence < p.min_confidence)
    return no("confidence " + FormatConfidence(top->confidence) + " is below the threshold " +
              FormatConfidence(p.min_confidence));
  if (!d.dispatch.lead_unit_id) return no(d.dispatch.reason);
  auto lead = m.dir.Unit_(*d.dispatch.lead_unit_id);
  if (!lead || !lead->active) return no("the catalogue's lead unit is unknown or inactive");
  bool pushed_down = lead->kind == UnitKind::kStreet || lead->kind == UnitKind::kCommunity ||
                     lead->kind == UnitKind::kGrid;
  if (pushed_down && cfg.IsDepartmentMatter(top->code))
    return no("subject " + top->code + " is a department matter; the catalogue would push it down");
  // A likely repeat is for the dispatcher to merge (并单), not to send out twice.
  for (const DuplicateCandidate& c :
       m.duplicates.Find(o, DuplicateIndex::Fingerprint(normalized), m.now)) {
    if (c.reason.find("similar_text") == std::string::npos) continue;
    auto other = m.store.GetOrder(c.order_id);
    if (other.ok() && !IsTerminal(other->state))
      return no("possible repeat of order " + other->no + "; merge or dispatch by hand");
  }
  d.automatic = true;
  d.reason = "confidence " + FormatConfidence(top->confidence) + " >= threshold " +
             FormatConfidence(p.min_confidence) + "; " + d.dispatch.reason;
  return out;
}

std::string NormalizedText(const text::Normalizer& n, const WorkOrder& o) {
  return n.Normalize(o.title + "\n" + o.content);
}

}  // namespace

Status HotlineService::Impl::OpenIntel(Config& cfg) {
  HOTLINE_ASSIGN_OR_RETURN(auto doc, store.GetDocument(kAutoDispatchKey));
  if (doc) {
    Status st = AutoDispatchFromJson(*doc, cfg.auto_dispatch);
    if (!st.ok()) return Status(Code::kInternal, "stored auto_dispatch: " + st.ToString());
  }
  if (!options.model_dir.empty()) {
    auto loaded = LoadModels(options.model_dir, clock.Now());
    if (!loaded.ok()) return Invalid("model_dir", loaded.status().message());
    models = *loaded;
  }
  model_dir = options.model_dir;
  return {};
}

void HotlineService::Impl::SuggestAtIntake(const IntakeRequest& r, WorkOrder& o) const {
  auto m = CurrentModels();
  if (!m->subject && !m->nature) return;
  auto cfg = Cfg();
  const std::string normalized = NormalizedText(*normalizer, o);
  IntelDecision x = Decide({dir, duplicates, store, clock.Now()}, *cfg,
                           Classify(*m, *cfg, normalized), r, o, normalized);
  if (x.decision.has_dispatch) InOrdersDistrict(o, x.decision.dispatch);
  const Guesses& g = x.guesses;
  json s;
  s["model"] = g.model.empty() ? json(nullptr) : json(g.model);
  s["nature_model"] = g.nature_model.empty() ? json(nullptr) : json(g.nature_model);
  s["nature"] = g.nature ? json(ToString(g.nature->value)) : json(nullptr);
  s["nature_confidence"] = g.nature ? json(g.nature->confidence) : json(nullptr);
  s["subject_code"] = g.subjects.empty() ? json(nullptr) : json(g.subjects.front().code);
  s["confidence"] = g.subjects.empty() ? json(nullptr) : json(g.subjects.front().confidence);
  json alts = json::array();
  for (const SubjectGuess& a : g.subjects)
    alts.push_back({{"code", a.code}, {"name", a.name}, {"confidence", a.confidence}});
  s["alternatives"] = std::move(alts);
  const Decision& d = x.decision;
  if (d.has_dispatch && d.dispatch.lead_unit_id) {
    s["dispatch"] = {{"lead_unit_id", *d.dispatch.lead_unit_id},
                     {"assist_unit_ids", d.dispatch.assist_unit_ids},
                     {"rule_id", d.dispatch.rule_id ? json(*d.dispatch.rule_id) : json(nullptr)},
                     {"rule", d.dispatch.reason}};
  } else {
    s["dispatch"] = nullptr;
  }
  s["threshold"] = cfg->auto_dispatch.min_confidence;
  s["decision"] = d.automatic ? "auto" : "review";
  s["reason"] = d.reason;
  s["auto_dispatched"] = false;
  o.suggestion_json = s.dump();
}

void HotlineService::Impl::AutoDispatch(const IntakeRequest& r, WorkOrder& o) {
  (void)r;
  if (o.suggestion_json.empty() || o.state != State::kReceived) return;
  json s = json::parse(o.suggestion_json, nullptr, false);
  if (!s.is_object() || s.value("decision", "") != "auto") return;
  const json& d = s["dispatch"];
  if (!d.is_object() || !s["subject_code"].is_string()) return;
  auto cfg = Cfg();
  ActionInput in;
  in.action = Action::kDispatch;
  in.subject_code = s["subject_code"].get<std::string>();
  in.lead_unit_id = d.value("lead_unit_id", Id{0});
  in.assist_unit_ids = d.value("assist_unit_ids", std::vector<Id>{});
  in.text = "自动派单";
  ToFirstHop(in);  // in a city store: the district's office when the rule points into it
  // The system actor: a dispatcher of the hotline centre, with no user.
  Actor system{0, Role::kDispatcher, 0};
  if (auto centre = dir.UnitByCode("CENTER")) system.unit_id = centre->id;
  auto t = Plan(o, in, system, Ctx(*cfg));
  if (!t.ok()) return;  // the order stays in the review queue with its suggestion
  s["auto_dispatched"] = true;
  t->next.suggestion_json = s.dump();
  t->event.user_id.reset();
  t->event.unit_id = system.unit_id ? std::optional<Id>(system.unit_id) : std::nullopt;
  t->event.text = "自动派单：" + s.value("reason", std::string());
  json data = json::parse(t->event.data_json, nullptr, false);
  if (!data.is_object()) data = json::object();
  data["auto"] = true;
  data["model"] = s["model"];
  data["confidence"] = s["confidence"];
  data["threshold"] = s["threshold"];
  data["subject_code"] = s["subject_code"];
  data["rule_id"] = d.value("rule_id", json(nullptr));
  data["rule"] = d.value("rule", std::string());
  t->event.data_json = data.dump();
  std::vector<AccessGrant> grants = GrantsFor(*in.lead_unit_id, kAccessLead);
  for (Id a : in.assist_unit_ids)
    for (const AccessGrant& g : GrantsFor(a, kAccessAssist)) grants.push_back(g);
  if (!store.TransitionOrder(t->next, o.state, o.version, t->event, grants).ok()) return;
  KpiCommitted(&o, t->next, t->event);  // the caller (Intake) holds feed_gate
  o = std::move(t->next);
}

// ---- public methods ----

ClassifiersInfo HotlineService::Classifiers() const {
  ClassifiersInfo info;
  auto m = impl_->CurrentModels();
  {
    std::lock_guard lock(impl_->models_mu);
    info.dir = impl_->model_dir;
  }
  info.subject = m->subject_info;
  info.nature = m->nature_info;
  return info;
}

Result<ClassifiersInfo> HotlineService::ReloadClassifiers(const Actor& a, const std::string& dir) {
  Impl& m = *impl_;
  HOTLINE_RETURN_IF_ERROR(m.RequireRole(a, {Role::kAdmin}, "reload the classifier"));
  std::lock_guard reload(m.reload_mu);
  std::string from = dir;
  if (from.empty()) {
    std::lock_guard lock(m.models_mu);
    from = m.model_dir;
  }
  if (from.empty())
    return Invalid("path",
                   "no model directory was given at start (--model-dir); name one in \"path\"");
  HOTLINE_ASSIGN_OR_RETURN(auto loaded, LoadModels(from, m.clock.Now()));
  std::string detail = from;
  if (loaded->subject_info) detail += " subject=" + loaded->subject_info->model;
  if (loaded->nature_info) detail += " nature=" + loaded->nature_info->model;
  HOTLINE_RETURN_IF_ERROR(
      m.store.AppendAudit({m.clock.Now(), a.user_id, "reload_classifier", std::nullopt, detail}));
  {
    std::lock_guard lock(m.models_mu);
    m.models = std::move(loaded);
    m.model_dir = from;
  }
  return Classifiers();
}

void HotlineService::SetClassifiers(std::shared_ptr<const classify::Classifier> subject,
                                    std::shared_ptr<const classify::Classifier> nature) {
  auto m = std::make_shared<IntelModels>();
  Timestamp now = impl_->clock.Now();
  if (subject) m->subject_info = InfoOf(*subject, "", now);
  if (nature) m->nature_info = InfoOf(*nature, "", now);
  m->subject = std::move(subject);
  m->nature = std::move(nature);
  std::lock_guard lock(impl_->models_mu);
  impl_->models = std::move(m);
}

Result<SuggestResult> HotlineService::Suggest(const Actor& a, const IntakeRequest& r) {
  Impl& m = *impl_;
  if (a.role == Role::kCitizen)
    return Status(Code::kForbidden, "role citizen may not ask for suggestions");
  if (Blank(r.title) && Blank(r.content))
    return Invalid("content", "type the appeal's title or content first");
  if (r.content.size() > 20000) return Invalid("content", "content is longer than 20000 bytes");
  if (r.title.size() > 400) return Invalid("title", "title is longer than 400 bytes");
  if (!r.subject_code.empty() && !m.Cfg()->FindSubject(r.subject_code))
    return Invalid("subject_code", "unknown subject " + r.subject_code);
  WorkOrder o;
  HOTLINE_RETURN_IF_ERROR(m.ResolvePlace(r, &o.place));
  o.title = Blank(r.title) ? Utf8Prefix(r.content, 24) : r.title;
  o.content = r.content;
  o.caller_phone = HalfWidthDigits(r.caller_phone);
  o.created_at = m.clock.Now();
  o.channel = r.channel;
  o.subject_code = r.subject_code;

  auto cfg = m.Cfg();
  auto models = m.CurrentModels();
  const std::string normalized = NormalizedText(*m.normalizer, o);
  // The nature for the decision: the agent's, else the predicted one.
  Guesses pre = Classify(*models, *cfg, normalized);
  o.nature = r.nature ? *r.nature : pre.nature ? pre.nature->value : Nature::kConsultation;
  IntelDecision x =
      Decide({m.dir, m.duplicates, m.store, m.clock.Now()}, *cfg, std::move(pre), r, o, normalized);

  SuggestResult res;
  res.model = x.guesses.model;
  res.nature_model = x.guesses.nature_model;
  res.nature = x.guesses.nature;
  if (!x.guesses.subjects.empty()) res.subject = x.guesses.subjects.front();
  res.alternatives = x.guesses.subjects;
  if (x.decision.has_dispatch) res.dispatch = x.decision.dispatch;
  res.auto_dispatch = x.decision.automatic;
  res.auto_reason = x.decision.reason;
  // The same matter at the same place counts the confident guess as the subject, as intake does
  // with the stored suggestion (Impl::DuplicateMatterOf).
  WorkOrder probe = o;
  if (probe.subject_code.empty() && res.subject &&
      res.subject->confidence >= cfg->auto_dispatch.min_confidence)
    probe.subject_code = res.subject->code;
  res.duplicates = m.Duplicates(a, probe, m.Fingerprint(o));
  if (!o.caller_phone.empty() && ValidatePhone("caller.phone", o.caller_phone).ok()) {
    OrderQuery q;
    q.caller_phone = o.caller_phone;
    q.limit = kHistoryLimit;
    auto page = ListOrders(a, q);  // scoped to the actor, masked
    if (page.ok())
      for (OrderView& v : page->items) res.caller_history.push_back(std::move(v.order));
  }
  return res;
}

std::string HotlineService::AutoDispatchJson() const {
  return RenderAutoDispatch(*config(), impl_->dir);
}

Status HotlineService::PutAutoDispatchJson(const Actor& a, const std::string& text) {
  return impl_->UpdateConfig(
      a, kAutoDispatchKey, [&](Config& c) { return AutoDispatchFromJson(text, c.auto_dispatch); },
      RenderAutoDispatch);
}

}  // namespace hotline
