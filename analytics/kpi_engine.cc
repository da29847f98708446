#include "analytics/kpi_engine.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "analytics/byte_io.h"
#include "domain/calendar.h"

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

std::uint64_t UnitTree::Fingerprint() const {
  std::vector<const Unit*> all;
  for (const auto& [_, u] : units_) all.push_back(&u);
  std::sort(all.begin(), all.end(), [](const Unit* a, const Unit* b) { return a->id < b->id; });
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a over the fields the roll-up reads
  auto mix = [&](std::int64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= static_cast<std::uint64_t>(v >> (8 * i)) & 0xff;
      h *= 1099511628211ull;
    }
  };
  for (const Unit* u : all) {
    mix(u->id);
    mix(u->parent_id ? *u->parent_id : -1);
    mix(static_cast<std::int64_t>(u->kind));
    mix(u->active ? 1 : 0);
  }
  return h;
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

namespace {

// Actions the engine distinguishes (CompactEvent::action).
enum Act : std::uint8_t {
  kOther,
  kIntake,
  kAnswer,
  kReject,
  kDispatch,
  kApproveReturn,
  kRedo,
  kSign,
  kRequestReturn,
  kApproveExtension,
  kResume,
  kReply,
  kCallback,
  kSupervise,
  kMerge,
  kExclude,
  kInclude,
  kRelay,  // 二次派单: the district office hands the order to its street (an assignment)
};
Act ActOf(const std::string& a) {
  static const std::unordered_map<std::string, Act> kActs = {
      {"intake", kIntake},
      {"answer", kAnswer},
      {"reject", kReject},
      {"dispatch", kDispatch},
      {"relay", kRelay},
      {"approve_return", kApproveReturn},
      {"redo", kRedo},
      {"sign", kSign},
      {"request_return", kRequestReturn},
      {"approve_extension", kApproveExtension},
      {"resume", kResume},
      {"reply", kReply},
      {"callback", kCallback},
      {"supervise", kSupervise},
      {"merge", kMerge},
      {"exclude_from_kpi", kExclude},
      {"include_in_kpi", kInclude}};
  auto it = kActs.find(a);
  return it == kActs.end() ? kOther : it->second;
}
enum Flag : std::uint8_t { kOnTime = 1, kResolved = 2, kToPool = 4, kHasDue = 8 };

constexpr std::uint32_t KeyOf(int counter, int subject1, Channel ch) {
  return static_cast<std::uint32_t>(counter) << 16 | static_cast<std::uint32_t>(subject1 + 1) << 8 |
         static_cast<std::uint32_t>(ch);
}
constexpr int CounterOfKey(std::uint32_t k) { return static_cast<int>(k >> 16); }
constexpr int SubjectOfKey(std::uint32_t k) { return static_cast<int>((k >> 8) & 0xff) - 1; }
constexpr Channel ChannelOfKey(std::uint32_t k) { return static_cast<Channel>(k & 0xff); }

int MonthIndex(Day d) {
  CivilDate c = CivilFromDays(d);
  return c.year * 12 + c.month - 1;
}
Day MonthStart(int month_index) {
  const int y = month_index >= 0 ? month_index / 12 : -((-month_index + 11) / 12);
  return DayOfDate(y, month_index - y * 12 + 1, 1);
}

Day FloorTo(Day d, Day block) {
  return d >= 0 ? d / block * block : -((-d + block - 1) / block) * block;
}

}  // namespace

KpiEngine::KpiEngine(UnitTree units, int utc_offset_seconds)
    : units_(std::move(units)), offset_(utc_offset_seconds) {
  Intern(kAllUnits);
}

