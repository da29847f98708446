// KPIs in the service (docs/kpis.md §8): the exact engine of analytics/ fed from the
// store's event log at Open and by every committed intake and action; queries scoped
// by jurisdiction; the KPI configuration document; exclude_from_kpi checks against
// the log.
//
// Locking: KpiState::mu is a shared_mutex. Queries take it shared; the feed (one
// event after its commit) and organisation changes take it exclusive. The store
// commit happens before the feed, so a reader may briefly see the log one event
// ahead of the engine, never an uncommitted event.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "analytics/byte_io.h"
#include "service/checkpoint_file.h"
#include "service/service_impl.h"
#include "text/pii_detect.h"

namespace hotline {

using analytics::Counter;
using analytics::Day;
using analytics::DayRange;
using analytics::KpiEngine;

namespace {

constexpr const char* kKpiKey = "kpi";
constexpr int kChannels = 10;
constexpr int kNatures = 6;

void CivilOf(Day z, int* y, int* m, int* d) {
  CivilDate c = CivilFromDays(z);
  *y = c.year;
  *m = c.month;
  *d = c.day;
}

Unit WholeArea() {
  Unit u;
  u.id = 0;
  u.name = "全区";
  u.kind = UnitKind::kDistrict;
  return u;
}

std::optional<Id> PlaceUnit(const WorkOrder& o) {
  if (o.place.grid_id) return o.place.grid_id;
  if (o.place.community_id) return o.place.community_id;
  return o.place.street_id;
}

bool SameFacts(const analytics::OrderFacts& a, const analytics::OrderFacts& b) {
  return a.channel == b.channel && a.nature == b.nature && a.subject_code == b.subject_code &&
         a.grid_id == b.grid_id && a.community_id == b.community_id && a.street_id == b.street_id;
}

std::int64_t Unique(const analytics::Counters& c) {
  return c[Counter::kReceived] - c[Counter::kDuplicates];
}

}  // namespace

struct KpiState {
  mutable std::shared_mutex mu;  // guards everything below but the configuration
  std::unique_ptr<KpiEngine> engine;
  // Orders reaching a terminal state (closed, merged, rejected) per place unit and day
  // (the dashboard's "closed today"); rolled up at query time.
  std::unordered_map<Id, Id> place_of;  // order -> grid, else community, else street (0: none)
  std::unordered_map<Id, std::map<Day, std::int64_t>> closed;
  std::string feed_summary;

  mutable std::mutex cfg_mu;
  std::shared_ptr<const analytics::KpiConfig> cfg;

  std::shared_ptr<const analytics::KpiConfig> Cfg() const {
    std::lock_guard lock(cfg_mu);
    return cfg;
  }
  void Note(const Event& e) {  // REQUIRES: mu held exclusively
    if (!IsTerminal(e.to) || IsTerminal(e.from)) return;
    auto it = place_of.find(e.order_id);
    Id place = it == place_of.end() ? 0 : it->second;
    closed[place][analytics::DayOf(e.at, engine->utc_offset_seconds())] += 1;
  }
  std::int64_t Closed(const analytics::UnitTree& units, Id unit, DayRange r) const {
    std::int64_t n = 0;
    for (const auto& [place, days] : closed) {
      if (unit != analytics::kAllUnits) {
        auto line = units.Lineage(place);
        if (place == 0 || std::find(line.begin(), line.end(), unit) == line.end()) continue;
      }
      for (auto it = days.lower_bound(r.from); it != days.end() && it->first < r.to; ++it)
        n += it->second;
    }
    return n;
  }
};

namespace {

// The checkpoint of this file's projections: the KPI engine, KpiState's place_of and closed
// counts, and the map index. Bump when the payload's layout or meaning changes.
constexpr std::uint32_t kProjectionsFormat = 1;
constexpr const char* kCheckpointFile = "kpi.ckpt";

std::string CheckpointPath(const std::string& dir) { return dir + "/" + kCheckpointFile; }

// Identifies the event a checkpoint ends at: the store at the next start must hold the same
// event under that id (not a new store at the same path, nor an older backup restored).
std::uint64_t EventHash(const Event& e) {
  std::uint64_t h = 1469598103934665603ull;
  auto bytes = [&](std::string_view s) {
    for (unsigned char ch : s) {
      h ^= ch;
      h *= 1099511628211ull;
    }
  };
  const std::string head = std::to_string(e.id) + "/" + std::to_string(e.order_id) + "/" +
                           std::to_string(e.at) + "/" + e.action + "/";
  bytes(head);
  bytes(e.data_json);
  return h;
}

Result<std::uint64_t> AnchorOf(Store& store, Id event_id) {
  if (event_id <= 0) return std::uint64_t{0};
  HOTLINE_ASSIGN_OR_RETURN(std::vector<Event> one, store.ScanEvents(event_id - 1, 1));
  if (one.empty() || one[0].id != event_id) return std::uint64_t{1};  // no such event
  return EventHash(one[0]);
}

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::uint64_t HotlineService::Impl::ProjectionFingerprint(const analytics::UnitTree& tree) const {
  // What the payload depends on besides the log: the formats, the unit tree (the cube's
  // roll-up), the engine's utc offset (day boundaries) and each user's unit (the map index
  // anchors an order to its recorder's unit).
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::int64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= static_cast<std::uint64_t>(v >> (8 * i)) & 0xff;
      h *= 1099511628211ull;
    }
  };
  mix(kProjectionsFormat);
  mix(KpiEngine::kFormat);
  mix(MapIndex::kFormat);
  mix(static_cast<std::int64_t>(tree.Fingerprint()));
  mix(8 * 3600);  // KpiEngine's offset (the engine is built with its default)
  std::vector<std::pair<Id, Id>> users;
  for (const User& u : dir.AllUsers()) users.emplace_back(u.id, u.unit_id);
  std::sort(users.begin(), users.end());
  for (const auto& [id, unit] : users) {
    mix(id);
    mix(unit);
  }
  return h;
}

