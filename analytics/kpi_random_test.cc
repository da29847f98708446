// The correctness test: random but valid lifecycles made by the real
// workflow (Plan() with a plain calendar and the default deadline rules), fed
// to the engine as an interleaved (sometimes shuffled) event stream, and every
// counter checked against a naive from-scratch recomputation that loops over
// the orders and their events once per question, formula by formula.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <unordered_map>

#include "analytics/kpi.h"
#include "analytics/kpi_engine.h"
#include "domain/workflow.h"

namespace hotline::analytics {
namespace {

constexpr Timestamp kHour = 3600, kDayS = 86400, kOffset = 8 * 3600;

// The city 20 (issue 14: counted at every level) with its hotline centre 9 and department 27;
// district 1: streets 2, 7; communities 3 (in 2), 8 (in 7); grids 4, 5 (in 3), 10, 11 (in 8);
// departments 6, 12; district 21: street 22, community 23, grid 24, department 26.
const std::map<Id, std::pair<UnitKind, Id>> kOrg = {
    {20, {UnitKind::kCity, 0}},        {9, {UnitKind::kCenter, 20}},
    {27, {UnitKind::kDepartment, 20}}, {1, {UnitKind::kDistrict, 20}},
    {2, {UnitKind::kStreet, 1}},       {7, {UnitKind::kStreet, 1}},
    {3, {UnitKind::kCommunity, 2}},    {8, {UnitKind::kCommunity, 7}},
    {4, {UnitKind::kGrid, 3}},         {5, {UnitKind::kGrid, 3}},
    {10, {UnitKind::kGrid, 8}},        {11, {UnitKind::kGrid, 8}},
    {6, {UnitKind::kDepartment, 1}},   {12, {UnitKind::kDepartment, 1}},
    {21, {UnitKind::kDistrict, 20}},   {22, {UnitKind::kStreet, 21}},
    {23, {UnitKind::kCommunity, 22}},  {24, {UnitKind::kGrid, 23}},
    {26, {UnitKind::kDepartment, 21}}};
const std::vector<Id> kLeads = {2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 22, 23, 24, 26, 27};
const std::vector<Id> kGrids = {4, 5, 10, 11, 24};

std::vector<Unit> Org() {
  std::vector<Unit> out;
  for (const auto& [id, kp] : kOrg) {
    Unit u;
    u.id = id;
    u.kind = kp.first;
    if (kp.second) u.parent_id = kp.second;
    out.push_back(u);
  }
  return out;
}

struct History {
  OrderFacts facts;
  std::vector<Event> events;
};

// ---- the generator: random walks through the real state machine ----
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed), rules_(DefaultRules()) {}

  std::vector<History> Make(int orders, Timestamp start, int span_days) {
    std::vector<History> out;
    for (int i = 0; i < orders; ++i) {
      Timestamp t0 = start + static_cast<Timestamp>(Uni(0, span_days * kDayS));
      out.push_back(One(static_cast<Id>(i + 1), t0));
    }
    return out;
  }

