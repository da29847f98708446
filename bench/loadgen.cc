#include "bench/loadgen.h"

#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/http_client.h"

namespace hotline::bench {

namespace {

using Clock = std::chrono::steady_clock;

std::string Expand(const std::string& tmpl, bool has_n, std::uint64_t n) {
  if (!has_n) return tmpl;
  std::string out;
  out.reserve(tmpl.size() + 16);
  std::string num = std::to_string(n);
  std::size_t i = 0;
  while (true) {
    std::size_t j = tmpl.find("{n}", i);
    if (j == std::string::npos) break;
    out.append(tmpl, i, j - i).append(num);
    i = j + 3;
  }
  out.append(tmpl, i, std::string::npos);
  return out;
}

bool HasN(const std::string& s) { return s.find("{n}") != std::string::npos; }

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

struct Worker {
  std::vector<double> latencies_ms;
  std::map<int, std::uint64_t> by_status;
  std::uint64_t socket_errors = 0;
  std::string first_error;
};

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr a{};
  if (inet_pton(AF_INET, host.c_str(), &a) != 1) return false;
  return (ntohl(a.s_addr) >> 24) == 127;
}

LoadResult RunLoad(const LoadOptions& o) {
  LoadResult result;
  if (!IsLoopbackHost(o.host)) {
    result.status = Invalid("host", "load is only sent to loopback (127.0.0.1), not " + o.host);
    return result;
  }
  if (o.connections < 1 || o.connections > 10000) {
    result.status = Invalid("connections", "connections must be 1..10000");
    return result;
  }
  if (o.requests == 0 && o.duration.count() <= 0) {
    result.status = Invalid("requests", "give a request count or a duration");
    return result;
  }
  if (o.path.empty() || o.path.front() != '/') {
    result.status = Invalid("path", "path must start with '/'");
    return result;
  }

  const bool path_n = HasN(o.path), body_n = HasN(o.body);
  std::vector<bool> header_n;
  for (const auto& h : o.headers) header_n.push_back(HasN(h.second));

  std::atomic<std::uint64_t> next{0};  // tickets taken
  std::atomic<bool> stop{false};
  std::vector<Worker> workers(static_cast<std::size_t>(o.connections));
  const Clock::time_point start = Clock::now();
  const std::chrono::milliseconds limit = o.requests == 0 ? o.duration : o.max_duration;
  const bool timed = limit.count() > 0;
  const Clock::time_point deadline = start + limit;

  auto run = [&](Worker& w) {
    api::HttpClient client(o.host, o.port, o.timeout);
    w.latencies_ms.reserve(o.requests ? o.requests / o.connections + 1 : 1 << 16);
    std::vector<std::pair<std::string, std::string>> headers = o.headers;
    while (!stop.load(std::memory_order_relaxed)) {
      if (timed && Clock::now() >= deadline) break;
      std::uint64_t ticket = next.fetch_add(1, std::memory_order_relaxed);
      if (o.requests && ticket >= o.requests) break;
      std::uint64_t n = o.first_n + ticket;
      for (std::size_t i = 0; i < headers.size(); ++i) {
        if (header_n[i]) headers[i].second = Expand(o.headers[i].second, true, n);
      }
      Clock::time_point t0 = Clock::now();
      auto r = client.Send(o.method, Expand(o.path, path_n, n), headers, Expand(o.body, body_n, n));
      Clock::time_point t1 = Clock::now();
      if (!r.ok()) {
        if (w.socket_errors++ == 0) w.first_error = r.status().message();
        // Do not spin on a refused connection.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      w.latencies_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      ++w.by_status[r->status];
    }
  };

  std::vector<std::thread> threads;
  threads.reserve(workers.size());
  for (Worker& w : workers) threads.emplace_back(run, std::ref(w));
  for (std::thread& t : threads) t.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> all;
  for (Worker& w : workers) {
    all.insert(all.end(), w.latencies_ms.begin(), w.latencies_ms.end());
    for (auto [code, count] : w.by_status) {
      result.by_status[code] += count;
      if (code < 200 || code > 299) result.non_2xx += count;
    }
    result.socket_errors += w.socket_errors;
    if (result.first_error.empty()) result.first_error = w.first_error;
  }
  std::sort(all.begin(), all.end());
  result.responses = all.size();
  result.requests = result.responses + result.socket_errors;
  result.requests_per_second =
      result.seconds > 0 ? static_cast<double>(result.responses) / result.seconds : 0;
  result.p50_ms = Percentile(all, 0.50);
  result.p90_ms = Percentile(all, 0.90);
  result.p99_ms = Percentile(all, 0.99);
  result.max_ms = all.empty() ? 0 : all.back();
  double sum = 0;
  for (double v : all) sum += v;
  result.mean_ms = all.empty() ? 0 : sum / static_cast<double>(all.size());
  return result;
}

std::string LoadResult::ToJson() const {
  auto round3 = [](double v) { return std::round(v * 1000) / 1000; };
  nlohmann::ordered_json doc;
  if (!status.ok()) {
    doc["error"] = {{"code", CodeName(status.code())}, {"message", status.message()}};
    return doc.dump();
  }
  doc["requests"] = requests;
  doc["responses"] = responses;
  doc["errors"] = {{"non_2xx", non_2xx}, {"socket", socket_errors}};
  nlohmann::ordered_json statuses = nlohmann::ordered_json::object();
  for (auto [code, count] : by_status) statuses[std::to_string(code)] = count;
  doc["by_status"] = statuses;
  doc["seconds"] = round3(seconds);
  doc["requests_per_second"] = std::round(requests_per_second * 10) / 10;
  doc["latency_ms"] = {{"p50", round3(p50_ms)},
                       {"p90", round3(p90_ms)},
                       {"p99", round3(p99_ms)},
                       {"max", round3(max_ms)},
                       {"mean", round3(mean_ms)}};
  if (!first_error.empty()) doc["first_socket_error"] = first_error;
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace hotline::bench