Status HotlineService::Impl::KpiOpen() {
  auto st = std::make_shared<KpiState>();
  HOTLINE_ASSIGN_OR_RETURN(auto doc, store.GetDocument(kKpiKey));
  if (doc) {
    auto cfg = analytics::ParseKpiConfig(*doc);
    if (!cfg.ok())
      return Status(Code::kInternal, "stored kpi configuration: " + cfg.status().ToString());
    st->cfg = std::make_shared<const analytics::KpiConfig>(*cfg);
  } else {
    st->cfg = std::make_shared<const analytics::KpiConfig>();
  }
  const auto cfg_ptr = st->cfg;
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  analytics::UnitTree tree(dir.AllUnits());
  const std::uint64_t fingerprint = ProjectionFingerprint(tree);
  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  char line[300];

  // 1. The checkpoint, when there is a usable one: then only the events after it.
  std::string why;
  if (!options.checkpoint_dir.empty()) {
    const std::string path = CheckpointPath(options.checkpoint_dir);
    auto c = ReadCheckpoint(path);
    if (!c.ok()) {
      why = c.status().message();
    } else if (c->format != kProjectionsFormat) {
      why = "checkpoint " + path + ": format " + std::to_string(c->format) +
            ", this build writes " + std::to_string(kProjectionsFormat);
    } else if (c->fingerprint != fingerprint) {
      why = "checkpoint " + path +
            ": fingerprint mismatch (the unit tree, a user's unit, the utc offset or the engine "
            "changed since it was written)";
    } else {
      const auto t_read = Clock::now();
      analytics::ByteReader r(c->payload);
      const std::uint64_t anchor = r.U();
      HOTLINE_ASSIGN_OR_RETURN(std::uint64_t in_store, AnchorOf(store, c->event_id));
      const std::string engine_bytes = r.Str();
      const std::string map_bytes = r.Str();
      const std::uint64_t n_place = r.Count(2);
      for (std::uint64_t i = 0; r.ok() && i < n_place; ++i) {
        const Id order = r.S();
        st->place_of[order] = r.S();
      }
      const std::uint64_t n_closed = r.Count(2);
      for (std::uint64_t i = 0; r.ok() && i < n_closed; ++i) {
        auto& days = st->closed[r.S()];
        const std::uint64_t n_days = r.Count(2);
        for (std::uint64_t k = 0; r.ok() && k < n_days; ++k) {
          const Day d = static_cast<Day>(r.S());
          days[d] = r.S();
        }
      }
      auto engine = KpiEngine::Load(engine_bytes, tree);
      Status map_st = engine.ok() ? map.Load(map_bytes) : Status{};
      if (!r.ok() || !r.done()) {
        why = "checkpoint " + path + ": damaged service part";
      } else if (anchor != in_store) {
        why = "checkpoint " + path + ": the store's event " + std::to_string(c->event_id) +
              " is not the one it was written at (another store, or one restored from a backup)";
      } else if (!engine.ok()) {
        why = engine.status().message();
      } else if (!map_st.ok()) {
        why = map_st.message();
      } else {
        st->engine = std::move(engine).value();
        const double load_ms = ms(Clock::now() - t_read);
        // The tail: every event after the checkpoint, by order. Each touched order is
        // re-registered with its current facts (a reclassification or relocation has an event)
        // and gets its tail events; the map entry is rebuilt from its whole history.
        const auto t_tail = Clock::now();
        std::map<Id, std::vector<Event>> tail;
        std::size_t events = 0;
        Id after = c->event_id;
        for (;;) {
          HOTLINE_ASSIGN_OR_RETURN(std::vector<Event> batch, store.ScanEvents(after, 50000));
          if (batch.empty()) break;
          after = batch.back().id;
          events += batch.size();
          for (Event& e : batch) tail[e.order_id].push_back(std::move(e));
        }
        for (auto& [id, evs] : tail) {
          HOTLINE_ASSIGN_OR_RETURN(WorkOrder o, store.GetOrder(id));
          HOTLINE_RETURN_IF_ERROR(st->engine->AddOrder(analytics::FactsOf(o)));
          st->place_of[o.id] = PlaceUnit(o).value_or(0);
          for (const Event& e : evs)
            if (st->engine->Apply(e).ok()) st->Note(e);
          HOTLINE_ASSIGN_OR_RETURN(std::vector<Event> history, store.ListEvents(id));
          MapPut(o, history);
        }
        ckpt_event_id = after;
        fed_since_ckpt = static_cast<std::int64_t>(events);
        std::snprintf(line, sizeof line,
                      "kpi engine: %zu orders from checkpoint (event %lld) + %zu later events of "
                      "%zu orders fed in %.0f ms (checkpoint read %.0f ms, load %.0f ms, tail "
                      "%.0f ms)",
                      st->engine->order_count(), static_cast<long long>(c->event_id), events,
                      tail.size(), ms(Clock::now() - t0), ms(t_read - t0), load_ms,
                      ms(Clock::now() - t_tail));
        st->feed_summary = line;
        kpi = std::move(st);
        return {};
      }
    }
    std::fprintf(stderr, "projections: %s; rebuilding from the event log\n", why.c_str());
    st = std::make_shared<KpiState>();
    st->cfg = cfg_ptr;
    map.Clear();  // a half-loaded checkpoint may have filled it
  }

  // 2. The whole log by event id in batches, grouped by order; then each order once with its
  // facts and events (one replay per order, not one per event).
  st->engine = std::make_unique<KpiEngine>(tree);
  std::unordered_map<Id, std::vector<Event>> by_order;
  std::size_t events = 0;
  Id after = 0;
  for (;;) {
    HOTLINE_ASSIGN_OR_RETURN(std::vector<Event> batch, store.ScanEvents(after, 50000));
    if (batch.empty()) break;
    after = batch.back().id;
    events += batch.size();
    for (Event& e : batch) by_order[e.order_id].push_back(std::move(e));
  }
  const auto t1 = Clock::now();
  const bool progress = !options.checkpoint_dir.empty();
  const std::size_t expected = by_order.size();
  OrderQuery q;
  q.sort = OrderQuery::Sort::kOldest;
  q.limit = 50000;  // OFFSET paging re-sorts per page: few, large pages
  std::size_t orders = 0;
  Clock::duration replay{};
  for (;; q.offset += q.limit) {
    HOTLINE_ASSIGN_OR_RETURN(OrderPage page, store.ListOrders(q));
    for (const WorkOrder& o : page.items) {
      auto it = by_order.find(o.id);
      std::vector<Event> evs;
      if (it != by_order.end()) evs = std::move(it->second);
      st->place_of[o.id] = PlaceUnit(o).value_or(0);
      for (const Event& e : evs) st->Note(e);
      MapPut(o, evs);  // the map index is built from the same pass (hotline_service_place.cc)
      const auto r0 = Clock::now();
      HOTLINE_RETURN_IF_ERROR(st->engine->AddOrder(analytics::FactsOf(o), evs));
      replay += Clock::now() - r0;
      ++orders;
      if (progress && orders % 50000 == 0)
        std::fprintf(stderr, "projections: rebuilt %zu of ~%zu orders (%.0f%%, %.1f s)\n", orders,
                     expected, expected ? 100.0 * orders / expected : 100.0,
                     ms(Clock::now() - t0) / 1000);
    }
    if (page.items.size() < static_cast<size_t>(q.limit)) break;
  }
  const auto t2 = Clock::now();
  std::snprintf(
      line, sizeof line,
      "kpi engine: %zu orders, %zu events fed in %.0f ms (log scan %.0f ms, orders %.0f ms, "
      "replay %.0f ms)%s",
      orders, events, ms(t2 - t0), ms(t1 - t0), ms(t2 - t1 - replay), ms(replay),
      why.empty() ? "" : " (rebuilt: no usable checkpoint)");
  st->feed_summary = line;
  kpi = std::move(st);
  ckpt_event_id = after;
  if (!options.checkpoint_dir.empty()) {
    fed_since_ckpt = 1;  // a fresh checkpoint right away
    HOTLINE_RETURN_IF_ERROR(WriteProjections("after a rebuild"));
  }
  return {};
}

