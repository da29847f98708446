#include "service/hotline_service.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <unordered_map>

#include "geo/coords.h"
#include "geo/geojson.h"
#include "geo/grid_index.h"
#include "service/calendar_json.h"
#include "service/org_import.h"
#include "service/password.h"
#include "service/pii.h"
#include "service/service_impl.h"
#include "text/normalize.h"
#include "text/pii_detect.h"
#include "text/title.h"

namespace hotline {

using nlohmann::json;

const Subject* Config::FindSubject(std::string_view code) const {
  for (const Subject& s : subjects)
    if (s.code == code) return &s;
  return nullptr;
}

bool Config::IsDepartmentMatter(std::string_view code) const {
  for (const Subject* s = FindSubject(code); s; s = FindSubject(s->parent_code))
    if (s->department_matter) return true;
  return false;
}

namespace {

constexpr const char* kTaxonomyKey = "taxonomy";
constexpr const char* kCatalogueKey = "catalogue";
constexpr const char* kRulesKey = "deadline_rules";
constexpr const char* kCalendarKey = "calendar";
constexpr const char* kLightKey = "light_policy";
constexpr const char* kBoundariesKey = "boundaries";

bool Blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// Whether a search text is personal data: a number the PII patterns know, or a run of 7 or
// more digits (a phone or ID number typed in part).
bool LooksPersonal(std::string_view q) {
  if (!text::FindPii(q).empty()) return true;
  const std::string digits = HalfWidthDigits(q);
  int run = 0;
  for (char c : digits) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= 7) return true;
  }
  return false;
}

}  // namespace

// ---- configuration documents ---------------------------------------------------

namespace {

Status ParseJsonDoc(const std::string& text, json* out) {
  *out = json::parse(text, nullptr, false);
  if (out->is_discarded()) return Invalid("body", "not valid JSON");
  if (!out->is_object()) return Invalid("body", "a JSON object is expected");
  return {};
}

Status TaxonomyFromJson(const std::string& text, Config& cfg) {
  json j;
  HOTLINE_RETURN_IF_ERROR(ParseJsonDoc(text, &j));
  if (!j.contains("subjects") || !j["subjects"].is_array())
    return Invalid("subjects", "an array of subjects is required");
  std::vector<Subject> subjects;
  std::map<std::string, int> levels;
  int i = 0;
  for (const json& s : j["subjects"]) {
    std::string field = "subjects[" + std::to_string(i++) + "]";
    if (!s.is_object()) return Invalid(field, "must be an object");
    Subject sub;
    sub.code = s.value("code", "");
    sub.name = s.value("name", "");
    sub.parent_code = s.value("parent", s.value("parent_code", ""));
    sub.department_matter = s.value("department_matter", false);
    bool digits = !sub.code.empty() && std::all_of(sub.code.begin(), sub.code.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || sub.code.size() % 2 || sub.code.size() > 6)
      return Invalid(field + ".code", "subject code must be 2, 4 or 6 digits: '" + sub.code + "'");
    if (Blank(sub.name)) return Invalid(field + ".name", "name is required");
    sub.level = static_cast<int>(sub.code.size() / 2);
    std::string expected_parent = sub.code.substr(0, sub.code.size() - 2);
    if (sub.parent_code != expected_parent)
      return Invalid(field + ".parent",
                     "parent of " + sub.code + " must be '" + expected_parent + "'");
    if (levels.count(sub.code)) return Invalid(field + ".code", "duplicate code " + sub.code);
    levels[sub.code] = sub.level;
    subjects.push_back(std::move(sub));
  }
  for (size_t k = 0; k < subjects.size(); ++k)
    if (!subjects[k].parent_code.empty() && !levels.count(subjects[k].parent_code))
      return Invalid("subjects[" + std::to_string(k) + "].parent",
                     "unknown parent " + subjects[k].parent_code);
  cfg.taxonomy_version = j.value("version", "1");
  cfg.subjects = std::move(subjects);
  return {};
}

json TaxonomyToJson(const Config& cfg) {
  json subjects = json::array();
  for (const Subject& s : cfg.subjects) {
    json o = {{"code", s.code}, {"name", s.name}, {"level", s.level}};
    if (!s.parent_code.empty()) o["parent"] = s.parent_code;
    if (s.department_matter) o["department_matter"] = true;
    subjects.push_back(std::move(o));
  }
  return {{"version", cfg.taxonomy_version}, {"subjects", subjects}};
}

Status CatalogueFromJson(const std::string& text, const Directory& dir, Config& cfg) {
  json j;
  HOTLINE_RETURN_IF_ERROR(ParseJsonDoc(text, &j));
  if (!j.contains("rules") || !j["rules"].is_array())
    return Invalid("rules", "an array of rules is required");
  std::vector<CatalogueRule> rules;
  int i = 0;
  auto unit_ref = [&](const json& v, const std::string& field) -> Result<Unit> {
    std::optional<Unit> u;
    if (v.is_string())
      u = dir.UnitByCode(v.get<std::string>());
    else if (v.is_number_integer())
      u = dir.Unit_(v.get<Id>());
    if (!u) return Invalid(field, "unknown unit " + v.dump());
    return *u;
  };
  for (const json& r : j["rules"]) {
    std::string field = "rules[" + std::to_string(i) + "]";
    if (!r.is_object()) return Invalid(field, "must be an object");
    CatalogueRule rule;
    rule.id = ++i;
    rule.subject_prefix = r.value("subject_prefix", "");
    if (!rule.subject_prefix.empty() && !cfg.FindSubject(rule.subject_prefix))
      return Invalid(field + ".subject_prefix", "unknown subject " + rule.subject_prefix);
    if (r.contains("street") && !r["street"].is_null()) {
      HOTLINE_ASSIGN_OR_RETURN(Unit st, unit_ref(r["street"], field + ".street"));
      if (st.kind != UnitKind::kStreet)
        return Invalid(field + ".street", st.name + " is not a street");
      rule.street_id = st.id;
    }
    const json lead = r.value("lead", json::object());
    if (lead.contains("territorial")) {
      auto t = Parse<Territorial>(lead.value("territorial", ""));
      if (!t || *t == Territorial::kNone)
        return Invalid(field + ".lead.territorial", "must be street, community or grid");
      rule.territorial = *t;
    } else {
      json ref = lead.contains("unit") ? lead["unit"] : lead.value("department", json());
      HOTLINE_ASSIGN_OR_RETURN(Unit u, unit_ref(ref, field + ".lead"));
      rule.lead_unit_id = u.id;
    }
    bool dept_matter = !rule.subject_prefix.empty() && cfg.IsDepartmentMatter(rule.subject_prefix);
    if (dept_matter) {
      bool ok = rule.lead_unit_id && dir.Unit_(*rule.lead_unit_id)->kind == UnitKind::kDepartment;
      if (!ok)
        return Invalid(field + ".lead", "subject " + rule.subject_prefix +
                                            " is a department matter: it must be led by a "
                                            "department, not pushed down to a street, "
                                            "community or grid");
    }
    for (const json& a : r.value("assist", json::array())) {
      HOTLINE_ASSIGN_OR_RETURN(Unit u, unit_ref(a, field + ".assist"));
      rule.assist_unit_ids.push_back(u.id);
    }
    rules.push_back(std::move(rule));
  }
  cfg.catalogue = std::move(rules);
  return {};
}

json CatalogueToJson(const Config& cfg, const Directory& dir) {
  json rules = json::array();
  auto code = [&](Id id) {
    auto u = dir.Unit_(id);
    return u ? u->code : std::to_string(id);
  };
  for (const CatalogueRule& r : cfg.catalogue) {
    json o = {{"id", r.id}, {"subject_prefix", r.subject_prefix}};
    if (r.street_id) o["street"] = code(*r.street_id);
    if (r.territorial != Territorial::kNone)
      o["lead"] = {{"territorial", ToString(r.territorial)}};
    else if (r.lead_unit_id)
      o["lead"] = {{"unit", code(*r.lead_unit_id)}};
    json assist = json::array();
    for (Id a : r.assist_unit_ids) assist.push_back(code(a));
    o["assist"] = assist;
    rules.push_back(std::move(o));
  }
  return {{"rules", rules}};
}

// Deadline rules and the light policy use the calendar_json codecs; these adapt them to Config.
// Accepts {"rules": [...]} (what GET returns) or a bare array.
Status ConfigRulesFromJson(const std::string& text, Config& cfg) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Invalid("body", "not valid JSON");
  if (j.is_object()) {
    if (!j.contains("rules")) return Invalid("rules", "an array of deadline rules is required");
    j = j["rules"];
  }
  auto rules = RulesFromJson(j);
  if (!rules.ok()) return Invalid("rules" + rules.status().field(), rules.status().message());
  cfg.rules = std::move(rules).value();
  return {};
}

