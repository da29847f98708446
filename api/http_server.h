// The HTTP/1.1 front of the engine: request/response values, a table-driven Router, and an
// HttpServer (Boost.Beast, keep-alive) that runs handlers on a worker pool and can serve a
// static single-page app. This header does not include Beast; all Beast code lives in
// http_server.cc.
//
// Thread-safety: HttpRequest/HttpResponse are plain values. Router is immutable after setup:
// call Add() before the server starts, then Dispatch() may run on many threads at once.
// HttpServer's methods may be called from any thread, but Start()/Stop() not concurrently
// with each other; the handler runs concurrently on up to ServerOptions::worker_threads
// threads and must be thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/result.h"

namespace hotline::api {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // raw target, e.g. "/api/v1/orders?status=closed"
  std::string path;                            // percent-decoded path without the query
  std::map<std::string, std::string> query;    // percent-decoded ('+' = space), UTF-8
  std::map<std::string, std::string> headers;  // lower-case names; repeats joined with ", "
  std::map<std::string, std::string> params;   // path parameters filled by Router
  std::string body;
  std::string remote;  // peer address, e.g. "127.0.0.1"

  // The header's value, "" if absent. REQUIRES: lower_name is lower-case.
  std::string Header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  // Extra headers (e.g. "Allow", "Cache-Control"). Content-Type, Content-Length, Server and
  // Connection are set by the server.
  std::vector<std::pair<std::string, std::string>> headers;

  static HttpResponse Json(int status, std::string body);
  // {"error":{"code":"<CodeName>","message":"...","field":"..."}} ("field" only when non-empty).
  static HttpResponse Error(int status, const Status& st);
  // Same, with the status from HttpStatusFor(st.code()).
  static HttpResponse Error(const Status& st);
};

// The one mapping from error codes to HTTP status codes: invalid_argument 400,
// unauthenticated 401, forbidden 403, not_found 404, conflict 409, failed_precondition 409
// (the order's current state forbids the action: like a lost compare-and-swap, the client
// must reload the order, so both share 409; 422 would wrongly suggest a malformed body),
// unavailable 503, internal 500 (and ok 200).
int HttpStatusFor(Code code);

using Handler = std::function<HttpResponse(HttpRequest&)>;

// Routes declared as a table: Add(method, pattern, handler). A pattern is a path whose
// segments are literals or "{name}" parameters, e.g. "/api/v1/orders/{id}/actions/{action}".
// Paths are matched segment by segment after percent-decoding each raw segment (so "%2F"
// inside an id stays inside the parameter); a trailing '/' is ignored. When several patterns
// match, the one with a literal at the first differing segment wins ("/orders/stats" beats
// "/orders/{id}"). HEAD falls back to the GET route (the server drops the body).
class Router {
 public:
  // REQUIRES: pattern starts with '/'; called before Dispatch() is used concurrently.
  void Add(std::string method, std::string pattern, Handler h);
  // Fills req.params and calls the handler. Unknown path: 404 JSON error; known path but
  // wrong method: 405 JSON error with an "Allow" header.
  HttpResponse Dispatch(HttpRequest& req) const;
  // Convenience: a Handler that dispatches through this router (which must outlive it).
  Handler AsHandler() const;
  // Appends, in the Prometheus text format, every route's requests by status class and its
  // handler latency histogram (routes not yet called are left out), and the requests that
  // matched no route. Safe while Dispatch() runs (relaxed counters).
  void WriteMetrics(std::string& out) const;

 private:
  // Latency histogram bounds in seconds (Prometheus "le"), then +Inf.
  static constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,   0.25,   0.5,   1,    2.5,   10};
  static constexpr std::size_t kNumBuckets = std::size(kBuckets) + 1;
  struct RouteMetrics {
    std::atomic<std::uint64_t> by_class[5] = {};  // 1xx..5xx
    std::atomic<std::uint64_t> buckets[kNumBuckets] = {};
    std::atomic<std::uint64_t> micros{0};
    void Observe(int status, std::chrono::steady_clock::duration took);
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" marks a parameter
    Handler handler;
    std::unique_ptr<RouteMetrics> metrics = std::make_unique<RouteMetrics>();
  };
  // 404 (no route) or 405 (`allowed` holds the methods the path has).
  HttpResponse NoRoute(const HttpRequest& req, std::set<std::string>& allowed) const;
  std::vector<Route> routes_;
  std::unique_ptr<RouteMetrics> unmatched_ = std::make_unique<RouteMetrics>();
};