Status HotlineService::Impl::WriteProjections(const char* why) {
  if (options.checkpoint_dir.empty() || !kpi) return {};
  std::lock_guard write_lock(ckpt_write_mu);
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  // Where the log ends now, read mostly before the pause (the gate only covers the last few).
  Id end = ckpt_event_id;
  auto scan_to_end = [&]() -> Status {
    for (;;) {
      HOTLINE_ASSIGN_OR_RETURN(std::vector<Event> batch, store.ScanEvents(end, 50000));
      if (batch.empty()) return {};
      end = batch.back().id;
    }
  };
  HOTLINE_RETURN_IF_ERROR(scan_to_end());
  Checkpoint c;
  c.format = kProjectionsFormat;
  std::string engine_bytes, map_bytes;
  std::int64_t fed = 0;
  std::size_t orders = 0;
  double pause_ms = 0;
  {
    std::unique_lock gate(feed_gate);  // no event between its commit and its feed now
    const auto p0 = Clock::now();
    HOTLINE_RETURN_IF_ERROR(scan_to_end());
    std::shared_lock lock(kpi->mu);
    c.fingerprint = ProjectionFingerprint(kpi->engine->units());
    kpi->engine->Serialize(engine_bytes);
    map.Serialize(map_bytes);
    HOTLINE_ASSIGN_OR_RETURN(const std::uint64_t anchor, AnchorOf(store, end));
    analytics::ByteWriter w(c.payload);
    w.U(anchor);
    w.Str(engine_bytes);
    w.Str(map_bytes);
    w.U(kpi->place_of.size());
    for (const auto& [order, place] : kpi->place_of) {
      w.S(order);
      w.S(place);
    }
    w.U(kpi->closed.size());
    for (const auto& [place, days] : kpi->closed) {
      w.S(place);
      w.U(days.size());
      for (const auto& [d, n] : days) {
        w.S(d);
        w.S(n);
      }
    }
    c.event_id = end;
    orders = kpi->engine->order_count();
    fed = fed_since_ckpt.exchange(0);
    pause_ms = MsSince(p0);
  }
  const auto t_write = Clock::now();
  auto stats = hotline::WriteCheckpoint(CheckpointPath(options.checkpoint_dir), c);
  if (!stats.ok()) {
    fed_since_ckpt += fed;  // try again later
    return stats.status();
  }
  ckpt_event_id = end;
  std::fprintf(stderr,
               "projections: checkpoint written (%s) at event %lld: %zu orders, %.1f MB raw, "
               "%.1f MB on disk; writers paused %.1f ms, total %.0f ms (write %.0f ms)\n",
               why, static_cast<long long>(end), orders, stats->raw_bytes / 1e6,
               stats->file_bytes / 1e6, pause_ms, MsSince(t0), MsSince(t_write));
  return {};
}