Status ConfigLightFromJson(const std::string& text, Config& cfg) {
  json j;
  HOTLINE_RETURN_IF_ERROR(ParseJsonDoc(text, &j));
  HOTLINE_ASSIGN_OR_RETURN(cfg.light_policy, LightPolicyFromJson(j));
  return {};
}

}  // namespace

namespace {
std::string RenderTaxonomy(const Config& c, const Directory&) { return TaxonomyToJson(c).dump(); }
std::string RenderCatalogue(const Config& c, const Directory& d) {
  return CatalogueToJson(c, d).dump();
}
std::string RenderRules(const Config& c, const Directory&) {
  return json{{"rules", RulesToJson(c.rules)}}.dump();
}
std::string RenderCalendar(const Config& c, const Directory&) { return CalendarToJson(c.calendar); }
std::string RenderLight(const Config& c, const Directory&) {
  return LightPolicyToJson(c.light_policy).dump();
}
}  // namespace

DispatchSuggestion SuggestFromCatalogue(const Config& cfg, const WorkOrder& o) {
  DispatchSuggestion s;
  const CatalogueRule* best = nullptr;
  for (const CatalogueRule& r : cfg.catalogue) {
    if (o.subject_code.compare(0, r.subject_prefix.size(), r.subject_prefix) != 0) continue;
    if (r.street_id && r.street_id != o.place.street_id) continue;
    if (!best || r.subject_prefix.size() > best->subject_prefix.size() ||
        (r.subject_prefix.size() == best->subject_prefix.size() && r.street_id && !best->street_id))
      best = &r;
  }
  if (!best) {
    s.reason = "no catalogue rule matches subject " + o.subject_code;
    return s;
  }
  s.rule_id = best->id;
  s.assist_unit_ids = best->assist_unit_ids;
  switch (best->territorial) {
    case Territorial::kNone:
      s.lead_unit_id = best->lead_unit_id;
      break;
    case Territorial::kGrid:
      s.lead_unit_id = o.place.grid_id        ? o.place.grid_id
                       : o.place.community_id ? o.place.community_id
                                              : o.place.street_id;
      break;
    case Territorial::kCommunity:
      s.lead_unit_id = o.place.community_id ? o.place.community_id : o.place.street_id;
      break;
    case Territorial::kStreet:
      s.lead_unit_id = o.place.street_id;
      break;
  }
  s.reason = s.lead_unit_id ? "catalogue rule " + std::to_string(best->id) + " (subject prefix '" +
                                  best->subject_prefix + "')"
                            : "the catalogue routes by place, and the order has no place";
  return s;
}

HotlineService::HotlineService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HotlineService::~HotlineService() { impl_->StopCheckpoints(); }

Result<std::unique_ptr<HotlineService>> HotlineService::Open(Store& store, const Clock& clock,
                                                             const std::string& calendar_path,
                                                             ServiceOptions options) {
  auto impl = std::make_unique<Impl>(store, clock, options);
  HOTLINE_ASSIGN_OR_RETURN(auto units, store.ListUnits());
  HOTLINE_ASSIGN_OR_RETURN(auto users, store.ListUsers());
  impl->dir.Load(std::move(units), std::move(users));

  auto cfg = std::make_shared<Config>();
  cfg->rules = DefaultRules();
  auto load = [&](const char* key, auto apply) -> Status {
    HOTLINE_ASSIGN_OR_RETURN(auto doc, store.GetDocument(key));
    if (!doc) return {};
    Status st = apply(*doc);
    if (!st.ok())
      return Status(Code::kInternal, std::string("stored ") + key + ": " + st.ToString());
    return {};
  };
  HOTLINE_RETURN_IF_ERROR(
      load(kTaxonomyKey, [&](const std::string& d) { return TaxonomyFromJson(d, *cfg); }));
  HOTLINE_RETURN_IF_ERROR(load(
      kCatalogueKey, [&](const std::string& d) { return CatalogueFromJson(d, impl->dir, *cfg); }));
  HOTLINE_RETURN_IF_ERROR(
      load(kRulesKey, [&](const std::string& d) { return ConfigRulesFromJson(d, *cfg); }));
  HOTLINE_RETURN_IF_ERROR(
      load(kLightKey, [&](const std::string& d) { return ConfigLightFromJson(d, *cfg); }));
  HOTLINE_ASSIGN_OR_RETURN(auto security, store.GetDocument(kSecurityKey));
  impl->min_password_length = MinPasswordLengthOf(security ? &*security : nullptr);
  HOTLINE_ASSIGN_OR_RETURN(auto cal_doc, store.GetDocument(kCalendarKey));
  if (cal_doc) {
    HOTLINE_ASSIGN_OR_RETURN(cfg->calendar, CalendarFromJson(*cal_doc));
  } else if (!calendar_path.empty()) {
    HOTLINE_ASSIGN_OR_RETURN(cfg->calendar, LoadCalendarFile(calendar_path));
    HOTLINE_RETURN_IF_ERROR(store.PutDocument(kCalendarKey, CalendarToJson(cfg->calendar)));
  }
  HOTLINE_RETURN_IF_ERROR(impl->OpenIntel(*cfg));
  impl->SetCfg(std::move(cfg));
  HOTLINE_ASSIGN_OR_RETURN(impl->normalizer, text::Normalizer::Create());
  HOTLINE_ASSIGN_OR_RETURN(impl->kb, KbService::Open(store, *impl->normalizer, clock));
  HOTLINE_ASSIGN_OR_RETURN(auto boundaries, store.GetDocument(kBoundariesKey));
  if (boundaries) {
    auto grids = impl->BuildGrids(*boundaries, nullptr);
    if (!grids.ok())
      return Status(Code::kInternal, "stored boundaries: " + grids.status().message());
    impl->grids = *grids;
  }
  // Orders stored before search_text existed, or loaded in bulk without it.
  for (;;) {
    HOTLINE_ASSIGN_OR_RETURN(std::vector<Id> ids, store.OrdersWithoutSearchText(1000));
    if (ids.empty()) break;
    std::vector<std::pair<Id, std::string>> texts;
    for (Id id : ids) {
      HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, store.GetOrder(id));
      texts.emplace_back(id, Impl::SearchText(o));
    }
    HOTLINE_RETURN_IF_ERROR(store.SetSearchText(texts));
  }
  // The gazetteer (the duplicate index keys orders by the compound their address names).
  HOTLINE_RETURN_IF_ERROR(impl->OpenPlace());
  // The duplicate index holds the appeals of the window; rebuilt from the store.
  OrderQuery recent;
  recent.created_from = clock.Now() - impl->duplicates.options().window_seconds;
  recent.sort = OrderQuery::Sort::kOldest;
  recent.limit = 1000;
  for (;; recent.offset += recent.limit) {
    HOTLINE_ASSIGN_OR_RETURN(OrderPage page, store.ListOrders(recent));
    for (const WorkOrder& o : page.items)
      impl->duplicates.Add(o, impl->Fingerprint(o), impl->DuplicateMatterOf(o));
    if (page.items.size() < static_cast<size_t>(recent.limit)) break;
  }
  HOTLINE_RETURN_IF_ERROR(impl->KpiOpen());
  impl->StartCheckpoints();
  return std::unique_ptr<HotlineService>(new HotlineService(std::move(impl)));
}