 private:
  std::int64_t Uni(std::int64_t a, std::int64_t b) {
    return std::uniform_int_distribution<std::int64_t>(a, b)(rng_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Uni(0, static_cast<std::int64_t>(v.size()) - 1))];
  }
  Actor HandlerOf(Id unit) {
    bool grid = std::find(kGrids.begin(), kGrids.end(), unit) != kGrids.end();
    return {100 + unit, grid ? Role::kGridWorker : Role::kHandler, unit};
  }

  History One(Id id, Timestamp t0) {
    History h;
    WorkOrder o;
    o.id = id;
    o.channel = static_cast<Channel>(Uni(0, 9));
    o.nature = static_cast<Nature>(Uni(0, 5));
    o.urgency =
        Chance(0.15) ? (Chance(0.5) ? Urgency::kUrgent : Urgency::kCritical) : Urgency::kNormal;
    static const std::vector<std::string> kSubjects = {"0101", "0203", "0302", "1101", ""};
    o.subject_code = Pick(kSubjects);
    if (Chance(0.9)) {
      Id g = Pick(kGrids);
      o.place.grid_id = g;
      o.place.community_id = kOrg.at(g).second;
      o.place.street_id = kOrg.at(*o.place.community_id).second;
    }
    o.created_at = o.updated_at = t0;
    h.facts = FactsOf(o);
    Event intake;
    intake.order_id = id;
    intake.at = t0;
    intake.action = "intake";
    intake.unit_id = 9;
    h.events.push_back(intake);

    static const std::vector<Timestamp> kSteps = {10 * 60, 3 * kHour, kDayS, 4 * kDayS, 9 * kDayS};
    // Weights in Action order (workflow.h); relay (二次派单) last.
    static const std::vector<double> kWeights = {1, 4, 4,   1,   1,   1, 3,   3, 1, 4, 0.5, 4,
                                                 3, 2, 0.5, 0.2, 0.4, 1, 0.2, 0, 0, 0, 2};
    Timestamp last = t0;
    for (int step = 0; step < 60 && !IsTerminal(o.state); ++step) {
      // Time moves only when a step succeeds, so that refusals do not age the order.
      const Timestamp now = last + kSteps[static_cast<size_t>(Uni(0, 4))] + Uni(1, 3600);
      if (Chance(0.04) && o.lead_unit_id) {  // the audited exclusion (wired by the lead)
        Event ex;
        ex.order_id = id;
        ex.at = now;
        ex.action = Chance(0.7) ? "exclude_from_kpi" : "include_in_kpi";
        ex.from = ex.to = o.state;
        ex.unit_id = 9;
        ex.data_json =
            "{\"unit_id\":" + std::to_string(Chance(0.8) ? *o.lead_unit_id : Pick(kLeads)) + "}";
        h.events.push_back(ex);
        o.updated_at = last = now;
        continue;
      }
      // Only actions allowed from the current state (their checks may still refuse).
      std::vector<double> w = kWeights;
      for (size_t k = 0; k < w.size(); ++k) {
        const auto& from = SpecOf(static_cast<Action>(k)).from;
        if (std::find(from.begin(), from.end(), o.state) == from.end()) w[k] = 0;
      }
      Action a = static_cast<Action>(std::discrete_distribution<int>(w.begin(), w.end())(rng_));
      const ActionSpec& spec = SpecOf(a);
      ActionInput in;
      in.action = a;
      in.text = "reason";
      Actor actor{1, Pick(spec.roles), 9};
      std::string_view rule = spec.unit_rule;
      if (rule == "lead" && o.lead_unit_id) actor = HandlerOf(*o.lead_unit_id);
      if (rule == "assist" && !o.assist_unit_ids.empty()) actor = HandlerOf(o.assist_unit_ids[0]);
      // Second hop: the office that relayed the order reviews its unit's requests.
      if (rule == "reviewer" && o.relay_unit_id) actor.unit_id = *o.relay_unit_id;
      // The lead relays to another of the units (the service would keep it in the district).
      if (a == Action::kRelay && o.lead_unit_id) {
        actor = Actor{1, Role::kDispatcher, *o.lead_unit_id};
        in.lead_unit_id = Pick(kLeads);
      }
      switch (a) {
        case Action::kAnswer:
          in.reply = Reply{};
          in.reply->public_text = "answer";
          break;
        case Action::kDispatch:
        case Action::kApproveReturn:
          if (a == Action::kDispatch || Chance(0.6)) {
            in.lead_unit_id = Pick(kLeads);
            if (Chance(0.3)) {
              Id as = Pick(kLeads);
              if (as != *in.lead_unit_id) in.assist_unit_ids = {as};
            }
          }
          break;
        case Action::kRequestExtension:
          in.extension_days = static_cast<int>(Uni(1, 3));
          break;
        case Action::kReply: {
          Reply r;
          r.contacted_at = now - 60;
          r.contact_method = "phone";
          r.resolved = Chance(0.7);
          r.unresolved_reason = "why";
          r.actions_taken = "done";
          r.public_text = "public";
          in.reply = r;
          break;
        }
        case Action::kCallback:
          in.rating = static_cast<Rating>(Uni(0, 5));
          break;
        case Action::kMerge:
          in.merge_into = id + 100000;
          break;
        case Action::kReject:
          in.basis = RejectBasis::kLitigation;
          break;
        default:
          break;
      }
      DeadlineContext ctx{&calendar_, &rules_, LightPolicy{}, now};
      auto t = Plan(o, in, actor, ctx);
      if (!t.ok()) continue;
      o = t->next;
      h.events.push_back(t->event);
      last = now;
    }
    return h;
  }

  std::mt19937_64 rng_;
  WorkCalendar calendar_;
  DeadlineRules rules_;
};

// ---- the naive recomputation: one question at a time, straight from the log ----
class Naive {
 public:
  explicit Naive(const std::vector<History>& hs) : hs_(hs) {
    for (const auto& [id, kp] : kOrg) parent_[id] = kp.second;
    for (const History& h : hs_) sorted_.push_back(Sorted(h));
  }