void HotlineService::Impl::StartCheckpoints() {
  if (options.checkpoint_dir.empty()) return;
  ckpt_thread = std::thread([this] {
    auto last = std::chrono::steady_clock::now();
    std::unique_lock lock(ckpt_mu);
    while (!ckpt_stop) {
      ckpt_cv.wait_for(lock, std::chrono::seconds(1));
      if (ckpt_stop) break;
      const std::int64_t fed = fed_since_ckpt.load();
      const auto age = std::chrono::steady_clock::now() - last;
      if (fed <= 0) continue;
      if (fed < options.checkpoint_every_events &&
          age < std::chrono::seconds(options.checkpoint_every_seconds))
        continue;
      lock.unlock();
      Status st = WriteProjections(fed >= options.checkpoint_every_events ? "events" : "timer");
      if (!st.ok())
        std::fprintf(stderr, "projections: checkpoint failed: %s\n", st.ToString().c_str());
      last = std::chrono::steady_clock::now();
      lock.lock();
    }
  });
}

void HotlineService::Impl::StopCheckpoints() {
  {
    std::lock_guard lock(ckpt_mu);
    ckpt_stop = true;
  }
  ckpt_cv.notify_all();
  if (ckpt_thread.joinable()) ckpt_thread.join();
}

Status HotlineService::WriteCheckpoint() { return impl_->WriteProjections("shutdown"); }

void HotlineService::Impl::KpiCommitted(const WorkOrder* before, const WorkOrder& next,
                                        const Event& event) {
  if (!kpi) return;
  Event e = event;
  e.order_id = next.id;
  std::unique_lock lock(kpi->mu);
  analytics::OrderFacts facts = analytics::FactsOf(next);
  // A new order, or a reclassification (dispatch with subject_code): replay with the new facts.
  if (!before || !SameFacts(analytics::FactsOf(*before), facts)) {
    (void)kpi->engine->AddOrder(facts);
    kpi->place_of[next.id] = PlaceUnit(next).value_or(0);
  }
  if (kpi->engine->Apply(e).ok()) kpi->Note(e);
  fed_since_ckpt.fetch_add(1, std::memory_order_relaxed);
}

void HotlineService::Impl::KpiUnitsChanged() {
  if (!kpi) return;
  analytics::UnitTree tree(dir.AllUnits());
  std::unique_lock lock(kpi->mu);
  kpi->engine->SetUnits(std::move(tree));
}

Status HotlineService::Impl::KpiCheckExclusion(const WorkOrder& o, const ActionInput& in) {
  if (in.action != Action::kExcludeFromKpi && in.action != Action::kIncludeInKpi) return {};
  if (!in.kpi_unit_id) return {};  // Plan names the missing field
  const Id unit = *in.kpi_unit_id;
  HOTLINE_ASSIGN_OR_RETURN(std::vector<Event> events, store.ListEvents(o.id));
  std::set<Id> leads, excluded;
  for (const Event& e : events) {
    auto d = nlohmann::json::parse(e.data_json, nullptr, false);
    if (!d.is_object()) continue;
    if ((e.action == "dispatch" || e.action == "approve_return" || e.action == "redo") &&
        d.contains("lead_unit_id") && d["lead_unit_id"].is_number_integer())
      leads.insert(d["lead_unit_id"].get<Id>());
    if ((e.action == "exclude_from_kpi" || e.action == "include_in_kpi") && d.contains("unit_id") &&
        d["unit_id"].is_number_integer()) {
      if (e.action == "exclude_from_kpi")
        excluded.insert(d["unit_id"].get<Id>());
      else
        excluded.erase(d["unit_id"].get<Id>());
    }
  }
  const std::string name = std::to_string(unit);
  if (!leads.count(unit))
    return Invalid("unit_id", "unit " + name + " has never led order " + o.no +
                                  "; only a lead unit's score can be excluded");
  if (in.action == Action::kExcludeFromKpi && excluded.count(unit))
    return Status(Code::kFailedPrecondition,
                  "order " + o.no + " is already excluded from unit " + name + "'s KPIs",
                  "unit_id");
  if (in.action == Action::kIncludeInKpi && !excluded.count(unit))
    return Status(Code::kFailedPrecondition,
                  "order " + o.no + " is not excluded from unit " + name + "'s KPIs", "unit_id");
  return {};
}