// The month row of `day` in a unit's month totals, grown (before or after) as needed.
std::array<std::int64_t, kNumCounters>& KpiEngine::MonthRow(UnitCube& uc, Day day) {
  const int mi = MonthIndex(day);
  if (uc.months.empty()) {
    uc.month_base = mi;
  } else if (mi < uc.month_base) {
    uc.months.insert(uc.months.begin(), static_cast<size_t>(uc.month_base - mi),
                     std::array<std::int64_t, kNumCounters>{});
    uc.month_base = mi;
  }
  if (static_cast<size_t>(mi - uc.month_base) >= uc.months.size())
    uc.months.resize(static_cast<size_t>(mi - uc.month_base) + 1);
  return uc.months[static_cast<size_t>(mi - uc.month_base)];
}

KpiEngine::UnitIx KpiEngine::Intern(std::optional<Id> id) {
  if (!id) return kNoUnit;
  auto [it, fresh] = unit_ix_.emplace(*id, static_cast<UnitIx>(unit_ids_.size()));
  if (!fresh) return it->second;
  const UnitIx ix = it->second;
  unit_ids_.push_back(*id);
  cube_.emplace_back();
  lineage_.emplace_back();
  std::vector<Id> ids = units_.Lineage(*id);
  if (std::find(ids.begin(), ids.end(), kAllUnits) == ids.end()) ids.push_back(kAllUnits);
  std::vector<UnitIx> lin;
  for (Id u : ids) lin.push_back(u == *id ? ix : Intern(u));
  lineage_[ix] = std::move(lin);
  return ix;
}

KpiEngine::CompactEvent KpiEngine::Compact(const Event& e) {
  CompactEvent c;
  c.at = e.at;
  c.action = ActOf(e.action);
  c.to = static_cast<std::uint8_t>(e.to);
  EventData d = ParseData(e.data_json);
  c.lead = Intern(d.lead_unit_id);
  c.unit = Intern(c.action == kAnswer ? e.unit_id : d.unit_id);
  if (d.due_at) {
    c.due_at = *d.due_at;
    c.flags |= kHasDue;
  }
  if (d.on_time) c.flags |= kOnTime;
  if (d.resolved) c.flags |= kResolved;
  if (d.to_pool) c.flags |= kToPool;
  if (d.rating) c.rating = static_cast<std::int8_t>(*d.rating);
  return c;
}

Status KpiEngine::AddOrder(const OrderFacts& facts) { return AddOrder(facts, {}); }

Status KpiEngine::AddOrder(const OrderFacts& facts, const std::vector<Event>& events) {
  if (facts.id <= 0) return Invalid("id", "the order id must be positive");
  for (const Event& e : events)
    if (e.order_id != facts.id)
      return Invalid("order_id", "event of order " + std::to_string(e.order_id) +
                                     " given with order " + std::to_string(facts.id));
  auto [it, fresh] = orders_.try_emplace(facts.id);
  OrderState& o = it->second;
  scratch_old_.clear();
  if (!fresh) Contribute(o, scratch_old_);
  const std::optional<Id> place = facts.grid_id        ? facts.grid_id
                                  : facts.community_id ? facts.community_id
                                                       : facts.street_id;
  o.place = Intern(place.value_or(kAllUnits));
  o.subject1 = static_cast<std::int8_t>(Subject1Of(facts.subject_code));
  o.channel = static_cast<std::uint8_t>(facts.channel);
  o.nature = static_cast<std::uint8_t>(facts.nature);
  if (!events.empty()) {
    o.events.reserve(o.events.size() + events.size());
    for (const Event& e : events) o.events.push_back(Compact(e));
    std::stable_sort(o.events.begin(), o.events.end(),
                     [](const CompactEvent& x, const CompactEvent& y) { return x.at < y.at; });
  }
  scratch_new_.clear();
  Contribute(o, scratch_new_);
  ApplyDiff(scratch_old_, scratch_new_);
  return {};
}

Status KpiEngine::Apply(const Event& e) {
  auto it = orders_.find(e.order_id);
  if (it == orders_.end())
    return Status(Code::kNotFound, "order " + std::to_string(e.order_id) + " is not known");
  OrderState& o = it->second;
  scratch_old_.clear();
  Contribute(o, scratch_old_);
  auto pos = std::upper_bound(o.events.begin(), o.events.end(), e.at,
                              [](Timestamp t, const CompactEvent& x) { return t < x.at; });
  o.events.insert(pos, Compact(e));
  scratch_new_.clear();
  Contribute(o, scratch_new_);
  ApplyDiff(scratch_old_, scratch_new_);
  return {};
}

