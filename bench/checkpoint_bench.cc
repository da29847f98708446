// checkpoint_bench: the KPI engine's checkpoint against its rebuild, in the same run
// (docs/storage.md "Projections"). A generated district history (bench/analytics_gen.h) is fed
// to a KpiEngine the way a start without checkpoint does (AddOrder with each order's events:
// the baseline), then serialised, written as a checkpoint file (zlib, crc32, fsync, rename),
// read back and loaded: the cost of a start from a checkpoint. Reports orders/s of each path,
// the file's bytes per order and checks that the loaded engine answers like the original.
//   checkpoint_bench [--orders 1000000] [--dir /tmp]
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "analytics/kpi_engine.h"
#include "bench/analytics_gen.h"
#include "domain/calendar.h"
#include "service/checkpoint_file.h"

using namespace hotline;
using Clock = std::chrono::steady_clock;

static double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

int main(int argc, char** argv) {
  CLI::App app{"KPI engine checkpoint vs rebuild"};
  std::int64_t n = 1000000;
  std::string dir = "/tmp";
  app.add_option("--orders", n, "orders in the generated history")->capture_default_str();
  app.add_option("--dir", dir, "where the checkpoint file is written")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const bench::Org org = bench::MakeOrg();
  const Timestamp start = analytics::StartOf(analytics::DayOfDate(2025, 1, 1));
  const Timestamp cut = analytics::StartOf(analytics::DayOfDate(2026, 1, 1));
  bench::Generator gen(org, 42, start, cut, n);
  std::vector<bench::GenOrder> orders(static_cast<size_t>(n));
  for (auto& o : orders) {
    gen.Next(o);
    o.events.resize(o.loaded);
  }
  std::size_t events = 0;
  for (const auto& o : orders) events += o.events.size();

  const auto t0 = Clock::now();
  analytics::KpiEngine engine{analytics::UnitTree(org.units)};
  for (const auto& o : orders)
    if (!engine.AddOrder(o.facts, o.events).ok()) return 1;
  const auto t1 = Clock::now();
  Checkpoint c;
  c.format = 1;
  c.event_id = static_cast<std::int64_t>(events);
  engine.Serialize(c.payload);
  const auto t2 = Clock::now();
  const std::string path = dir + "/checkpoint_bench.ckpt";
  auto w = WriteCheckpoint(path, c);
  if (!w.ok()) {
    std::fprintf(stderr, "%s\n", w.status().ToString().c_str());
    return 1;
  }
  const auto t3 = Clock::now();
  auto r = ReadCheckpoint(path);
  const auto t4 = Clock::now();
  if (!r.ok()) return 1;
  auto loaded = analytics::KpiEngine::Load(r->payload, analytics::UnitTree(org.units));
  const auto t5 = Clock::now();
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.status().ToString().c_str());
    return 1;
  }
  const analytics::DayRange year{analytics::DayOfDate(2025, 1, 1),
                                 analytics::DayOfDate(2026, 1, 1)};
  const bool same =
      engine.Sum(analytics::kAllUnits, year) == (*loaded)->Sum(analytics::kAllUnits, year) &&
      engine.OverdueAtEndOf(analytics::kAllUnits, year.to - 1) ==
          (*loaded)->OverdueAtEndOf(analytics::kAllUnits, year.to - 1);
  std::filesystem::remove(path);
  std::printf("checkpoint_bench: %lld orders, %zu events\n", static_cast<long long>(n), events);
  std::printf("  rebuild (AddOrder with events, baseline): %8.0f ms  %10.0f orders/s\n", Ms(t0, t1),
              n / (Ms(t0, t1) / 1000));
  std::printf("  serialise:                                %8.0f ms  (%.1f MB raw)\n", Ms(t1, t2),
              w->raw_bytes / 1e6);
  std::printf("  compress + write + fsync + rename:        %8.0f ms  (%.1f MB, %.0f bytes/order)\n",
              Ms(t2, t3), w->file_bytes / 1e6,
              static_cast<double>(w->file_bytes) / static_cast<double>(n));
  std::printf("  read + crc + decompress:                  %8.0f ms\n", Ms(t3, t4));
  std::printf("  load (parse, derive totals):              %8.0f ms  %10.0f orders/s\n", Ms(t4, t5),
              n / (Ms(t4, t5) / 1000));
  std::printf("  start from checkpoint (read + load) vs rebuild: %.1fx faster; answers %s\n",
              Ms(t0, t1) / Ms(t3, t5), same ? "equal" : "DIFFER");
  return same ? 0 : 1;
}