  static Day DayOfInstant(Timestamp t) {
    Timestamp x = t + kOffset;
    return static_cast<Day>(x >= 0 ? x / kDayS : -((-x + kDayS - 1) / kDayS));
  }
  // The event's data, parsed once (a cache only; no derived state).
  const nlohmann::json& Data(const Event& e) const {
    auto it = parsed_.find(&e);
    if (it != parsed_.end()) return it->second;
    auto j = nlohmann::json::parse(e.data_json.empty() ? "{}" : e.data_json, nullptr, false);
    return parsed_[&e] = j.is_object() ? j : nlohmann::json::object();
  }
  // `x` counts for `u`: u is the whole area, x itself, or an ancestor of x.
  bool Under(std::optional<Id> x, Id u) const {
    if (u == kAllUnits) return true;
    for (std::optional<Id> y = x; y && *y;
         y = parent_.count(*y) ? std::optional<Id>(parent_.at(*y)) : std::nullopt)
      if (*y == u) return true;
    return false;
  }

  Counters Query(Id u, DayRange r, const Slice& s) const {
    Counters c;
    for (size_t oi = 0; oi < hs_.size(); ++oi) {
      const History& h = hs_[oi];
      if (s.channel && *s.channel != h.facts.channel) continue;
      if (s.subject1 && *s.subject1 != Subject1Of(h.facts.subject_code)) continue;
      const std::vector<Event>& ev = sorted_[oi];
      bool merged =
          std::any_of(ev.begin(), ev.end(), [](const Event& e) { return e.action == "merge"; });
      std::set<Id> excluded = Excluded(ev);
      auto scored = [&](std::optional<Id> x) {
        return x && !merged && !excluded.count(*x) && Under(x, u);
      };
      std::optional<Id> place = h.facts.grid_id        ? h.facts.grid_id
                                : h.facts.community_id ? h.facts.community_id
                                                       : h.facts.street_id;
      bool in_place = u == kAllUnits || Under(place, u);
      const int nat = static_cast<int>(h.facts.nature);
      bool seen_dispatch = false;
      for (size_t i = 0; i < ev.size(); ++i) {
        const Event& e = ev[i];
        bool in = r.Contains(DayOfInstant(e.at));
        const auto& d = Data(e);
        auto flag = [&](const char* k) { return d.contains(k) && d[k].get<bool>(); };
        std::optional<Id> lead = LeadBefore(ev, i);
        const std::string& a = e.action;
        if (a == "dispatch" && !seen_dispatch) {
          seen_dispatch = true;
          if (in && in_place) c[Counter::kFirstDispatched]++;
        }
        if (!in) continue;
        if (in_place) {
          if (a == "intake") {
            c[Counter::kReceived]++;
            c.v[static_cast<size_t>(Index(Counter::kReceivedByNature, nat))]++;
            if (merged) {
              c[Counter::kDuplicates]++;
              c.v[static_cast<size_t>(Index(Counter::kDuplicatesByNature, nat))]++;
            }
          }
          if (a == "answer") c[Counter::kDirectAnswered]++;
          if (a == "reject") c[Counter::kRejected]++;
        }
        std::optional<Id> assigned = AssignedBy(e);
        if (assigned && scored(assigned)) {
          c[Counter::kAssigned]++;
          // What ended this assignment first: a sign, or being taken back.
          std::string outcome;
          bool on_time = false;
          for (size_t j = i + 1; j < ev.size() && outcome.empty(); ++j) {
            const std::string& b = ev[j].action;
            if (b == "sign") {
              outcome = "sign";
              on_time = Data(ev[j]).value("on_time", false);
            } else if (b == "approve_return" || b == "dispatch" || b == "redo" || b == "relay") {
              outcome = b;
            }
          }
          if (outcome != "approve_return") c[Counter::kResponseDen]++;
          if (outcome == "sign" && on_time) c[Counter::kResponseNum]++;
        }
        if (!scored(lead) && a != "callback") continue;
        if (a == "sign") {
          c[Counter::kSigned]++;
          if (flag("on_time")) c[Counter::kSignedOnTime]++;
        } else if (a == "reply") {
          c[Counter::kReplied]++;
          if (flag("resolved")) c[Counter::kResolved]++;
          if (flag("on_time")) c[Counter::kRepliedOnTime]++;
        } else if (a == "request_return") {
          c[Counter::kReturnRequested]++;
        } else if (a == "approve_return") {
          c[Counter::kReturnApproved]++;
        } else if (a == "approve_extension") {
          c[Counter::kExtensionApproved]++;
        } else if (a == "redo") {
          c[Counter::kRedo]++;
        } else if (a == "supervise") {
          c[Counter::kSupervised]++;
        } else if (a == "callback") {
          std::optional<Id> who = lead;
          if (!who)
            for (size_t j = i; j-- > 0;)
              if (ev[j].action == "answer") {
                who = ev[j].unit_id;
                break;
              }
          if (scored(who)) {
            auto rating = Parse<Rating>(d.value("rating", std::string()));
            c.v[static_cast<size_t>(Index(Counter::kRating, static_cast<int>(*rating)))]++;
          }
        }
      }
    }
    return c;
  }

