// The demo city: Jinan 济南市 (370100) with its city hotline centre and city departments, all its
// districts and counties as units, and three with data — 历下 370102, 市中 370103, 历城 370112 —
// each with its hotline office, its own departments and its real streets and communities
// (data/demo/jinan_divisions.csv, licheng_divisions.csv), generated grids and boundaries; users
// at every level; the taxonomy, dispatch catalogue and deadline rules; and months of synthetic
// appeals driven level by level (city centre -> district office -> street, some 越级, some city
// departments) through their whole lifecycles by the real workflow (domain/workflow.h Plan()).
// The districts differ in volume, lateness and satisfaction, so the city's ranking means something.
// Thread-safety: BuildDemo is called once, before serving.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "domain/clock.h"
#include "domain/result.h"
#include "store/store.h"

namespace hotline::demo {

struct DemoOptions {
  int months = 4;     // Default: 4 months of history, ending now
  int per_day = 160;  // Default: ~160 appeals a day on average (weekday peak, quieter weekends)
  std::uint64_t seed = 12345;  // Default: fixed, so two demos look the same
  std::string data_dir;        // REQUIRES: the repository's data/ directory
  std::string calendar_path;   // REQUIRES: data/calendar/cn_holidays.json
};

// The password of every demo user.
inline constexpr const char* kDemoPassword = "demo";

// REQUIRES: an empty store. Shows progress on `out`.
Status BuildDemo(Store& store, const Clock& clock, const DemoOptions& options, std::ostream& out);

// `hotline generate`: a large history of the demo city, streamed into a new store in batches
// (docs/storage.md "Bulk loading"). The city, its accounts (password "demo") and configuration
// are those of BuildDemo; then exactly `orders` appeals over the last `years` years, spread by
// the same weekly, seasonal and daily rhythm and driven through the same kinds of lifecycles.
// One thread simulates, the caller's thread writes (Store::BulkLoad, one transaction a batch).
// Deterministic: the same options and clock give the same store.
inline constexpr std::int64_t kMaxGeneratedOrders = 100'000'000;
struct GenerateOptions {
  std::int64_t orders = 0;     // REQUIRES: 1..kMaxGeneratedOrders
  int years = 1;               // REQUIRES: 1..10. Default: one year ending now
  std::uint64_t seed = 12345;  // Default: as the demo
  std::string data_dir;        // REQUIRES: the repository's data/ directory
  std::string calendar_path;   // REQUIRES: data/calendar/cn_holidays.json
  size_t batch = 10000;        // Default: 10,000 orders a transaction
};
struct GenerateReport {
  std::int64_t orders = 0, events = 0;
  double seconds = 0;        // wall time, setup included
  double write_seconds = 0;  // of which the writing thread spent in Store::BulkLoad
};
// kInvalidArgument naming the flag (--orders, --years, --batch) for options out of range.
Status ValidateGenerateOptions(const GenerateOptions& options);
// REQUIRES: an empty store (kFailedPrecondition otherwise; nothing written). Setup lines go to
// `out`; the progress bar with its ETA to `progress` (redrawn when `progress_tty`, else a line
// every few seconds).
Result<GenerateReport> GenerateHistory(Store& store, const Clock& clock,
                                       const GenerateOptions& options, std::ostream& out,
                                       std::ostream& progress, bool progress_tty);

// The demo logins, for the terminal.
std::string LoginsBanner(Store& store);

}  // namespace hotline::demo