// ---- authentication ----

namespace {
// One answer for an unknown login, a disabled or locked account and a wrong password, so the
// reply does not tell which logins exist or are locked (docs/access.md "Login").
// "2026-03-02 09:15:00" Beijing time, for audit details.
std::string BeijingTime(Timestamp t) {
  using namespace std::chrono;
  const std::int64_t local = t + 8 * 3600;
  std::int64_t d = local / 86400, secs = local % 86400;
  if (secs < 0) secs += 86400, --d;
  const year_month_day ymd{sys_days{days{d}}};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(secs / 3600), int(secs / 60 % 60),
                int(secs % 60));
  return buf;
}

constexpr char kLoginFailed[] =
    "wrong login or password, or the account is locked after too many failed logins: try "
    "again later or ask an administrator";
}  // namespace

Result<LoginResult> HotlineService::Login(const std::string& login, const std::string& password,
                                          const std::string& remote, LoginRefusal* refusal) {
  Impl& m = *impl_;
  LoginGuard& guard = m.login;
  const LoginOptions& lo = guard.options();
  LoginRefusal local;
  if (!refusal) refusal = &local;
  *refusal = LoginRefusal{};
  // Rate limits first: a refused attempt costs no hashing.
  const Timestamp now = m.clock.Now();
  const std::string address_key = remote.empty() ? "-" : remote;
  std::int64_t wait = std::max(guard.per_login().RetryAfter(login, now),
                               guard.per_address().RetryAfter(address_key, now));
  if (wait > 0) {
    *refusal = {LoginRefusal::Kind::kRateLimited, wait};
    return Status(Code::kUnavailable,
                  "too many failed logins for this login or from this address; try again in " +
                      std::to_string(wait) + " s",
                  "login");
  }

  auto user = m.dir.UserByLogin(login);
  bool usable = user && user->active;
  bool locked = false;
  int failed_before = 0;
  if (usable) {
    HOTLINE_ASSIGN_OR_RETURN(User state, m.store.GetLoginState(user->id));
    locked = state.locked_until && *state.locked_until > now;
    failed_before = state.failed_logins;
  }
  if (!guard.slots().Acquire()) {
    *refusal = {LoginRefusal::Kind::kBusy, 2};
    return Status(Code::kUnavailable,
                  "the server is busy checking other logins; try again in a few seconds", "login");
  }
  // Unknown, disabled and locked accounts verify against a dummy hash of the same cost (made
  // on first use, inside the slot: it costs as much as a verification).
  const std::string& against = usable && !locked ? user->password_hash : guard.DummyHash();
  bool match = m.options.verify_password ? m.options.verify_password(against, password)
                                         : VerifyPassword(against, password);
  guard.slots().Release();

  if (!usable || locked || !match) {
    const Timestamp at = m.clock.Now();
    guard.per_login().Spend(login, at);
    guard.per_address().Spend(address_key, at);
    if (usable && !locked) {
      HOTLINE_ASSIGN_OR_RETURN(
          LoginFailure f,
          m.store.RecordLoginFailure(user->id, at, lo.lock_after_failures, at + lo.lock_seconds));
      if (f.locked_now)
        HOTLINE_RETURN_IF_ERROR(
            m.store.AppendAudit({at, user->id, "login_locked", std::nullopt,
                                 "连续" + std::to_string(f.failed_logins) + "次登录失败，锁定至" +
                                     BeijingTime(*f.locked_until) + "；最后一次来自" +
                                     (remote.empty() ? std::string("未知地址") : remote)}));
    }
    return Status(Code::kUnauthenticated, kLoginFailed);
  }
  if (failed_before > 0) HOTLINE_RETURN_IF_ERROR(m.store.ClearLoginFailures(user->id));
  guard.per_login().Reset(login);
  LoginResult r;
  r.token = NewToken();
  r.expires_at = m.clock.Now() + m.options.session_seconds;
  HOTLINE_RETURN_IF_ERROR(m.store.PutSession({TokenDigest(r.token), user->id, r.expires_at}));
  r.user = *user;
  r.user.password_hash.clear();
  r.user.failed_logins = 0;
  r.user.locked_until.reset();
  return r;
}

Result<Actor> HotlineService::Authenticate(const std::string& token) {
  if (token.empty()) return Status(Code::kUnauthenticated, "a Bearer token is required");
  HOTLINE_ASSIGN_OR_RETURN(auto session, impl_->store.GetSession(TokenDigest(token)));
  if (!session || session->expires_at < impl_->clock.Now())
    return Status(Code::kUnauthenticated, "the token is unknown or expired; log in again");
  auto user = impl_->dir.UserById(session->user_id);
  if (!user || !user->active) return Status(Code::kUnauthenticated, "the user is disabled");
  return Actor{user->id, user->role, user->unit_id};
}

Status HotlineService::Logout(const std::string& token) {
  return impl_->store.DeleteSession(TokenDigest(token));
}

