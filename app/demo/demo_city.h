// The demo city: a Licheng-like district (its real streets and communities),
// generated grids, departments, users for every role, the taxonomy, dispatch
// catalogue and deadline rules, and months of synthetic appeals driven through
// their whole lifecycles by the real workflow (domain/workflow.h Plan()).
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

// The demo logins, for the terminal.
std::string LoginsBanner(Store& store);

}  // namespace hotline::demo
