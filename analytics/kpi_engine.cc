#include "analytics/kpi_engine.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

namespace hotline::analytics {

namespace {

constexpr std::int64_t kDaySeconds = 86400;

std::int64_t CeilDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) == (b < 0))) ++q;
  return q;
}

// The first day d whose end (the instant StartOf(d + 1)) is at or after t.
Day FirstDayEndAtOrAfter(Timestamp t, int off) {
  return static_cast<Day>(CeilDiv(t + off, kDaySeconds) - 1);
}

// The few fields the engine reads from an event's data_json.
struct EventData {
  std::optional<Id> lead_unit_id, unit_id;
  std::optional<Timestamp> due_at;
  bool on_time = false, resolved = false, to_pool = false;
  std::optional<Rating> rating;
};

EventData ParseData(const std::string& text) {
  EventData d;
  if (text.empty() || text == "{}") return d;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return d;
  auto id = [&](const char* k) -> std::optional<Id> {
    if (j.contains(k) && j[k].is_number_integer()) return j[k].get<Id>();
    return std::nullopt;
  };
  auto flag = [&](const char* k) { return j.contains(k) && j[k].is_boolean() && j[k].get<bool>(); };
  d.lead_unit_id = id("lead_unit_id");
  if (d.lead_unit_id == Id{0}) d.lead_unit_id.reset();  // 0 = no unit (redo of a direct answer)
  d.unit_id = id("unit_id");
  d.due_at = id("due_at");
  d.on_time = flag("on_time");
  d.resolved = flag("resolved");
  d.to_pool = flag("to_pool");
  if (j.contains("rating") && j["rating"].is_string())
    d.rating = Parse<Rating>(j["rating"].get<std::string>());
  return d;
}

}  // namespace

UnitTree::UnitTree(const std::vector<Unit>& units) {
  for (const Unit& u : units) units_[u.id] = u;
}

std::vector<Id> UnitTree::Lineage(Id id) const {
  std::vector<Id> out{id};
  for (int guard = 0; guard < 16; ++guard) {
    auto it = units_.find(out.back());
    if (it == units_.end() || !it->second.parent_id) break;
    Id p = *it->second.parent_id;
    if (std::find(out.begin(), out.end(), p) != out.end()) break;  // a cycle: stop
    out.push_back(p);
  }
  return out;
}

std::optional<UnitKind> UnitTree::KindOf(Id id) const {
  auto it = units_.find(id);
  if (it == units_.end()) return std::nullopt;
  return it->second.kind;
}

std::vector<Id> UnitTree::OfKind(UnitKind kind) const {
  std::vector<Id> out;
  for (const auto& [id, u] : units_)
    if (u.kind == kind && u.active) out.push_back(id);
  std::sort(out.begin(), out.end());
  return out;
}

OrderFacts FactsOf(const WorkOrder& o) {
  return {o.id,
          o.channel,
          o.nature,
          o.subject_code,
          o.place.grid_id,
          o.place.community_id,
          o.place.street_id};
}

int Subject1Of(std::string_view code) {
  if (code.size() < 2 || code[0] < '0' || code[0] > '9' || code[1] < '0' || code[1] > '9')
    return -1;
  return (code[0] - '0') * 10 + (code[1] - '0');
}

KpiEngine::KpiEngine(UnitTree units, int utc_offset_seconds)
    : units_(std::move(units)), offset_(utc_offset_seconds) {}

Status KpiEngine::AddOrder(const OrderFacts& facts) {
  if (facts.id <= 0) return Invalid("id", "the order id must be positive");
  OrderState& o = orders_[facts.id];
  o.facts = facts;
  Recompute(o);
  return {};
}

Status KpiEngine::AddOrderWithEvents(const OrderFacts& facts, std::vector<Event> events) {
  if (facts.id <= 0) return Invalid("id", "the order id must be positive");
  OrderState& o = orders_[facts.id];
  o.facts = facts;
  // Apply() keeps events ordered by (at, arrival): a stable sort by `at` is the same order.
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& x, const Event& y) { return x.at < y.at; });
  for (Event& e : events) {
    auto pos = std::upper_bound(o.events.begin(), o.events.end(), e.at,
                                [](Timestamp t, const Event& x) { return t < x.at; });
    o.events.insert(pos, std::move(e));
  }
  Recompute(o);
  return {};
}

