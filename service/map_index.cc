#include "service/map_index.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "analytics/byte_io.h"
#include "domain/deadline.h"

namespace hotline {

std::int64_t MapIndex::CellKey(double lon, double lat) {
  auto ix = static_cast<std::int64_t>(std::floor(lon / kCellDegrees));
  auto iy = static_cast<std::int64_t>(std::floor(lat / kCellDegrees));
  return (ix << 32) | static_cast<std::uint32_t>(static_cast<std::int32_t>(iy));
}

namespace {
// Bit i set when time i of (yellow_at, due_at, sign_due, signed_at) is 0 (not set).
std::uint64_t t_is_zero_mask(const MapPoint& p) {
  std::uint64_t m = 0;
  const Timestamp times[] = {p.yellow_at, p.due_at, p.sign_due, p.signed_at};
  for (int i = 0; i < 4; ++i)
    if (!times[i]) m |= 1u << i;
  return m;
}
}  // namespace

Light MapIndex::LightOfHot(const Hot& h, Timestamp now) {
  if (!IsOpen(h.state)) return Light::kNone;
  return LightAt(now, h.yellow_at, h.due_at);
}

Light MapIndex::LightOf(const MapPoint& p, Timestamp now) {
  if (!IsOpen(p.state)) return Light::kNone;
  return LightAt(now, p.yellow_at, p.due_at);
}

void MapIndex::Put(MapPoint p) {
  Hot h;
  h.has_point = p.lon && p.lat;
  h.lon = p.lon.value_or(0);
  h.lat = p.lat.value_or(0);
  h.state = p.state;
  h.created_at = p.created_at;
  h.yellow_at = p.yellow_at;
  h.due_at = p.due_at;
  h.sign_due = p.sign_due;
  h.signed_at = p.signed_at;
  h.street_id = p.street_id;
  h.community_id = p.community_id;
  h.grid_id = p.grid_id;
  std::unique_lock lock(mu_);
  auto it = slot_of_.find(p.id);
  if (it == slot_of_.end()) {
    const auto slot = static_cast<std::uint32_t>(hot_.size());
    slot_of_[p.id] = slot;
    if (h.has_point) cells_[CellKey(h.lon, h.lat)].push_back(slot);
    hot_.push_back(h);
    cold_.push_back(std::move(p));
    return;
  }
  const size_t slot = it->second;
  if (p.version < cold_[slot].version) return;
  Hot& old = hot_[slot];
  const bool moved = old.has_point != h.has_point ||
                     (h.has_point && CellKey(old.lon, old.lat) != CellKey(h.lon, h.lat));
  if (moved) {
    if (old.has_point) {
      auto& v = cells_[CellKey(old.lon, old.lat)];
      v.erase(std::remove(v.begin(), v.end(), static_cast<std::uint32_t>(slot)), v.end());
    }
    if (h.has_point) cells_[CellKey(h.lon, h.lat)].push_back(static_cast<std::uint32_t>(slot));
  }
  old = h;
  for (Id a : cold_[slot].anchors)
    if (std::find(p.anchors.begin(), p.anchors.end(), a) == p.anchors.end()) p.anchors.push_back(a);
  cold_[slot] = std::move(p);
}

std::optional<MapPoint> MapIndex::Get(Id id) const {
  std::shared_lock lock(mu_);
  auto it = slot_of_.find(id);
  if (it == slot_of_.end()) return std::nullopt;
  return cold_[it->second];
}

size_t MapIndex::size() const {
  std::shared_lock lock(mu_);
  return hot_.size();
}

bool MapIndex::VisibleLocked(size_t slot, const MapScope& scope) const {
  if (scope.all) return true;
  for (Id a : cold_[slot].anchors)
    if (scope.units.count(a)) return true;
  return false;
}

MapOrdersResult MapIndex::Orders(const MapOrdersQuery& q, const MapScope& scope) const {
  MapOrdersResult out;
  std::shared_lock lock(mu_);
  std::vector<std::pair<Timestamp, std::uint32_t>> hits;
  auto consider = [&](const std::vector<std::uint32_t>& slots) {
    for (std::uint32_t s : slots) {
      const Hot& h = hot_[s];
      if (h.lon < q.min_lon || h.lon > q.max_lon || h.lat < q.min_lat || h.lat > q.max_lat)
        continue;
      if (h.created_at < q.from || (q.to && h.created_at >= q.to)) continue;
      if (q.light && LightOfHot(h, q.now) != *q.light) continue;
      if (!VisibleLocked(s, scope)) continue;
      hits.emplace_back(h.created_at, s);
    }
  };
  const auto x0 = static_cast<std::int64_t>(std::floor(q.min_lon / kCellDegrees));
  const auto x1 = static_cast<std::int64_t>(std::floor(q.max_lon / kCellDegrees));
  const auto y0 = static_cast<std::int64_t>(std::floor(q.min_lat / kCellDegrees));
  const auto y1 = static_cast<std::int64_t>(std::floor(q.max_lat / kCellDegrees));
  const double span = double(x1 - x0 + 1) * double(y1 - y0 + 1);
  if (span > double(cells_.size())) {
    // A bbox larger than the populated area: walk the populated cells instead.
    for (const auto& [key, slots] : cells_) {
      const std::int64_t ix = key >> 32;
      const std::int64_t iy = static_cast<std::int32_t>(key & 0xffffffff);
      if (ix >= x0 && ix <= x1 && iy >= y0 && iy <= y1) consider(slots);
    }
  } else {
    for (std::int64_t ix = x0; ix <= x1; ++ix)
      for (std::int64_t iy = y0; iy <= y1; ++iy) {
        auto it =
            cells_.find((ix << 32) | static_cast<std::uint32_t>(static_cast<std::int32_t>(iy)));
        if (it != cells_.end()) consider(it->second);
      }
  }
  out.total = static_cast<std::int64_t>(hits.size());
  const size_t keep = std::min(hits.size(), static_cast<size_t>(std::max(q.limit, 0)));
  auto newer = [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : cold_[a.second].id > cold_[b.second].id;
  };
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(keep), hits.end(),
                    newer);
  out.items.reserve(keep);
  for (size_t i = 0; i < keep; ++i) out.items.push_back(cold_[hits[i].second]);
  out.truncated = keep < hits.size();
  return out;
}