Result<User> HotlineService::Me(const Actor& actor) {
  auto user = impl_->dir.UserById(actor.user_id);
  if (!user) return Status(Code::kNotFound, "no such user");
  user->password_hash.clear();
  return *user;
}

// ---- orders ----

Result<OrderView> HotlineService::Intake(const Actor& a, const IntakeRequest& r, bool* existed) {
  Impl& m = *impl_;
  HOTLINE_RETURN_IF_ERROR(m.RequireRole(
      a, {Role::kCitizen, Role::kAgent, Role::kDispatcher, Role::kGridWorker, Role::kAdmin},
      "record appeals"));
  auto cfg = m.Cfg();
  if (!r.nature) return Invalid("nature", "nature is required: " + AllowedNames<Nature>());
  if (Blank(r.content)) return Invalid("content", "the appeal's content is required");
  if (r.content.size() > kMaxContentBytes)
    return Invalid("content", "content is longer than 20000 bytes");
  if (r.title.size() > 400) return Invalid("title", "title is longer than 400 bytes");
  if (!r.subject_code.empty() && !cfg->FindSubject(r.subject_code))
    return Invalid("subject_code", "unknown subject " + r.subject_code);
  if (a.role == Role::kCitizen && r.channel != Channel::kWeb && r.channel != Channel::kApp &&
      r.channel != Channel::kWechat)
    return Invalid("channel", "citizens submit through web, app or wechat");
  if (r.channel == Channel::kHotline && Blank(r.caller_phone))
    return Invalid("caller.phone", "the caller's phone is required for hotline appeals");
  if (!r.caller_phone.empty())
    HOTLINE_RETURN_IF_ERROR(ValidatePhone("caller.phone", r.caller_phone));
  if (!r.caller_id_no.empty() && !IsValidIdNumber(r.caller_id_no))
    return Invalid("caller.id_no", "not a valid 18-digit ID number (check digit)");
  if (r.caller_name.size() > 100) return Invalid("caller.name", "name is too long");
  if (r.received_at && a.role != Role::kAdmin)
    return Invalid("received_at", "only imports by an admin may set the receiving time");
  HOTLINE_RETURN_IF_ERROR(m.ValidateUnitRef(r.reported_unit_id, "reported_unit", nullptr));

  if (a.role == Role::kGridWorker && r.channel != Channel::kGridPatrol)
    return Invalid("channel", "grid workers report what their patrol found: channel grid_patrol");

  WorkOrder o;
  HOTLINE_RETURN_IF_ERROR(m.ResolvePlace(r, &o.place, &o.place_resolution));
  if (a.role == Role::kGridWorker) {
    // A patrol lies in the worker's own grid: no place given means the whole grid.
    if (!o.place.grid_id && !o.place.community_id && !o.place.street_id) {
      for (Id id : m.dir.Lineage(a.unit_id)) {
        auto x = m.dir.Unit_(id);
        if (x->kind == UnitKind::kGrid) o.place.grid_id = id;
        if (x->kind == UnitKind::kCommunity) o.place.community_id = id;
        if (x->kind == UnitKind::kStreet) o.place.street_id = id;
      }
      o.place_resolution.reset();
    }
    if (o.place.grid_id != a.unit_id)
      return Invalid("place", "a patrol report lies in the worker's own grid");
  }
  const Timestamp now = r.received_at.value_or(m.clock.Now());
  o.channel = r.channel;
  o.nature = *r.nature;
  o.urgency = r.urgency;
  o.subject_code = r.subject_code;
  o.content = r.content;
  o.title = Blank(r.title) ? text::AutoTitle(r.content) : r.title;
  o.caller_name = r.caller_name;
  o.caller_phone = HalfWidthDigits(r.caller_phone);
  o.caller_id_no = r.caller_id_no;
  o.confidential = r.confidential;
  o.reported_unit_id = r.reported_unit_id;
  o.created_by = a.user_id;
  if (a.role == Role::kCitizen) {
    o.citizen_user_id = a.user_id;
    if (auto u = m.dir.UserById(a.user_id); u && o.caller_phone.empty()) o.caller_phone = u->phone;
  }
  o.created_at = o.updated_at = now;
  CivilDate d = cfg->calendar.LocalDate(now);
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "%02d%02d%02d", d.year % 100, d.month, d.day);
  o.no = prefix;

  Event ev;
  ev.at = now;
  ev.action = "intake";
  ev.from = ev.to = State::kReceived;
  ev.user_id = a.user_id;
  ev.unit_id = a.unit_id;
  ev.text = std::string(ToString(r.channel));
  json ev_data{{"channel", ToString(r.channel)}, {"nature", ToString(*r.nature)}};
  if (!r.source.empty()) ev_data["source"] = r.source.substr(0, 64);
  ev.data_json = ev_data.dump();

  m.SuggestAtIntake(r, o);
  o.search_text = Impl::SearchText(o);

  std::vector<AccessGrant> grants = m.PlaceGrants(o.place);
  // The recording unit keeps sight of what it recorded (grid workers, street centres).
  for (const AccessGrant& g : m.GrantsFor(a.unit_id, kAccessAncestor)) grants.push_back(g);
  // From the commit until the projections have the events (a checkpoint waits for it).
  std::shared_lock gate(m.feed_gate);
  HOTLINE_ASSIGN_OR_RETURN(CreateResult cr,
                           m.store.CreateOrder(o, ev, grants, r.idempotency_key, a.user_id));
  if (existed) *existed = cr.existed;
  HOTLINE_ASSIGN_OR_RETURN(WorkOrder stored, m.store.GetOrder(cr.id));
  // The intake first, then the automatic dispatch feeds its own event (it used to reach the
  // engine only at the next start's rebuild).
  if (!cr.existed) m.KpiCommitted(nullptr, stored, ev);
  if (!cr.existed) m.AutoDispatch(r, stored);
  const text::MinHash fingerprint = m.Fingerprint(stored);  // normalises the text once
  std::vector<DuplicateView> dups = m.Duplicates(a, stored, fingerprint);
  if (!cr.existed) m.duplicates.Add(stored, fingerprint, m.DuplicateMatterOf(stored));
  if (!cr.existed) m.MapPut(stored);
  gate.unlock();
  OrderView v = m.View(a, std::move(stored), false);
  v.duplicates = std::move(dups);
  return v;
}