// ---- the public methods ----

namespace {

// The root of the actor's KPI jurisdiction: nullopt = the whole area.
struct KpiScope {
  std::optional<Id> root;
  bool Contains(const Directory& dir, Id unit) const {
    if (!root) return true;
    return unit != analytics::kAllUnits && dir.IsWithin(unit, *root);
  }
};

// `wide`: the actor sees the whole area (district and centre staff).
// `root`: the actor's jurisdiction (Impl::JurisdictionOf); nullopt = the whole organisation.
Result<KpiScope> ScopeFor(const Actor& a, std::optional<Id> root) {
  if (a.role == Role::kCitizen) return Status(Code::kForbidden, "citizens may not read KPIs");
  KpiScope s;
  s.root = root;
  return s;
}

Result<Unit> ScopedUnit(const Directory& dir, const KpiScope& scope, Id unit) {
  if (unit == analytics::kAllUnits) {
    if (scope.root) return Status(Code::kNotFound, "no unit 0 in your jurisdiction", "unit");
    return WholeArea();
  }
  auto u = dir.Unit_(unit);
  if (!u || !scope.Contains(dir, unit))
    return Status(Code::kNotFound, "no unit " + std::to_string(unit), "unit");
  return *u;
}

RankingRow ToRankingRow(const Directory& dir, analytics::RankRow r,
                        const std::map<Id, int>& previous) {
  RankingRow row;
  row.unit = dir.Unit_(r.unit_id).value_or(Unit{});
  auto p = previous.find(r.unit_id);
  row.previous_rank = p == previous.end() ? 0 : p->second;
  row.row = std::move(r);
  return row;
}

// True when `unit` lies inside a district (a district's street, department...).
bool InADistrict(const Directory& dir, Id unit) {
  for (Id id : dir.Lineage(unit)) {
    auto u = dir.Unit_(id);
    if (u && u->kind == UnitKind::kDistrict) return true;
  }
  return false;
}

// The ranking of `kind` the actor's level sees (issue 14), by the same formulas and weights:
// - districts: the city ranks all of them; a district's staff see their own row, with its rank
//   in the city;
// - streets, departments: ranked among those of the actor's district when it sits under a
//   city (numbered 1, 2, ... within the district), else among all; at the root of a city store,
//   departments are the city's own (those in no district), streets every street of the city.
//   The actor then sees the rows in their jurisdiction (a street its own row, with its rank).
std::vector<analytics::RankRow> RankFor(const Directory& dir, const KpiEngine& e,
                                        const KpiScope& scope, UnitKind kind, DayRange range,
                                        const analytics::KpiConfig& cfg) {
  std::vector<analytics::RankRow> all = e.Rank(kind, range, cfg);
  if (kind == UnitKind::kDistrict) {
    // Only a city ranks districts: a district-rooted store has no ranking of districts (its
    // root is the one district, not a rank of one).
    std::erase_if(all, [&](const analytics::RankRow& r) {
      auto u = dir.Unit_(r.unit_id);
      return !u || !u->parent_id;
    });
    if (!scope.root) return all;
    std::vector<analytics::RankRow> own;
    for (auto& r : all)
      if (dir.IsWithin(*scope.root, r.unit_id)) own.push_back(std::move(r));
    return own;
  }
  std::optional<Id> district;  // the district of a city the ranking is within
  bool city_root = false;
  if (scope.root) {
    for (Id id : dir.Lineage(*scope.root)) {
      auto u = dir.Unit_(id);
      if (u && u->kind == UnitKind::kDistrict) {
        if (u->parent_id) district = id;
        break;
      }
    }
  } else {
    for (const Unit& u : dir.AllUnits()) city_root |= u.kind == UnitKind::kCity && !u.parent_id;
  }
  std::vector<analytics::RankRow> ranked;
  for (auto& r : all) {
    if (district && !dir.IsWithin(r.unit_id, *district)) continue;
    if (city_root && kind == UnitKind::kDepartment && InADistrict(dir, r.unit_id)) continue;
    ranked.push_back(std::move(r));
  }
  if (district || city_root) analytics::AssignRanks(ranked);
  std::vector<analytics::RankRow> rows;
  for (auto& r : ranked)
    if (scope.Contains(dir, r.unit_id)) rows.push_back(std::move(r));
  return rows;
}

// REQUIRES: kpi->mu held (shared).
Ranking RankLocked(const Directory& dir, const KpiEngine& e, const KpiScope& scope, UnitKind kind,
                   DayRange range, const analytics::KpiConfig& cfg) {
  std::map<Id, int> previous;
  for (const auto& r : RankFor(dir, e, scope, kind, analytics::PreviousRange(range), cfg))
    if (r.rank > 0) previous[r.unit_id] = r.rank;
  Ranking out;
  out.kind = kind;
  out.range = range;
  out.config = cfg;
  for (auto& r : RankFor(dir, e, scope, kind, range, cfg))
    out.rows.push_back(ToRankingRow(dir, std::move(r), previous));
  return out;
}

// Units of `kind` under `unit` (every one for the whole area), by id.
std::vector<Id> UnitsUnder(const Directory& dir, const KpiEngine& e, UnitKind kind, Id unit) {
  std::vector<Id> out;
  for (Id id : e.units().OfKind(kind))
    if (unit == analytics::kAllUnits || dir.IsWithin(id, unit)) out.push_back(id);
  return out;
}

// The same days of the previous month (clipped to its length): the dashboard's comparison.
DayRange SameDaysLastMonth(DayRange mtd) {
  int y, mo, d;
  CivilOf(mtd.from, &y, &mo, &d);
  DayRange prev = analytics::MonthRange(mo == 1 ? y - 1 : y, mo == 1 ? 12 : mo - 1);
  return {prev.from, std::min(prev.to, prev.from + mtd.days())};
}

analytics::VolumeTrendRow Three(const KpiEngine& e, Id unit, DayRange cur, DayRange prev,
                                const analytics::KpiConfig& cfg) {
  analytics::VolumeTrendRow row;
  row.unit_id = unit;
  auto volumes = [&](DayRange r, std::int64_t& h, std::int64_t& o, std::int64_t& p) {
    auto by = e.SumByChannel(unit, r);
    for (size_t ch = 0; ch < by.size(); ++ch) {
      h += analytics::Volume(by[ch], static_cast<Channel>(ch), cfg.hotline_complaints);
      o += analytics::Volume(by[ch], static_cast<Channel>(ch), cfg.online_opinion);
      p += analytics::Volume(by[ch], static_cast<Channel>(ch), cfg.petition);
    }
  };
  volumes(cur, row.hotline_complaints, row.online_opinion, row.petition);
  volumes(prev, row.prev_hotline_complaints, row.prev_online_opinion, row.prev_petition);
  row.all_fell = row.hotline_complaints < row.prev_hotline_complaints &&
                 row.online_opinion < row.prev_online_opinion && row.petition < row.prev_petition;
  return row;
}

}  // namespace

