// The exact KPI engine (docs/kpis.md): it consumes orders' immutable facts and
// their event log as a stream and keeps additive counters per (unit, local
// day, subject level 1, channel) — a cube from which any period, unit kind,
// subject or channel slice is a sum of day buckets. Every event recomputes the
// contribution of its order (a pure function of the order's facts and events,
// see docs/kpis.md §2) and applies the difference, so late events, exclusions
// (exclude_from_kpi) and merges correct past days exactly.
// Thread-safety: not synchronised. Const methods may run concurrently with
// each other; AddOrder/Apply need exclusive access (the service will hold a
// shared_mutex, or feed one engine per thread and swap snapshots).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analytics/kpi.h"
#include "domain/result.h"
#include "domain/types.h"

namespace hotline::analytics {

// The key of the whole area: every contribution is also counted under unit 0.
inline constexpr Id kAllUnits = 0;

// The organisation tree as a parent map (grid -> community -> street ->
// district; departments -> district). Contributions roll up along it.
class UnitTree {
 public:
  UnitTree() = default;
  explicit UnitTree(const std::vector<Unit>& units);
  // The unit and its ancestors, nearest first; {id} for an unknown unit.
  std::vector<Id> Lineage(Id id) const;
  std::optional<UnitKind> KindOf(Id id) const;
  // Active units of a kind, by id.
  std::vector<Id> OfKind(UnitKind kind) const;
  // A hash of what the roll-up depends on (each unit's id, parent, kind, active flag):
  // a checkpoint of the cube is valid only under the tree it was built with.
  std::uint64_t Fingerprint() const;

 private:
  std::unordered_map<Id, Unit> units_;
};

// What the engine needs to know of an order besides its events. The subject
// is the order's classification in effect (a reclassification replays the
// order: call AddOrder again with the new facts).
struct OrderFacts {
  Id id = 0;
  Channel channel = Channel::kHotline;
  Nature nature = Nature::kConsultation;
  std::string subject_code;  // "" when unclassified
  std::optional<Id> grid_id, community_id, street_id;
};
OrderFacts FactsOf(const WorkOrder& o);

// Narrows a query. Default: everything.
struct Slice {
  std::optional<int> subject1;  // level-1 subject code as a number ("03" -> 3); -1 = unclassified
  std::optional<Channel> channel;
};
// "03" -> 3; "" or malformed -> -1.
int Subject1Of(std::string_view subject_code);

// One unit's KPIs for one period.
struct KpiReport {
  Id unit_id = 0;
  DayRange range;
  Counters counters;                // sums over the period (overdue_delta left out)
  std::int64_t overdue_at_end = 0;  // open and past due at the end of the period's last day
  std::map<std::string, Ratio> metrics;
  std::optional<double> composite;
};

struct MetricChange {
  Ratio current, previous;
  std::optional<double> delta;  // current - previous, when both have data
};
struct PeriodChange {
  KpiReport current, previous;
  std::map<std::string, MetricChange> metrics;
  std::int64_t received_delta = 0;  // unique intakes (duplicates counted once)
};

struct RankRow {
  Id unit_id = 0;
  int rank = 0;  // 1-based, ties share a rank; 0 = not ranked (too few assignments or no data)
  std::optional<double> score;
  KpiReport report;
};

// Numbers `rows` (sorted as Rank returns them: scored first, best first) 1, 2, ...; ties share
// a rank, unscored rows get 0. For a ranking of a subset (the streets of one district).
void AssignRanks(std::vector<RankRow>& rows);

struct VolumeTrendRow {
  Id unit_id = 0;
  std::int64_t hotline_complaints = 0, online_opinion = 0, petition = 0;
  std::int64_t prev_hotline_complaints = 0, prev_online_opinion = 0, prev_petition = 0;
  bool all_fell = false;  // 三量同降: each of the three strictly below the previous period
};

class KpiEngine {
 public:
  // REQUIRES: utc_offset_seconds within -14 h..+14 h. Default: UTC+8.
  explicit KpiEngine(UnitTree units, int utc_offset_seconds = 8 * 3600);
  KpiEngine(const KpiEngine&) = delete;
  KpiEngine& operator=(const KpiEngine&) = delete;

  // Registers an order (or replaces its facts and replays its events).
  // Errors: id <= 0 (field "id").
  Status AddOrder(const OrderFacts& facts);
  // The bulk feed (the scan of the store at start, a benchmark's history):
  // the same result as AddOrder(facts) followed by Apply(e) for each event,
  // at the cost of one recomputation instead of one per event. Events of
  // another order are refused (field "order_id") and nothing is changed.
  Status AddOrder(const OrderFacts& facts, const std::vector<Event>& events);
  // Adds one event of a known order. Events may arrive late or out of order;
  // they are kept ordered by (at, arrival). Errors: kNotFound for an unknown order.
  Status Apply(const Event& event);

  // Counter sums for a unit over a period (kAllUnits for the whole area).
  Counters Sum(Id unit, DayRange range, const Slice& slice = {}) const;
  // Orders open and past due at the end of `day` (instant StartOf(day + 1)),
  // by lead unit at that instant.
  std::int64_t OverdueAtEndOf(Id unit, Day day, const Slice& slice = {}) const;
  // Volumes of one period split by channel (index = Channel).
  std::vector<Counters> SumByChannel(Id unit, DayRange range, const Slice& slice = {}) const;