Result<OrderView> HotlineService::Act(const Actor& a, Id id, const ActionInput& in,
                                      std::optional<std::int64_t> expect_version) {
  Impl& m = *impl_;
  HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, m.LoadVisible(a, id));
  if (expect_version && *expect_version != o.version)
    return Status(Code::kConflict,
                  "the order has moved on: version " + std::to_string(o.version) + ", expected " +
                      std::to_string(*expect_version),
                  "expect_version");
  auto cfg = m.Cfg();
  ActionInput input = in;
  std::vector<AccessGrant> grants;
  input.hop = {};
  input.hop.actor_is_district_office = m.IsDistrictOffice(a.unit_id);
  // The second hop (relay, and the office's review of that hop's return) stays inside the
  // office's district; the first hop is the city's (or, in a district store, the district's).
  std::optional<Unit> hop_district;
  if (in.action == Action::kRelay && o.lead_unit_id) hop_district = m.DistrictOf(*o.lead_unit_id);
  if (in.action == Action::kApproveReturn && o.relay_unit_id)
    hop_district = m.DistrictOf(*o.relay_unit_id);
  if (in.action == Action::kDispatch || in.action == Action::kRelay ||
      (in.action == Action::kApproveReturn && in.lead_unit_id)) {
    std::string subject = in.subject_code.value_or(o.subject_code);
    if (in.action == Action::kRelay && in.subject_code)
      return Invalid("subject_code", "the subject is the city's; re-dispatch keeps it");
    if (in.subject_code && !cfg->FindSubject(*in.subject_code))
      return Invalid("subject_code", "unknown subject " + *in.subject_code);
    if (!input.lead_unit_id && in.action != Action::kApproveReturn && !subject.empty()) {
      WorkOrder probe = o;
      probe.subject_code = subject;
      HOTLINE_ASSIGN_OR_RETURN(DispatchSuggestion s, m.Suggest(*cfg, probe));
      if (!s.lead_unit_id) return Invalid("lead_unit", "no lead unit given and " + s.reason);
      input.lead_unit_id = s.lead_unit_id;
      if (input.assist_unit_ids.empty()) input.assist_unit_ids = s.assist_unit_ids;
      if (in.action == Action::kDispatch) m.ToFirstHop(input);
    }
    Unit lead;
    HOTLINE_RETURN_IF_ERROR(m.ValidateUnitRef(input.lead_unit_id, "lead_unit", &lead));
    if (input.lead_unit_id) {
      const bool office = m.IsDistrictOffice(lead.id);
      input.hop.lead_is_district_office = office;
      if (lead.kind == UnitKind::kDistrict || lead.kind == UnitKind::kCity ||
          (lead.kind == UnitKind::kCenter && (!office || hop_district)))
        return Invalid("lead_unit", lead.name +
                                        " cannot handle orders; choose a department, "
                                        "street, community or grid" +
                                        (hop_district ? "" : ", or a district's hotline office"));
      if (hop_district && !m.dir.IsWithin(lead.id, hop_district->id))
        return Invalid("lead_unit", lead.name + " is not in " + hop_district->name +
                                        "; re-dispatch within the district");
      auto district = m.DistrictOf(lead.id);
      input.hop.skips_district = !hop_district && !office && district && district->parent_id;
      bool pushed_down = lead.kind == UnitKind::kStreet || lead.kind == UnitKind::kCommunity ||
                         lead.kind == UnitKind::kGrid;
      if (pushed_down && cfg->IsDepartmentMatter(subject))
        return Invalid("lead_unit", "subject " + subject +
                                        " is a department matter (部门事项) and must not be pushed "
                                        "down to " +
                                        lead.name);
      for (const AccessGrant& g : m.GrantsFor(lead.id, kAccessLead)) grants.push_back(g);
    }
    for (Id asst : input.assist_unit_ids) {
      Unit u;
      HOTLINE_RETURN_IF_ERROR(m.ValidateUnitRef(asst, "assist_units", &u));
      if (hop_district && !m.dir.IsWithin(u.id, hop_district->id))
        return Invalid("assist_units", u.name + " is not in " + hop_district->name);
      for (const AccessGrant& g : m.GrantsFor(u.id, kAccessAssist)) grants.push_back(g);
    }
  }
  if (in.action == Action::kMerge) {
    if (!in.merge_into) return Invalid("merge_into", "the order to merge into is required");
    auto target = m.LoadVisible(a, *in.merge_into);
    if (!target.ok()) return Invalid("merge_into", "no order " + std::to_string(*in.merge_into));
    if (target->id == o.id) return Invalid("merge_into", "an order cannot merge into itself");
    if (target->state == State::kMerged || target->state == State::kRejected)
      return Invalid("merge_into",
                     "order " + target->no + " is itself " + std::string(ToString(target->state)));
  }
  if (in.action == Action::kRelocate && in.place) {
    const auto& roles = SpecOf(Action::kRelocate).roles;
    if (std::find(roles.begin(), roles.end(), a.role) == roles.end())
      return Status(Code::kForbidden,
                    "role " + std::string(ToString(a.role)) + " may not relocate");
    // Resolve the corrected place as intake does; an address the gazetteer cannot settle (or a
    // point outside every grid) is refused rather than stored without a unit.
    IntakeRequest probe;
    probe.grid_id = in.place->grid_id;
    probe.community_id = in.place->community_id;
    probe.street_id = in.place->street_id;
    probe.address = in.place->address;
    probe.lon = in.place->lon;
    probe.lat = in.place->lat;
    probe.gcj02 = in.place_gcj02;
    Place resolved;
    std::optional<PlaceResolution> unresolved;
    HOTLINE_RETURN_IF_ERROR(m.ResolvePlace(probe, &resolved, &unresolved));
    if (!(resolved.grid_id || resolved.community_id || resolved.street_id))
      return Invalid("place", unresolved ? "the address is " + unresolved->status +
                                               ": give the street, community or grid"
                                         : "the place is outside every grid of the district");
    input.place = resolved;
    for (const AccessGrant& g : m.PlaceGrants(resolved)) grants.push_back(g);
  }
  HOTLINE_ASSIGN_OR_RETURN(WorkOrder next, m.Apply(a, o, input, *cfg, grants));
  if (in.action == Action::kRelocate)
    m.duplicates.Move(next.id, next.place.street_id, m.DuplicateMatterOf(next));
  return m.View(a, std::move(next), false);
}

Result<WorkOrder> HotlineService::Impl::Apply(const Actor& a, const WorkOrder& o,
                                              const ActionInput& in, const Config& cfg,
                                              const std::vector<AccessGrant>& grants) {
  HOTLINE_ASSIGN_OR_RETURN(Transition t, Plan(o, in, a, Ctx(cfg)));
  HOTLINE_RETURN_IF_ERROR(KpiCheckExclusion(o, in));
  std::shared_lock gate(feed_gate);  // from the commit until the projections have the event
  HOTLINE_RETURN_IF_ERROR(store.TransitionOrder(t.next, o.state, o.version, t.event, grants));
  KpiCommitted(&o, t.next, t.event);
  MapPut(t.next);
  return std::move(t.next);
}

Result<OrderView> HotlineService::GetOrder(const Actor& a, Id id) {
  HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, impl_->LoadVisible(a, id));
  return impl_->View(a, std::move(o), true);
}