  // Orders open and past due at the instant the day ends, by the lead unit then.
  std::int64_t Overdue(Id u, Day day, const Slice& s) const {
    const Timestamp end = static_cast<Timestamp>(day + 1) * kDayS - kOffset;
    std::int64_t n = 0;
    for (size_t oi = 0; oi < hs_.size(); ++oi) {
      const History& h = hs_[oi];
      if (s.channel && *s.channel != h.facts.channel) continue;
      if (s.subject1 && *s.subject1 != Subject1Of(h.facts.subject_code)) continue;
      const std::vector<Event>& ev = sorted_[oi];
      if (std::any_of(ev.begin(), ev.end(), [](const Event& e) { return e.action == "merge"; }))
        continue;
      State state = State::kReceived;
      std::optional<Id> lead;
      Timestamp due = 0;
      for (size_t i = 0; i < ev.size() && ev[i].at <= end; ++i) {
        const Event& e = ev[i];
        auto d = Data(e);
        if (e.action != "intake" && e.action != "exclude_from_kpi" && e.action != "include_in_kpi")
          state = e.to;
        if (e.action == "dispatch" || e.action == "approve_return" || e.action == "redo" ||
            e.action == "relay" || e.action == "approve_extension" || e.action == "resume")
          due = d.value("due_at", Timestamp{0});
        if (auto a = AssignedBy(e)) lead = a;
        if ((e.action == "approve_return" || e.action == "redo") && !AssignedBy(e)) lead.reset();
      }
      if (IsOpen(state) && lead && !Excluded(ev).count(*lead) && Under(lead, u) && due > 0 &&
          due < end)
        ++n;
    }
    return n;
  }

 private:
  static std::vector<Event> Sorted(const History& h) {
    std::vector<Event> ev = h.events;
    std::stable_sort(ev.begin(), ev.end(),
                     [](const Event& a, const Event& b) { return a.at < b.at; });
    return ev;
  }
  std::set<Id> Excluded(const std::vector<Event>& ev) const {
    std::set<Id> out;
    for (const Event& e : ev) {
      if (e.action == "exclude_from_kpi") out.insert(Data(e)["unit_id"].get<Id>());
      if (e.action == "include_in_kpi") out.erase(Data(e)["unit_id"].get<Id>());
    }
    return out;
  }
  // The unit an event assigns the order to (dispatch, reassignment, redo, relay).
  std::optional<Id> AssignedBy(const Event& e) const {
    if (e.action != "dispatch" && e.action != "approve_return" && e.action != "redo" &&
        e.action != "relay")
      return std::nullopt;
    auto d = Data(e);
    // 0 = no unit (a redo of a direct answer has no lead: reported to the workflow owner).
    if (!d.contains("lead_unit_id") || d["lead_unit_id"].get<Id>() == 0) return std::nullopt;
    return d["lead_unit_id"].get<Id>();
  }
  // The lead unit in charge just before event i.
  std::optional<Id> LeadBefore(const std::vector<Event>& ev, size_t i) const {
    for (size_t j = i; j-- > 0;) {
      if (auto a = AssignedBy(ev[j])) return a;
      if (ev[j].action == "approve_return" || ev[j].action == "redo")
        return std::nullopt;  // back to the pool, or a redo without a lead
    }
    return std::nullopt;
  }

  const std::vector<History>& hs_;
  std::vector<std::vector<Event>> sorted_;
  mutable std::unordered_map<const Event*, nlohmann::json> parsed_;
  std::map<Id, Id> parent_;
};

class RandomHistories : public ::testing::TestWithParam<int> {};

