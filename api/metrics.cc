#include "api/metrics.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace hotline::api {
namespace {

bool Loopback(const std::string& remote) {
  return remote == "127.0.0.1" || remote == "::1" || remote.starts_with("127.") ||
         remote.starts_with("::ffff:127.");
}

void Line(std::string& out, const char* name, const char* type, const char* help,
          std::uint64_t value) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
         name + " " + std::to_string(value) + "\n";
}

// Resident set size in bytes (/proc/self/statm), 0 when unreadable.
std::uint64_t ResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

}  // namespace

void RegisterMetrics(Router& router, HotlineService& service,
                     std::function<ServerStats()> server_stats, const Scheduler* scheduler) {
  const auto started = std::chrono::steady_clock::now();
  router.Add(
      "GET", "/api/v1/metrics",
      [&router, &service, server_stats, started, scheduler](HttpRequest& req) {
        if (!Loopback(req.remote))
          return HttpResponse::Error(
              403,
              Status(Code::kForbidden, "metrics are answered to loopback peers only", "remote"));
        std::string out;
        router.WriteMetrics(out);
        const ServerStats s = server_stats ? server_stats() : ServerStats{};
        Line(out, "hotline_http_connections_open", "gauge", "Open client connections.",
             s.connections_open);
        Line(out, "hotline_http_connections_accepted_total", "counter", "Connections accepted.",
             s.connections_accepted);
        Line(out, "hotline_http_handler_exceptions_total", "counter",
             "Handlers that threw (answered 500).", s.handler_exceptions);
        const WriteStats w = service.StoreWriteStats();
        Line(out, "hotline_store_write_groups_total", "counter",
             "Store transactions run by the group-commit writer.", w.groups);
        Line(out, "hotline_store_writes_total", "counter", "Writes run by the store writer.",
             w.writes);
        Line(out, "hotline_store_writes_failed_total", "counter",
             "Writes whose outcome was an error (conflicts included).", w.failed_writes);
        Line(out, "hotline_store_write_queue", "gauge", "Writes waiting for the next group now.",
             w.queued);
        Line(out, "hotline_process_resident_bytes", "gauge", "Resident memory of the process.",
             ResidentBytes());
        Line(out, "hotline_uptime_seconds", "gauge", "Seconds since the routes were registered.",
             static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::steady_clock::now() - started)
                                            .count()));
        if (scheduler) {
          Line(out, "hotline_scheduler_leader", "gauge",
               "1 when this node holds the lease of the scheduled work.", scheduler->leader());
          Line(out, "hotline_scheduler_terms_total", "counter",
               "Times this node became the leader of the scheduled work.", scheduler->terms());
          out +=
              "# HELP hotline_scheduler_job_runs_total Runs of each scheduled job on this node.\n"
              "# TYPE hotline_scheduler_job_runs_total counter\n";
          for (const auto& j : scheduler->Stats())
            out += "hotline_scheduler_job_runs_total{job=\"" + j.name + "\"} " +
                   std::to_string(j.runs) + "\n";
          out +=
              "# HELP hotline_scheduler_job_failures_total Failed runs of each scheduled job.\n"
              "# TYPE hotline_scheduler_job_failures_total counter\n";
          for (const auto& j : scheduler->Stats())
            out += "hotline_scheduler_job_failures_total{job=\"" + j.name + "\"} " +
                   std::to_string(j.failures) + "\n";
        }
        HttpResponse r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = std::move(out);
        return r;
      });
}

}  // namespace hotline::api