std::unordered_map<Id, MapUnitCounts> MapIndex::CountByUnit(Timestamp from, Timestamp to,
                                                            Timestamp now,
                                                            const MapScope& scope) const {
  std::shared_lock lock(mu_);
  // Dense counters by unit id (ids are small store ids), folded into a map at the end.
  std::vector<MapUnitCounts> dense;
  auto at = [&](Id id) -> MapUnitCounts& {
    if (static_cast<size_t>(id) >= dense.size()) dense.resize(static_cast<size_t>(id) + 64);
    return dense[static_cast<size_t>(id)];
  };
  for (size_t s = 0; s < hot_.size(); ++s) {
    const Hot& h = hot_[s];
    if (!h.street_id && !h.community_id && !h.grid_id) continue;
    const bool in_range = h.created_at >= from && (!to || h.created_at < to);
    const bool open = !IsTerminal(h.state);  // not finished: received through replied
    if (!in_range && !open) continue;
    if (!VisibleLocked(s, scope)) continue;
    MapUnitCounts d;
    d.count = in_range;
    d.open = open;
    if (IsOpen(h.state)) {  // with a handling unit: the deadline clock runs
      const Light light = LightAt(now, h.yellow_at, h.due_at);
      d.red = light == Light::kRed;
      d.yellow = light == Light::kYellow;
      d.overdue = (h.due_at && now > h.due_at) || (h.sign_due && !h.signed_at && now > h.sign_due);
    }
    for (Id u : {h.street_id, h.community_id, h.grid_id}) {
      if (!u) continue;
      MapUnitCounts& c = at(u);
      c.count += d.count;
      c.open += d.open;
      c.overdue += d.overdue;
      c.red += d.red;
      c.yellow += d.yellow;
    }
  }
  std::unordered_map<Id, MapUnitCounts> out;
  for (size_t id = 0; id < dense.size(); ++id) {
    const MapUnitCounts& c = dense[id];
    if (c.count || c.open) out[static_cast<Id>(id)] = c;
  }
  return out;
}