analytics::KpiConfig HotlineService::KpiSettings() const { return *impl_->kpi->Cfg(); }

std::string HotlineService::KpiConfigJson() const {
  return analytics::KpiConfigToJson(*impl_->kpi->Cfg());
}

Status HotlineService::PutKpiConfigJson(const Actor& a, const std::string& json) {
  Impl& m = *impl_;
  if (a.role != Role::kAdmin) return Status(Code::kForbidden, "only admins change configuration");
  HOTLINE_ASSIGN_OR_RETURN(analytics::KpiConfig cfg, analytics::ParseKpiConfig(json));
  std::lock_guard lock(m.admin_mu);
  const std::string doc = analytics::KpiConfigToJson(cfg);
  HOTLINE_RETURN_IF_ERROR(m.store.PutDocument(kKpiKey, doc));
  HOTLINE_RETURN_IF_ERROR(m.store.AppendAudit(
      {m.clock.Now(), a.user_id, "put_kpi", std::nullopt, doc.substr(0, 2000)}));
  std::lock_guard cl(m.kpi->cfg_mu);
  m.kpi->cfg = std::make_shared<const analytics::KpiConfig>(std::move(cfg));
  return {};
}

analytics::Day HotlineService::KpiToday() const {
  return analytics::DayOf(impl_->clock.Now(), impl_->kpi->engine->utc_offset_seconds());
}

std::string HotlineService::KpiFeedSummary() const { return impl_->kpi->feed_summary; }

Status HotlineService::Ping() {
  auto r = impl_->store.MaxUnitId();
  if (r.ok()) return {};
  return Status(Code::kUnavailable, "the store does not answer: " + r.status().message());
}

WriteStats HotlineService::StoreWriteStats() const { return impl_->store.Stats(); }