  KpiReport Report(Id unit, DayRange range, const KpiConfig& cfg, const Slice& slice = {}) const;
  // This period against PreviousRange(range).
  PeriodChange Compare(Id unit, DayRange range, const KpiConfig& cfg,
                       const Slice& slice = {}) const;
  // Units of `kind` by composite score, best first; unranked units last by id.
  std::vector<RankRow> Rank(UnitKind kind, DayRange range, const KpiConfig& cfg) const;
  // 三量 of every unit of `kind` (streets) against the previous period.
  std::vector<VolumeTrendRow> VolumeTrend(UnitKind kind, DayRange range,
                                          const KpiConfig& cfg) const;

  // Replaces the organisation tree (units imported, moved, deactivated) and recomputes
  // every order's contribution under the new roll-up. Cost: one replay of every order.
  void SetUnits(UnitTree units);

  // Checkpoints (docs/storage.md "Projections"): the whole state — every order's compact
  // facts and events and the cube's day cells — appended to `out` as bytes. Load gives an
  // engine answering every query exactly as this one, and accepting the same AddOrder/Apply.
  // The bytes assume the same unit tree (UnitTree::Fingerprint) and kFormat: the caller
  // checks both. Errors (damaged or truncated bytes, another utc offset): kInvalidArgument
  // naming the part that failed; never a crash.
  static constexpr std::uint32_t kFormat = 1;
  void Serialize(std::string& out) const;
  static Result<std::unique_ptr<KpiEngine>> Load(std::string_view bytes, UnitTree units,
                                                 int utc_offset_seconds = 8 * 3600);

  int utc_offset_seconds() const { return offset_; }
  size_t order_count() const { return orders_.size(); }
  const UnitTree& units() const { return units_; }

 private:
  // Dense index of a unit id (0 is kAllUnits). Interned on first use.
  using UnitIx = std::uint32_t;
  static constexpr UnitIx kNoUnit = 0xffffffffu;
  // An event reduced to what Contribute reads (data_json parsed once).
  struct CompactEvent {
    Timestamp at = 0;
    Timestamp due_at = 0;
    UnitIx lead = kNoUnit;  // data_json.lead_unit_id (0 read as none)
    UnitIx unit = kNoUnit;  // data_json.unit_id (exclusions) or the event's unit (answer)
    std::uint8_t action = 0;
    std::uint8_t to = 0;
    std::uint8_t flags = 0;
    std::int8_t rating = -1;
  };
  struct OrderState {
    UnitIx place = 0;  // grid, else community, else street, else kAllUnits
    std::int8_t subject1 = -1;
    std::uint8_t channel = 0, nature = 0;
    std::vector<CompactEvent> events;
  };
  // One contribution of an order to the cube, before the roll-up.
  struct Cell {
    UnitIx unit;
    Day day;
    std::uint32_t key;  // counter << 16 | (subject1 + 1) << 8 | channel
    std::int32_t delta;
  };
  struct Entry {
    std::uint32_t key;
    std::int32_t value;
  };
  struct DayCell {
    std::array<std::int32_t, kNumCounters> total{};  // all subjects and channels
    std::vector<Entry> entries;                      // by key; the slices
  };
  // One unit's days, dense from `base` (a multiple of kBlock); overdue deltas
  // also summed per block of kBlock days so a stock is a short prefix sum.
  struct UnitCube {
    Day base = 0;
    std::vector<DayCell> days;
    std::vector<std::int64_t> overdue_blocks;
    // The totals of each calendar month (index year * 12 + month - 1 from
    // month_base): a month, or a range of whole months, is read in one step.
    int month_base = 0;
    std::vector<std::array<std::int64_t, kNumCounters>> months;
  };
  static constexpr Day kBlock = 32;

  UnitIx Intern(std::optional<Id> id);
  static std::array<std::int64_t, kNumCounters>& MonthRow(UnitCube& uc, Day day);
  CompactEvent Compact(const Event& e);
  void Contribute(const OrderState& o, std::vector<Cell>& out) const;
  // Applies new - old (both leaf cells) to the cube, rolled up.
  void ApplyDiff(std::vector<Cell>& old_cells, std::vector<Cell>& new_cells);
  void Add(UnitIx unit, Day day, std::uint32_t key, std::int32_t delta);
  const UnitCube* CubeOf(Id unit) const;
  // Recomputes a unit's day totals, month totals and overdue blocks from its day entries.
  void Derive(UnitCube& uc) const;
  // Volume counters (received, duplicates and their by-nature splits) by channel.
  std::vector<Counters> VolumesByChannel(Id unit, DayRange range) const;

  UnitTree units_;
  int offset_;
  std::vector<Id> unit_ids_;                  // UnitIx -> id
  std::unordered_map<Id, UnitIx> unit_ix_;    // id -> UnitIx
  std::vector<std::vector<UnitIx>> lineage_;  // UnitIx -> itself, ancestors, kAllUnits
  std::vector<UnitCube> cube_;                // UnitIx -> days
  std::unordered_map<Id, OrderState> orders_;
  std::vector<Cell> scratch_old_, scratch_new_;
};

}  // namespace hotline::analytics