TEST_P(RandomHistories, EngineEqualsNaiveRecomputation) {
  const int seed = GetParam();
  const Timestamp start = StartOf(DayOfDate(2026, 9, 1));
  Generator gen(static_cast<std::uint64_t>(seed));
  std::vector<History> hs = gen.Make(250, start, 75);

  KpiEngine engine{UnitTree(Org())};
  std::vector<Event> stream;
  for (const History& h : hs) {
    ASSERT_TRUE(engine.AddOrder(h.facts).ok());
    stream.insert(stream.end(), h.events.begin(), h.events.end());
  }
  std::mt19937_64 rng(static_cast<std::uint64_t>(seed) * 7919);
  if (seed % 2)  // odd seeds: events arrive in any order (late, replayed from another node...)
    std::shuffle(stream.begin(), stream.end(), rng);
  else
    std::stable_sort(stream.begin(), stream.end(),
                     [](const Event& a, const Event& b) { return a.at < b.at; });
  for (const Event& e : stream) ASSERT_TRUE(engine.Apply(e).ok());
  // The bulk feed (one AddOrder with all events of an order, in any order) must be
  // indistinguishable from event-by-event application.
  KpiEngine bulk{UnitTree(Org())};
  for (const History& h : hs) {
    std::vector<Event> ev = h.events;
    if (seed % 2) std::shuffle(ev.begin(), ev.end(), rng);
    ASSERT_TRUE(bulk.AddOrder(h.facts, ev).ok());
  }
  if (hs.size() > 1 && !hs[1].events.empty())  // an event of another order is refused
    EXPECT_FALSE(bulk.AddOrder(hs[0].facts, {hs[1].events[0]}).ok());

  // The histories must exercise every formula somewhere.
  Counters all = engine.Sum(kAllUnits, {DayOfDate(2026, 1, 1), DayOfDate(2028, 1, 1)});
  for (Counter c : {Counter::kDuplicates, Counter::kDirectAnswered, Counter::kResponseNum,
                    Counter::kSigned, Counter::kReplied, Counter::kReturnApproved,
                    Counter::kExtensionApproved, Counter::kRedo, Counter::kRating})
    EXPECT_GT(all[c] + (c == Counter::kRating ? all.ByRating(Rating::kSatisfied) : 0), 0)
        << CounterName(Index(c));

  // ...and the second hop (relay, and its returns reviewed by the relaying unit).
  int relays = 0;
  for (const History& h : hs)
    for (const Event& e : h.events) relays += e.action == "relay";
  EXPECT_GT(relays, 0);

  Naive naive(hs);
  const Day d0 = DayOfDate(2026, 9, 1);
  std::vector<DayRange> ranges = {MonthRange(2026, 9), MonthRange(2026, 10), MonthRange(2026, 11),
                                  WeekRange(d0 + 20),  {d0 + 3, d0 + 4},     {d0 - 5, d0 + 200}};
  std::uniform_int_distribution<int> day(-3, 120), len(1, 40);
  for (int k = 0; k < 4; ++k) {
    Day a = d0 + day(rng);
    ranges.push_back({a, a + len(rng)});
  }
  std::vector<Id> units = {kAllUnits};
  for (const auto& [id, kp] : kOrg) units.push_back(id);
  std::vector<Slice> slices = {{},
                               {1, std::nullopt},
                               {-1, std::nullopt},
                               {std::nullopt, Channel::kHotline},
                               {3, Channel::kWeb}};
  int checked = 0;
  for (Id u : units)
    for (const DayRange& r : ranges)
      for (const Slice& s : slices) {
        Counters want = naive.Query(u, r, s);
        Counters got = engine.Sum(u, r, s);
        ASSERT_EQ(bulk.Sum(u, r, s), got) << "bulk feed, seed " << seed << " unit " << u;
        for (int i = 0; i < kNumCounters; ++i)
          ASSERT_EQ(got.v[static_cast<size_t>(i)], want.v[static_cast<size_t>(i)])
              << "seed " << seed << " unit " << u << " days [" << r.from << "," << r.to
              << ") counter " << CounterName(i);
        // 直办率 (issue 17): answers over answers + first dispatches, recomputed from events.
        const double direct = want[Counter::kDirectAnswered];
        ASSERT_EQ(Metric(got, "direct_answer_rate", KpiConfig{}),
                  (Ratio{direct, direct + want[Counter::kFirstDispatched]}))
            << "seed " << seed << " unit " << u;
        ++checked;
      }
  for (Id u : units)
    for (Day d = d0 - 1; d < d0 + 130; d += 3)
      for (const Slice& s : {Slice{}, Slice{std::nullopt, Channel::kHotline}}) {
        ASSERT_EQ(bulk.OverdueAtEndOf(u, d, s), naive.Overdue(u, d, s))
            << "bulk feed, seed " << seed << " unit " << u << " day " << d;
        ASSERT_EQ(engine.OverdueAtEndOf(u, d, s), naive.Overdue(u, d, s))
            << "seed " << seed << " unit " << u << " day " << d;
      }
  // 三量 (read from the volume counters only) against the full per-channel sums.
  KpiConfig cfg;
  cfg.online_opinion = {{Channel::kWeb}, {}};  // channels the histories use
  cfg.petition = {{}, {Nature::kHelp}};
  for (const DayRange& r : ranges)
    for (const VolumeTrendRow& row : engine.VolumeTrend(UnitKind::kStreet, r, cfg)) {
      std::int64_t want[2][3] = {};
      for (int p = 0; p < 2; ++p) {
        auto by = engine.SumByChannel(row.unit_id, p == 0 ? r : PreviousRange(r));
        for (size_t ch = 0; ch < by.size(); ++ch) {
          want[p][0] += Volume(by[ch], static_cast<Channel>(ch), cfg.hotline_complaints);
          want[p][1] += Volume(by[ch], static_cast<Channel>(ch), cfg.online_opinion);
          want[p][2] += Volume(by[ch], static_cast<Channel>(ch), cfg.petition);
        }
      }
      EXPECT_EQ(row.hotline_complaints, want[0][0]);
      EXPECT_EQ(row.online_opinion, want[0][1]);
      EXPECT_EQ(row.petition, want[0][2]);
      EXPECT_EQ(row.prev_hotline_complaints, want[1][0]);
      EXPECT_EQ(row.prev_online_opinion, want[1][1]);
      EXPECT_EQ(row.prev_petition, want[1][2]);
    }
  EXPECT_GT(checked, 500);
  EXPECT_GT(engine.OverdueAtEndOf(kAllUnits, d0 + 40), 0);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomHistories, ::testing::Range(1, 13));