Status KpiEngine::Apply(const Event& e) {
  auto it = orders_.find(e.order_id);
  if (it == orders_.end())
    return Status(Code::kNotFound, "order " + std::to_string(e.order_id) + " is not known");
  OrderState& o = it->second;
  auto pos = std::upper_bound(o.events.begin(), o.events.end(), e.at,
                              [](Timestamp t, const Event& x) { return t < x.at; });
  o.events.insert(pos, e);
  Recompute(o);
  return {};
}

void KpiEngine::SetUnits(UnitTree units) {
  units_ = std::move(units);
  cube_.clear();
  for (auto& [_, o] : orders_) {
    o.cells.clear();
    Recompute(o);
  }
}

void KpiEngine::Recompute(OrderState& o) {
  std::vector<Cell> next;
  Contribute(o, next);
  ApplyCells(o.cells, -1);
  ApplyCells(next, +1);
  o.cells = std::move(next);
}

void KpiEngine::ApplyCells(const std::vector<Cell>& cells, int sign) {
  for (const Cell& c : cells) {
    auto& days = cube_[c.unit];
    auto& buckets = days[c.day];
    auto b = std::find_if(buckets.begin(), buckets.end(), [&](const Bucket& x) {
      return x.subject1 == c.subject1 && x.channel == c.channel;
    });
    if (b == buckets.end()) {
      buckets.push_back({c.subject1, c.channel, {}});
      b = buckets.end() - 1;
    }
    b->c.v[static_cast<size_t>(c.counter)] += sign * c.delta;
  }
}

