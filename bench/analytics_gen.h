// A deterministic, streaming generator of a large district's 12345 history
// for the analytics benchmark (docs/benchmarks.md "analytics"): the
// organisation (24 streets, 480 communities, 2,400 grids, 60 departments, the
// hotline centre), then orders one by one with their whole lifecycle as
// engine events (intake, direct answer, reject, merge, dispatch, return and
// reassignment, sign, extension, supervise, reply, callback rating, redo,
// close; some orders stall and become overdue), plus the rows a city IT
// department would keep in SQL for the same history as of a cut-off instant.
// Thread-safety: one Generator per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "analytics/kpi_engine.h"
#include "domain/types.h"

namespace hotline::bench {

struct Org {
  std::vector<Unit> units;
  Id district = 1, center = 2;
  std::vector<Id> streets, communities, grids, departments;
  std::vector<Id> community_street;  // by community index
};
Org MakeOrg();

// What the SQL stores hold for one order, as of the cut-off instant.
struct OrderRow {
  Id id = 0;
  int channel = 0, nature = 0, subject1 = -1;
  Id place_unit = 0, street_id = 0;
  int intake_day = 0;
  bool merged = false;
  int state = 0;
  std::optional<Id> lead_unit;
  Timestamp due_at = 0;
};
struct EventRow {
  Id order_id = 0;
  Timestamp at = 0;
  int day = 0;
  const char* action = "";
  std::optional<Id>
      unit_id;  // the unit the event counts for (lead at the time, or the answering unit)
  bool on_time = false, resolved = false;
  int rating = -1;  // Rating for a callback, -1 otherwise
};
struct AssignmentRow {
  Id order_id = 0;
  Id unit_id = 0;
  int day = 0;
  bool counted = true;  // false once taken back unsigned by an approved return
  bool signed_on_time = false;
  bool signed_ = false;
};

struct GenOrder {
  analytics::OrderFacts facts;
  std::vector<Event> events;  // the whole lifecycle, in time order
  size_t loaded = 0;          // events[0, loaded) are at or before the cut-off
  OrderRow order;
  std::vector<EventRow> event_rows;
  std::vector<AssignmentRow> assignments;
};

class Generator {
 public:
  // Orders 1..n with intakes spread over [start, cut_off); events after
  // cut_off are generated but not loaded (they are the live intake).
  Generator(const Org& org, std::uint64_t seed, Timestamp start, Timestamp cut_off, std::int64_t n);
  // The next order (ids 1, 2, ...); after n orders, intakes continue after
  // the cut-off at the same pace.
  void Next(GenOrder& out);

 private:
  struct Ev {  // one event as generated (its JSON is built from this)
    Ev(Timestamp at_, const char* action_, State to_, std::optional<Id> lead_ = std::nullopt)
        : at(at_), action(action_), to(to_), lead(lead_) {}
    Timestamp at;
    const char* action;
    State to;
    std::optional<Id> lead;  // dispatch, approve_return, redo
    Timestamp due = 0;       // dispatch, approve_return, redo, approve_extension
    std::optional<Id> unit;  // the actor's unit (answer)
    bool on_time = false, resolved = false;
    int rating = -1;
  };
  void Lifecycle(Timestamp t0, Id place_street, Id place_community, int subject1);
  void Emit(GenOrder& g);  // engine events and SQL rows from ev_
  std::vector<Ev> ev_;
  const Org& org_;
  std::mt19937_64 rng_;
  Timestamp start_, cut_off_;
  std::int64_t n_;
  std::int64_t next_ = 1;
  std::vector<double> subject_cdf_;
};

}  // namespace hotline::bench
