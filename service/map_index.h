// The map layers' in-memory index of orders (docs/place.md "Map layers"):
// every order's point (WGS-84 lon/lat, when it has one), receiving time,
// the deadlines its light depends on, its street/community/grid and the units
// that may see it. Maintained by the service on intake and on every
// transition, built from the store at open; `/map/orders` (points in a bbox)
// and `/map/grids` (per-unit counts) read it instead of scanning the store.
//
// Points are bucketed in a uniform lon/lat grid of `kCellDegrees` cells, so a
// bbox query touches only the cells it overlaps. Per-unit counts scan the
// compact hot array (≈ 80 bytes an order).
//
// Visibility mirrors the store's access grants: an order is visible to a unit
// when one of its anchors (place unit, lead and assisting units, the
// recording unit) lies in that unit's subtree. Earlier lead and assisting units
// are kept while the service runs, and restored at open from the order's events.
//
// Thread-safety: all methods may be called concurrently (shared mutex).
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "domain/result.h"
#include "domain/types.h"

namespace hotline {

// One order as the map sees it.
struct MapPoint {
  Id id = 0;
  std::int64_t version = 0;  // the order's version: an older update never replaces a newer one
  std::string no;
  std::string title;  // already masked for list views
  std::string subject_code;
  Nature nature = Nature::kConsultation;
  State state = State::kReceived;
  std::optional<double> lon, lat;  // WGS-84
  Timestamp created_at = 0, yellow_at = 0, due_at = 0, sign_due = 0, signed_at = 0;
  Id street_id = 0, community_id = 0, grid_id = 0;  // 0: none
  std::vector<Id> anchors;                          // units whose subtree may see the order
};

// Whose orders: everything (district-wide staff) or the orders with an anchor
// in `units` (the caller's unit and its descendants).
struct MapScope {
  bool all = true;
  std::unordered_set<Id> units;
};

struct MapOrdersQuery {
  double min_lon = -180, min_lat = -90, max_lon = 180, max_lat = 90;  // inclusive
  Timestamp from = 0, to = 0;  // received in [from, to); to == 0: no upper bound
  int limit = 2000;
  std::optional<Light> light;  // evaluated at `now`
  Timestamp now = 0;
};

struct MapOrdersResult {
  std::vector<MapPoint> items;  // newest first
  std::int64_t total = 0;       // all matches
  bool truncated = false;       // total > items.size()
};

struct MapUnitCounts {
  std::int64_t count = 0;    // received in [from, to)
  std::int64_t open = 0;     // not finished now (any state but closed, merged, rejected)
  std::int64_t overdue = 0;  // with a handling unit now and past its handling or signing deadline
  std::int64_t red = 0, yellow = 0;  // light now (only orders with a handling unit have one)
};

class MapIndex {
 public:
  static constexpr double kCellDegrees = 0.01;  // ≈ 1.1 km × 0.9 km in Jinan

  // Inserts or replaces the order (same id) unless the held entry has a newer version
  // (two actions racing to update the index). Anchors of the replaced entry are kept
  // (an earlier lead still sees the order, as in the store).
  void Put(MapPoint p);
  size_t size() const;
  // The order's entry (its state, number and masked title are current), if indexed.
  std::optional<MapPoint> Get(Id id) const;

  // Lights of an order at `now` (the workflow's rule).
  static Light LightOf(const MapPoint& p, Timestamp now);

  // Checkpoints (docs/storage.md "Projections"): every entry appended to `out` as bytes;
  // Load replaces the index's content with them. Errors: kInvalidArgument (damaged bytes),
  // and the index is left empty.
  static constexpr std::uint32_t kFormat = 1;
  void Serialize(std::string& out) const;
  Status Load(std::string_view bytes);
  void Clear();

  MapOrdersResult Orders(const MapOrdersQuery& q, const MapScope& scope) const;
  // Counts per unit id (each order counts for its grid, community and street).
  std::unordered_map<Id, MapUnitCounts> CountByUnit(Timestamp from, Timestamp to, Timestamp now,
                                                    const MapScope& scope) const;

 private:
  struct Hot {
    double lon = 0, lat = 0;
    bool has_point = false;
    State state = State::kReceived;
    Timestamp created_at = 0, yellow_at = 0, due_at = 0, sign_due = 0, signed_at = 0;
    Id street_id = 0, community_id = 0, grid_id = 0;
  };
  static std::int64_t CellKey(double lon, double lat);
  static Light LightOfHot(const Hot& h, Timestamp now);
  bool VisibleLocked(size_t slot, const MapScope& scope) const;

  mutable std::shared_mutex mu_;
  std::vector<Hot> hot_;
  std::vector<MapPoint> cold_;  // lon/lat/times duplicated in hot_
  std::unordered_map<Id, size_t> slot_of_;
  std::unordered_map<std::int64_t, std::vector<std::uint32_t>> cells_;
};

}  // namespace hotline
