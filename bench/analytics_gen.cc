#include "bench/analytics_gen.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace hotline::bench {

namespace {

constexpr int kStreets = 24, kCommunitiesPerStreet = 20, kGridsPerCommunity = 5, kDepartments = 60,
              kSubjects = 20;
constexpr Timestamp kHour = 3600, kDay = 86400;

Unit MakeUnit(Id id, std::string code, std::string name, UnitKind kind, std::optional<Id> parent) {
  Unit u;
  u.id = id;
  u.code = std::move(code);
  u.name = std::move(name);
  u.kind = kind;
  u.parent_id = parent;
  if (kind == UnitKind::kGrid) u.grid_kind = GridKind::kBasic;
  return u;
}

}  // namespace

Org MakeOrg() {
  Org o;
  o.units.push_back(MakeUnit(o.district, "370112", "历城区", UnitKind::kDistrict, std::nullopt));
  o.units.push_back(MakeUnit(o.center, "C12345", "12345热线中心", UnitKind::kCenter, o.district));
  char code[32];
  for (int s = 0; s < kStreets; ++s) {
    Id sid = 100 + s;
    std::snprintf(code, sizeof code, "370112%03d", s + 1);
    std::string scode = code;
    o.units.push_back(
        MakeUnit(sid, scode, "街道" + std::to_string(s + 1), UnitKind::kStreet, o.district));
    o.streets.push_back(sid);
    for (int c = 0; c < kCommunitiesPerStreet; ++c) {
      Id cid = 1000 + s * kCommunitiesPerStreet + c;
      std::snprintf(code, sizeof code, "%s%03d", scode.c_str(), c + 1);
      std::string ccode = code;
      o.units.push_back(
          MakeUnit(cid, ccode, "社区" + std::to_string(cid), UnitKind::kCommunity, sid));
      o.communities.push_back(cid);
      o.community_street.push_back(sid);
      for (int g = 0; g < kGridsPerCommunity; ++g) {
        Id gid = 100000 + (cid - 1000) * kGridsPerCommunity + g;
        std::snprintf(code, sizeof code, "%s%03d", ccode.c_str(), g + 1);
        o.units.push_back(MakeUnit(gid, code, "网格" + std::to_string(gid), UnitKind::kGrid, cid));
        o.grids.push_back(gid);
      }
    }
  }
  for (int d = 0; d < kDepartments; ++d) {
    Id did = 200 + d;
    o.units.push_back(MakeUnit(did, "D" + std::to_string(did), "区直部门" + std::to_string(d + 1),
                               UnitKind::kDepartment, o.district));
    o.departments.push_back(did);
  }
  return o;
}

Generator::Generator(const Org& org, std::uint64_t seed, Timestamp start, Timestamp cut_off,
                     std::int64_t n)
    : org_(org), rng_(seed), start_(start), cut_off_(cut_off), n_(n) {
  double sum = 0;
  for (int s = 1; s <= kSubjects; ++s) {  // Zipf-like: a few subjects carry most appeals
    sum += 1.0 / s;
    subject_cdf_.push_back(sum);
  }
  for (double& x : subject_cdf_) x /= sum;
}

void Generator::Next(GenOrder& g) {
  const Id id = next_++;
  std::uniform_real_distribution<double> u01(0, 1);
  auto pick = [&](std::initializer_list<double> weights) {
    double r = u01(rng_), acc = 0;
    int i = 0;
    for (double w : weights) {
      acc += w;
      if (r < acc) return i;
      ++i;
    }
    return i - 1;
  };
  // Intakes at a steady pace (order i at start + i * span / n, jittered), with
  // a daytime rhythm: most appeals arrive 08:00-22:00 local time.
  const double span = static_cast<double>(cut_off_ - start_);
  Timestamp t0 = start_ + static_cast<Timestamp>((static_cast<double>(id - 1) + u01(rng_)) * span /
                                                 static_cast<double>(n_));
  const Timestamp local_day = analytics::StartOf(analytics::DayOf(t0));
  if (u01(rng_) < 0.85) t0 = local_day + 8 * kHour + (t0 - local_day) * 14 / 24;

  // Channel (hotline, web, app, wechat, grid_patrol, online_opinion, petition, open311, email,
  // sensor)
  const int channel = pick({0.55, 0.07, 0.08, 0.10, 0.10, 0.05, 0.025, 0.005, 0.01, 0.01});
  const int nature = pick({0.30, 0.25, 0.25, 0.08, 0.10, 0.02});
  double r = u01(rng_);
  int subject1 = -1;
  if (r >= 0.02)
    subject1 =
        static_cast<int>(std::lower_bound(subject_cdf_.begin(), subject_cdf_.end(), u01(rng_)) -
                         subject_cdf_.begin()) +
        1;
  // Place: streets are unequal (a few dense old-town streets carry more).
  const size_t street_ix =
      std::min<size_t>(kStreets - 1, static_cast<size_t>(std::pow(u01(rng_), 1.4) * kStreets));
  const size_t comm_ix =
      street_ix * kCommunitiesPerStreet + static_cast<size_t>(u01(rng_) * kCommunitiesPerStreet);
  const size_t grid_ix =
      comm_ix * kGridsPerCommunity + static_cast<size_t>(u01(rng_) * kGridsPerCommunity);
  const Id street = org_.streets[street_ix], community = org_.communities[comm_ix];

  g.facts = {};
  g.facts.id = id;
  g.facts.channel = static_cast<Channel>(channel);
  g.facts.nature = static_cast<Nature>(nature);
  if (subject1 > 0) {
    char code[8];
    std::snprintf(code, sizeof code, "%02d%02d", subject1, 1 + static_cast<int>(u01(rng_) * 9));
    g.facts.subject_code = code;
  }
  g.facts.street_id = street;
  if (u01(rng_) < 0.97) {
    g.facts.community_id = community;
    g.facts.grid_id = org_.grids[grid_ix];
  }
  g.order = {};
  g.order.id = id;
  g.order.channel = channel;
  g.order.nature = nature;
  g.order.subject1 = subject1;
  g.order.place_unit = g.facts.grid_id ? *g.facts.grid_id : street;
  g.order.street_id = street;
  Lifecycle(t0, street, community, subject1);
  Emit(g);
}