Result<OrderView> HotlineService::RevealContact(const Actor& a, Id id) {
  Impl& m = *impl_;
  HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, m.LoadVisible(a, id));
  auto level = m.PiiLevel(a, o);
  if (level == Impl::Pii::kHidden)
    return Status(Code::kForbidden,
                  "the caller's identity is protected for this order (举报/保密)");
  if (level == Impl::Pii::kMasked) {
    bool assigned = o.lead_unit_id == a.unit_id ||
                    std::find(o.assist_unit_ids.begin(), o.assist_unit_ids.end(), a.unit_id) !=
                        o.assist_unit_ids.end();
    if (!assigned || (a.role != Role::kHandler && a.role != Role::kGridWorker))
      return Status(Code::kForbidden, "only the units handling the order may contact the caller");
  }
  HOTLINE_RETURN_IF_ERROR(m.store.AppendAudit(
      {m.clock.Now(), a.user_id, "reveal_contact", o.id, "caller name, phone"}));
  OrderView v;
  v.light = LightOf(o, m.clock.Now());
  v.actions = AvailableActions(o, a);
  v.pii_masked = false;
  o.caller_id_no = level == Impl::Pii::kFull ? o.caller_id_no : MaskIdNumber(o.caller_id_no);
  v.order = std::move(o);
  return v;
}

Result<OrderViewPage> HotlineService::ListOrders(const Actor& a, OrderQuery q) {
  Impl& m = *impl_;
  q.now = m.clock.Now();
  if (a.role == Role::kCitizen) {
    q.scope_citizen = a.user_id;
  } else {
    q.scope_units = m.ScopeOf(a);
  }
  if (q.limit < 1 || q.limit > 500) return Invalid("page_size", "page size must be 1..500");
  // Searching by personal data is for those who may read it, and is audited; it never
  // matches an order whose caller is hidden from the reader (a report on the reader's unit).
  const bool reads_pii = a.role == Role::kAgent || a.role == Role::kDispatcher ||
                         a.role == Role::kAdmin || a.role == Role::kCitizen;
  if (!q.caller_phone.empty() && !reads_pii)
    return Status(Code::kForbidden, "only agents, dispatchers and admins search by phone", "phone");
  if (a.role != Role::kCitizen) {
    q.hidden_from_units = m.dir.Lineage(a.unit_id);
    // Everyone else's text search sees what they are shown: the masked text.
    q.text_masked = !reads_pii;
  }
  if (a.role != Role::kCitizen && (!q.caller_phone.empty() || (reads_pii && LooksPersonal(q.text))))
    HOTLINE_RETURN_IF_ERROR(m.store.AppendAudit(
        {m.clock.Now(), a.user_id, "search_pii", std::nullopt,
         !q.caller_phone.empty() ? "按来电号码查询工单" : "按含个人信息的文字查询工单"}));
  HOTLINE_ASSIGN_OR_RETURN(OrderPage page, m.store.ListOrders(q));
  OrderViewPage out;
  out.total = page.total;
  out.items.reserve(page.items.size());
  for (WorkOrder& o : page.items) out.items.push_back(m.ListItem(a, std::move(o)));
  return out;
}

Result<std::vector<Event>> HotlineService::Events(const Actor& a, Id id) {
  Impl& m = *impl_;
  HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, m.LoadVisible(a, id));
  HOTLINE_ASSIGN_OR_RETURN(std::vector<Event> events, m.store.ListEvents(o.id));
  // A citizen's own steps (filing on the web, rating the reply) would name the caller: only
  // those who may see the caller's identity see who it was. Texts are masked as the order is.
  const Impl::Pii level = m.PiiLevel(a, o);
  if (level != Impl::Pii::kFull)
    for (Event& e : events) {
      Impl::Redact(e, o, level);
      if (e.user_id)
        if (auto u = m.dir.UserById(*e.user_id); u && u->role == Role::kCitizen) e.user_id.reset();
    }
  return events;
}

Result<DispatchSuggestion> HotlineService::SuggestDispatch(const Actor& a, Id id) {
  HOTLINE_RETURN_IF_ERROR(impl_->RequireRole(a, {Role::kAgent, Role::kDispatcher, Role::kAdmin},
                                             "see dispatch suggestions"));
  HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, impl_->LoadVisible(a, id));
  HOTLINE_ASSIGN_OR_RETURN(DispatchSuggestion s, impl_->Suggest(*impl_->Cfg(), o));
  if (o.state == State::kReceived && s.lead_unit_id) {
    // The city's first hop: what dispatch without a unit would do (the district's office).
    ActionInput hop;
    hop.lead_unit_id = s.lead_unit_id;
    hop.assist_unit_ids = s.assist_unit_ids;
    impl_->ToFirstHop(hop);
    if (hop.hop.lead_is_district_office) {
      s.lead_unit_id = hop.lead_unit_id;
      s.assist_unit_ids.clear();
      s.reason += "; via the district's hotline office (二级派单)";
    }
  }
  return s;
}

Result<std::vector<DuplicateView>> HotlineService::FindDuplicates(const Actor& a, Id id) {
  HOTLINE_RETURN_IF_ERROR(impl_->RequireRole(a, {Role::kAgent, Role::kDispatcher, Role::kAdmin},
                                             "see duplicate suggestions"));
  HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, impl_->LoadVisible(a, id));
  return impl_->Duplicates(a, o, impl_->Fingerprint(o));
}

WorkOrder HotlineService::MaskForList(WorkOrder o) {
  Impl::Redact(o, Impl::Pii::kMasked);
  return o;
}

Light HotlineService::LightNow(const WorkOrder& o) const { return LightOf(o, impl_->clock.Now()); }

// ---- organisation ----

std::vector<Unit> HotlineService::Units() const { return impl_->dir.AllUnits(); }

std::string HotlineService::UserDisplayName(Id user_id) const {
  auto u = impl_->dir.UserById(user_id);
  return u ? u->display_name : std::string();
}

Result<Unit> HotlineService::FindUnit(Id id) const {
  auto u = impl_->dir.Unit_(id);
  if (!u) return Status(Code::kNotFound, "no unit " + std::to_string(id));
  return *u;
}

Result<Unit> HotlineService::FindUnitByCode(const std::string& code) const {
  auto u = impl_->dir.UnitByCode(code);
  if (!u) return Status(Code::kNotFound, "no unit with code " + code);
  return *u;
}

std::vector<User> HotlineService::Users() const {
  auto users = impl_->dir.AllUsers();
  // The lock state lives in the store only (another node may have changed it).
  std::unordered_map<Id, std::pair<int, std::optional<Timestamp>>> state;
  if (auto stored = impl_->store.ListUsers(); stored.ok())
    for (const User& u : *stored) state[u.id] = {u.failed_logins, u.locked_until};
  const Timestamp now = impl_->clock.Now();
  for (User& u : users) {
    u.password_hash.clear();
    if (auto it = state.find(u.id); it != state.end()) {
      u.failed_logins = it->second.first;
      u.locked_until = it->second.second;
    }
    if (u.locked_until && *u.locked_until <= now) u.locked_until.reset();
  }
  return users;
}