// ---- checkpoints (docs/storage.md "Projections") ----

// Every query the service reads, over units x ranges x slices, equal between two engines.
void ExpectSameAnswers(const KpiEngine& a, const KpiEngine& b, std::mt19937_64& rng,
                       const std::string& what) {
  const Day d0 = DayOfDate(2026, 9, 1);
  std::vector<DayRange> ranges = {MonthRange(2026, 9), MonthRange(2026, 10), MonthRange(2026, 11),
                                  WeekRange(d0 + 20),  {d0 + 3, d0 + 4},     {d0 - 40, d0 + 200}};
  std::uniform_int_distribution<int> day(-3, 120), len(1, 40);
  for (int k = 0; k < 12; ++k) {
    Day s = d0 + day(rng);
    ranges.push_back({s, s + len(rng)});
  }
  std::vector<Id> units = {kAllUnits, 99999};  // 99999: unknown
  for (const auto& [id, kp] : kOrg) units.push_back(id);
  const std::vector<Slice> slices = {{},
                                     {1, std::nullopt},
                                     {-1, std::nullopt},
                                     {std::nullopt, Channel::kHotline},
                                     {3, Channel::kWeb}};
  KpiConfig cfg;
  for (Id u : units) {
    for (const DayRange& r : ranges)
      for (const Slice& s : slices) {
        ASSERT_EQ(a.Sum(u, r, s), b.Sum(u, r, s)) << what << " unit " << u;
        ASSERT_EQ(a.SumByChannel(u, r, s), b.SumByChannel(u, r, s)) << what << " unit " << u;
        const KpiReport x = a.Report(u, r, cfg, s), y = b.Report(u, r, cfg, s);
        ASSERT_EQ(x.counters, y.counters) << what;
        ASSERT_EQ(x.overdue_at_end, y.overdue_at_end) << what << " unit " << u;
        ASSERT_EQ(x.composite, y.composite) << what;
      }
    for (Day d = d0 - 41; d < d0 + 130; d += 2)
      for (const Slice& s : slices)
        ASSERT_EQ(a.OverdueAtEndOf(u, d, s), b.OverdueAtEndOf(u, d, s))
            << what << " unit " << u << " day " << d;
  }
  for (const DayRange& r : ranges)
    for (UnitKind k : {UnitKind::kStreet, UnitKind::kGrid, UnitKind::kDepartment}) {
      auto ra = a.Rank(k, r, cfg), rb = b.Rank(k, r, cfg);
      ASSERT_EQ(ra.size(), rb.size());
      for (size_t i = 0; i < ra.size(); ++i) {
        ASSERT_EQ(ra[i].unit_id, rb[i].unit_id) << what;
        ASSERT_EQ(ra[i].rank, rb[i].rank) << what;
        ASSERT_EQ(ra[i].score, rb[i].score) << what;
      }
      auto va = a.VolumeTrend(k, r, cfg), vb = b.VolumeTrend(k, r, cfg);
      ASSERT_EQ(va.size(), vb.size());
      for (size_t i = 0; i < va.size(); ++i) {
        ASSERT_EQ(va[i].hotline_complaints, vb[i].hotline_complaints) << what;
        ASSERT_EQ(va[i].prev_petition, vb[i].prev_petition) << what;
        ASSERT_EQ(va[i].all_fell, vb[i].all_fell) << what;
      }
    }
}