void Generator::Lifecycle(Timestamp t0, Id street, Id community, int subject1) {
  std::uniform_real_distribution<double> u01(0, 1);
  std::exponential_distribution<double> expo(1.0);
  auto secs = [&](double mean) { return static_cast<Timestamp>(expo(rng_) * mean) + 60; };
  ev_.clear();
  Timestamp t = t0;
  ev_.push_back({t, "intake", State::kReceived});
  const double r = u01(rng_);
  if (r < 0.03) {  // a duplicate, merged into an earlier order (并单)
    ev_.push_back({t + secs(1800), "merge", State::kMerged});
    return;
  }
  if (r < 0.05) {  // 不予受理
    ev_.push_back({t + secs(3600), "reject", State::kRejected});
    return;
  }
  auto callback_rating = [&](bool bad_bias) {
    int k = static_cast<int>(u01(rng_) * 100);
    if (bad_bias) k = std::min(99, k + 10);
    // very_satisfied 40, satisfied 33, basically 12, unsatisfied 7, very_unsatisfied 3, unreachable
    // 5
    if (k < 40) return 0;
    if (k < 73) return 1;
    if (k < 85) return 2;
    if (k < 92) return 3;
    if (k < 95) return 4;
    return 5;
  };
  if (r < 0.30) {  // answered directly by the agent (直接答复), called back, closed
    t += secs(600);
    Ev a{t, "answer", State::kReplied};
    a.unit = org_.center;
    ev_.push_back(a);
    t += secs(kDay);
    Ev cb{t, "callback", State::kVisited};
    cb.rating = callback_rating(false);
    ev_.push_back(cb);
    ev_.push_back({t + secs(600), "close", State::kClosed});
    return;
  }
  // Dispatched (转办): to the street or community by place (属地), or a department by subject.
  auto department = [&]() {
    int base = subject1 > 0 ? subject1 * 3 : 0;
    return org_.departments[static_cast<size_t>(base + static_cast<int>(u01(rng_) * 3)) %
                            org_.departments.size()];
  };
  const double who = u01(rng_);
  Id lead = who < 0.55 ? street : who < 0.65 ? community : department();
  const bool urgent = u01(rng_) < 0.1;
  const Timestamp limit = urgent ? 2 * kDay : 5 * kDay;
  t += secs(1.5 * kHour);
  Ev d{t, "dispatch", State::kDispatched, lead};
  d.due = t + limit;
  Timestamp due = d.due;
  ev_.push_back(d);
  Timestamp assigned_at = t;
  if (u01(rng_) < 0.04) {  // 申请退单 before signing, approved: reassigned to a department
    t += secs(kHour);
    ev_.push_back({t, "request_return", State::kReturnRequested});
    t += secs(2 * kHour);
    lead = org_.departments[static_cast<size_t>(u01(rng_) *
                                                static_cast<double>(org_.departments.size()))];
    Ev ar{t, "approve_return", State::kDispatched, lead};
    ar.due = t + limit;
    due = ar.due;
    ev_.push_back(ar);
    assigned_at = t;
  }
  for (int round = 0; round < 2; ++round) {
    t += secs(1.6 * kHour);  // signing limit: 4 hours after the assignment
    Ev s{t, "sign", State::kInProgress};
    s.on_time = t <= assigned_at + 4 * kHour;
    ev_.push_back(s);
    if (u01(rng_) < 0.004) return;  // stalls: open, past due, a red light until someone acts
    if (u01(rng_) < 0.02) {         // 督办 while it is handled
      t += secs(kDay);
      ev_.push_back({t, "supervise", State::kInProgress});
    }
    if (u01(rng_) < 0.05) {  // 申请延期, approved
      t += secs(kDay);
      ev_.push_back({t, "request_extension", State::kExtensionRequested});
      t += secs(3 * kHour);
      Ev ae{t, "approve_extension", State::kInProgress};
      due += 5 * kDay;
      ae.due = due;
      ev_.push_back(ae);
    }
    t += static_cast<Timestamp>(expo(rng_) * 2.2 * kDay) + 1800;
    if (t < ev_.back().at) t = ev_.back().at + 60;
    Ev rp{t, "reply", State::kReplied};
    rp.resolved = u01(rng_) < 0.86;
    rp.on_time = t <= due;
    ev_.push_back(rp);
    t += secs(16 * kHour);
    Ev cb{t, "callback", State::kVisited};
    cb.rating = callback_rating(!rp.resolved);
    ev_.push_back(cb);
    if (round == 0 && (cb.rating == 3 || cb.rating == 4) && u01(rng_) < 0.35) {  // 重办
      t += secs(2 * kHour);
      Ev rd{t, "redo", State::kDispatched, lead};
      rd.due = t + limit;
      due = rd.due;
      ev_.push_back(rd);
      assigned_at = t;
      continue;
    }
    break;
  }
  ev_.push_back({t + secs(1800), "close", State::kClosed});
  // Every step above starts after the one before, so the events are in time order:
  // the events up to the cut-off are a prefix, as Emit expects.
}