void MapIndex::Serialize(std::string& out) const {
  analytics::ByteWriter w(out);
  std::shared_lock lock(mu_);
  w.U(kFormat);
  w.U(cold_.size());
  for (const MapPoint& p : cold_) {
    w.S(p.id);
    w.S(p.version);
    w.Str(p.no);
    w.Str(p.title);
    w.Str(p.subject_code);
    w.Byte(static_cast<std::uint8_t>(p.nature));
    w.Byte(static_cast<std::uint8_t>(p.state));
    w.Byte((p.lon ? 1 : 0) | (p.lat ? 2 : 0));
    if (p.lon) w.F64(*p.lon);
    if (p.lat) w.F64(*p.lat);
    w.S(p.created_at);
    for (Timestamp t : {p.yellow_at, p.due_at, p.sign_due, p.signed_at})
      w.S(t ? t - p.created_at : 0);
    w.U(t_is_zero_mask(p));
    w.S(p.street_id);
    w.S(p.community_id);
    w.S(p.grid_id);
    w.U(p.anchors.size());
    for (Id a : p.anchors) w.S(a);
  }
}

void MapIndex::Clear() {
  std::unique_lock lock(mu_);
  hot_.clear();
  cold_.clear();
  slot_of_.clear();
  cells_.clear();
}

Status MapIndex::Load(std::string_view bytes) {
  analytics::ByteReader r(bytes);
  auto bad = [this](const char* part) {
    Clear();
    return Status(Code::kInvalidArgument, std::string("map checkpoint: damaged ") + part,
                  "checkpoint");
  };
  const std::uint64_t format = r.U();
  if (!r.ok() || format != kFormat)
    return Status(Code::kInvalidArgument,
                  "map checkpoint: format " + std::to_string(format) + ", this build reads " +
                      std::to_string(kFormat),
                  "checkpoint");
  Clear();
  const std::uint64_t n = r.Count(16);
  if (!r.ok()) return bad("entry count");
  for (std::uint64_t k = 0; k < n; ++k) {
    MapPoint p;
    p.id = r.S();
    p.version = r.S();
    p.no = r.Str();
    p.title = r.Str();
    p.subject_code = r.Str();
    const std::uint8_t nature = r.Byte(), state = r.Byte(), has = r.Byte();
    if (nature > static_cast<std::uint8_t>(Nature::kPraise) ||
        state > static_cast<std::uint8_t>(State::kRejected))
      return bad("entry (nature or state)");
    p.nature = static_cast<Nature>(nature);
    p.state = static_cast<State>(state);
    if (has & 1) p.lon = r.F64();
    if (has & 2) p.lat = r.F64();
    p.created_at = r.S();
    Timestamp* times[] = {&p.yellow_at, &p.due_at, &p.sign_due, &p.signed_at};
    for (Timestamp* t : times) *t = r.S();
    const std::uint64_t zero = r.U();
    for (int i = 0; i < 4; ++i)
      if (!(zero & (1u << i))) *times[i] += p.created_at;
    p.street_id = r.S();
    p.community_id = r.S();
    p.grid_id = r.S();
    const std::uint64_t na = r.Count();
    if (!r.ok()) return bad("entry");
    p.anchors.resize(na);
    for (Id& a : p.anchors) a = r.S();
    if (!r.ok() || p.id <= 0) return bad("entry");
    Put(std::move(p));
  }
  if (!r.done()) return bad("tail (bytes after the entries)");
  return {};
}

}  // namespace hotline