std::unique_ptr<KpiEngine> Reload(const KpiEngine& e) {
  std::string bytes;
  e.Serialize(bytes);
  auto r = KpiEngine::Load(bytes, UnitTree(Org()));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

TEST(KpiCheckpoint, LoadedEngineAnswersExactlyAsTheOriginal) {
  const Timestamp start = StartOf(DayOfDate(2026, 9, 1));
  Generator gen(4242);
  std::vector<History> hs = gen.Make(400, start, 90);
  KpiEngine engine{UnitTree(Org())};
  for (const History& h : hs) ASSERT_TRUE(engine.AddOrder(h.facts, h.events).ok());
  auto loaded = Reload(engine);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->order_count(), engine.order_count());
  ASSERT_GT(engine.Sum(kAllUnits, {DayOfDate(2026, 1, 1), DayOfDate(2028, 1, 1)})[Counter::kSigned],
            0);
  std::mt19937_64 rng(7);
  ExpectSameAnswers(engine, *loaded, rng, "round trip");
  // A second generation (checkpoint of a loaded engine) gives the same bytes.
  std::string a, b;
  engine.Serialize(a);
  loaded->Serialize(b);
  EXPECT_EQ(a.size(), b.size());
}

// The service's restart: a checkpoint at some point of the stream, later events (late ones,
// exclusions, merges) and reclassifications after it, then a kill; the restart loads the
// checkpoint and replays the tail the way the service does (each touched order re-registered
// with its current facts, then its tail events applied). It must equal an engine fed from
// scratch with the final facts and every event.
class RandomCheckpoints : public ::testing::TestWithParam<int> {};

TEST_P(RandomCheckpoints, CheckpointPlusTailEqualsFromScratch) {
  const int seed = GetParam();
  const Timestamp start = StartOf(DayOfDate(2026, 9, 1));
  Generator gen(static_cast<std::uint64_t>(seed) + 1000);
  std::vector<History> hs = gen.Make(250, start, 75);
  std::mt19937_64 rng(static_cast<std::uint64_t>(seed) * 104729);
  std::vector<Event> stream;
  for (const History& h : hs) stream.insert(stream.end(), h.events.begin(), h.events.end());
  if (seed % 2)
    std::shuffle(stream.begin(), stream.end(), rng);  // late and out-of-order arrivals
  else
    std::stable_sort(stream.begin(), stream.end(),
                     [](const Event& a, const Event& b) { return a.at < b.at; });
  // Late changes after the checkpoint: an exclusion and an inclusion of old orders, merges.
  std::vector<Event> late;
  for (const History& h : hs) {
    std::uniform_int_distribution<int> pct(0, 99);
    const int p = pct(rng);
    Event e;
    e.order_id = h.facts.id;
    e.at = h.events.back().at + 3600;
    e.unit_id = 9;
    if (p < 8) {
      e.action = "exclude_from_kpi";
      e.data_json = "{\"unit_id\":" + std::to_string(kLeads[static_cast<size_t>(p)]) + "}";
    } else if (p < 11) {
      e.action = "merge";
      e.to = State::kMerged;
    } else if (p < 14) {
      e.action = "include_in_kpi";
      e.data_json = "{\"unit_id\":" + std::to_string(kLeads[static_cast<size_t>(p)]) + "}";
    } else {
      continue;
    }
    late.push_back(e);
  }
  std::uniform_int_distribution<size_t> cut_at(0, stream.size());
  const size_t cut = cut_at(rng);

  std::map<Id, OrderFacts> facts;
  for (const History& h : hs) facts[h.facts.id] = h.facts;
  KpiEngine live{UnitTree(Org())};
  for (const History& h : hs) ASSERT_TRUE(live.AddOrder(h.facts).ok());
  for (size_t i = 0; i < cut; ++i) ASSERT_TRUE(live.Apply(stream[i]).ok());
  std::string ckpt;
  live.Serialize(ckpt);

  // After the checkpoint: the rest of the stream, the late changes, reclassifications.
  std::vector<Event> tail(stream.begin() + static_cast<std::ptrdiff_t>(cut), stream.end());
  tail.insert(tail.end(), late.begin(), late.end());
  std::set<Id> reclassified;
  static const std::vector<std::string> kSubjects = {"0101", "0203", "0302", "1101", ""};
  for (const History& h : hs) {
    if (std::uniform_int_distribution<int>(0, 9)(rng) != 0) continue;
    OrderFacts f = facts[h.facts.id];
    f.subject_code = kSubjects[std::uniform_int_distribution<size_t>(0, 4)(rng)];
    const Id g = kGrids[std::uniform_int_distribution<size_t>(0, kGrids.size() - 1)(rng)];
    f.grid_id = g;
    f.community_id = kOrg.at(g).second;
    f.street_id = kOrg.at(*f.community_id).second;
    facts[h.facts.id] = f;
    reclassified.insert(h.facts.id);
  }
  ASSERT_FALSE(reclassified.empty());

  // The restart: checkpoint + tail.
  auto loaded = KpiEngine::Load(ckpt, UnitTree(Org()));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  KpiEngine& restarted = **loaded;
  std::set<Id> touched(reclassified);
  for (const Event& e : tail) touched.insert(e.order_id);
  for (Id id : touched) ASSERT_TRUE(restarted.AddOrder(facts[id]).ok());
  for (const Event& e : tail) ASSERT_TRUE(restarted.Apply(e).ok());
  // ...and a second checkpoint of the restarted engine, loaded again.
  auto again = Reload(restarted);
  ASSERT_TRUE(again);

  KpiEngine scratch{UnitTree(Org())};
  std::map<Id, std::vector<Event>> all;
  for (const Event& e : stream) all[e.order_id].push_back(e);
  for (const Event& e : late) all[e.order_id].push_back(e);
  for (const auto& [id, f] : facts) ASSERT_TRUE(scratch.AddOrder(f, all[id]).ok());

  ExpectSameAnswers(scratch, restarted, rng, "seed " + std::to_string(seed) + " restarted");
  ExpectSameAnswers(scratch, *again, rng, "seed " + std::to_string(seed) + " reloaded twice");
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomCheckpoints, ::testing::Range(1, 9));

