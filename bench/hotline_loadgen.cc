// hotline-loadgen: closed-loop HTTP/1.1 keep-alive load against a server on 127.0.0.1.
// Prints the figures as JSON on stdout. Examples:
//   hotline-loadgen --port 8080 -c 32 -n 20000 --path /api/v1/health
//   hotline-loadgen --port 8080 -c 16 -d 10 -m POST --path /api/v1/orders
//     -H 'Authorization: Bearer TOKEN' -H 'Content-Type: application/json'
//     -H 'Idempotency-Key: load-{n}' --body '{"title":"路灯不亮 {n}"}'
#include <CLI/CLI.hpp>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench/loadgen.h"

int main(int argc, char** argv) {
  hotline::bench::LoadOptions o;
  CLI::App app{"Closed-loop HTTP/1.1 keep-alive load generator (127.0.0.1 only)"};
  double duration_s = 0;
  int timeout_ms = 10000;
  std::vector<std::string> headers;
  std::string body_file;
  app.add_option("--host", o.host, "Loopback address")->capture_default_str();
  app.add_option("-p,--port", o.port, "Server port")->required();
  app.add_option("-c,--connections", o.connections, "Concurrent connections")
      ->capture_default_str();
  app.add_option("-n,--requests", o.requests, "Total requests (0: use --duration)");
  app.add_option("-d,--duration", duration_s,
                 "Seconds to run (default 10 without -n; with -n an upper bound)");
  app.add_option("-m,--method", o.method)->capture_default_str();
  app.add_option("--path", o.path, "Request target; {n} = sequence number")->capture_default_str();
  app.add_option("-H,--header", headers, "'Name: value' (repeatable); {n} allowed in value");
  app.add_option("--body", o.body, "Body template; {n} = sequence number");
  app.add_option("--body-file", body_file, "Read the body template from a file");
  app.add_option("--timeout-ms", timeout_ms, "Per-operation timeout")->capture_default_str();
  app.add_option("--first-n", o.first_n, "First sequence number")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  for (const std::string& h : headers) {
    std::size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      std::cerr << "bad header (want 'Name: value'): " << h << "\n";
      return 2;
    }
    std::string value = h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    o.headers.emplace_back(h.substr(0, colon), value);
  }
  if (!body_file.empty()) {
    std::ifstream in(body_file, std::ios::binary);
    if (!in) {
      std::cerr << "cannot read " << body_file << "\n";
      return 2;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    o.body = ss.str();
  }
  if (duration_s > 0) {
    std::chrono::milliseconds d(static_cast<long long>(std::llround(duration_s * 1000)));
    (o.requests > 0 ? o.max_duration : o.duration) = d;
  }
  o.timeout = std::chrono::milliseconds(timeout_ms);

  hotline::bench::LoadResult r = hotline::bench::RunLoad(o);
  std::cout << r.ToJson() << std::endl;
  if (!r.status.ok()) {
    std::cerr << r.status.ToString() << "\n";
    return 2;
  }
  return r.responses > 0 ? 0 : 1;
}