void KpiEngine::SetUnits(UnitTree units) {
  units_ = std::move(units);
  // Every interned unit's lineage under the new tree (new ancestors are interned on the way).
  for (UnitIx ix = 0; ix < unit_ids_.size(); ++ix) {
    const Id id = unit_ids_[ix];
    std::vector<Id> ids = units_.Lineage(id);
    if (std::find(ids.begin(), ids.end(), kAllUnits) == ids.end()) ids.push_back(kAllUnits);
    std::vector<UnitIx> lin;
    for (Id u : ids) lin.push_back(u == id ? ix : Intern(u));
    lineage_[ix] = std::move(lin);
  }
  for (UnitCube& c : cube_) c = UnitCube{};
  for (auto& [_, o] : orders_) {
    scratch_old_.clear();
    scratch_new_.clear();
    Contribute(o, scratch_new_);
    ApplyDiff(scratch_old_, scratch_new_);
  }
}

void KpiEngine::ApplyDiff(std::vector<Cell>& old_cells, std::vector<Cell>& new_cells) {
  for (Cell c : old_cells) {
    c.delta = -c.delta;
    new_cells.push_back(c);
  }
  auto less = [](const Cell& x, const Cell& y) {
    if (x.unit != y.unit) return x.unit < y.unit;
    if (x.day != y.day) return x.day < y.day;
    return x.key < y.key;
  };
  std::sort(new_cells.begin(), new_cells.end(), less);
  for (size_t i = 0; i < new_cells.size();) {
    size_t j = i;
    std::int32_t sum = 0;
    for (; j < new_cells.size() && !less(new_cells[i], new_cells[j]); ++j)
      sum += new_cells[j].delta;
    if (sum != 0)
      for (UnitIx u : lineage_[new_cells[i].unit]) Add(u, new_cells[i].day, new_cells[i].key, sum);
    i = j;
  }
}

void KpiEngine::Add(UnitIx unit, Day day, std::uint32_t key, std::int32_t delta) {
  UnitCube& uc = cube_[unit];
  if (uc.days.empty()) {
    uc.base = FloorTo(day, kBlock);
  } else if (day < uc.base) {
    const Day nb = FloorTo(day, kBlock);
    uc.days.insert(uc.days.begin(), static_cast<size_t>(uc.base - nb), DayCell{});
    uc.overdue_blocks.insert(uc.overdue_blocks.begin(),
                             static_cast<size_t>((uc.base - nb) / kBlock), 0);
    uc.base = nb;
  }
  const size_t i = static_cast<size_t>(day - uc.base);
  if (i >= uc.days.size()) {
    const size_t n = (i / kBlock + 1) * kBlock;
    uc.days.resize(n);
    uc.overdue_blocks.resize(n / kBlock, 0);
  }
  DayCell& dc = uc.days[i];
  const int counter = CounterOfKey(key);
  dc.total[static_cast<size_t>(counter)] += delta;
  MonthRow(uc, day)[static_cast<size_t>(counter)] += delta;
  if (counter == Index(Counter::kOverdueDelta)) uc.overdue_blocks[i / kBlock] += delta;
  auto e = std::lower_bound(dc.entries.begin(), dc.entries.end(), key,
                            [](const Entry& x, std::uint32_t k) { return x.key < k; });
  if (e != dc.entries.end() && e->key == key)
    e->value += delta;
  else
    dc.entries.insert(e, Entry{key, delta});
}

