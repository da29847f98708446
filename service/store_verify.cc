#include "service/store_verify.h"

#include <algorithm>
#include <limits>

#include "analytics/kpi.h"
#include "service/hotline_service.h"

namespace hotline {
namespace {

// The place counters, recounted from the raw events (docs/kpis.md §2: attributed to the
// order's place, untouched by exclusions).
struct PlaceCounts {
  std::int64_t received = 0, duplicates = 0, answered = 0, rejected = 0, first_dispatched = 0;
};

class Problems {
 public:
  Problems(VerifyReport& r, std::size_t max) : r_(r), max_(max) {}
  void Add(std::string p) {
    if (r_.problems.size() < max_) r_.problems.push_back(std::move(p));
    ++count_;
  }
  void Finish() {
    if (count_ > r_.problems.size())
      r_.problems.push_back("... " + std::to_string(count_ - r_.problems.size()) +
                            " more problems not listed");
  }

 private:
  VerifyReport& r_;
  std::size_t max_;
  std::size_t count_ = 0;
};

std::string OrderName(const WorkOrder& o) {
  return "order " + o.no + " (id " + std::to_string(o.id) + ")";
}

// Checks one order's events against its stored state; adds its place counts.
void CheckOrder(const WorkOrder& o, const std::vector<Event>& evs, Problems& p, PlaceCounts& pc) {
  if (evs.empty()) {
    p.Add(OrderName(o) + " has no events");
    return;
  }
  if (evs.front().action != "intake")
    p.Add(OrderName(o) + " begins with \"" + evs.front().action + "\", not the intake");
  for (size_t i = 1; i < evs.size(); ++i) {
    if (evs[i].from != evs[i - 1].to)
      p.Add(OrderName(o) + ": event " + std::to_string(evs[i].id) + " (" + evs[i].action +
            ") starts in " + std::string(ToString(evs[i].from)) + " but the one before left it " +
            std::string(ToString(evs[i - 1].to)));
    if (evs[i].at < evs[i - 1].at)
      p.Add(OrderName(o) + ": event " + std::to_string(evs[i].id) + " is dated before the one " +
            "before it");
  }
  if (evs.back().to != o.state)
    p.Add(OrderName(o) + " is " + std::string(ToString(o.state)) + " but its events leave it " +
          std::string(ToString(evs.back().to)));
  // The intake is version 0; every later event bumps it once.
  if (o.version != static_cast<std::int64_t>(evs.size()) - 1)
    p.Add(OrderName(o) + " is at version " + std::to_string(o.version) + " after " +
          std::to_string(evs.size()) + " events (expected " + std::to_string(evs.size() - 1) + ")");
  bool merged = false, dispatched = false;
  for (const Event& e : evs) {
    if (e.action == "merge") merged = true;
    if (e.action == "intake") ++pc.received;
    if (e.action == "answer") ++pc.answered;
    if (e.action == "reject") ++pc.rejected;
    if (e.action == "dispatch" && !dispatched) ++pc.first_dispatched, dispatched = true;
  }
  if (merged)
    pc.duplicates +=
        std::count_if(evs.begin(), evs.end(), [](const Event& e) { return e.action == "intake"; });
}

}  // namespace

Result<VerifyReport> VerifyStore(Store& store, const Clock& clock, const std::string& calendar_path,
                                 std::ostream* progress, std::size_t max_problems) {
  VerifyReport report;
  Problems p(report, max_problems);
  PlaceCounts pc;
  std::vector<Id> ids;
  Timestamp first = std::numeric_limits<Timestamp>::max(), last = 0;

  // 1. Each order against its own events (one order's events in memory at a time).
  OrderQuery q;
  q.sort = OrderQuery::Sort::kOldest;
  q.limit = 10000;
  for (;; q.offset += q.limit) {
    HOTLINE_ASSIGN_OR_RETURN(OrderPage page, store.ListOrders(q));
    for (const WorkOrder& o : page.items) {
      HOTLINE_ASSIGN_OR_RETURN(std::vector<Event> evs, store.ListEvents(o.id));
      CheckOrder(o, evs, p, pc);
      ids.push_back(o.id);
      report.events += static_cast<std::int64_t>(evs.size());
      for (const Event& e : evs) first = std::min(first, e.at), last = std::max(last, e.at);
    }
    report.orders += static_cast<std::int64_t>(page.items.size());
    if (progress && !page.items.empty())
      *progress << "\rorders checked: " << report.orders << std::flush;
    if (page.items.size() < static_cast<size_t>(q.limit)) break;
  }
  if (progress) *progress << "\n";

  // 2. The whole log: no event of a missing order, and no event the orders did not list.
  std::sort(ids.begin(), ids.end());
  std::int64_t logged = 0;
  for (Id after = 0;;) {
    HOTLINE_ASSIGN_OR_RETURN(std::vector<Event> batch, store.ScanEvents(after, 50000));
    if (batch.empty()) break;
    after = batch.back().id;
    logged += static_cast<std::int64_t>(batch.size());
    for (const Event& e : batch)
      if (!std::binary_search(ids.begin(), ids.end(), e.order_id))
        p.Add("event " + std::to_string(e.id) + " (" + e.action + ") belongs to order " +
              std::to_string(e.order_id) + ", which does not exist");
  }
  if (logged != report.events)
    p.Add("the event log holds " + std::to_string(logged) + " events, the orders " +
          std::to_string(report.events));

  // 3. The KPI engine, fed from the log as at every start, against the recount.
  if (report.orders > 0) {
    HOTLINE_ASSIGN_OR_RETURN(auto svc, HotlineService::Open(store, clock, calendar_path));
    Actor office{0, Role::kAdmin, 0};
    for (const Unit& u : svc->Units())
      if (!u.parent_id) office.unit_id = u.id;
    KpiQuery kq;
    kq.range = {analytics::DayOf(first), analytics::DayOf(last) + 1};
    HOTLINE_ASSIGN_OR_RETURN(std::vector<KpiRow> rows, svc->Kpis(office, kq));
    if (rows.empty()) return Status(Code::kInternal, "the KPI engine returned no row");
    const analytics::Counters& c = rows.front().change.current.counters;
    using analytics::Counter;
    const std::pair<Counter, std::int64_t> checks[] = {
        {Counter::kReceived, pc.received},
        {Counter::kDuplicates, pc.duplicates},
        {Counter::kDirectAnswered, pc.answered},
        {Counter::kRejected, pc.rejected},
        {Counter::kFirstDispatched, pc.first_dispatched}};
    for (const auto& [counter, expected] : checks) {
      ++report.kpi_counters_checked;
      if (c[counter] != expected)
        p.Add("KPI " + std::string(analytics::CounterName(analytics::Index(counter))) + " is " +
              std::to_string(c[counter]) + " in the engine but " + std::to_string(expected) +
              " counted from the events");
    }
  }
  p.Finish();
  return report;
}

}  // namespace hotline
