// The service's internals, shared by the files that implement HotlineService
// (hotline_service.cc and the feature files hotline_service_*.cc). Not for use
// outside service/.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "geo/coords.h"
#include "geo/gazetteer.h"
#include "geo/geojson.h"
#include "geo/grid_index.h"
#include "service/duplicate_index.h"
#include "service/hotline_service.h"
#include "service/kb_service.h"
#include "service/map_index.h"
#include "service/password.h"
#include "service/pii.h"
#include "service/search_text.h"
#include "text/normalize.h"
#include "text/pii_detect.h"

namespace hotline {

// District-wide units: their staff see every order.
// Staff of these units see a whole jurisdiction (a district, or the city): the hotline centre
// or office, the district or the city itself (docs/access.md).
inline bool IsStaffWide(UnitKind k) {
  return k == UnitKind::kDistrict || k == UnitKind::kCenter || k == UnitKind::kCity;
}

// ---- the organisation, in memory --------------------------------------------

class Directory {
 public:
  void Load(std::vector<Unit> units, std::vector<User> users) {
    std::unique_lock lock(mu_);
    units_.clear();
    by_code_.clear();
    users_.clear();
    by_login_.clear();
    for (Unit& u : units) AddUnitLocked(std::move(u));
    for (User& u : users) AddUserLocked(std::move(u));
  }
  void PutUnit(Unit u) {
    std::unique_lock lock(mu_);
    AddUnitLocked(std::move(u));
  }
  void PutUser(User u) {
    std::unique_lock lock(mu_);
    AddUserLocked(std::move(u));
  }
  std::optional<Unit> Unit_(Id id) const {
    std::shared_lock lock(mu_);
    auto it = units_.find(id);
    if (it == units_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<Unit> UnitByCode(const std::string& code) const {
    std::shared_lock lock(mu_);
    auto it = by_code_.find(code);
    if (it == by_code_.end()) return std::nullopt;
    return units_.at(it->second);
  }
  std::optional<User> UserById(Id id) const {
    std::shared_lock lock(mu_);
    auto it = users_.find(id);
    if (it == users_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<User> UserByLogin(const std::string& login) const {
    std::shared_lock lock(mu_);
    auto it = by_login_.find(login);
    if (it == by_login_.end()) return std::nullopt;
    return users_.at(it->second);
  }
  // The unit and its ancestors, nearest first.
  std::vector<Id> Lineage(Id id) const {
    std::shared_lock lock(mu_);
    std::vector<Id> out;
    for (auto it = units_.find(id); it != units_.end() && out.size() < 16;) {
      out.push_back(it->first);
      if (!it->second.parent_id) break;
      it = units_.find(*it->second.parent_id);
    }
    return out;
  }
  bool IsWithin(Id unit, Id ancestor) const {
    for (Id u : Lineage(unit))
      if (u == ancestor) return true;
    return false;
  }
  std::vector<Unit> AllUnits() const {
    std::shared_lock lock(mu_);
    std::vector<Unit> out;
    out.reserve(units_.size());
    for (const auto& [_, u] : units_) out.push_back(u);
    return out;
  }
  std::vector<User> AllUsers() const {
    std::shared_lock lock(mu_);
    std::vector<User> out;
    for (const auto& [_, u] : users_) out.push_back(u);
    return out;
  }

 private:
  void AddUnitLocked(Unit u) {
    auto old = units_.find(u.id);
    if (old != units_.end()) by_code_.erase(old->second.code);
    by_code_[u.code] = u.id;
    units_[u.id] = std::move(u);
  }
  void AddUserLocked(User u) {
    auto old = users_.find(u.id);
    if (old != users_.end()) by_login_.erase(old->second.login);
    by_login_[u.login] = u.id;
    users_[u.id] = std::move(u);
  }
  mutable std::shared_mutex mu_;
  std::map<Id, Unit> units_;
  std::unordered_map<std::string, Id> by_code_;
  std::map<Id, User> users_;
  std::unordered_map<std::string, Id> by_login_;
};

struct KpiState;  // service/hotline_service_kpi.cc
// The classifier models serving now (helper "intel"); immutable, swapped whole.
struct IntelModels {
  std::shared_ptr<const classify::Classifier> subject, nature;
  std::optional<ClassifierInfo> subject_info, nature_info;
};

// ---- the service ----------------------------------------------------------------

struct HotlineService::Impl {
  Store& store;
  const Clock& clock;
  ServiceOptions options;
  Directory dir;
  mutable std::mutex config_mu;  // guards the pointer swap; readers copy the shared_ptr
  std::shared_ptr<const Config> config;
  std::mutex admin_mu;                           // serialises configuration and organisation writes
  int min_password_length = kMinPasswordLength;  // the store's policy (kSecurityKey)
  std::unique_ptr<text::Normalizer> normalizer;
  std::unique_ptr<KbService> kb;  // after normalizer: it searches with it
  DuplicateIndex duplicates;
  std::shared_ptr<const geo::GridIndex> grids;  // swapped under config_mu

  std::shared_ptr<const geo::GridIndex> Grids() const {
    std::lock_guard lock(config_mu);
    return grids;
  }
  // Parses and checks boundaries against the organisation; all problems listed.
  Result<std::shared_ptr<const geo::GridIndex>> BuildGrids(const std::string& text,
                                                           std::vector<std::string>* problems) {
    geo::GeoJsonImport imp = geo::ImportGeoJson(text);
    std::vector<std::string> found;
    for (const auto& p : imp.problems) found.push_back(p.ToString());
    for (const geo::Place& place : imp.places.places) {
      if (place.kind == UnitKind::kDistrict) continue;
      auto unit = dir.UnitByCode(place.code);
      if (!unit || unit->kind != place.kind)
        found.push_back(place.code + ": no " + std::string(ToString(place.kind)) +
                        " with this code in the organisation");
    }
    if (!found.empty()) {
      if (problems) *problems = found;
      return Invalid("body",
                     std::to_string(found.size()) +
                         " problem(s) in the boundaries; nothing was imported: " + found.front());
    }
    return std::shared_ptr<const geo::GridIndex>(std::make_shared<geo::GridIndex>(imp.places));
  }

  text::MinHash Fingerprint(const WorkOrder& o) const {
    return DuplicateIndex::Fingerprint(normalizer->Normalize(o.title + " " + o.content));
  }

  // Candidates that are still open and visible to the (staff) actor. State, number and the
  // masked title come from the map index, which every transition keeps current, so no order is
  // read from the store; access is the store's grants.
  std::vector<DuplicateView> Duplicates(const Actor& a, const WorkOrder& o,
                                        const text::MinHash& fingerprint) {
    std::vector<DuplicateView> out;
    if (a.role == Role::kCitizen) return out;
    for (const DuplicateCandidate& c :
         duplicates.Find(o, fingerprint, clock.Now(), DuplicateMatterOf(o))) {
      auto other = map.Get(c.order_id);
      if (!other || IsTerminal(other->state) || !CheckStaffAccess(a, other->id).ok()) continue;
      out.push_back({other->id, other->no, other->title, other->state, c.score, c.reason});
    }
    return out;
  }

  Impl(Store& s, const Clock& c, ServiceOptions o) : store(s), clock(c), options(o) {}

  std::shared_ptr<const Config> Cfg() const {
    std::lock_guard lock(config_mu);
    return config;
  }
  void SetCfg(std::shared_ptr<const Config> c) {
    std::lock_guard lock(config_mu);
    config = std::move(c);
  }

  DeadlineContext Ctx(const Config& cfg) const {
    return DeadlineContext{&cfg.calendar, &cfg.rules, cfg.light_policy, clock.Now()};
  }

  Status RequireRole(const Actor& a, std::initializer_list<Role> roles, const char* what) const {
    if (std::find(roles.begin(), roles.end(), a.role) == roles.end())
      return Status(Code::kForbidden, "role " + std::string(ToString(a.role)) + " may not " + what);
    return {};
  }

  // The unit whose subtree is the actor's jurisdiction; nullopt = the whole organisation.
  // Staff of a unit that is not staff-wide have their unit. Staff of a centre, district or
  // city have the nearest district or city at or above their unit: nullopt when that is the
  // root (the city's centre in a city store, the district's in a district store), the
  // district when it sits under a city (its hotline office sees that district only).
  std::optional<Id> JurisdictionOf(const Actor& a) const {
    auto u = dir.Unit_(a.unit_id);
    if (!u || !IsStaffWide(u->kind)) return a.unit_id;
    for (Id id : dir.Lineage(a.unit_id)) {
      auto x = dir.Unit_(id);
      if (x && (x->kind == UnitKind::kDistrict || x->kind == UnitKind::kCity)) {
        if (!x->parent_id) return std::nullopt;
        return id;
      }
    }
    return std::nullopt;
  }
  // nullopt = the whole organisation; otherwise the units whose orders the actor may see
  // (an order is granted to its units and their ancestors, store.h AccessGrant).
  std::optional<std::vector<Id>> ScopeOf(const Actor& a) const {
    if (a.role == Role::kCitizen) return std::vector<Id>{};
    auto j = JurisdictionOf(a);
    if (!j) return std::nullopt;
    return std::vector<Id>{*j};
  }

  Status CheckAccess(const Actor& a, const WorkOrder& o) {
    if (a.role == Role::kCitizen) {
      if (o.citizen_user_id != a.user_id) return NoSuchOrder();
      return {};
    }
    return CheckStaffAccess(a, o.id);
  }
  // REQUIRES: a is not a citizen.
  Status CheckStaffAccess(const Actor& a, Id order_id) {
    auto scope = ScopeOf(a);
    if (!scope) return {};
    HOTLINE_ASSIGN_OR_RETURN(bool ok, store.CanAccess(order_id, *scope));
    if (!ok) return NoSuchOrder();
    return {};
  }

  // An order that does not exist and one outside the reader's scope get the same answer,
  // so that existence does not leak (docs/access.md).
  static Status NoSuchOrder() { return Status(Code::kNotFound, "no such order", "id"); }
  Result<WorkOrder> LoadVisible(const Actor& a, Id id) {
    auto found = store.GetOrder(id);
    if (!found.ok() && found.status().code() == Code::kNotFound) return NoSuchOrder();
    HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, std::move(found));
    HOTLINE_RETURN_IF_ERROR(CheckAccess(a, o));
    return o;
  }

  std::vector<AccessGrant> GrantsFor(Id unit, int rel) const {
    std::vector<AccessGrant> out;
    bool first = true;
    for (Id u : dir.Lineage(unit)) {
      out.push_back({u, first ? rel : kAccessAncestor});
      first = false;
    }
    return out;
  }

  std::vector<AccessGrant> PlaceGrants(const Place& p) const {
    std::vector<AccessGrant> out;
    if (auto id = p.grid_id ? p.grid_id : p.community_id ? p.community_id : p.street_id)
      for (const AccessGrant& g : GrantsFor(*id, kAccessPlace))
        out.push_back({g.unit_id, kAccessPlace});
    return out;
  }

  // Whether the actor may see the caller's identity at all, and unmasked.
  enum class Pii { kFull, kMasked, kHidden };
  Pii PiiLevel(const Actor& a, const WorkOrder& o) const {
    if (a.role == Role::kCitizen) return o.citizen_user_id == a.user_id ? Pii::kFull : Pii::kHidden;
    if (o.reported_unit_id && dir.IsWithin(a.unit_id, *o.reported_unit_id)) return Pii::kHidden;
    switch (a.role) {
      case Role::kAgent:
      case Role::kDispatcher:
      case Role::kAdmin:
        return Pii::kFull;
      case Role::kHandler:
      case Role::kGridWorker:
        return (o.nature == Nature::kReport || o.confidential) ? Pii::kHidden : Pii::kMasked;
      default:
        return Pii::kMasked;
    }
  }

  // The order as `level` may see it: kMasked masks the caller and every free text
  // (RedactText), kHidden removes the caller altogether and masks the texts without even the
  // surname; kFull changes nothing. Every path that lets an order's text leave the server goes
  // through here (views, lists, events, the dashboard, the map).
  static void Redact(WorkOrder& o, Pii level) {
    if (level == Pii::kFull) return;
    const bool hide = level == Pii::kHidden;
    const std::string name = o.caller_name, phone = o.caller_phone;
    auto text = [&](std::string& t) { t = RedactText(t, name, phone, hide); };
    o.title = RedactTitle(o.title, o.content, name, phone, hide);
    text(o.content);
    text(o.place.address);
    text(o.pending_request);
    if (o.reply) {
      text(o.reply->public_text);
      text(o.reply->actions_taken);
      text(o.reply->unresolved_reason);
    }
    if (o.callback) text(o.callback->note);
    if (hide) {
      o.caller_name.clear();
      o.caller_phone.clear();
      o.caller_id_no.clear();
      o.citizen_user_id.reset();
    } else {
      o.caller_name = MaskName(o.caller_name);
      o.caller_phone = MaskPhone(o.caller_phone);
      o.caller_id_no = MaskIdNumber(o.caller_id_no);
    }
  }
  // What `q` matches for readers who may not see the caller (WorkOrder::search_text).
  static std::string SearchText(const WorkOrder& o) { return OrderSearchText(o); }
  // An event's free text as the reader of `o` at `level` may see it.
  static void Redact(Event& e, const WorkOrder& o, Pii level) {
    if (level == Pii::kFull) return;
    e.text = RedactText(e.text, o.caller_name, o.caller_phone, level == Pii::kHidden);
  }

  OrderView View(const Actor& a, WorkOrder o, bool audit) {
    OrderView v;
    v.light = LightOf(o, clock.Now());
    v.actions = AvailableActions(o, a);
    Pii level = PiiLevel(a, o);
    v.identity_hidden = level == Pii::kHidden;
    v.pii_masked = level != Pii::kFull;
    if (level == Pii::kFull && audit &&
        !(o.caller_name.empty() && o.caller_phone.empty() && o.caller_id_no.empty()) &&
        a.role != Role::kCitizen)
      (void)store.AppendAudit(
          {clock.Now(), a.user_id, "read_pii", o.id, "caller name, phone, id_no"});
    Redact(o, level);
    v.order = std::move(o);
    return v;
  }
  // A list item: as View, but staff who may read one order in full see lists masked (a list is
  // not a reason to read personal data; nothing is audited).
  OrderView ListItem(const Actor& a, WorkOrder o) {
    Pii level = PiiLevel(a, o);
    if (level == Pii::kFull && a.role != Role::kCitizen) level = Pii::kMasked;
    OrderView v;
    v.light = LightOf(o, clock.Now());
    v.actions = AvailableActions(o, a);
    v.identity_hidden = level == Pii::kHidden;
    v.pii_masked = level != Pii::kFull;
    Redact(o, level);
    v.order = std::move(o);
    return v;
  }

  // ---- the city's levels (issue 14) ----
  // Whose audit entries a reader sees: nullopt = everyone's (the root's staff); a district's
  // supervisor sees those of the users bound to units of the district.
  std::optional<std::vector<Id>> AuditUsersOf(const Actor& a) const {
    if (a.role == Role::kAdmin) return std::nullopt;
    auto root = JurisdictionOf(a);
    if (!root) return std::nullopt;
    auto district = DistrictOf(*root);  // a district store's audit stays whole, as before
    if (!district || !district->parent_id) return std::nullopt;
    std::vector<Id> out;
    for (const User& u : dir.AllUsers())
      if (dir.IsWithin(u.unit_id, district->id)) out.push_back(u.id);
    return out;
  }
  // The nearest district at or above `unit`; nullopt above the districts (city, its departments).
  std::optional<Unit> DistrictOf(Id unit) const {
    for (Id id : dir.Lineage(unit)) {
      auto u = dir.Unit_(id);
      if (u && u->kind == UnitKind::kDistrict) return u;
    }
    return std::nullopt;
  }
  // A district's hotline office: a centre directly under a district that sits under a city.
  // (A district-rooted store's centre is the root's: it is not an office of this kind.)
  bool IsDistrictOffice(Id unit) const {
    auto u = dir.Unit_(unit);
    if (!u || u->kind != UnitKind::kCenter || !u->parent_id) return false;
    auto p = dir.Unit_(*u->parent_id);
    return p && p->kind == UnitKind::kDistrict && p->parent_id.has_value();
  }
  // The active hotline office of a district under a city, if it has one.
  std::optional<Id> OfficeOf(Id district) const {
    for (const Unit& u : dir.AllUnits())
      if (u.active && u.parent_id == district && IsDistrictOffice(u.id)) return u.id;
    return std::nullopt;
  }

  // The city's first hop for a catalogue suggestion: a unit inside a district under a city is
  // reached through that district's office (which re-dispatches by the same catalogue); a
  // city department, or any unit in a district-rooted store, is dispatched to as it is.
  void ToFirstHop(ActionInput& in) const {
    if (!in.lead_unit_id) return;
    auto district = DistrictOf(*in.lead_unit_id);
    if (!district || !district->parent_id) return;
    if (auto office = OfficeOf(district->id)) {
      in.lead_unit_id = office;
      in.assist_unit_ids.clear();
      in.hop.lead_is_district_office = true;
    }
  }

  Status ValidateUnitRef(std::optional<Id> id, const char* field, Unit* out) const {
    if (!id) return {};
    auto u = dir.Unit_(*id);
    if (!u || !u->active) return Invalid(field, "unknown or inactive unit " + std::to_string(*id));
    if (out) *out = *u;
    return {};
  }

  // Units, then coordinates, then (address only) the gazetteer. An address the
  // gazetteer cannot settle leaves the place without units and fills `resolution`
  // with the candidates for the agent: never a guessed grid.
  Status ResolvePlace(const IntakeRequest& r, Place* p,
                      std::optional<PlaceResolution>* resolution = nullptr) const {
    p->address = r.address;
    if (r.lon && (*r.lon < -180 || *r.lon > 180))
      return Invalid("place.lon", "longitude out of range");
    if (r.lat && (*r.lat < -90 || *r.lat > 90))
      return Invalid("place.lat", "latitude out of range");
    if (r.lon && r.lat) {
      geo::LonLat w =
          geo::ToWgs84({*r.lon, *r.lat}, r.gcj02 ? geo::Datum::kGcj02 : geo::Datum::kWgs84);
      p->lon = w.lon;
      p->lat = w.lat;
    }
    std::optional<Id> most = r.grid_id ? r.grid_id : r.community_id ? r.community_id : r.street_id;
    const char* field = r.grid_id        ? "place.grid"
                        : r.community_id ? "place.community"
                                         : "place.street";
    UnitKind want = r.grid_id        ? UnitKind::kGrid
                    : r.community_id ? UnitKind::kCommunity
                                     : UnitKind::kStreet;
    if (!most && p->lon && p->lat) {
      // Coordinates only: the grid index decides. A point outside every grid keeps
      // its coordinates and gets no unit (never a guessed grid).
      if (auto grids = Grids()) {
        geo::Resolution res = grids->Resolve(*p->lon, *p->lat);
        const geo::Place* best = res.grid ? res.grid : res.community ? res.community : res.street;
        if (best)
          if (auto unit = dir.UnitByCode(best->code)) {
            most = unit->id;
            want = unit->kind;
            field = "place.lon";
          }
      }
    }
    if (!most && !(p->lon && p->lat) &&
        r.address.find_first_not_of(" \t\r\n") != std::string::npos) {
      AddressLookup look = LookupAddress(r.address);
      if (look.status == "resolved") {
        most = look.grid_id ? look.grid_id : look.community_id ? look.community_id : look.street_id;
        want = look.grid_id        ? UnitKind::kGrid
               : look.community_id ? UnitKind::kCommunity
                                   : UnitKind::kStreet;
        field = "place.address";
        if (look.lon && look.lat) {
          p->lon = look.lon;
          p->lat = look.lat;
        }
      } else if (resolution) {
        *resolution = PlaceResolution{look.status, std::move(look.candidates)};
      }
    }
    if (!most) return {};
    Unit u;
    HOTLINE_RETURN_IF_ERROR(ValidateUnitRef(most, field, &u));
    if (u.kind != want)
      return Invalid(field, u.name + " is a " + std::string(ToString(u.kind)) + ", not a " +
                                std::string(ToString(want)));
    for (Id id : dir.Lineage(u.id)) {
      auto x = dir.Unit_(id);
      if (x->kind == UnitKind::kGrid) p->grid_id = id;
      if (x->kind == UnitKind::kCommunity) p->community_id = id;
      if (x->kind == UnitKind::kStreet) p->street_id = id;
    }
    // A less precise field that contradicts the more precise one is an error, not a guess.
    if (r.street_id && p->street_id != r.street_id)
      return Invalid("place.street", "the street does not contain the given grid/community");
    if (r.community_id && r.grid_id && p->community_id != r.community_id)
      return Invalid("place.community", "the community does not contain the given grid");
    return {};
  }

  Result<DispatchSuggestion> Suggest(const Config& cfg, const WorkOrder& o) const {
    DispatchSuggestion s = SuggestFromCatalogue(cfg, o);
    InOrdersDistrict(o, s);
    return s;
  }
  // One catalogue serves a city's districts (issue 14): it names one district's departments
  // (their codes, e.g. D02), and an order placed in another district of the city goes to that
  // district's counterpart — its department whose code is the catalogue's code behind a prefix
  // and a dash (LX-D02). Without a counterpart the catalogue's unit stays.
  Id CounterpartIn(Id unit, const Unit& district) const {
    auto u = dir.Unit_(unit);
    if (!u || u->kind != UnitKind::kDepartment) return unit;
    auto own = DistrictOf(unit);
    if (!own || own->id == district.id) return unit;
    const std::string tail = "-" + u->code;
    for (const Unit& x : dir.AllUnits())
      if (x.active && x.kind == UnitKind::kDepartment && x.code.size() > tail.size() &&
          x.code.compare(x.code.size() - tail.size(), tail.size(), tail) == 0 &&
          dir.IsWithin(x.id, district.id))
        return x.id;
    return unit;
  }
  void InOrdersDistrict(const WorkOrder& o, DispatchSuggestion& s) const {
    if (!o.place.street_id) return;
    auto district = DistrictOf(*o.place.street_id);
    if (!district || !district->parent_id) return;
    if (s.lead_unit_id) s.lead_unit_id = CounterpartIn(*s.lead_unit_id, *district);
    for (Id& a : s.assist_unit_ids) a = CounterpartIn(a, *district);
  }

  // Copy the current config, apply `fn` to the copy, persist, swap.
  template <typename Fn>
  Status UpdateConfig(const Actor& a, const char* key, Fn fn,
                      std::string (*render)(const Config&, const Directory&)) {
    if (a.role != Role::kAdmin) return Status(Code::kForbidden, "only admins change configuration");
    std::lock_guard lock(admin_mu);
    auto next = std::make_shared<Config>(*Cfg());
    HOTLINE_RETURN_IF_ERROR(fn(*next));
    HOTLINE_RETURN_IF_ERROR(store.PutDocument(key, render(*next, dir)));
    HOTLINE_RETURN_IF_ERROR(
        store.AppendAudit({clock.Now(), a.user_id, std::string("put_") + key, std::nullopt, ""}));
    SetCfg(std::move(next));
    return {};
  }

  // ---- KPIs (service/hotline_service_kpi.cc) ----
  std::shared_ptr<KpiState> kpi;
  // Feeds the engine from the store's event log (Open).
  Status KpiOpen();
  // After a committed intake or action: `before` is nullptr for an intake.
  void KpiCommitted(const WorkOrder* before, const WorkOrder& next, const Event& event);
  // exclude_from_kpi / include_in_kpi: the unit must have led the order; no second
  // exclusion, no inclusion without one (kFailedPrecondition, field "unit_id").
  Status KpiCheckExclusion(const WorkOrder& o, const ActionInput& in);
  // Plans `in` on `o` as `a`, commits it (compare-and-swap on state and version, with the
  // access grants of any new units), and feeds the KPI engine and the map index. The caller
  // has checked that `a` may see `o`. Returns the committed order.
  Result<WorkOrder> Apply(const Actor& a, const WorkOrder& o, const ActionInput& in,
                          const Config& cfg, const std::vector<AccessGrant>& grants);
  // After the organisation changed: the roll-up follows the new tree.
  void KpiUnitsChanged();
  // ---- projection checkpoints (service/hotline_service_kpi.cc, docs/storage.md) ----
  // Event writers hold feed_gate shared from their store commit until the KPI engine and the
  // map index have the event; a checkpoint holds it exclusive while it copies the projections,
  // so every event committed up to the checkpoint's id is in what it writes.
  std::shared_mutex feed_gate;
  std::mutex ckpt_write_mu;        // one checkpoint write at a time
  std::int64_t ckpt_event_id = 0;  // the log position the projections cover (ckpt_write_mu)
  std::atomic<std::int64_t> fed_since_ckpt{0};
  std::mutex ckpt_mu;  // guards ckpt_stop
  std::condition_variable ckpt_cv;
  bool ckpt_stop = false;
  std::thread ckpt_thread;
  std::uint64_t ProjectionFingerprint(const analytics::UnitTree& tree) const;
  // Snapshot (gate exclusive, briefly), then serialise, compress and write outside it.
  Status WriteProjections(const char* why);
  void StartCheckpoints();
  void StopCheckpoints();
  // ---- place: gazetteer and map layers (service/hotline_service_place.cc) ----
  struct GazetteerState {
    geo::Gazetteer gazetteer;
    size_t divisions = 0;                       // entries [0, divisions) come from the units
    std::vector<geo::GazetteerEntry> imported;  // the stored document's entries
    std::vector<std::string> search_keys;       // normalised name + aliases per entry
  };
  struct GeometryCache {
    std::shared_ptr<const geo::GridIndex> for_grids;  // the boundaries it was built from
    std::unordered_map<std::string, std::shared_ptr<const std::string>> by_code;
  };
  MapIndex map;
  mutable std::mutex place_mu;  // guards the two pointers below (swapped, never mutated)
  std::shared_ptr<const GazetteerState> gazetteer;
  mutable std::shared_ptr<const GeometryCache> geometry;

  std::shared_ptr<const GazetteerState> Gaz() const {
    std::lock_guard lock(place_mu);
    return gazetteer;
  }
  AddressLookup LookupAddress(std::string_view address) const;
  // Where and what the order is about for "same place, same subject" duplicates: the key of the
  // compound, building or landmark of the gazetteer its address names in its street (0: none),
  // and its subject — or, while it has none, the classifier's suggestion when confident.
  DuplicateMatter DuplicateMatterOf(const WorkOrder& o) const;
  // Builds the gazetteer from the units and `imported` and swaps it in.
  Status RebuildGazetteer(std::vector<geo::GazetteerEntry> imported);
  // After units change: the divisions part is rebuilt.
  void OnUnitsChanged();
  // Gazetteer and map index at open.
  Status OpenPlace();
  // Keeps the map index current (intake, transitions).
  // Adds or updates the order in the map index. `history` (its events, at open) adds the
  // units that led or assisted it earlier, which keep seeing it as the store's grants say.
  void MapPut(const WorkOrder& o, const std::vector<Event>& history = {});
  MapScope MapScopeOf(const Actor& a) const;
  std::shared_ptr<const GeometryCache> Geometries() const;
  // ---- intelligence (helper "intel"; service/hotline_service_intel.cc) ----
  mutable std::mutex models_mu;  // guards the pointer swap; readers copy the shared_ptr
  std::shared_ptr<const IntelModels> models = std::make_shared<IntelModels>();
  std::string model_dir;  // guarded by models_mu
  std::mutex reload_mu;   // one reload at a time
  std::shared_ptr<const IntelModels> CurrentModels() const {
    std::lock_guard lock(models_mu);
    return models;
  }
  // At Open: the auto_dispatch document and the models of options.model_dir.
  Status OpenIntel(Config& cfg);
  // Intake, before the order is stored: classify and record the suggestion on `o`.
  void SuggestAtIntake(const IntakeRequest& r, WorkOrder& o) const;
  // Intake, after the order is stored: dispatch it by itself when the policy allows (a
  // compare-and-swap through Plan(), by the system actor). `o` becomes the stored order.
  void AutoDispatch(const IntakeRequest& r, WorkOrder& o);
  // ---- hotspots (hotline_service_hotspots.cc) ----
  struct HotspotText {
    std::string title, content;  // normalised once per order (OpenCC is the slow part)
  };
  std::mutex hotspot_mu;  // guards the two maps below
  std::unordered_map<Id, HotspotText> hotspot_text;
  struct HotspotCacheEntry {
    Timestamp computed_at = 0;
    std::vector<HotspotView> items;  // up to 100, highest heat first
  };
  std::map<std::string, HotspotCacheEntry> hotspot_cache;
  // ---- login throttling (hotline_service.cc) ----
  LoginGuard login{options.login};
};

}  // namespace hotline