// The contribution of one order: the rules of docs/kpis.md §2, in one pass.
void KpiEngine::Contribute(const OrderState& o, std::vector<Cell>& out) const {
  const OrderFacts& f = o.facts;
  const int subject1 = Subject1Of(f.subject_code);
  bool merged = false;
  std::set<Id> excluded;
  for (const Event& e : o.events) {
    if (e.action == "merge") merged = true;
    if (e.action == "exclude_from_kpi" || e.action == "include_in_kpi") {
      EventData d = ParseData(e.data_json);
      if (!d.unit_id) continue;
      if (e.action == "exclude_from_kpi")
        excluded.insert(*d.unit_id);
      else
        excluded.erase(*d.unit_id);
    }
  }
  auto add_to = [&](Id unit, int counter, Day day, std::int64_t delta) {
    std::vector<Id> targets = units_.Lineage(unit);
    if (std::find(targets.begin(), targets.end(), kAllUnits) == targets.end())
      targets.push_back(kAllUnits);
    for (Id u : targets) out.push_back({u, day, subject1, f.channel, counter, delta});
  };
  const std::optional<Id> place_unit = f.grid_id        ? f.grid_id
                                       : f.community_id ? f.community_id
                                                        : f.street_id;
  auto place = [&](int counter, Day day) {
    add_to(place_unit.value_or(kAllUnits), counter, day, 1);
  };
  auto lead = [&](std::optional<Id> unit, int counter, Day day, std::int64_t delta = 1) {
    if (!unit || merged || excluded.count(*unit)) return;
    add_to(*unit, counter, day, delta);
  };

  struct Assignment {
    Id unit;
    Day day;
    bool signed_ = false;
  };
  std::optional<Assignment> asg;
  std::optional<Id> lead_unit, answer_unit;
  bool dispatched_before = false;
  Timestamp due = 0;
  State state = State::kReceived;
  Timestamp seg_start = std::numeric_limits<Timestamp>::min();

  // Overdue: the order is open and past due on [max(start, due + 1), end).
  auto segment = [&](Timestamp end) {
    if (!IsOpen(state) || !lead_unit || due <= 0) return;
    Timestamp a = std::max(seg_start, due + 1);
    if (a >= end) return;
    Day d1 = FirstDayEndAtOrAfter(a, offset_);
    if (end == std::numeric_limits<Timestamp>::max()) {
      lead(lead_unit, Index(Counter::kOverdueDelta), d1, +1);
      return;
    }
    Day d2 = FirstDayEndAtOrAfter(end, offset_);
    if (d1 >= d2) return;
    lead(lead_unit, Index(Counter::kOverdueDelta), d1, +1);
    lead(lead_unit, Index(Counter::kOverdueDelta), d2, -1);
  };
  auto assign = [&](std::optional<Id> unit, Day day) {
    lead_unit = unit;
    if (!unit) {
      asg.reset();
      return;
    }
    asg = Assignment{*unit, day};
    lead(unit, Index(Counter::kAssigned), day);
    lead(unit, Index(Counter::kResponseDen), day);
  };

  for (const Event& e : o.events) {
    segment(e.at);
    seg_start = e.at;
    const Day day = DayOf(e.at, offset_);
    const std::string& a = e.action;
    EventData d = ParseData(e.data_json);
    if (a == "intake") {
      place(Index(Counter::kReceived), day);
      place(Index(Counter::kReceivedByNature, static_cast<int>(f.nature)), day);
      if (merged) {
        place(Index(Counter::kDuplicates), day);
        place(Index(Counter::kDuplicatesByNature, static_cast<int>(f.nature)), day);
      }
    } else if (a == "answer") {
      place(Index(Counter::kDirectAnswered), day);
      answer_unit = e.unit_id;
    } else if (a == "reject") {
      place(Index(Counter::kRejected), day);
    } else if (a == "dispatch") {
      if (!dispatched_before) place(Index(Counter::kFirstDispatched), day);
      dispatched_before = true;
      assign(d.lead_unit_id, day);
      due = d.due_at.value_or(0);
    } else if (a == "approve_return") {
      lead(lead_unit, Index(Counter::kReturnApproved), day);
      if (asg && !asg->signed_) lead(asg->unit, Index(Counter::kResponseDen), asg->day, -1);
      if (d.to_pool || !d.lead_unit_id) {
        assign(std::nullopt, day);
        due = 0;
      } else {
        assign(d.lead_unit_id, day);
        due = d.due_at.value_or(0);
      }
    } else if (a == "redo") {
      lead(lead_unit, Index(Counter::kRedo), day);
      assign(d.lead_unit_id, day);
      due = d.due_at.value_or(0);
    } else if (a == "sign") {
      lead(lead_unit, Index(Counter::kSigned), day);
      if (d.on_time) lead(lead_unit, Index(Counter::kSignedOnTime), day);
      if (asg && !asg->signed_) {
        asg->signed_ = true;
        if (d.on_time) lead(asg->unit, Index(Counter::kResponseNum), asg->day);
      }
    } else if (a == "request_return") {
      lead(lead_unit, Index(Counter::kReturnRequested), day);
    } else if (a == "approve_extension") {
      lead(lead_unit, Index(Counter::kExtensionApproved), day);
      if (d.due_at) due = *d.due_at;
    } else if (a == "resume") {
      if (d.due_at) due = *d.due_at;
    } else if (a == "reply") {
      lead(lead_unit, Index(Counter::kReplied), day);
      if (d.resolved) lead(lead_unit, Index(Counter::kResolved), day);
      if (d.on_time) lead(lead_unit, Index(Counter::kRepliedOnTime), day);
    } else if (a == "callback") {
      if (d.rating)
        lead(lead_unit ? lead_unit : answer_unit,
             Index(Counter::kRating, static_cast<int>(*d.rating)), day);
    } else if (a == "supervise") {
      lead(lead_unit, Index(Counter::kSupervised), day);
    }
    if (a != "exclude_from_kpi" && a != "include_in_kpi" && a != "intake") state = e.to;
  }
  segment(std::numeric_limits<Timestamp>::max());
}

template <typename F>
void KpiEngine::ForEachBucket(Id unit, Day from, Day to, const Slice& s, F&& f) const {
  auto u = cube_.find(unit);
  if (u == cube_.end()) return;
  for (auto it = u->second.lower_bound(from); it != u->second.end() && it->first < to; ++it)
    for (const Bucket& b : it->second) {
      if (s.subject1 && *s.subject1 != b.subject1) continue;
      if (s.channel && *s.channel != b.channel) continue;
      f(b);
    }
}

Counters KpiEngine::Sum(Id unit, DayRange r, const Slice& s) const {
  Counters c;
  ForEachBucket(unit, r.from, r.to, s, [&](const Bucket& b) { c += b.c; });
  c[Counter::kOverdueDelta] = 0;
  return c;
}

