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

// The demo logins, for the terminal.
std::string LoginsBanner(Store& store);

}  // namespace hotline::demo