// The contribution of one order: the rules of docs/kpis.md §2, in one pass.
void KpiEngine::Contribute(const OrderState& o, std::vector<Cell>& out) const {
  const int subject1 = o.subject1;
  const Channel channel = static_cast<Channel>(o.channel);
  const int nature = o.nature;
  bool merged = false;
  std::vector<UnitIx> excluded;
  for (const CompactEvent& e : o.events) {
    if (e.action == kMerge) merged = true;
    if ((e.action == kExclude || e.action == kInclude) && e.unit != kNoUnit) {
      auto it = std::find(excluded.begin(), excluded.end(), e.unit);
      if (e.action == kExclude && it == excluded.end()) excluded.push_back(e.unit);
      if (e.action == kInclude && it != excluded.end()) excluded.erase(it);
    }
  }
  auto add_to = [&](UnitIx unit, int counter, Day day, std::int32_t delta) {
    out.push_back({unit, day, KeyOf(counter, subject1, channel), delta});
  };
  auto place = [&](int counter, Day day) { add_to(o.place, counter, day, 1); };
  auto lead = [&](UnitIx unit, int counter, Day day, std::int32_t delta = 1) {
    if (unit == kNoUnit || merged ||
        std::find(excluded.begin(), excluded.end(), unit) != excluded.end())
      return;
    add_to(unit, counter, day, delta);
  };

  struct Assignment {
    UnitIx unit;
    Day day;
    bool signed_ = false;
  };
  std::optional<Assignment> asg;
  UnitIx lead_unit = kNoUnit, answer_unit = kNoUnit;
  bool dispatched_before = false;
  Timestamp due = 0;
  State state = State::kReceived;
  Timestamp seg_start = std::numeric_limits<Timestamp>::min();

  // Overdue: the order is open and past due on [max(start, due + 1), end).
  auto segment = [&](Timestamp end) {
    if (!IsOpen(state) || lead_unit == kNoUnit || due <= 0) return;
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
  auto assign = [&](UnitIx unit, Day day) {
    lead_unit = unit;
    if (unit == kNoUnit) {
      asg.reset();
      return;
    }
    asg = Assignment{unit, day};
    lead(unit, Index(Counter::kAssigned), day);
    lead(unit, Index(Counter::kResponseDen), day);
  };
  auto due_of = [](const CompactEvent& e) { return (e.flags & kHasDue) ? e.due_at : 0; };

  for (const CompactEvent& e : o.events) {
    segment(e.at);
    seg_start = e.at;
    const Day day = DayOf(e.at, offset_);
    switch (e.action) {
      case kIntake:
        place(Index(Counter::kReceived), day);
        place(Index(Counter::kReceivedByNature, nature), day);
        if (merged) {
          place(Index(Counter::kDuplicates), day);
          place(Index(Counter::kDuplicatesByNature, nature), day);
        }
        break;
      case kAnswer:
        place(Index(Counter::kDirectAnswered), day);
        answer_unit = e.unit;
        break;
      case kReject:
        place(Index(Counter::kRejected), day);
        break;
      case kDispatch:
        if (!dispatched_before) place(Index(Counter::kFirstDispatched), day);
        dispatched_before = true;
        assign(e.lead, day);
        due = due_of(e);
        break;
      case kApproveReturn:
        lead(lead_unit, Index(Counter::kReturnApproved), day);
        if (asg && !asg->signed_) lead(asg->unit, Index(Counter::kResponseDen), asg->day, -1);
        if ((e.flags & kToPool) || e.lead == kNoUnit) {
          assign(kNoUnit, day);
          due = 0;
        } else {
          assign(e.lead, day);
          due = due_of(e);
        }
        break;
      case kRelay:
        // The office's assignment ends without a return; the street's begins (its own sign
        // limit; the case deadline stays the city's).
        assign(e.lead, day);
        due = due_of(e);
        break;
      case kRedo:
        lead(lead_unit, Index(Counter::kRedo), day);
        assign(e.lead, day);
        due = due_of(e);
        break;
      case kSign:
        lead(lead_unit, Index(Counter::kSigned), day);
        if (e.flags & kOnTime) lead(lead_unit, Index(Counter::kSignedOnTime), day);
        if (asg && !asg->signed_) {
          asg->signed_ = true;
          if (e.flags & kOnTime) lead(asg->unit, Index(Counter::kResponseNum), asg->day);
        }
        break;
      case kRequestReturn:
        lead(lead_unit, Index(Counter::kReturnRequested), day);
        break;
      case kApproveExtension:
        lead(lead_unit, Index(Counter::kExtensionApproved), day);
        if (e.flags & kHasDue) due = e.due_at;
        break;
      case kResume:
        if (e.flags & kHasDue) due = e.due_at;
        break;
      case kReply:
        lead(lead_unit, Index(Counter::kReplied), day);
        if (e.flags & kResolved) lead(lead_unit, Index(Counter::kResolved), day);
        if (e.flags & kOnTime) lead(lead_unit, Index(Counter::kRepliedOnTime), day);
        break;
      case kCallback:
        if (e.rating >= 0)
          lead(lead_unit != kNoUnit ? lead_unit : answer_unit,
               Index(Counter::kRating, static_cast<int>(e.rating)), day);
        break;
      case kSupervise:
        lead(lead_unit, Index(Counter::kSupervised), day);
        break;
      default:
        break;
    }
    if (e.action != kExclude && e.action != kInclude && e.action != kIntake)
      state = static_cast<State>(e.to);
  }
  segment(std::numeric_limits<Timestamp>::max());
}

const KpiEngine::UnitCube* KpiEngine::CubeOf(Id unit) const {
  auto it = unit_ix_.find(unit);
  if (it == unit_ix_.end()) return nullptr;
  const UnitCube& uc = cube_[it->second];
  return uc.days.empty() ? nullptr : &uc;
}

Counters KpiEngine::Sum(Id unit, DayRange r, const Slice& s) const {
  Counters c;
  const UnitCube* uc = CubeOf(unit);
  if (!uc) return c;
  const Day last = uc->base + static_cast<Day>(uc->days.size());
  auto day_totals = [&](Day a, Day b) {
    for (Day d = std::max(a, uc->base); d < std::min(b, last); ++d) {
      const auto& t = uc->days[static_cast<size_t>(d - uc->base)].total;
      for (size_t i = 0; i < t.size(); ++i) c.v[i] += t[i];
    }
  };
  if (!s.subject1 && !s.channel) {
    // Whole calendar months from the monthly totals, the remaining days from the days.
    const int m0 = uc->month_base, m1 = m0 + static_cast<int>(uc->months.size());
    Day d = std::max(r.from, MonthStart(m0));
    const Day to = std::min(r.to, MonthStart(m1));
    while (d < to) {
      const int mi = MonthIndex(d);
      const Day ms = MonthStart(mi), me = MonthStart(mi + 1);
      if (d == ms && me <= to) {
        const auto& t = uc->months[static_cast<size_t>(mi - m0)];
        for (size_t i = 0; i < t.size(); ++i) c.v[i] += t[i];
      } else {
        day_totals(d, std::min(to, me));
      }
      d = std::min(to, me);
    }
    c[Counter::kOverdueDelta] = 0;
    return c;
  }
  for (Day d = std::max(r.from, uc->base); d < std::min(r.to, last); ++d)
    for (const Entry& e : uc->days[static_cast<size_t>(d - uc->base)].entries) {
      if (s.subject1 && *s.subject1 != SubjectOfKey(e.key)) continue;
      if (s.channel && *s.channel != ChannelOfKey(e.key)) continue;
      c.v[static_cast<size_t>(CounterOfKey(e.key))] += e.value;
    }
  c[Counter::kOverdueDelta] = 0;
  return c;
}

std::vector<Counters> KpiEngine::VolumesByChannel(Id unit, DayRange r) const {
  std::vector<Counters> out(10);
  const UnitCube* uc = CubeOf(unit);
  if (!uc) return out;
  const int end = Index(Counter::kDirectAnswered);  // the volume counters come first by key
  const Day to = std::min<Day>(r.to, uc->base + static_cast<Day>(uc->days.size()));
  for (Day d = std::max(r.from, uc->base); d < to; ++d)
    for (const Entry& e : uc->days[static_cast<size_t>(d - uc->base)].entries) {
      if (CounterOfKey(e.key) >= end) break;
      out[static_cast<size_t>(ChannelOfKey(e.key))].v[static_cast<size_t>(CounterOfKey(e.key))] +=
          e.value;
    }
  return out;
}

std::int64_t KpiEngine::OverdueAtEndOf(Id unit, Day day, const Slice& s) const {
  const UnitCube* uc = CubeOf(unit);
  if (!uc || day < uc->base) return 0;
  const Day end = std::min<Day>(day + 1, uc->base + static_cast<Day>(uc->days.size()));
  std::int64_t n = 0;
  const int od = Index(Counter::kOverdueDelta);
  if (!s.subject1 && !s.channel) {
    const size_t full = static_cast<size_t>(end - uc->base) / kBlock;
    for (size_t b = 0; b < full; ++b) n += uc->overdue_blocks[b];
    for (Day d = uc->base + static_cast<Day>(full) * kBlock; d < end; ++d)
      n += uc->days[static_cast<size_t>(d - uc->base)].total[static_cast<size_t>(od)];
    return n;
  }
  const std::uint32_t first = static_cast<std::uint32_t>(od) << 16;
  for (Day d = uc->base; d < end; ++d) {
    const DayCell& dc = uc->days[static_cast<size_t>(d - uc->base)];
    auto it = std::lower_bound(dc.entries.begin(), dc.entries.end(), first,
                               [](const Entry& x, std::uint32_t k) { return x.key < k; });
    for (; it != dc.entries.end() && CounterOfKey(it->key) == od; ++it) {
      if (s.subject1 && *s.subject1 != SubjectOfKey(it->key)) continue;
      if (s.channel && *s.channel != ChannelOfKey(it->key)) continue;
      n += it->value;
    }
  }
  return n;
}

std::vector<Counters> KpiEngine::SumByChannel(Id unit, DayRange r, const Slice& s) const {
  std::vector<Counters> out(10);
  const UnitCube* uc = CubeOf(unit);
  if (!uc) return out;
  const Day from = std::max(r.from, uc->base);
  const Day to = std::min<Day>(r.to, uc->base + static_cast<Day>(uc->days.size()));
  for (Day d = from; d < to; ++d)
    for (const Entry& e : uc->days[static_cast<size_t>(d - uc->base)].entries) {
      if (s.subject1 && *s.subject1 != SubjectOfKey(e.key)) continue;
      if (s.channel && *s.channel != ChannelOfKey(e.key)) continue;
      out[static_cast<size_t>(ChannelOfKey(e.key))].v[static_cast<size_t>(CounterOfKey(e.key))] +=
          e.value;
    }
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
  AssignRanks(rows);
  return rows;
}

void AssignRanks(std::vector<RankRow>& rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].score) {
      rows[i].rank = 0;
      continue;
    }
    rows[i].rank =
        (i > 0 && rows[i - 1].score == rows[i].score) ? rows[i - 1].rank : static_cast<int>(i) + 1;
  }
}