struct ServerOptions {
  // Default: loopback only.
  std::string host = "127.0.0.1";
  // Default: 8080. 0 picks a free port (tests); see HttpServer::port().
  std::uint16_t port = 8080;
  // Default: 2. Threads running the network I/O (parsing, writing).
  int io_threads = 2;
  // Default: 32. Handlers may block (they wait for a durable commit), so they run here.
  int worker_threads = 32;
  // Default: 1 MiB. Larger bodies get 413.
  std::size_t max_body_bytes = 1 << 20;
  // Default: "" (off). If set, GET/HEAD of paths not under /api/ serve files from this
  // directory: "/" and directories serve index.html; a missing path whose last segment has no
  // extension falls back to /index.html (SPA routes), a missing "file.ext" is 404. Paths
  // with ".." segments (raw or percent-encoded), backslashes or NUL are refused with 400,
  // and symlinks leading outside the directory are 404. Hashed assets ("index-3f9a1c2b.js",
  // anything under /assets/) get "Cache-Control: public, max-age=31536000, immutable",
  // other files "no-cache".
  std::string static_dir;
  // Default: 60 s. A connection idle (or sending a request header) for this long is closed; a
  // request body that has not fully arrived by then gets 408 (field "body"), then the close.
  std::chrono::seconds idle_timeout{60};
  // Default: 10 s. Stop() waits this long for in-flight requests before closing them hard.
  std::chrono::seconds stop_grace{10};
};

// Lightweight counters, read with relaxed atomics (a consistent snapshot is not promised).
struct ServerStats {
  std::uint64_t requests = 0;  // responses written (incl. 400/413 for unparseable requests)
  std::uint64_t status_1xx_3xx = 0;
  std::uint64_t status_2xx = 0;
  std::uint64_t status_4xx = 0;
  std::uint64_t status_5xx = 0;
  std::uint64_t handler_exceptions = 0;
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_open = 0;
};

// An HTTP/1.1 server with keep-alive. Per connection, requests are handled one at a time
// (pipelined requests wait in the read buffer), so responses go back in order. Each request
// is handed to the worker pool; a handler that blocks holds only its own connection.
// Malformed HTTP gets a 400 JSON error, an over-limit body 413, a handler exception 500;
// ambiguous framing (RFC 9112 §6) is answered and the connection closed: a Transfer-Encoding
// other than a single "chunked" 501, Transfer-Encoding with Content-Length or a repeated
// Content-Length 400, a body cut short by the client 400;
// every response carries "Server: hotline". "Connection: close" (and HTTP/1.0 without
// keep-alive) closes the connection after the response.
class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler);
  ~HttpServer();  // Stop()s.
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the threads. Error (unavailable) if the address cannot be bound, e.g.
  // the port is taken; invalid_argument for a bad host. REQUIRES: not started.
  Status Start();
  // The bound port (useful with ServerOptions::port = 0); 0 before Start().
  std::uint16_t port() const;
  // Graceful: stops accepting, closes idle connections, lets in-flight requests finish and
  // write their responses (with "Connection: close"), then joins all threads. Connections
  // still busy after stop_grace are closed hard (their replies are dropped), but a handler
  // that is running is never interrupted: Stop() waits for it to return. Idempotent.
  void Stop();
  ServerStats Stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// --- Helpers shared by the server and tests (no Beast). ---

// Percent-decodes s; with plus_is_space, '+' decodes to ' ' (query strings). Returns false
// on a malformed escape ("%4", "%zz").
bool PercentDecode(std::string_view s, bool plus_is_space, std::string& out);
// Splits a raw target into req.target, req.path and req.query. invalid_argument if the target
// does not start with '/' or has a malformed escape.
Status ParseTarget(std::string_view target, HttpRequest& req);
// The Content-Type for a file name by extension ("app.js" -> "text/javascript; charset=utf-8");
// "application/octet-stream" if unknown.
std::string ContentTypeFor(std::string_view file_name);
// Serves req.path from static_dir as described in ServerOptions::static_dir.
HttpResponse ServeStatic(const std::string& static_dir, const HttpRequest& req);

}  // namespace hotline::api
