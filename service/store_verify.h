// `hotline verify`: whether a store (typically a backup) holds a history the engine can serve
// (docs/deploy.md "Backups"). Read-only on the orders and events; opening the service for the
// KPI check may migrate an older schema, as `hotline serve` would.
// Thread-safety: one call at a time per store.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "domain/clock.h"
#include "domain/result.h"
#include "store/store.h"

namespace hotline {

struct VerifyReport {
  std::int64_t orders = 0;
  std::int64_t events = 0;
  int kpi_counters_checked = 0;
  std::vector<std::string> problems;  // one sentence each; empty = the store is sound
};

// 1. Every order's events replay to its stored state: the first is the intake, each event
//    starts in the state the previous one left, the last leaves the order's state, and the
//    order's version counts its events. 2. No event belongs to a missing order. 3. The KPI
//    engine fed from the log (as at every start) agrees with counts taken straight from the
//    events for the whole area (an order without a street, community or grid counts
//    there too) and all time: received, duplicates, direct answers, rejections
//    and first dispatches. At most `max_problems` problems are listed (the count is still
//    exact in the last sentence).
Result<VerifyReport> VerifyStore(Store& store, const Clock& clock, const std::string& calendar_path,
                                 std::ostream* progress, std::size_t max_problems = 50);

}  // namespace hotline
