// Tests for the HTTP server, router and static files, over real sockets on 127.0.0.1.
#include "api/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/http_client.h"

namespace hotline::api {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// A started server on a free port with the given handler.
struct TestServer {
  explicit TestServer(Handler h, ServerOptions o = {}) {
    o.port = 0;
    server = std::make_unique<HttpServer>(std::move(o), std::move(h));
    Status st = server->Start();
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  HttpClient Client() { return HttpClient("127.0.0.1", server->port()); }
  std::unique_ptr<HttpServer> server;
};

json ErrorOf(const ClientResponse& r) {
  json doc = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(doc.is_discarded()) << r.body;
  return doc.is_object() && doc.contains("error") ? doc["error"] : json();
}

Router EchoRouter() {
  Router router;
  auto echo = [](const char* route) {
    return [route](HttpRequest& req) {
      json doc = {{"route", route},       {"method", req.method},      {"path", req.path},
                  {"params", req.params}, {"query", req.query},        {"body", req.body},
                  {"remote", req.remote}, {"ua", req.Header("x-test")}};
      return HttpResponse::Json(200, doc.dump());
    };
  };
  router.Add("GET", "/api/v1/orders/{id}/actions/{action}", echo("action-get"));
  router.Add("POST", "/api/v1/orders/{id}/actions/{action}", echo("action-post"));
  router.Add("GET", "/api/v1/orders/{id}", echo("order"));
  router.Add("GET", "/api/v1/orders/stats", echo("stats"));
  router.Add("GET", "/api/v1/echo", echo("echo"));
  router.Add("POST", "/api/v1/echo", echo("echo-post"));
  router.Add("GET", "/api/v1/throw",
             [](HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  router.Add("GET", "/api/v1/error", [](HttpRequest&) {
    return HttpResponse::Error(Status(Code::kConflict, "order moved on", "status"));
  });
  return router;
}

// A raw TCP exchange: sends `bytes`, optionally half-closes, and reads until the server closes
// the connection. `closed` tells whether it did (rather than the 20 s safety timeout firing).
struct RawExchange {
  std::string received;
  bool closed = false;
};
RawExchange Raw(std::uint16_t port, const std::string& bytes, bool half_close) {
  RawExchange out;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  if (fd < 0) return out;
  timeval tv{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ADD_FAILURE() << "connect failed";
    ::close(fd);
    return out;
  }
  EXPECT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(bytes.size()));
  if (half_close) ::shutdown(fd, SHUT_WR);
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) {
      out.closed = true;
      break;
    }
    if (n < 0) break;  // timeout
    out.received.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// The status codes of every response in `raw` (a response per "HTTP/1.1 " status line).
std::vector<int> Statuses(const std::string& raw) {
  std::vector<int> out;
  for (size_t at = raw.find("HTTP/1.1 "); at != std::string::npos;
       at = raw.find("HTTP/1.1 ", at + 1))
    out.push_back(std::atoi(raw.c_str() + at + 9));
  return out;
}

// The JSON body of the first response in `raw`.
json BodyOf(const std::string& raw) {
  size_t at = raw.find("\r\n\r\n");
  if (at == std::string::npos) return json();
  size_t end = raw.find("HTTP/1.1 ", at);
  return json::parse(
      raw.substr(at + 4, end == std::string::npos ? std::string::npos : end - at - 4), nullptr,
      false);
}

// A router that counts the requests it ran, to prove none was smuggled in.
struct CountingRouter {
  CountingRouter() {
    router.Add("POST", "/api/v1/echo", [this](HttpRequest& req) {
      ++posts;
      return HttpResponse::Json(200, json{{"body", req.body}}.dump());
    });
    router.Add("GET", "/api/v1/smuggled", [this](HttpRequest&) {
      ++smuggled;
      return HttpResponse::Json(200, "\"smuggled\"");
    });
  }
  Router router;
  std::atomic<int> posts{0}, smuggled{0};
};

const char kSmuggled[] = "GET /api/v1/smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

TEST(HttpFraming, UnsupportedTransferEncodingIs501AndTheBodyNeverRunsAsARequest) {
  CountingRouter cr;
  TestServer ts(cr.router.AsHandler());
  for (std::string te : {"gzip", "gzip, chunked", "chunked, gzip", "identity", "GZIP"}) {
    std::string second = kSmuggled;
    std::string req =
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te + "\r\n\r\n" + second;
    RawExchange ex = Raw(ts.server->port(), req, false);
    EXPECT_EQ(Statuses(ex.received), std::vector<int>{501}) << te << "\n" << ex.received;
    EXPECT_EQ(BodyOf(ex.received)["error"]["field"], "Transfer-Encoding") << te;
    EXPECT_TRUE(ex.closed) << te;
  }
  EXPECT_EQ(cr.smuggled.load(), 0);
  EXPECT_EQ(cr.posts.load(), 0);
  // Chunked alone still works.
  RawExchange ok = Raw(ts.server->port(),
                       "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                       "Connection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                       false);
  EXPECT_EQ(Statuses(ok.received), std::vector<int>{200}) << ok.received;
  EXPECT_EQ(BodyOf(ok.received)["body"], "abc");
}

TEST(HttpFraming, TransferEncodingWithContentLengthIs400AndCloses) {
  CountingRouter cr;
  TestServer ts(cr.router.AsHandler());
  for (std::string headers : {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                              "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                              "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n"}) {
    std::string req =
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n0\r\n\r\n" + kSmuggled;
    RawExchange ex = Raw(ts.server->port(), req, false);
    EXPECT_EQ(Statuses(ex.received), std::vector<int>{400}) << headers << ex.received;
    EXPECT_EQ(BodyOf(ex.received)["error"]["code"], "invalid_argument") << headers;
    EXPECT_TRUE(ex.closed) << headers;
  }
  EXPECT_EQ(cr.smuggled.load(), 0);
  EXPECT_EQ(cr.posts.load(), 0);
}

TEST(HttpFraming, RepeatedOrConflictingContentLengthIs400AndCloses) {
  CountingRouter cr;
  TestServer ts(cr.router.AsHandler());
  for (std::string headers :
       {"Content-Length: 5\r\nContent-Length: 5\r\n", "Content-Length: 5\r\nContent-Length: 0\r\n",
        "Content-Length: 0\r\nContent-Length: 5\r\n", "Content-Length: 5, 5\r\n"}) {
    std::string req =
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\n" + headers + "\r\nhello" + kSmuggled;
    RawExchange ex = Raw(ts.server->port(), req, false);
    EXPECT_EQ(Statuses(ex.received), std::vector<int>{400}) << headers << ex.received;
    EXPECT_EQ(BodyOf(ex.received)["error"]["code"], "invalid_argument") << headers;
    EXPECT_TRUE(ex.closed) << headers;
  }
  EXPECT_EQ(cr.smuggled.load(), 0);
  EXPECT_EQ(cr.posts.load(), 0);
}

TEST(HttpFraming, BodyShorterThanAnnouncedIs400BeforeClosing) {
  CountingRouter cr;
  TestServer ts(cr.router.AsHandler());
  // Content-Length promises 100 bytes, 10 arrive, then the client half-closes.
  RawExchange ex = Raw(ts.server->port(),
                       "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
                       "0123456789",
                       true);
  EXPECT_EQ(Statuses(ex.received), std::vector<int>{400}) << ex.received;
  EXPECT_EQ(BodyOf(ex.received)["error"]["field"], "body") << ex.received;
  EXPECT_TRUE(ex.closed);
  // A chunk announced as 16 bytes with 3 behind it.
  ex = Raw(ts.server->port(),
           "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
           "10\r\nabc",
           true);
  EXPECT_EQ(Statuses(ex.received), std::vector<int>{400}) << ex.received;
  EXPECT_EQ(BodyOf(ex.received)["error"]["field"], "body") << ex.received;
  EXPECT_TRUE(ex.closed);
  EXPECT_EQ(cr.posts.load(), 0);
}

TEST(HttpFraming, BodyThatStopsComingIs408AfterTheReadTimeout) {
  CountingRouter cr;
  ServerOptions o;
  o.idle_timeout = 1s;
  TestServer ts(cr.router.AsHandler(), o);
  // The client stays connected but sends nothing more.
  RawExchange ex = Raw(ts.server->port(),
                       "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
                       "0123456789",
                       false);
  EXPECT_EQ(Statuses(ex.received), std::vector<int>{408}) << ex.received;
  EXPECT_EQ(BodyOf(ex.received)["error"]["field"], "body") << ex.received;
  EXPECT_TRUE(ex.closed);
  ex = Raw(ts.server->port(),
           "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
           "10\r\nabc",
           false);
  EXPECT_EQ(Statuses(ex.received), std::vector<int>{408}) << ex.received;
  EXPECT_TRUE(ex.closed);
  EXPECT_EQ(cr.posts.load(), 0);
}

TEST(HttpHelpers, ParseTargetDecodesPathAndQuery) {
  HttpRequest req;
  ASSERT_TRUE(ParseTarget("/a%20b/c?x=1+2&y=%E8%B7%AF%E7%81%AF&flag&z=a%26b=c", req).ok());
  EXPECT_EQ(req.path, "/a b/c");
  EXPECT_EQ(req.query["x"], "1 2");
  EXPECT_EQ(req.query["y"], "路灯");
  EXPECT_EQ(req.query["flag"], "");
  EXPECT_EQ(req.query["z"], "a&b=c");
  EXPECT_FALSE(ParseTarget("/a%2", req).ok());
  EXPECT_FALSE(ParseTarget("/a?x=%zz", req).ok());
  EXPECT_FALSE(ParseTarget("http://example.com/", req).ok());
}

TEST(HttpHelpers, StatusMappingAndErrorBody) {
  EXPECT_EQ(HttpStatusFor(Code::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(Code::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(Code::kForbidden), 403);
  EXPECT_EQ(HttpStatusFor(Code::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(Code::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(Code::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(Code::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(Code::kInternal), 500);
  HttpResponse r = HttpResponse::Error(Invalid("phone", "电话号码格式不对"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"error":{"code":"invalid_argument","message":"电话号码格式不对",)"
                        R"("field":"phone"}})"));
  r = HttpResponse::Error(503, Status(Code::kUnavailable, "shutting down"));
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"error":{"code":"unavailable","message":"shutting down"}})"));
}

TEST(HttpHelpers, ContentTypes) {
  EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("app.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("a.png"), "image/png");
  EXPECT_EQ(ContentTypeFor("a.json"), "application/json; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("noext"), "application/octet-stream");
}

TEST(HttpServer, RouteParamsAndLiteralPrecedence) {
  Router router = EchoRouter();
  TestServer ts(router.AsHandler());
  HttpClient c = ts.Client();
  auto r = c.Send("POST", "/api/v1/orders/A%2F7/actions/accept?x=1", {{"X-Test", "yes"}}, "{}");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("server"), "hotline");
  EXPECT_EQ(r->Header("content-type"), "application/json; charset=utf-8");
  json doc = json::parse(r->body);
  EXPECT_EQ(doc["route"], "action-post");
  EXPECT_EQ(doc["params"]["id"], "A/7");  // an encoded '/' stays inside the parameter
  EXPECT_EQ(doc["params"]["action"], "accept");
  EXPECT_EQ(doc["query"]["x"], "1");
  EXPECT_EQ(doc["body"], "{}");
  EXPECT_EQ(doc["ua"], "yes");
  EXPECT_EQ(doc["remote"], "127.0.0.1");

  r = c.Get("/api/v1/orders/stats");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(json::parse(r->body)["route"], "stats");
  r = c.Get("/api/v1/orders/42/");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(json::parse(r->body)["route"], "order");
  EXPECT_EQ(json::parse(r->body)["params"]["id"], "42");

  // HEAD uses the GET route; the reply has the GET length but no body.
  auto get = c.Get("/api/v1/error");
  r = c.Send("HEAD", "/api/v1/error");
  ASSERT_TRUE(r.ok() && get.ok());
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(r->Header("content-length"), std::to_string(get->body.size()));
  EXPECT_TRUE(r->body.empty());
  r = c.Get("/api/v1/orders/stats");  // still in sync
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(json::parse(r->body)["route"], "stats");
}

TEST(HttpServer, HandlerHeadersCannotBreakFraming) {
  Router router;
  router.Add("GET", "/api/x", [](HttpRequest&) {
    HttpResponse r = HttpResponse::Json(200, "{}");
    r.headers = {{"Content-Length", "999"},
                 {"X-Evil", "a\r\nSet-Cookie: x=1"},
                 {"Cache-Control", "no-store"}};
    return r;
  });
  TestServer ts(router.AsHandler());
  HttpClient c = ts.Client();
  auto r = c.Get("/api/x");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "{}");
  EXPECT_EQ(r->Header("content-length"), "2");
  EXPECT_EQ(r->Header("set-cookie"), "");
  EXPECT_EQ(r->Header("cache-control"), "no-store");
  r = c.Get("/api/x");
  ASSERT_TRUE(r.ok());
}

TEST(HttpServer, ExpectContinueGetsInterimReply) {
  Router router = EchoRouter();
  TestServer ts(router.AsHandler());
  HttpClient c = ts.Client();
  auto r = c.SendRaw(
      "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
      "Expect: 100-continue\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 100);
}

TEST(HttpServer, IdleConnectionsAreClosed) {
  Router router = EchoRouter();
  ServerOptions o;
  o.idle_timeout = 1s;
  TestServer ts(router.AsHandler(), o);
  HttpClient c = ts.Client();
  ASSERT_TRUE(c.Get("/api/v1/echo").ok());
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (ts.server->Stats().connections_open > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(ts.server->Stats().connections_open, 0u);
  auto r = c.Get("/api/v1/echo");  // the client reconnects
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServer, ChineseQueryAndPathValues) {
  Router router = EchoRouter();
  TestServer ts(router.AsHandler());
  HttpClient c = ts.Client();
  // q = "历城区 路灯坏了", id = "洪家楼"
  auto r = c.Get(
      "/api/v1/echo?q=%E5%8E%86%E5%9F%8E%E5%8C%BA+%E8%B7%AF%E7%81%AF%E5%9D%8F%E4%BA%86&n=%31");
  ASSERT_TRUE(r.ok());
  json doc = json::parse(r->body);
  EXPECT_EQ(doc["query"]["q"], "历城区 路灯坏了");
  EXPECT_EQ(doc["query"]["n"], "1");
  r = c.Get("/api/v1/orders/%E6%B4%AA%E5%AE%B6%E6%A5%BC");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(json::parse(r->body)["params"]["id"], "洪家楼");
}

TEST(HttpServer, NotFoundAndMethodNotAllowedAreJson) {
  Router router = EchoRouter();
  TestServer ts(router.AsHandler());
  HttpClient c = ts.Client();
  auto r = c.Get("/api/v1/nothing/here");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(ErrorOf(*r)["code"], "not_found");
  EXPECT_NE(ErrorOf(*r)["message"].get<std::string>().find("/api/v1/nothing/here"),
            std::string::npos);

  r = c.Send("DELETE", "/api/v1/orders/7/actions/close");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("allow"), "GET, HEAD, POST");
  std::string msg = ErrorOf(*r)["message"];
  EXPECT_NE(msg.find("DELETE"), std::string::npos) << msg;
  EXPECT_EQ(ErrorOf(*r)["field"], "method");

  r = c.Get("/api/v1/error");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(ErrorOf(*r)["code"], "conflict");
}

// GET /metrics (api/metrics.cc) prints what the router counted: per route pattern (not per
// path: /orders/7 and /orders/8 are one series), by status class, with a latency histogram.
TEST(RouterMetrics, CountsEachRoutePatternByStatusClass) {
  Router router = EchoRouter();
  auto send = [&](const char* method, const char* target) {
    HttpRequest req;
    req.method = method;
    EXPECT_TRUE(ParseTarget(target, req).ok());
    return router.Dispatch(req).status;
  };
  EXPECT_EQ(send("GET", "/api/v1/orders/7"), 200);
  EXPECT_EQ(send("GET", "/api/v1/orders/8?x=1"), 200);
  EXPECT_EQ(send("GET", "/api/v1/error"), 409);
  EXPECT_EQ(send("GET", "/api/v1/nothing"), 404);
  std::string out;
  router.WriteMetrics(out);
  auto has = [&](const std::string& line) {
    EXPECT_NE(out.find(line + "\n"), std::string::npos) << line << "\n--- in ---\n" << out;
  };
  has("# TYPE hotline_http_requests_total counter");
  has("hotline_http_requests_total{method=\"GET\",route=\"/api/v1/orders/{id}\",code=\"2xx\"} 2");
  has("hotline_http_requests_total{method=\"GET\",route=\"/api/v1/error\",code=\"4xx\"} 1");
  has("hotline_http_requests_total{method=\"\",route=\"(no route)\",code=\"4xx\"} 1");
  has("hotline_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/orders/{id}\","
      "le=\"+Inf\"} 2");
  has("hotline_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/orders/{id}\"} "
      "2");
  EXPECT_EQ(out.find("/api/v1/echo\""), std::string::npos) << "routes never called are left out";
}

TEST(HttpServer, BodyOverLimitIs413AndMalformedIs400) {
  Router router = EchoRouter();
  ServerOptions o;
  o.max_body_bytes = 1024;
  TestServer ts(router.AsHandler(), o);
  HttpClient c = ts.Client();
  auto r = c.Send("POST", "/api/v1/echo", {{"Content-Type", "text/plain"}}, std::string(1024, 'a'));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  r = c.Send("POST", "/api/v1/echo", {{"Content-Type", "text/plain"}},
             std::string(200 * 1024, 'a'));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(ErrorOf(*r)["code"], "invalid_argument");
  EXPECT_FALSE(r->keep_alive);

  // Chunked bodies are held to the same limit.
  std::string chunked =
      "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "800\r\n" +
      std::string(0x800, 'b') + "\r\n0\r\n\r\n";
  r = c.SendRaw(chunked);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);

  r = c.SendRaw("GARBAGE\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ErrorOf(*r)["code"], "invalid_argument");
  r = c.SendRaw("GET /api/v1/echo?x=%zz HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);

  // The server is still fine.
  r = c.Get("/api/v1/echo");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServer, HandlerExceptionIs500AndServerSurvives) {
  Router router = EchoRouter();
  TestServer ts(router.AsHandler());
  HttpClient c = ts.Client();
  auto r = c.Get("/api/v1/throw");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(ErrorOf(*r)["code"], "internal");
  EXPECT_EQ(r->body.find("boom"), std::string::npos);
  r = c.Get("/api/v1/echo");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(ts.server->Stats().handler_exceptions, 1u);
  EXPECT_EQ(ts.server->Stats().status_5xx, 1u);
}

TEST(HttpServer, KeepAliveServesManyRequestsOnOneConnection) {
  Router router = EchoRouter();
  TestServer ts(router.AsHandler());
  HttpClient c = ts.Client();
  for (int i = 0; i < 300; ++i) {
    auto r = c.Send("POST", "/api/v1/echo", {}, "n=" + std::to_string(i));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(json::parse(r->body)["body"], "n=" + std::to_string(i));
    ASSERT_TRUE(r->keep_alive);
  }
  ServerStats s = ts.server->Stats();
  EXPECT_EQ(s.connections_accepted, 1u);
  EXPECT_EQ(s.requests, 300u);
  EXPECT_EQ(s.status_2xx, 300u);

  auto r = c.Send("GET", "/api/v1/echo", {{"Connection", "close"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_FALSE(r->keep_alive);
}

TEST(HttpServer, PipelinedRequestsAnswerInOrder) {
  Router router;
  router.Add("GET", "/api/n/{n}", [](HttpRequest& req) {
    // Earlier requests take longer, so out-of-order completion would show.
    int n = std::stoi(req.params["n"]);
    std::this_thread::sleep_for(std::chrono::milliseconds(30 - 10 * n));
    return HttpResponse::Json(200, req.params["n"]);
  });
  TestServer ts(router.AsHandler());
  HttpClient c = ts.Client();
  // SendRaw reads one reply; the others must follow in order on the same connection, which
  // the server proves by answering the first one first.
  std::string raw;
  for (int n = 0; n < 3; ++n)
    raw += "GET /api/n/" + std::to_string(n) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  auto r = c.SendRaw(raw);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "0");
}

TEST(HttpServer, SlowHandlerDoesNotBlockOtherConnections) {
  std::mutex mu;
  std::condition_variable cv;
  bool fast_served = false;
  Router router;
  router.Add("GET", "/api/slow", [&](HttpRequest&) {
    std::this_thread::sleep_for(300ms);
    std::unique_lock<std::mutex> lock(mu);
    // If the server ran handlers one at a time, the fast request could not have been served.
    bool ok = cv.wait_for(lock, 10s, [&] { return fast_served; });
    return HttpResponse::Json(200, ok ? "\"saw fast\"" : "\"blocked\"");
  });
  router.Add("GET", "/api/fast", [&](HttpRequest&) {
    {
      std::lock_guard<std::mutex> lock(mu);
      fast_served = true;
    }
    cv.notify_all();
    return HttpResponse::Json(200, "\"fast\"");
  });
  ServerOptions o;
  o.io_threads = 1;
  TestServer ts(router.AsHandler(), o);
  std::uint16_t port = ts.server->port();
  auto slow = std::async(std::launch::async, [port] {
    HttpClient c("127.0.0.1", port, 30s);
    return c.Get("/api/slow");
  });
  std::this_thread::sleep_for(50ms);
  HttpClient c = ts.Client();
  auto start = std::chrono::steady_clock::now();
  auto fast = c.Get("/api/fast");
  auto fast_took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(fast->body, "\"fast\"");
  auto s = slow.get();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->body, "\"saw fast\"");
  EXPECT_LT(fast_took, 5s);  // sanity only
}

class StaticFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hotline_static_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "www" / "assets");
    Write("www/index.html", "<!doctype html><title>12345</title>");
    Write("www/assets/index-3f9a1c2b.js", "console.log('热线')");
    Write("www/style.css", "body{}");
    Write("www/logo.svg", "<svg/>");
    Write("www/data.json", "{}");
    Write("www/font.woff2", "wOF2");
    Write("secret.txt", "secret");  // outside the static root
    std::filesystem::create_symlink(dir_ / "secret.txt", dir_ / "www" / "link.txt");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& content) {
    std::ofstream(dir_ / rel, std::ios::binary) << content;
  }
  std::filesystem::path dir_;
};

TEST_F(StaticFiles, AChangedOrDeletedFileIsNeverServedStale) {
  Router router = EchoRouter();
  ServerOptions o;
  o.static_dir = (dir_ / "www").string();
  TestServer ts(router.AsHandler(), o);
  HttpClient c = ts.Client();
  auto r = c.Get("/style.css");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "body{}");
  r = c.Get("/style.css");  // from memory now
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "body{}");
  Write("www/style.css", "body{color:red}");  // a new build
  r = c.Get("/style.css");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "body{color:red}");
  std::filesystem::remove(dir_ / "www" / "style.css");
  r = c.Get("/style.css");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  // A file replaced by a link out of the root is refused, although its path was cached.
  r = c.Get("/logo.svg");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  std::filesystem::remove(dir_ / "www" / "logo.svg");
  std::filesystem::create_symlink(dir_ / "secret.txt", dir_ / "www" / "logo.svg");
  r = c.Get("/logo.svg");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body.find("secret"), std::string::npos);
}

TEST_F(StaticFiles, ServesFilesWithTypesFallbackAndRefusesTraversal) {
  Router router = EchoRouter();
  ServerOptions o;
  o.static_dir = (dir_ / "www").string();
  TestServer ts(router.AsHandler(), o);
  HttpClient c = ts.Client();

  auto r = c.Get("/");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(r->body, "<!doctype html><title>12345</title>");
  EXPECT_EQ(r->Header("cache-control"), "no-cache");

  r = c.Get("/assets/index-3f9a1c2b.js");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(r->Header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(r->body, "console.log('热线')");

  for (auto [path, type] : std::vector<std::pair<std::string, std::string>>{
           {"/style.css", "text/css; charset=utf-8"},
           {"/logo.svg", "image/svg+xml"},
           {"/data.json", "application/json; charset=utf-8"},
           {"/font.woff2", "font/woff2"}}) {
    r = c.Get(path);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->Header("content-type"), type) << path;
  }

  // SPA fallback for app routes; a missing file with an extension is a 404.
  r = c.Get("/orders/123?tab=log");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<!doctype html><title>12345</title>");
  r = c.Get("/missing.png");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(ErrorOf(*r)["code"], "not_found");

  // /api/ is never served from disk.
  r = c.Get("/api/v1/nope");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(ErrorOf(*r)["code"], "not_found");
  r = c.Get("/api/v1/echo");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(json::parse(r->body)["route"], "echo");

  // HEAD: headers with the full length, no body.
  r = c.Send("HEAD", "/style.css");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("content-length"), "6");
  EXPECT_EQ(r->Header("content-type"), "text/css; charset=utf-8");
  EXPECT_TRUE(r->body.empty());
  r = c.Get("/style.css");  // the connection is still in sync after HEAD
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "body{}");

  for (std::string bad : {"/../etc/passwd", "/../secret.txt", "/%2e%2e/secret.txt",
                          "/%2E%2E/%2e%2e/etc/passwd", "/assets/..%2f..%2fsecret.txt",
                          "/assets/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt", "/a/%00/b"}) {
    r = c.Get(bad);
    ASSERT_TRUE(r.ok()) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_EQ(r->body.find("secret"), std::string::npos) << bad;
    EXPECT_EQ(r->body.find("root:"), std::string::npos) << bad;
  }
  r = c.Get("/link.txt");  // symlink out of the root
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body.find("secret"), std::string::npos);
}

TEST(HttpServer, StopWithConnectedClientsIsPromptAndFinishesInFlight) {
  std::atomic<bool> started{false};
  Router router = EchoRouter();
  router.Add("GET", "/api/slow", [&](HttpRequest&) {
    started = true;
    std::this_thread::sleep_for(200ms);
    return HttpResponse::Json(200, "\"done\"");
  });
  TestServer ts(router.AsHandler());
  std::uint16_t port = ts.server->port();
  std::vector<std::unique_ptr<HttpClient>> idle;
  for (int i = 0; i < 8; ++i) {
    idle.push_back(std::make_unique<HttpClient>("127.0.0.1", port));
    ASSERT_TRUE(idle.back()->Get("/api/v1/echo").ok());  // now idle, kept alive
  }
  auto in_flight = std::async(std::launch::async, [port] {
    HttpClient c("127.0.0.1", port, 30s);
    return c.Get("/api/slow");
  });
  while (!started) std::this_thread::sleep_for(1ms);

  auto start = std::chrono::steady_clock::now();
  ts.server->Stop();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 5s);  // generous: idle clients must not hold Stop() for the idle timeout

  auto r = in_flight.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "\"done\"");
  EXPECT_FALSE(r->keep_alive);
  // New connections are refused.
  HttpClient late("127.0.0.1", port, 2s);
  EXPECT_FALSE(late.Get("/api/v1/echo").ok());
  ts.server->Stop();  // idempotent
}

TEST(HttpServer, StartOnTakenPortFails) {
  Router router = EchoRouter();
  TestServer a(router.AsHandler());
  ServerOptions o;
  o.port = a.server->port();
  HttpServer b(o, router.AsHandler());
  Status st = b.Start();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_NE(st.message().find(std::to_string(o.port)), std::string::npos) << st.ToString();

  ServerOptions bad;
  bad.host = "not-a-host";
  bad.port = 0;
  EXPECT_EQ(HttpServer(bad, router.AsHandler()).Start().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace hotline::api
