// A closed-loop HTTP/1.1 keep-alive load generator for servers on this machine (loopback
// only: it refuses any other host). Each of N connections runs on its own thread, sends a
// request, waits for the reply and sends the next, until a total request count or a
// duration is reached. "{n}" in the path, header values and body is replaced by a global
// sequence number, so every request can carry a unique Idempotency-Key.
//
// Thread-safety: RunLoad() may be called from any thread; it blocks until the run ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "domain/result.h"

namespace hotline::bench {

struct LoadOptions {
  // Default: 127.0.0.1. Must be 127.0.0.1 (or another 127.x address), ::1 or localhost.
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  // Default: 32. Concurrent keep-alive connections (one thread each).
  int connections = 32;
  // Default: 0. Total requests to send (socket errors count); 0 = run for `duration`.
  std::uint64_t requests = 0;
  // Default: 10 s. How long to run when requests == 0 (ignored otherwise). A run may
  // overshoot by up to one `timeout` if the server stops answering.
  std::chrono::milliseconds duration{10000};
  // Default: 0 (none). With requests > 0: stop at this time even if requests remain.
  std::chrono::milliseconds max_duration{0};
  std::string method = "GET";
  std::string path = "/";  // may contain {n}
  // Extra headers, e.g. {"Authorization", "Bearer ..."}, {"Idempotency-Key", "k-{n}"}.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // may contain {n}
  // Default: 10 s. Per socket operation; a timeout counts as a socket error.
  std::chrono::milliseconds timeout{10000};
  // Default: 1. The first sequence number.
  std::uint64_t first_n = 1;
};

struct LoadResult {
  Status status;                // not ok: the options were refused; nothing was sent
  std::uint64_t requests = 0;   // attempts: responses + socket errors
  std::uint64_t responses = 0;  // replies received (any status)
  std::uint64_t non_2xx = 0;    // replies with a status outside 200-299
  std::uint64_t socket_errors = 0;
  std::map<int, std::uint64_t> by_status;
  double seconds = 0;
  double requests_per_second = 0;  // responses / seconds
  // Latency of replies received, milliseconds: exact nearest-rank percentiles over every
  // sample (no histogram buckets). Socket errors are not sampled.
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
  std::string first_error;  // the first socket error message, for diagnosis

  std::string ToJson() const;
};

// Runs the load and returns the figures. invalid_argument in `status` for a non-loopback
// host or nonsensical options.
LoadResult RunLoad(const LoadOptions& options);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(const std::string& host);

}  // namespace hotline::bench