void Generator::Emit(GenOrder& g) {
  g.events.resize(ev_.size());
  g.event_rows.clear();
  g.assignments.clear();
  g.loaded = 0;
  char buf[160];
  std::optional<Id> lead, answer_unit;
  AssignmentRow* asg = nullptr;
  for (size_t i = 0; i < ev_.size(); ++i) {
    const Ev& x = ev_[i];
    if (i > 0 && x.at < ev_[i - 1].at) {
      std::fprintf(stderr, "analytics_gen: events of order %lld out of time order\n",
                   static_cast<long long>(g.facts.id));
      std::abort();
    }
    Event& e = g.events[i];
    e.id = 0;
    e.order_id = g.facts.id;
    e.at = x.at;
    e.action = x.action;
    e.to = x.to;
    e.unit_id = x.unit;
    const std::string_view a = x.action;
    if (x.lead)
      std::snprintf(buf, sizeof buf, "{\"lead_unit_id\":%lld,\"due_at\":%lld}",
                    static_cast<long long>(*x.lead), static_cast<long long>(x.due));
    else if (a == "approve_extension")
      std::snprintf(buf, sizeof buf, "{\"due_at\":%lld}", static_cast<long long>(x.due));
    else if (a == "sign")
      std::snprintf(buf, sizeof buf, "{\"on_time\":%s}", x.on_time ? "true" : "false");
    else if (a == "reply")
      std::snprintf(buf, sizeof buf, "{\"resolved\":%s,\"on_time\":%s}",
                    x.resolved ? "true" : "false", x.on_time ? "true" : "false");
    else if (a == "callback")
      std::snprintf(buf, sizeof buf, "{\"rating\":\"%s\"}",
                    std::string(ToString(static_cast<Rating>(x.rating))).c_str());
    else
      std::snprintf(buf, sizeof buf, "{}");
    e.data_json = buf;

    // The SQL rows as of the cut-off: what the store's writer derives when it commits the event.
    if (x.at > cut_off_) continue;
    g.loaded = i + 1;
    const int day = analytics::DayOf(x.at);
    EventRow row{g.facts.id, x.at, day, x.action};
    row.on_time = x.on_time;
    row.resolved = x.resolved;
    row.rating = x.rating;
    if (a == "intake") {
      g.order.intake_day = day;
    } else if (a == "merge") {
      g.order.merged = true;
    } else if (a == "answer") {
      answer_unit = x.unit;
      row.unit_id = x.unit;
    } else if (a == "dispatch" || a == "approve_return" || a == "redo") {
      row.unit_id = lead;  // approve_return/redo count for the unit before
      if (a == "approve_return" && asg && !asg->signed_) asg->counted = false;
      lead = x.lead;
      g.assignments.push_back({g.facts.id, *x.lead, day});
      asg = &g.assignments.back();
      g.order.due_at = x.due;
    } else if (a == "sign") {
      row.unit_id = lead;
      if (asg && !asg->signed_) {
        asg->signed_ = true;
        asg->signed_on_time = x.on_time;
      }
    } else if (a == "approve_extension") {
      row.unit_id = lead;
      g.order.due_at = x.due;
    } else if (a == "callback") {
      row.unit_id = lead ? lead : answer_unit;
    } else {
      row.unit_id = lead;
    }
    if (a != "intake") g.order.state = static_cast<int>(x.to);
    g.event_rows.push_back(row);
  }
  g.order.lead_unit = lead;
}

}  // namespace hotline::bench