Result<User> HotlineService::UnlockUser(const Actor& a, Id user_id) {
  Impl& m = *impl_;
  HOTLINE_RETURN_IF_ERROR(m.RequireRole(a, {Role::kAdmin}, "unlock users"));
  auto user = m.dir.UserById(user_id);
  if (!user) return Status(Code::kNotFound, "no user " + std::to_string(user_id), "id");
  HOTLINE_ASSIGN_OR_RETURN(User before, m.store.GetLoginState(user_id));
  HOTLINE_RETURN_IF_ERROR(m.store.ClearLoginFailures(user_id));
  m.login.per_login().Reset(user->login);
  HOTLINE_RETURN_IF_ERROR(m.store.AppendAudit(
      {m.clock.Now(), a.user_id, "unlock_user", std::nullopt,
       "用户" + std::to_string(user_id) + "（" + user->login + "），此前连续失败" +
           std::to_string(before.failed_logins) + "次" +
           (before.locked_until ? "，锁定至" + BeijingTime(*before.locked_until) : "")}));
  user->password_hash.clear();
  user->failed_logins = 0;
  user->locked_until.reset();
  return *user;
}

namespace {
void CollectErrors(const ImportReport& rep, std::vector<ImportError>* errors) {
  if (errors) *errors = rep.errors;
}
}  // namespace

Result<std::vector<Unit>> HotlineService::ImportUnits(const Actor& a, const std::string& body,
                                                      bool is_csv,
                                                      std::vector<ImportError>* errors) {
  Impl& m = *impl_;
  HOTLINE_RETURN_IF_ERROR(m.RequireRole(a, {Role::kAdmin}, "import units"));
  std::lock_guard lock(m.admin_mu);
  std::vector<Unit> existing = m.dir.AllUnits();
  ImportReport rep = ValidateUnits(is_csv ? ParseUnitsCsv(body) : ParseUnitsJson(body), existing);
  if (!rep.ok()) {
    CollectErrors(rep, errors);
    return Invalid("body",
                   std::to_string(rep.errors.size()) + " row(s) have errors; nothing was imported");
  }
  HOTLINE_ASSIGN_OR_RETURN(Id next, m.store.MaxUnitId());
  std::map<std::string, Id> ids;
  for (const Unit& u : existing) ids[u.code] = u.id;
  Store::Batch batch;
  for (const UnitRow& row : ParentsFirst(rep.units, existing)) {
    Unit u;
    u.id = ++next;
    u.code = row.code;
    u.name = row.name;
    u.kind = row.kind;
    u.grid_kind = row.grid_kind;
    if (!row.parent_code.empty()) u.parent_id = ids.at(row.parent_code);
    ids[u.code] = u.id;
    batch.units.push_back(u);
  }
  HOTLINE_RETURN_IF_ERROR(m.store.ApplyBatch(batch));
  for (const Unit& u : batch.units) m.dir.PutUnit(u);
  (void)m.store.AppendAudit({m.clock.Now(), a.user_id, "import_units", std::nullopt,
                             "导入" + std::to_string(batch.units.size()) + "个单位"});
  m.KpiUnitsChanged();
  m.OnUnitsChanged();
  return batch.units;
}

Result<std::vector<User>> HotlineService::ImportUsers(const Actor& a, const std::string& csv,
                                                      std::vector<ImportError>* errors) {
  Impl& m = *impl_;
  HOTLINE_RETURN_IF_ERROR(m.RequireRole(a, {Role::kAdmin}, "import users"));
  std::lock_guard lock(m.admin_mu);
  ImportReport rep =
      ValidateUsers(ParseUsersCsv(csv), m.dir.AllUnits(), m.dir.AllUsers(), m.min_password_length);
  if (!rep.ok()) {
    CollectErrors(rep, errors);
    return Invalid("body",
                   std::to_string(rep.errors.size()) + " row(s) have errors; nothing was imported");
  }
  HOTLINE_ASSIGN_OR_RETURN(Id next, m.store.MaxUserId());
  Store::Batch batch;
  for (const UserRow& row : rep.users) {
    User u;
    u.id = ++next;
    u.login = row.login;
    u.display_name = row.display_name;
    u.role = row.role;
    u.unit_id = m.dir.UnitByCode(row.unit_code)->id;
    u.phone = row.phone;
    HOTLINE_ASSIGN_OR_RETURN(u.password_hash, HashPassword(row.password));
    batch.users.push_back(u);
  }
  HOTLINE_RETURN_IF_ERROR(m.store.ApplyBatch(batch));
  std::string logins;
  for (User& u : batch.users) {
    m.dir.PutUser(u);
    u.password_hash.clear();
    if (logins.size() < 400) logins += (logins.empty() ? "" : ", ") + u.login;
  }
  (void)m.store.AppendAudit({m.clock.Now(), a.user_id, "import_users", std::nullopt,
                             "导入" + std::to_string(batch.users.size()) + "个用户：" + logins});
  return batch.users;
}

Result<Unit> HotlineService::UpdateUnit(const Actor& a, const Unit& unit) {
  Impl& m = *impl_;
  HOTLINE_RETURN_IF_ERROR(m.RequireRole(a, {Role::kAdmin}, "change units"));
  std::lock_guard lock(m.admin_mu);
  auto cur = m.dir.Unit_(unit.id);
  if (!cur) return Status(Code::kNotFound, "no unit " + std::to_string(unit.id));
  Unit next = *cur;
  if (Blank(unit.name)) return Invalid("name", "name is required");
  next.name = unit.name;
  next.active = unit.active;
  HOTLINE_RETURN_IF_ERROR(m.store.UpdateUnit(next));
  m.dir.PutUnit(next);
  (void)m.store.AppendAudit(
      {m.clock.Now(), a.user_id, "update_unit", std::nullopt,
       "单位" + next.code + "（" + next.name + "），" + (next.active ? "启用" : "停用")});
  m.KpiUnitsChanged();
  m.OnUnitsChanged();
  return next;
}

Result<User> HotlineService::UpdateUser(const Actor& a, Id user_id, std::optional<Role> role,
                                        std::optional<Id> unit_id, std::optional<bool> active,
                                        std::optional<std::string> password) {
  Impl& m = *impl_;
  bool self_password = user_id == a.user_id && !role && !unit_id && !active && password;
  if (!self_password) HOTLINE_RETURN_IF_ERROR(m.RequireRole(a, {Role::kAdmin}, "change users"));
  std::lock_guard lock(m.admin_mu);
  auto cur = m.dir.UserById(user_id);
  if (!cur) return Status(Code::kNotFound, "no user " + std::to_string(user_id));
  User next = *cur;
  if (role) next.role = *role;
  if (unit_id) {
    HOTLINE_RETURN_IF_ERROR(m.ValidateUnitRef(unit_id, "unit", nullptr));
    next.unit_id = *unit_id;
  }
  if (active) next.active = *active;
  if (password) {
    HOTLINE_RETURN_IF_ERROR(ValidatePassword(*password, m.min_password_length));
    HOTLINE_ASSIGN_OR_RETURN(next.password_hash, HashPassword(*password));
  }
  // Nobody could undo it: the last active admin is neither disabled nor demoted
  // (`hotline admin reset` is the way back for a store whose admins are all lost).
  const bool was_admin = cur->active && cur->role == Role::kAdmin;
  const bool is_admin = next.active && next.role == Role::kAdmin;
  if (was_admin && !is_admin) {
    bool other = false;
    for (const User& u : m.dir.AllUsers())
      other = other || (u.id != cur->id && u.active && u.role == Role::kAdmin);
    if (!other)
      return Status(Code::kFailedPrecondition,
                    "the last active admin cannot be disabled or demoted; make another admin first",
                    active && !*active ? "active" : "role");
  }
  HOTLINE_RETURN_IF_ERROR(m.store.UpdateUser(next));
  m.dir.PutUser(next);
  // A new password or a change of `active` ends every session of the user: a disabled user's
  // tokens must not come back when it is enabled again.
  if (password || (active && *active != cur->active))
    HOTLINE_RETURN_IF_ERROR(m.store.DeleteUserSessions(user_id).status());
  // What changed (never the password itself), in the words of the audit screen.
  std::string what;
  if (role) what += "，角色改为" + std::string(ZhLabel(next.role));
  if (unit_id) {
    auto u = m.dir.Unit_(next.unit_id);
    what += "，单位改为" + (u ? u->name : std::to_string(next.unit_id));
  }
  if (active) what += next.active ? "，启用" : "，停用";
  if (password) what += "，重设密码";
  (void)m.store.AppendAudit({m.clock.Now(), a.user_id, "update_user", std::nullopt,
                             "用户" + std::to_string(user_id) + "（" + next.login + "）" + what});
  next.password_hash.clear();
  return next;
}