TEST(KpiCheckpoint, DamagedBytesAreAnErrorNotACrash) {
  Generator gen(99);
  std::vector<History> hs = gen.Make(60, StartOf(DayOfDate(2026, 9, 1)), 30);
  KpiEngine engine{UnitTree(Org())};
  for (const History& h : hs) ASSERT_TRUE(engine.AddOrder(h.facts, h.events).ok());
  std::string bytes;
  engine.Serialize(bytes);
  ASSERT_GT(bytes.size(), 100u);
  // Every truncation is detected (each of the first 256 lengths, then every 13th).
  for (size_t n = 0; n < bytes.size(); n += n < 256 ? 1 : 13) {
    auto r = KpiEngine::Load(std::string_view(bytes).substr(0, n), UnitTree(Org()));
    ASSERT_FALSE(r.ok()) << "truncated to " << n << " of " << bytes.size() << " bytes";
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  }
  // Extra bytes too.
  EXPECT_FALSE(KpiEngine::Load(bytes + "x", UnitTree(Org())).ok());
  // Another format version, another utc offset.
  std::string other = bytes;
  other[0] = static_cast<char>(KpiEngine::kFormat + 1);
  auto v = KpiEngine::Load(other, UnitTree(Org()));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("format"), std::string::npos) << v.status().ToString();
  auto off = KpiEngine::Load(bytes, UnitTree(Org()), 9 * 3600);
  ASSERT_FALSE(off.ok());
  EXPECT_NE(off.status().message().find("offset"), std::string::npos);
  // Arbitrary damage: never a crash or an out-of-bounds read (ASan), whatever the outcome
  // (the checkpoint file's crc32 is what rejects such bytes: service/checkpoint_file_test.cc).
  std::mt19937_64 rng(5);
  for (int k = 0; k < 400; ++k) {
    std::string d = bytes;
    const size_t at = std::uniform_int_distribution<size_t>(0, d.size() - 1)(rng);
    d[at] = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    auto r = KpiEngine::Load(d, UnitTree(Org()));
    if (r.ok()) (void)(*r)->Sum(kAllUnits, {DayOfDate(2026, 9, 1), DayOfDate(2026, 12, 1)});
  }
}

}  // namespace
}  // namespace hotline::analytics