std::vector<VolumeTrendRow> KpiEngine::VolumeTrend(UnitKind kind, DayRange r,
                                                   const KpiConfig& cfg) const {
  std::vector<VolumeTrendRow> rows;
  auto volumes = [&](Id u, DayRange range, std::int64_t& h, std::int64_t& o, std::int64_t& p) {
    auto by = VolumesByChannel(u, range);
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

// ---- checkpoints ----

void KpiEngine::Serialize(std::string& out) const {
  ByteWriter w(out);
  w.U(kFormat);
  w.S(offset_);
  w.U(unit_ids_.size());
  for (Id id : unit_ids_) w.S(id);
  for (const UnitCube& uc : cube_) {
    w.S(uc.base);
    w.U(uc.days.size());
    if (uc.days.empty()) continue;
    // Days as runs: the count of empty days skipped, then one day's entries.
    size_t i = 0;
    while (i < uc.days.size()) {
      size_t skip = 0;
      while (i + skip < uc.days.size() && uc.days[i + skip].entries.empty()) ++skip;
      w.U(skip);
      i += skip;
      if (i == uc.days.size()) break;
      const DayCell& dc = uc.days[i];
      w.U(dc.entries.size());
      std::uint32_t prev = 0;
      for (const Entry& e : dc.entries) {
        w.U(e.key - prev);  // keys ascend
        prev = e.key;
        w.S(e.value);
      }
      ++i;
    }
  }
  w.U(orders_.size());
  for (const auto& [id, o] : orders_) {
    w.S(id);
    w.U(o.place);
    w.S(o.subject1);
    w.Byte(o.channel);
    w.Byte(o.nature);
    w.U(o.events.size());
    Timestamp prev = 0;
    for (const CompactEvent& e : o.events) {
      w.S(e.at - prev);
      prev = e.at;
      w.Byte(e.action);
      w.Byte(e.to);
      w.Byte(e.flags);
      w.S(e.rating);
      w.U(e.lead == kNoUnit ? 0 : std::uint64_t{e.lead} + 1);  // kNoUnit -> 0
      w.U(e.unit == kNoUnit ? 0 : std::uint64_t{e.unit} + 1);
      if (e.flags & kHasDue) w.S(e.due_at - e.at);
    }
  }
}

void KpiEngine::Derive(UnitCube& uc) const {
  uc.overdue_blocks.assign(uc.days.size() / kBlock, 0);
  uc.months.clear();
  const int od = Index(Counter::kOverdueDelta);
  for (size_t i = 0; i < uc.days.size(); ++i) {
    DayCell& dc = uc.days[i];
    dc.total = {};
    if (dc.entries.empty()) continue;
    const Day day = uc.base + static_cast<Day>(i);
    auto& month = MonthRow(uc, day);
    for (const Entry& e : dc.entries) {
      const int counter = CounterOfKey(e.key);
      dc.total[static_cast<size_t>(counter)] += e.value;
      month[static_cast<size_t>(counter)] += e.value;
      if (counter == od) uc.overdue_blocks[i / kBlock] += e.value;
    }
  }
}

Result<std::unique_ptr<KpiEngine>> KpiEngine::Load(std::string_view bytes, UnitTree units,
                                                   int utc_offset_seconds) {
  ByteReader r(bytes);
  auto bad = [](const char* part) {
    return Status(Code::kInvalidArgument, std::string("kpi checkpoint: damaged ") + part,
                  "checkpoint");
  };
  const std::uint64_t format = r.U();
  if (!r.ok() || format != kFormat)
    return Status(Code::kInvalidArgument,
                  "kpi checkpoint: engine format " + std::to_string(format) +
                      ", this build reads " + std::to_string(kFormat),
                  "checkpoint");
  const std::int64_t offset = r.S();
  if (!r.ok() || offset != utc_offset_seconds)
    return Status(Code::kInvalidArgument,
                  "kpi checkpoint: utc offset " + std::to_string(offset) + " s, expected " +
                      std::to_string(utc_offset_seconds),
                  "checkpoint");
  auto eng = std::make_unique<KpiEngine>(std::move(units), utc_offset_seconds);
  // The units in their checkpointed order (so every UnitIx in the bytes keeps its meaning).
  const std::uint64_t n_units = r.Count();
  if (!r.ok() || n_units == 0) return bad("unit list");
  std::vector<Id> ids(n_units);
  for (auto& id : ids) id = r.S();
  if (!r.ok() || ids[0] != kAllUnits) return bad("unit list");
  eng->unit_ids_ = ids;
  eng->unit_ix_.clear();
  for (UnitIx ix = 0; ix < ids.size(); ++ix)
    if (!eng->unit_ix_.emplace(ids[ix], ix).second) return bad("unit list (a unit twice)");
  eng->cube_.assign(ids.size(), UnitCube{});
  eng->lineage_.assign(ids.size(), {});
  for (UnitIx ix = 0; ix < ids.size(); ++ix) {
    std::vector<Id> line = eng->units_.Lineage(ids[ix]);
    if (std::find(line.begin(), line.end(), kAllUnits) == line.end()) line.push_back(kAllUnits);
    std::vector<UnitIx> lin;
    for (Id u : line) lin.push_back(u == ids[ix] ? ix : eng->Intern(u));
    eng->lineage_[ix] = std::move(lin);
  }
  if (eng->unit_ids_.size() != ids.size()) return bad("unit list (another unit tree)");
  for (UnitIx ix = 0; ix < ids.size(); ++ix) {
    UnitCube& uc = eng->cube_[ix];
    uc.base = static_cast<Day>(r.S());
    const std::uint64_t n_days = r.U();
    // Bounds: a damaged count must not allocate gigabytes (2^17 days = 358 years).
    if (!r.ok() || n_days % kBlock != 0 || n_days > (1u << 17) || uc.base % kBlock != 0 ||
        uc.base < -(1 << 24) || uc.base > (1 << 24))
      return bad("cube");
    uc.days.resize(n_days);
    size_t i = 0;
    while (i < n_days) {
      const std::uint64_t skip = r.U();
      if (!r.ok() || skip > n_days - i) return bad("cube");
      i += skip;
      if (i == n_days) break;
      const std::uint64_t n = r.Count(2);
      if (!r.ok()) return bad("cube");
      auto& entries = uc.days[i].entries;
      entries.resize(n);
      std::uint32_t key = 0;
      for (Entry& e : entries) {
        const std::uint64_t dk = r.U();
        if (!r.ok() || dk > 0xffffffffu - key || (&e != entries.data() && dk == 0))
          return bad("cube");
        key += static_cast<std::uint32_t>(dk);
        e.key = key;
        e.value = static_cast<std::int32_t>(r.S());
        if (CounterOfKey(key) >= kNumCounters) return bad("cube (counter)");
      }
      if (!r.ok()) return bad("cube");
      ++i;
    }
    eng->Derive(uc);
  }
  const std::uint64_t n_orders = r.Count(6);
  if (!r.ok()) return bad("orders");
  eng->orders_.reserve(n_orders);
  auto unit = [&](std::uint64_t v, UnitIx* out) {
    if (v == 0) {
      *out = kNoUnit;
      return true;
    }
    if (v > ids.size()) return false;
    *out = static_cast<UnitIx>(v - 1);
    return true;
  };
  for (std::uint64_t k = 0; k < n_orders; ++k) {
    const Id id = r.S();
    OrderState o;
    const std::uint64_t place = r.U();
    o.subject1 = static_cast<std::int8_t>(r.S());
    o.channel = r.Byte();
    o.nature = r.Byte();
    const std::uint64_t n_events = r.Count(7);
    if (!r.ok() || id <= 0 || place >= ids.size()) return bad("orders");
    o.place = static_cast<UnitIx>(place);
    o.events.resize(n_events);
    Timestamp prev = 0;
    for (CompactEvent& e : o.events) {
      e.at = prev + r.S();
      prev = e.at;
      e.action = r.Byte();
      e.to = r.Byte();
      e.flags = r.Byte();
      e.rating = static_cast<std::int8_t>(r.S());
      if (!unit(r.U(), &e.lead) || !unit(r.U(), &e.unit)) return bad("orders (unit)");
      if (e.flags & kHasDue) e.due_at = e.at + r.S();
    }
    if (!r.ok()) return bad("orders");
    if (!eng->orders_.emplace(id, std::move(o)).second) return bad("orders (an order twice)");
  }
  if (!r.done()) return bad("tail (bytes after the orders)");
  return eng;
}

}  // namespace hotline::analytics
