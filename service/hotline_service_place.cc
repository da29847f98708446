// Place use cases (issue 4): the gazetteer in intake and for the agent console,
// its CSV import and listing, and the map layers. docs/place.md.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <span>

#include "service/hotline_service.h"
#include "service/service_impl.h"
#include "text/pii_detect.h"

namespace hotline {

namespace {

constexpr const char* kGazetteerKey = "gazetteer";

bool IsPlaceKind(UnitKind k) {
  return k == UnitKind::kStreet || k == UnitKind::kCommunity || k == UnitKind::kGrid;
}

std::string SearchKey(const geo::GazetteerEntry& e) {
  std::string key = geo::NormalizePlaceText(e.name);
  for (const std::string& a : e.aliases) key += "\n" + geo::NormalizePlaceText(a);
  return key;
}

bool SameEntry(const geo::GazetteerEntry& a, const geo::GazetteerEntry& b) {
  return a.name == b.name && a.kind == b.kind && a.street_code == b.street_code &&
         a.community_code == b.community_code && a.grid_code == b.grid_code;
}

}  // namespace

// ---- Impl: gazetteer ----

AddressLookup HotlineService::Impl::LookupAddress(std::string_view address) const {
  AddressLookup out;
  out.status = "unknown";
  auto gaz = Gaz();
  if (!gaz) return out;
  geo::AddressMatch m = gaz->gazetteer.Resolve(address);
  auto unit_id = [&](const std::string& code) -> std::optional<Id> {
    if (code.empty()) return std::nullopt;
    auto u = dir.UnitByCode(code);
    if (!u || !u->active) return std::nullopt;
    return u->id;
  };
  for (const geo::AddressCandidate& c : m.candidates) {
    const geo::GazetteerEntry& e = *c.entry;
    out.candidates.push_back({e.name, std::string(geo::EntryKindName(e.kind)), c.score,
                              unit_id(e.street_code), unit_id(e.community_code),
                              unit_id(e.grid_code)});
  }
  if (m.unknown()) return out;
  out.status = "ambiguous";
  const geo::AddressCandidate* best = m.resolved();
  if (!best) return out;
  const PlaceCandidate& first = out.candidates.front();
  // An entry whose codes are no (longer) units of the organisation is not a place to use.
  if (!first.street_id || (!best->entry->community_code.empty() && !first.community_id) ||
      (!best->entry->grid_code.empty() && !first.grid_id))
    return out;
  out.status = "resolved";
  out.street_id = first.street_id;
  out.community_id = first.community_id;
  out.grid_id = first.grid_id;
  out.name = first.name;
  out.kind = first.kind;
  out.detail = m.detail;
  if (best->entry->location) {
    out.lon = best->entry->location->lon;
    out.lat = best->entry->location->lat;
  }
  return out;
}

Status HotlineService::Impl::RebuildGazetteer(std::vector<geo::GazetteerEntry> imported) {
  auto next = std::make_shared<GazetteerState>();
  std::vector<Unit> units = dir.AllUnits();
  std::erase_if(units, [](const Unit& u) { return !u.active || !IsPlaceKind(u.kind); });
  // Division names are taken as they are; a unit whose code does not fit the
  // gazetteer's checks (hand-made test codes) is left out rather than failing open.
  if (!next->gazetteer.AddDivisions(units).ok())
    for (const Unit& u : units) (void)next->gazetteer.AddDivisions(std::span<const Unit>(&u, 1));
  next->divisions = next->gazetteer.size();
  HOTLINE_RETURN_IF_ERROR(next->gazetteer.AddAll(imported));
  next->imported = std::move(imported);
  next->search_keys.reserve(next->gazetteer.size());
  for (size_t i = 0; i < next->gazetteer.size(); ++i)
    next->search_keys.push_back(SearchKey(next->gazetteer.entry(i)));
  std::lock_guard lock(place_mu);
  gazetteer = std::move(next);
  return {};
}

void HotlineService::Impl::OnUnitsChanged() {
  auto gaz = Gaz();
  (void)RebuildGazetteer(gaz ? gaz->imported : std::vector<geo::GazetteerEntry>{});
}

DuplicateMatter HotlineService::Impl::DuplicateMatterOf(const WorkOrder& o) const {
  DuplicateMatter out;
  out.subject = o.subject_code;
  if (out.subject.empty() && !o.suggestion_json.empty()) {
    // The classifier's subject when it is as sure as an automatic dispatch must be.
    auto s = nlohmann::json::parse(o.suggestion_json, nullptr, false);
    if (s.is_object() && s["subject_code"].is_string() && s["confidence"].is_number() &&
        s["confidence"].get<double>() >= Cfg()->auto_dispatch.min_confidence)
      out.subject = s["subject_code"].get<std::string>();
  }
  if (o.place.address.empty() || !o.place.street_id) return out;
  auto gaz = Gaz();
  auto street = dir.Unit_(*o.place.street_id);
  if (!gaz || !street) return out;
  // Enough candidates that the compound is among them when streets, communities and grids of
  // a similar name rank above it (a city's gazetteer holds many: 洪家楼街道, 洪家楼社区, ...).
  geo::AddressMatch m = gaz->gazetteer.Resolve(o.place.address, 12);
  for (const geo::AddressCandidate& c : m.candidates) {
    const geo::GazetteerEntry& e = *c.entry;
    if (e.kind != geo::EntryKind::kCompound && e.kind != geo::EntryKind::kBuilding &&
        e.kind != geo::EntryKind::kLandmark)
      continue;
    // A weak or fuzzy match, or a place of another street, is not evidence of one matter.
    if (c.score < 0.5 || c.fuzzy || e.street_code != street->code) continue;
    out.place = std::hash<std::string>{}(e.street_code + '/' + e.name) | 1;  // never 0
    break;
  }
  return out;
}

Status HotlineService::Impl::OpenPlace() {
  std::vector<geo::GazetteerEntry> imported;
  HOTLINE_ASSIGN_OR_RETURN(auto doc, store.GetDocument(kGazetteerKey));
  if (doc) {
    auto entries = geo::GazetteerFromJson(*doc);
    if (!entries.ok())
      return Status(Code::kInternal, "stored gazetteer: " + entries.status().ToString());
    imported = std::move(entries).value();
  }
  HOTLINE_RETURN_IF_ERROR(RebuildGazetteer(std::move(imported)));
  // The map index holds every order: built by KpiOpen's single pass over the orders and their
  // events (each order with its history), then kept current by intake and Act.
  return {};
}

// ---- Impl: map ----

void HotlineService::Impl::MapPut(const WorkOrder& o, const std::vector<Event>& history) {
  MapPoint p;
  p.id = o.id;
  p.version = o.version;
  p.no = o.no;
  // The map is shared by every reader in scope: the strictest mask (caller hidden).
  p.title = RedactTitle(o.title, o.content, o.caller_name, o.caller_phone, true);
  p.subject_code = o.subject_code;
  p.nature = o.nature;
  p.state = o.state;
  p.lon = o.place.lon;
  p.lat = o.place.lat;
  p.created_at = o.created_at;
  p.yellow_at = o.yellow_at;
  p.due_at = o.due_at;
  p.sign_due = o.sign_due;
  p.signed_at = o.signed_at;
  p.street_id = o.place.street_id.value_or(0);
  p.community_id = o.place.community_id.value_or(0);
  p.grid_id = o.place.grid_id.value_or(0);
  auto anchor = [&](std::optional<Id> id) {
    if (id && std::find(p.anchors.begin(), p.anchors.end(), *id) == p.anchors.end())
      p.anchors.push_back(*id);
  };
  anchor(o.place.grid_id        ? o.place.grid_id
         : o.place.community_id ? o.place.community_id
                                : o.place.street_id);
  anchor(o.lead_unit_id);
  for (Id a : o.assist_unit_ids) anchor(a);
  if (o.created_by)
    if (auto u = dir.UserById(*o.created_by)) anchor(u->unit_id);
  // Units that led or assisted before a reassignment keep their access grants (and so their
  // view of the order); with one routing step the current units are all there is.
  auto routes = [](const Event& e) {
    return e.action == "dispatch" || e.action == "approve_return" || e.action == "redo";
  };
  if (std::count_if(history.begin(), history.end(), routes) > 1) {
    for (const Event& e : history) {
      if (!routes(e)) continue;
      auto d = nlohmann::json::parse(e.data_json, nullptr, false);
      if (!d.is_object()) continue;
      if (d.contains("lead_unit_id") && d["lead_unit_id"].is_number_integer())
        anchor(d["lead_unit_id"].get<Id>());
      if (d.contains("assist_unit_ids") && d["assist_unit_ids"].is_array())
        for (const auto& a : d["assist_unit_ids"])
          if (a.is_number_integer()) anchor(a.get<Id>());
    }
  }
  map.Put(std::move(p));
}

MapScope HotlineService::Impl::MapScopeOf(const Actor& a) const {
  MapScope scope;
  auto root = JurisdictionOf(a);
  if (!ScopeOf(a) || !root) return scope;
  scope.all = false;
  for (const Unit& u : dir.AllUnits())
    if (dir.IsWithin(u.id, *root)) scope.units.insert(u.id);
  scope.units.insert(*root);
  return scope;
}

std::shared_ptr<const HotlineService::Impl::GeometryCache> HotlineService::Impl::Geometries()
    const {
  auto grids = Grids();
  {
    std::lock_guard lock(place_mu);
    if (geometry && geometry->for_grids == grids) return geometry;
  }
  auto next = std::make_shared<GeometryCache>();
  next->for_grids = grids;
  if (grids) {
    auto doc = store.GetDocument("boundaries");
    if (doc.ok() && doc->has_value()) {
      auto j = nlohmann::json::parse(**doc, nullptr, false);
      if (j.is_object() && j.contains("features") && j["features"].is_array())
        for (const auto& f : j["features"]) {
          if (!f.is_object() || !f.contains("properties") || !f.contains("geometry")) continue;
          const auto& props = f["properties"];
          if (!props.is_object() || !props.contains("code") || !props["code"].is_string()) continue;
          next->by_code[props["code"].get<std::string>()] =
              std::make_shared<const std::string>(f["geometry"].dump());
        }
    }
  }
  std::lock_guard lock(place_mu);
  geometry = next;
  return next;
}

// ---- HotlineService ----

Result<AddressLookup> HotlineService::ResolveAddress(const Actor& a,
                                                     const std::string& address) const {
  if (a.role == Role::kCitizen)
    return Status(Code::kForbidden, "citizens may not use the gazetteer");
  if (address.find_first_not_of(" \t\r\n") == std::string::npos)
    return Invalid("address", "address is required");
  if (address.size() > 1000) return Invalid("address", "address is longer than 1000 bytes");
  return impl_->LookupAddress(address);
}

Result<size_t> HotlineService::ImportGazetteerCsv(const Actor& a, const std::string& csv,
                                                  std::vector<ImportError>* errors) {
  Impl& m = *impl_;
  HOTLINE_RETURN_IF_ERROR(m.RequireRole(a, {Role::kAdmin}, "import gazetteer entries"));
  std::vector<geo::GazetteerRowError> bad;
  std::vector<int> lines;
  std::vector<geo::GazetteerEntry> entries = geo::ParseGazetteerCsv(csv, &bad, &lines);
  std::vector<ImportError> found;
  for (const geo::GazetteerRowError& e : bad)
    found.push_back({e.line <= 1 && e.field == "csv" ? 0 : e.line, e.field == "csv" ? "" : e.field,
                     e.line <= 1 && e.field == "csv" ? e.message : e.name + ": " + e.message});
  // Against the organisation: every code must be an active unit of the right kind.
  for (size_t i = 0; i < entries.size(); ++i) {
    const geo::GazetteerEntry& e = entries[i];
    auto check = [&](const std::string& code, UnitKind kind, const char* field) {
      if (code.empty()) return;
      auto u = m.dir.UnitByCode(code);
      if (!u || !u->active || u->kind != kind)
        found.push_back(
            {lines[i], field,
             e.name + ": no " + std::string(ToString(kind)) + " " + code + " in the organisation"});
    };
    check(e.street_code, UnitKind::kStreet, "street_code");
    check(e.community_code, UnitKind::kCommunity, "community_code");
    check(e.grid_code, UnitKind::kGrid, "grid_code");
  }
  if (entries.empty() && found.empty())
    found.push_back({0, "", "the CSV has a header but no rows"});
  if (!found.empty()) {
    if (errors) *errors = found;
    std::set<int> rows;
    for (const ImportError& e : found) rows.insert(e.row);
    const ImportError& first = found.front();
    return Invalid("body", std::to_string(rows.size()) +
                               " bad row(s); nothing was imported. First: " +
                               (first.row ? "line " + std::to_string(first.row) + " " : "") +
                               (first.field.empty() ? "" : first.field + ": ") + first.message);
  }
  std::lock_guard lock(m.admin_mu);
  auto gaz = m.Gaz();
  std::vector<geo::GazetteerEntry> merged =
      gaz ? gaz->imported : std::vector<geo::GazetteerEntry>{};
  for (geo::GazetteerEntry& e : entries) {
    auto same = std::find_if(merged.begin(), merged.end(),
                             [&](const geo::GazetteerEntry& x) { return SameEntry(x, e); });
    if (same != merged.end())
      *same = std::move(e);
    else
      merged.push_back(std::move(e));
  }
  HOTLINE_RETURN_IF_ERROR(m.store.PutDocument(kGazetteerKey, geo::GazetteerToJson(merged)));
  HOTLINE_RETURN_IF_ERROR(
      m.store.AppendAudit({m.clock.Now(), a.user_id, "import_gazetteer", std::nullopt,
                           std::to_string(lines.size()) + " entries"}));
  HOTLINE_RETURN_IF_ERROR(m.RebuildGazetteer(std::move(merged)));
  return lines.size();
}

Result<GazetteerPage> HotlineService::ListGazetteer(const Actor& a, const std::string& q,
                                                    int offset, int limit) const {
  if (a.role == Role::kCitizen)
    return Status(Code::kForbidden, "citizens may not list the gazetteer");
  if (limit < 1 || limit > 500) return Invalid("page_size", "page size must be 1..500");
  if (offset < 0) return Invalid("page", "page must be >= 1");
  GazetteerPage page;
  auto gaz = impl_->Gaz();
  if (!gaz) return page;
  const std::string needle = geo::NormalizePlaceText(q);
  for (size_t i = 0; i < gaz->gazetteer.size(); ++i) {
    if (!needle.empty() && gaz->search_keys[i].find(needle) == std::string::npos) continue;
    if (page.total++ < offset || page.items.size() >= static_cast<size_t>(limit)) continue;
    page.items.push_back({gaz->gazetteer.entry(i), i < gaz->divisions ? "division" : "imported"});
  }
  return page;
}

Result<std::vector<MapUnitFeature>> HotlineService::MapGrids(const Actor& a, Timestamp from,
                                                             Timestamp to, UnitKind level,
                                                             std::optional<Light> light) const {
  const Impl& m = *impl_;
  if (a.role == Role::kCitizen) return Status(Code::kForbidden, "citizens may not see the map");
  if (!IsPlaceKind(level) && level != UnitKind::kDistrict)
    return Invalid("level", "level must be district, street, community or grid");
  if (to && to <= from) return Invalid("to", "to must be after from");
  const MapScope scope = m.MapScopeOf(a);
  auto own = m.dir.Unit_(a.unit_id);
  const bool place_user = own && IsPlaceKind(own->kind);
  // A district's staff in a city store (issue 14) see their district's units only.
  std::optional<Unit> district;
  if (auto j = m.JurisdictionOf(a))
    if (auto ju = m.dir.Unit_(*j); ju && ju->kind == UnitKind::kDistrict) district = ju;
  auto counts = m.map.CountByUnit(from, to, m.clock.Now(), scope);
  if (level == UnitKind::kDistrict) {
    // A district counts what its streets count (an order is placed in one street).
    std::unordered_map<Id, MapUnitCounts> by_district;
    for (const auto& [id, c] : counts) {
      auto u = m.dir.Unit_(id);
      if (!u || u->kind != UnitKind::kStreet || !u->parent_id) continue;
      MapUnitCounts& d = by_district[*u->parent_id];
      d.count += c.count;
      d.open += c.open;
      d.overdue += c.overdue;
      d.red += c.red;
      d.yellow += c.yellow;
    }
    counts = std::move(by_district);
  }
  auto geometries = m.Geometries();
  std::vector<MapUnitFeature> out;
  for (const Unit& u : m.dir.AllUnits()) {
    if (u.kind != level || !u.active) continue;
    if (place_user && !m.dir.IsWithin(u.id, a.unit_id)) continue;
    if (district && !m.dir.IsWithin(u.id, district->id)) continue;
    MapUnitFeature f;
    f.unit = u;
    if (auto it = counts.find(u.id); it != counts.end()) f.counts = it->second;
    f.light = f.counts.red      ? Light::kRed
              : f.counts.yellow ? Light::kYellow
              : f.counts.open   ? Light::kGreen
                                : Light::kNone;
    if (light && f.light != *light) continue;
    if (auto g = geometries->by_code.find(u.code); g != geometries->by_code.end())
      f.geometry = g->second;
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const MapUnitFeature& x, const MapUnitFeature& y) {
    return x.unit.code < y.unit.code;
  });
  return out;
}

Result<MapOrdersResult> HotlineService::MapOrders(const Actor& a, MapOrdersQuery q) const {
  const Impl& m = *impl_;
  if (a.role == Role::kCitizen) return Status(Code::kForbidden, "citizens may not see the map");
  if (q.min_lon > q.max_lon || q.min_lat > q.max_lat)
    return Invalid("bbox", "bbox must be minLon,minLat,maxLon,maxLat with min <= max");
  if (q.to && q.to <= q.from) return Invalid("to", "to must be after from");
  if (q.limit < 1 || q.limit > 10000) return Invalid("limit", "limit must be 1..10000");
  q.now = m.clock.Now();
  return m.map.Orders(q, m.MapScopeOf(a));
}

}  // namespace hotline
