// GET /api/v1/metrics: the node's counters in the Prometheus text format (docs/deploy.md
// "Health, readiness, metrics"): requests and handler latency per route, connections, the
// store writer's groups and queue, process memory and uptime. Answered to loopback peers only
// (a local Prometheus agent or node exporter scrapes it); others get 403.
// Thread-safety: the handler may run concurrently; `router`, `service` and whatever
// `server_stats` reads must outlive the router.
#pragma once

#include <functional>

#include "api/http_server.h"
#include "service/hotline_service.h"
#include "service/scheduler.h"

namespace hotline::api {

// `scheduler` (may be null): its leadership and job counters are reported too.
void RegisterMetrics(Router& router, HotlineService& service,
                     std::function<ServerStats()> server_stats,
                     const Scheduler* scheduler = nullptr);

}  // namespace hotline::api