// ---- configuration ----

std::shared_ptr<const Config> HotlineService::config() const { return impl_->Cfg(); }

std::string HotlineService::TaxonomyJson() const { return RenderTaxonomy(*config(), impl_->dir); }
Status HotlineService::PutTaxonomyJson(const Actor& a, const std::string& text) {
  return impl_->UpdateConfig(
      a, kTaxonomyKey,
      [&](Config& c) {
        const std::string old_version = c.taxonomy_version;
        const std::string old_json = TaxonomyToJson(c).dump();
        HOTLINE_RETURN_IF_ERROR(TaxonomyFromJson(text, c));
        // Versioned: a changed tree needs a new version; the old one is archived so
        // orders classified under it stay explainable.
        if (!old_version.empty() && c.taxonomy_version == old_version &&
            TaxonomyToJson(c).dump() != old_json)
          return Invalid("version", "the subject tree changed: give it a new version (current: " +
                                        old_version + ")");
        if (!old_version.empty() && c.taxonomy_version != old_version)
          HOTLINE_RETURN_IF_ERROR(
              impl_->store.PutDocument(std::string(kTaxonomyKey) + "@" + old_version, old_json));
        // The catalogue must still refer to existing subjects.
        for (const CatalogueRule& r : c.catalogue)
          if (!r.subject_prefix.empty() && !c.FindSubject(r.subject_prefix))
            return Invalid("subjects", "the catalogue still routes subject " + r.subject_prefix +
                                           "; change the catalogue first");
        return Status();
      },
      RenderTaxonomy);
}
std::string HotlineService::CatalogueJson() const { return RenderCatalogue(*config(), impl_->dir); }
Status HotlineService::PutCatalogueJson(const Actor& a, const std::string& text) {
  return impl_->UpdateConfig(
      a, kCatalogueKey, [&](Config& c) { return CatalogueFromJson(text, impl_->dir, c); },
      RenderCatalogue);
}
std::string HotlineService::RulesJson() const { return RenderRules(*config(), impl_->dir); }
Status HotlineService::PutRulesJson(const Actor& a, const std::string& text) {
  return impl_->UpdateConfig(
      a, kRulesKey, [&](Config& c) { return ConfigRulesFromJson(text, c); }, RenderRules);
}
std::string HotlineService::CalendarJson() const { return RenderCalendar(*config(), impl_->dir); }
Status HotlineService::PutCalendarJson(const Actor& a, const std::string& text) {
  return impl_->UpdateConfig(
      a, kCalendarKey,
      [&](Config& c) -> Status {
        HOTLINE_ASSIGN_OR_RETURN(c.calendar, CalendarFromJson(text));
        return {};
      },
      RenderCalendar);
}
std::string HotlineService::LightPolicyJson() const { return RenderLight(*config(), impl_->dir); }
Status HotlineService::PutLightPolicyJson(const Actor& a, const std::string& text) {
  return impl_->UpdateConfig(
      a, kLightKey, [&](Config& c) { return ConfigLightFromJson(text, c); }, RenderLight);
}

std::string HotlineService::BoundariesGeoJson() const {
  auto doc = impl_->store.GetDocument(kBoundariesKey);
  if (!doc.ok() || !doc->has_value()) return R"({"type":"FeatureCollection","features":[]})";
  return **doc;
}

Status HotlineService::PutBoundariesGeoJson(const Actor& a, const std::string& text,
                                            std::vector<std::string>* problems) {
  Impl& m = *impl_;
  HOTLINE_RETURN_IF_ERROR(m.RequireRole(a, {Role::kAdmin}, "import boundaries"));
  std::lock_guard lock(m.admin_mu);
  HOTLINE_ASSIGN_OR_RETURN(auto grids, m.BuildGrids(text, problems));
  HOTLINE_RETURN_IF_ERROR(m.store.PutDocument(kBoundariesKey, text));
  HOTLINE_RETURN_IF_ERROR(
      m.store.AppendAudit({m.clock.Now(), a.user_id, "put_boundaries", std::nullopt, ""}));
  std::lock_guard cl(m.config_mu);
  m.grids = std::move(grids);
  return {};
}

Result<std::vector<AuditEntry>> HotlineService::Audit(const Actor& a, std::optional<Id> order_id,
                                                      int limit) {
  HOTLINE_RETURN_IF_ERROR(
      impl_->RequireRole(a, {Role::kAdmin, Role::kSupervisor}, "read the audit log"));
  if (limit < 1 || limit > 1000) return Invalid("limit", "limit must be 1..1000");
  if (auto users = impl_->AuditUsersOf(a)) {
    AuditQuery q;
    q.order_id = order_id;
    q.limit = limit;
    q.user_ids = std::move(users);
    HOTLINE_ASSIGN_OR_RETURN(AuditPage page, impl_->store.QueryAudit(q));
    return std::move(page.items);
  }
  return impl_->store.ListAudit(order_id, limit);
}

Result<AuditPage> HotlineService::QueryAudit(const Actor& a, const AuditQuery& q) {
  HOTLINE_RETURN_IF_ERROR(
      impl_->RequireRole(a, {Role::kAdmin, Role::kSupervisor}, "read the audit log"));
  if (q.limit < 1 || q.limit > 1000) return Invalid("page_size", "page_size must be 1..1000");
  if (q.offset < 0) return Invalid("page", "page is out of range");
  if (auto users = impl_->AuditUsersOf(a)) {
    AuditQuery scoped = q;
    scoped.user_ids = std::move(users);
    return impl_->store.QueryAudit(scoped);
  }
  return impl_->store.QueryAudit(q);
}

const Clock& HotlineService::clock() const { return impl_->clock; }
Store& HotlineService::store() { return impl_->store; }

}  // namespace hotline