Result<std::vector<KpiRow>> HotlineService::Kpis(const Actor& a, const KpiQuery& q) {
  Impl& m = *impl_;
  HOTLINE_ASSIGN_OR_RETURN(KpiScope scope, ScopeFor(a, m.JurisdictionOf(a)));
  if (q.range.from >= q.range.to) return Invalid("to", "to must be after from");
  const Id unit = q.unit_id.value_or(scope.root.value_or(analytics::kAllUnits));
  HOTLINE_ASSIGN_OR_RETURN(Unit top, ScopedUnit(m.dir, scope, unit));
  auto cfg = m.kpi->Cfg();
  std::shared_lock lock(m.kpi->mu);
  std::vector<Unit> units;
  if (q.group) {
    for (Id id : UnitsUnder(m.dir, *m.kpi->engine, *q.group, unit))
      units.push_back(m.dir.Unit_(id).value_or(Unit{}));
  } else {
    units.push_back(top);
  }
  std::vector<KpiRow> rows;
  for (Unit& u : units) {
    KpiRow row;
    if (q.compare) {
      row.change = m.kpi->engine->Compare(u.id, q.range, *cfg, q.slice);
    } else {
      row.change.current = m.kpi->engine->Report(u.id, q.range, *cfg, q.slice);
      for (const auto& [name, ratio] : row.change.current.metrics)
        row.change.metrics[name] = {ratio, {}, std::nullopt};
    }
    row.unit = std::move(u);
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<Ranking> HotlineService::Rankings(const Actor& a, UnitKind kind, DayRange range) {
  Impl& m = *impl_;
  HOTLINE_ASSIGN_OR_RETURN(KpiScope scope, ScopeFor(a, m.JurisdictionOf(a)));
  if (kind != UnitKind::kStreet && kind != UnitKind::kDepartment && kind != UnitKind::kDistrict)
    return Invalid("kind", "kind must be street, department or district");
  auto cfg = m.kpi->Cfg();
  std::shared_lock lock(m.kpi->mu);
  return RankLocked(m.dir, *m.kpi->engine, scope, kind, range, *cfg);
}

Result<std::vector<VolumeRow>> HotlineService::Volumes(const Actor& a, UnitKind kind,
                                                       DayRange range, std::optional<Id> unit) {
  Impl& m = *impl_;
  HOTLINE_ASSIGN_OR_RETURN(KpiScope scope, ScopeFor(a, m.JurisdictionOf(a)));
  if (range.from >= range.to) return Invalid("to", "to must be after from");
  if (unit) HOTLINE_RETURN_IF_ERROR(ScopedUnit(m.dir, scope, *unit).status());
  auto cfg = m.kpi->Cfg();
  std::shared_lock lock(m.kpi->mu);
  const KpiEngine& e = *m.kpi->engine;
  std::vector<VolumeRow> rows;
  for (const analytics::VolumeTrendRow& t : e.VolumeTrend(kind, range, *cfg)) {
    if (!scope.Contains(m.dir, t.unit_id)) continue;
    if (unit && *unit != analytics::kAllUnits && !m.dir.IsWithin(t.unit_id, *unit)) continue;
    VolumeRow row;
    row.unit = m.dir.Unit_(t.unit_id).value_or(Unit{});
    row.three = t;
    row.by_channel.assign(kChannels, 0);
    for (size_t ch = 0; const auto& c : e.SumByChannel(t.unit_id, range))
      row.by_channel[ch++] = Unique(c);
    analytics::Counters c = e.Sum(t.unit_id, range);
    row.by_nature.assign(kNatures, 0);
    for (int n = 0; n < kNatures; ++n)
      row.by_nature[static_cast<size_t>(n)] =
          c.ByNature(Counter::kReceivedByNature, static_cast<Nature>(n)) -
          c.ByNature(Counter::kDuplicatesByNature, static_cast<Nature>(n));
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<DashboardData> HotlineService::Dashboard(const Actor& a, Day date) {
  Impl& m = *impl_;
  HOTLINE_ASSIGN_OR_RETURN(KpiScope scope, ScopeFor(a, m.JurisdictionOf(a)));
  const Id unit = scope.root.value_or(analytics::kAllUnits);
  auto cfg = m.kpi->Cfg();
  DashboardData d;
  d.date = date;
  d.unit_id = unit;
  int y, mo, dd;
  CivilOf(date, &y, &mo, &dd);
  d.month_to_date = {analytics::DayOfDate(y, mo, 1), date + 1};

  // Lights and the red list: open orders now, in the caller's scope (store queries,
  // outside the engine lock).
  const Timestamp now = m.clock.Now();
  auto count = [&](Light light) -> Result<std::int64_t> {
    OrderQuery q;
    q.scope_units = m.ScopeOf(a);
    q.now = now;
    q.light = light;
    q.limit = 1;
    HOTLINE_ASSIGN_OR_RETURN(OrderPage p, m.store.ListOrders(q));
    return p.total;
  };
  HOTLINE_ASSIGN_OR_RETURN(d.red, count(Light::kRed));
  HOTLINE_ASSIGN_OR_RETURN(d.yellow, count(Light::kYellow));
  HOTLINE_ASSIGN_OR_RETURN(d.green, count(Light::kGreen));
  {
    OrderQuery q;
    q.scope_units = m.ScopeOf(a);
    q.now = now;
    q.light = Light::kRed;
    q.sort = OrderQuery::Sort::kDueSoonest;
    q.limit = 20;
    HOTLINE_ASSIGN_OR_RETURN(OrderPage p, m.store.ListOrders(q));
    for (WorkOrder& o : p.items) {
      OrderView v = m.ListItem(a, std::move(o));
      v.order.content.clear();
      d.red_list.push_back(std::move(v.order));
    }
  }

  std::shared_lock lock(m.kpi->mu);
  const KpiEngine& e = *m.kpi->engine;
  d.today_by_channel.assign(kChannels, 0);
  for (size_t ch = 0; const auto& c : e.SumByChannel(unit, {date, date + 1})) {
    d.today_by_channel[ch] = c[Counter::kReceived];
    d.today_received += c[Counter::kReceived];
    d.today_assigned += c[Counter::kAssigned];
    ++ch;
  }
  d.today_closed = m.kpi->Closed(e.units(), unit, {date, date + 1});
  d.mtd_by_channel.assign(kChannels, 0);
  for (size_t ch = 0; const auto& c : e.SumByChannel(unit, d.month_to_date))
    d.mtd_by_channel[ch++] = c[Counter::kReceived];
  d.mtd = e.Report(unit, d.month_to_date, *cfg);
  d.mtd_received = d.mtd.counters[Counter::kReceived];
  d.mtd_assigned = d.mtd.counters[Counter::kAssigned];
  d.mtd_by_nature.assign(kNatures, 0);
  for (int n = 0; n < kNatures; ++n)
    d.mtd_by_nature[static_cast<size_t>(n)] =
        d.mtd.counters.ByNature(Counter::kReceivedByNature, static_cast<Nature>(n));
  d.trend_by_channel.assign(kChannels, {});
  for (Day day = date - 29; day <= date; ++day) {
    d.trend_days.push_back(day);
    auto by = e.SumByChannel(unit, {day, day + 1});
    std::int64_t assigned = 0;
    for (size_t ch = 0; ch < kChannels; ++ch) {
      d.trend_by_channel[ch].push_back(by[ch][Counter::kReceived]);
      assigned += by[ch][Counter::kAssigned];
    }
    d.trend_assigned.push_back(assigned);
  }
  d.three = Three(e, unit, d.month_to_date, SameDaysLastMonth(d.month_to_date), *cfg);
  d.street_ranking = RankLocked(m.dir, e, scope, UnitKind::kStreet, d.month_to_date, *cfg).rows;
  d.department_ranking =
      RankLocked(m.dir, e, scope, UnitKind::kDepartment, d.month_to_date, *cfg).rows;
  d.district_ranking = RankLocked(m.dir, e, scope, UnitKind::kDistrict, d.month_to_date, *cfg).rows;
  return d;
}

Result<MonthlyReport> HotlineService::MonthlyReportData(const Actor& a, DayRange month) {
  Impl& m = *impl_;
  HOTLINE_ASSIGN_OR_RETURN(KpiScope scope, ScopeFor(a, m.JurisdictionOf(a)));
  MonthlyReport r;
  r.month = month;
  HOTLINE_ASSIGN_OR_RETURN(r.streets, Rankings(a, UnitKind::kStreet, month));
  HOTLINE_ASSIGN_OR_RETURN(r.departments, Rankings(a, UnitKind::kDepartment, month));
  HOTLINE_ASSIGN_OR_RETURN(r.districts, Rankings(a, UnitKind::kDistrict, month));
  if (!scope.root) {
    auto cfg = m.kpi->Cfg();
    std::shared_lock lock(m.kpi->mu);
    for (const Unit& u : m.dir.AllUnits()) {
      if (u.kind != UnitKind::kDistrict || !u.parent_id || !u.active) continue;
      KpiScope within;
      within.root = u.id;
      r.by_district.push_back(
          {u, RankLocked(m.dir, *m.kpi->engine, within, UnitKind::kStreet, month, *cfg),
           RankLocked(m.dir, *m.kpi->engine, within, UnitKind::kDepartment, month, *cfg)});
    }
    std::sort(r.by_district.begin(), r.by_district.end(),
              [](const auto& x, const auto& y) { return x.district.code < y.district.code; });
  }
  KpiQuery q;
  q.range = month;
  q.compare = true;
  HOTLINE_ASSIGN_OR_RETURN(r.units, Kpis(a, q));
  for (UnitKind kind : {UnitKind::kStreet, UnitKind::kDepartment}) {
    q.group = kind;
    HOTLINE_ASSIGN_OR_RETURN(auto rows, Kpis(a, q));
    for (KpiRow& row : rows) r.units.push_back(std::move(row));
  }
  const Id unit = scope.root.value_or(analytics::kAllUnits);
  auto cfg = m.Cfg();
  std::vector<SubjectCount> subjects;
  for (const Subject& s : cfg->subjects)
    if (s.parent_code.empty() && analytics::Subject1Of(s.code) >= 0)
      subjects.push_back({analytics::Subject1Of(s.code), s.code, s.name, 0, 0, 0});
  subjects.push_back({-1, "", "未分类", 0, 0, 0});
  {
    std::shared_lock lock(m.kpi->mu);
    const KpiEngine& e = *m.kpi->engine;
    for (SubjectCount& s : subjects) {
      analytics::Slice slice;
      slice.subject1 = s.subject1;
      analytics::Counters c = e.Sum(unit, month, slice);
      s.received = c[Counter::kReceived];
      s.unique = Unique(c);
      s.previous_unique = Unique(e.Sum(unit, analytics::PreviousRange(month), slice));
    }
  }
  std::erase_if(subjects,
                [](const SubjectCount& s) { return s.received == 0 && s.previous_unique == 0; });
  std::stable_sort(
      subjects.begin(), subjects.end(),
      [](const SubjectCount& x, const SubjectCount& y) { return x.unique > y.unique; });
  r.subjects = std::move(subjects);
  // The month's hotspots, as GET /hotspots gives them for the same caller and month.
  const Timestamp offset = m.kpi->engine->utc_offset_seconds();
  HotspotQuery hq;
  hq.from = static_cast<Timestamp>(month.from) * 86400 - offset;
  hq.to = static_cast<Timestamp>(month.to) * 86400 - offset;
  hq.limit = 10;
  HOTLINE_ASSIGN_OR_RETURN(r.hotspots, Hotspots(a, hq));
  return r;
}

}  // namespace hotline