std::int64_t KpiEngine::OverdueAtEndOf(Id unit, Day day, const Slice& s) const {
  std::int64_t n = 0;
  ForEachBucket(unit, std::numeric_limits<Day>::min(), day + 1, s,
                [&](const Bucket& b) { n += b.c[Counter::kOverdueDelta]; });
  return n;
}

std::vector<Counters> KpiEngine::SumByChannel(Id unit, DayRange r, const Slice& s) const {
  std::vector<Counters> out(10);
  ForEachBucket(unit, r.from, r.to, s,
                [&](const Bucket& b) { out[static_cast<size_t>(b.channel)] += b.c; });
  for (auto& c : out) c[Counter::kOverdueDelta] = 0;
  return out;
}

KpiReport KpiEngine::Report(Id unit, DayRange r, const KpiConfig& cfg, const Slice& s) const {
  KpiReport rep;
  rep.unit_id = unit;
  rep.range = r;
  rep.counters = Sum(unit, r, s);
  rep.overdue_at_end = OverdueAtEndOf(unit, r.to - 1, s);
  for (const auto& m : MetricNames()) rep.metrics[m] = Metric(rep.counters, m, cfg);
  rep.composite = CompositeScore(rep.counters, cfg);
  return rep;
}

PeriodChange KpiEngine::Compare(Id unit, DayRange r, const KpiConfig& cfg, const Slice& s) const {
  PeriodChange pc;
  pc.current = Report(unit, r, cfg, s);
  pc.previous = Report(unit, PreviousRange(r), cfg, s);
  for (const auto& m : MetricNames()) {
    MetricChange mc{pc.current.metrics[m], pc.previous.metrics[m], std::nullopt};
    auto a = mc.current.value(), b = mc.previous.value();
    if (a && b) mc.delta = *a - *b;
    pc.metrics[m] = mc;
  }
  auto unique = [](const Counters& c) { return c[Counter::kReceived] - c[Counter::kDuplicates]; };
  pc.received_delta = unique(pc.current.counters) - unique(pc.previous.counters);
  return pc;
}

std::vector<RankRow> KpiEngine::Rank(UnitKind kind, DayRange r, const KpiConfig& cfg) const {
  std::vector<RankRow> rows;
  for (Id u : units_.OfKind(kind)) {
    RankRow row;
    row.unit_id = u;
    row.report = Report(u, r, cfg);
    if (row.report.counters[Counter::kAssigned] >= cfg.min_assigned)
      row.score = row.report.composite;
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const RankRow& a, const RankRow& b) {
    if (a.score.has_value() != b.score.has_value()) return a.score.has_value();
    if (a.score && *a.score != *b.score) return *a.score > *b.score;
    return a.unit_id < b.unit_id;
  });
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].score) break;
    rows[i].rank =
        (i > 0 && rows[i - 1].score == rows[i].score) ? rows[i - 1].rank : static_cast<int>(i) + 1;
  }
  return rows;
}

std::vector<VolumeTrendRow> KpiEngine::VolumeTrend(UnitKind kind, DayRange r,
                                                   const KpiConfig& cfg) const {
  std::vector<VolumeTrendRow> rows;
  auto volumes = [&](Id u, DayRange range, std::int64_t& h, std::int64_t& o, std::int64_t& p) {
    auto by = SumByChannel(u, range);
    h = o = p = 0;
    for (size_t ch = 0; ch < by.size(); ++ch) {
      h += Volume(by[ch], static_cast<Channel>(ch), cfg.hotline_complaints);
      o += Volume(by[ch], static_cast<Channel>(ch), cfg.online_opinion);
      p += Volume(by[ch], static_cast<Channel>(ch), cfg.petition);
    }
  };
  for (Id u : units_.OfKind(kind)) {
    VolumeTrendRow row;
    row.unit_id = u;
    volumes(u, r, row.hotline_complaints, row.online_opinion, row.petition);
    volumes(u, PreviousRange(r), row.prev_hotline_complaints, row.prev_online_opinion,
            row.prev_petition);
    row.all_fell = row.hotline_complaints < row.prev_hotline_complaints &&
                   row.online_opinion < row.prev_online_opinion && row.petition < row.prev_petition;
    rows.push_back(row);
  }
  return rows;
}

}  // namespace hotline::analytics
