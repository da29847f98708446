// HttpServer on Boost.Beast. The only translation unit of the server that includes Beast.
//
// Shape: io_threads run one io_context. Each connection is a Session on its own strand; it
// reads one request (header first, so "Expect: 100-continue" and the body limit are handled
// before the body arrives), hands it to the worker pool, and writes the response when the
// worker posts it back to the strand; only then does it read the next request. So responses
// leave in request order, and a blocking handler holds only its own connection.
#include "api/http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace hotline::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::chrono::seconds kWriteTimeout{30};
// After an error response we stop reading requests but drain what the client still sends
// for a moment, so closing does not reset the connection before it reads our reply.
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

// The JSON API and the Open311 endpoints (docs/open311.md) never fall through to static files.
bool IsApiPath(std::string_view path) {
  return path == "/api" || path.rfind("/api/", 0) == 0 || path.rfind("/open311/", 0) == 0;
}

// Why a request header's framing cannot be trusted (RFC 9112 §6): the status and the error, or
// status 0 when the framing is unambiguous. Beast already refuses a Transfer-Encoding after a
// Content-Length and Content-Lengths that differ; what it lets through is decided here:
//  - any Transfer-Encoding but a single "chunked" (gzip, "gzip, chunked", ...): 501, since we
//    do not decode other codings, and ignoring them would read the body as the next request;
//  - Transfer-Encoding together with Content-Length, in either order: 400;
//  - Content-Length repeated, as a field or as a list ("5, 5"), even with equal values: 400.
std::pair<int, Status> CheckFraming(const http::request_header<>& h) {
  int te = 0, cl = 0;
  std::string coding;
  bool cl_list = false;
  for (const auto& f : h) {
    if (f.name() == http::field::transfer_encoding) {
      ++te;
      coding = std::string(f.value());
    } else if (f.name() == http::field::content_length) {
      ++cl;
      cl_list = cl_list || f.value().find(',') != beast::string_view::npos;
    }
  }
  if (te > 0 && cl > 0)
    return {400, Invalid("Content-Length",
                         "a request must not carry both Transfer-Encoding and Content-Length")};
  if (cl > 1 || cl_list)
    return {400, Invalid("Content-Length", "Content-Length must be given once, as one number")};
  if (te > 1 || (te == 1 && !beast::iequals(coding, "chunked")))
    return {501, Status(Code::kInvalidArgument,
                        "unsupported Transfer-Encoding \"" + coding +
                            "\": only a single \"chunked\" is implemented",
                        "Transfer-Encoding")};
  return {0, Status::Ok()};
}

std::string Sanitize(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c != '\r' && c != '\n' && c != '\0') out.push_back(c);
  }
  return out;
}

}  // namespace

// Not nested in HttpServer so Session may name it; HttpServer::Impl derives from it.
namespace internal {

class Session;

struct ServerCore {
  explicit ServerCore(ServerOptions o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        ioc(std::max(1, options.io_threads)),
        acceptor(net::make_strand(ioc)) {}

  HttpResponse Handle(HttpRequest& req);
  void CountResponse(int status) {
    requests.fetch_add(1, std::memory_order_relaxed);
    if (status >= 500) {
      status_5xx.fetch_add(1, std::memory_order_relaxed);
    } else if (status >= 400) {
      status_4xx.fetch_add(1, std::memory_order_relaxed);
    } else if (status >= 200 && status < 300) {
      status_2xx.fetch_add(1, std::memory_order_relaxed);
    } else {
      status_1xx_3xx.fetch_add(1, std::memory_order_relaxed);
    }
  }
  void DoAccept();
  void Register(const std::shared_ptr<Session>& s);
  void Unregister(Session* s);

  // Declared first so they outlive the io_context: destroying it destroys pending handlers,
  // and with them Sessions, which unregister here.
  std::atomic<std::uint64_t> requests{0}, status_1xx_3xx{0}, status_2xx{0}, status_4xx{0},
      status_5xx{0}, handler_exceptions{0}, accepted{0}, open{0};
  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu
  bool stopping = false;                                          // guarded by mu
  std::atomic<bool> stopping_flag{false};

  const ServerOptions options;
  const Handler handler;
  net::io_context ioc;
  tcp::acceptor acceptor;  // on its own strand
  // Keeps the io threads running while a request is on the worker pool and no socket
  // operation is pending (otherwise run() would return during a graceful Stop()).
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::unique_ptr<net::thread_pool> workers;
  std::vector<std::thread> io_threads;
  std::atomic<std::uint16_t> port{0};
  bool started = false;
  bool stopped = false;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerCore& srv)
      : srv_(srv), stream_(std::move(socket)), body_timer_(stream_.get_executor()) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
    srv_.open.fetch_add(1, std::memory_order_relaxed);
  }
  ~Session() {
    srv_.open.fetch_sub(1, std::memory_order_relaxed);
    srv_.Unregister(this);
  }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoRead(); });
  }

  // Graceful stop: an idle connection closes now, a busy one after its response.
  void RequestStop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stop_requested_ = true;
      if (self->state_ == State::kReading) self->stream_.cancel();
    });
  }
  void Abort() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stop_requested_ = true;
      self->stream_.close();
    });
  }

 private:
  // kReading: waiting for a request header (idle); a graceful stop closes the connection.
  // kReadingBody and later: a request is in flight; a graceful stop lets it finish.
  enum class State { kReading, kReadingBody, kHandling, kWriting, kClosed };

  void DoRead() {
    if (stop_requested_) return Close();
    state_ = State::kReading;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(srv_.options.max_body_bytes);
    stream_.expires_after(srv_.options.idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    state_ = State::kReadingBody;
    // Ambiguous framing: answer and close without reading on, so nothing the client sent after
    // this header can be taken for another request.
    if (auto [status, st] = CheckFraming(parser_->get().base()); status != 0)
      return WriteError(status, st);
    if (parser_->is_done()) return OnRequest();
    auto expect = parser_->get()[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      net::async_write(stream_, net::buffer(kContinue, sizeof(kContinue) - 1),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  // The body has idle_timeout to arrive. Not the stream's own timeout: that closes the socket,
  // and a client that announced more than it sent deserves a 408 it can read.
  void ReadBody() {
    stream_.expires_never();
    body_timed_out_ = false;
    body_timer_.expires_after(srv_.options.idle_timeout);
    body_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->state_ != State::kReadingBody) return;
      self->body_timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->body_timer_.cancel();
                       if (ec) return self->OnReadError(ec);
                       self->OnRequest();
                     });
  }

  void OnReadError(beast::error_code ec) {
    if (state_ == State::kReadingBody && !stop_requested_) {
      // The header arrived but the body did not: tell the client before closing.
      if (body_timed_out_)
        return WriteError(
            408, Invalid("body", "the request body did not arrive within " +
                                     std::to_string(srv_.options.idle_timeout.count()) + " s"));
      if (ec == http::error::partial_message || ec == http::error::end_of_stream ||
          ec == net::error::eof)
        return WriteError(400, Invalid("body",
                                       "the connection ended before the whole request body "
                                       "(Content-Length or chunk size) arrived"));
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == net::error::eof || ec == net::error::operation_aborted ||
        ec == beast::error::timeout ||
        ec.category() != http::make_error_code(http::error::bad_method).category()) {
      return Close();  // the peer left, timed out, or we are stopping
    }
    if (ec == http::error::body_limit) {
      return WriteError(413, Status(Code::kInvalidArgument,
                                    "request body exceeds " +
                                        std::to_string(srv_.options.max_body_bytes) + " bytes",
                                    "body"));
    }
    if (ec == http::error::header_limit) {
      return WriteError(431, Invalid("headers", "request headers too large"));
    }
    WriteError(400, Invalid("request", "malformed HTTP request: " + ec.message()));
  }

  void WriteError(int status, const Status& st) {
    version_ = 11;
    head_ = false;
    keep_alive_ = false;
    linger_ = true;
    Write(HttpResponse::Error(status, st));
  }

  void OnRequest() {
    http::request<http::string_body> msg = parser_->release();
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    head_ = msg.method() == http::verb::head;
    linger_ = false;

    HttpRequest req;
    req.method = std::string(msg.method_string());
    Status st = ParseTarget(std::string_view(msg.target().data(), msg.target().size()), req);
    if (!st.ok()) {
      keep_alive_ = false;
      linger_ = true;
      return Write(HttpResponse::Error(400, st));
    }
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto [it, inserted] = req.headers.emplace(std::move(name), std::string(f.value()));
      if (!inserted) it->second.append(", ").append(f.value().data(), f.value().size());
    }
    req.body = std::move(msg.body());
    req.remote = remote_;

    state_ = State::kHandling;
    stream_.expires_never();  // the handler may take its time; the write re-arms the timer
    net::post(*srv_.workers, [self = shared_from_this(), req = std::move(req)]() mutable {
      HttpResponse res = self->srv_.Handle(req);
      net::post(self->stream_.get_executor(),
                [self, res = std::move(res)]() mutable { self->Write(std::move(res)); });
    });
  }

  void Write(HttpResponse r) {
    if (state_ == State::kClosed) return;
    state_ = State::kWriting;
    if (r.status < 100 || r.status > 599) {
      r = HttpResponse::Error(500, Status(Code::kInternal, "handler returned a bad status"));
    }
    srv_.CountResponse(r.status);
    bool close = !keep_alive_ || stop_requested_ || srv_.stopping_flag.load();
    bool bodiless = r.status < 200 || r.status == 204 || r.status == 304;

    auto res = std::make_unique<http::response<http::string_body>>();
    res->version(version_);
    res->result(static_cast<unsigned>(r.status));
    res->set(http::field::server, "hotline");
    if (!bodiless) res->set(http::field::content_type, Sanitize(r.content_type));
    for (const auto& [name, value] : r.headers) {
      std::string n = Sanitize(name);
      // Framing headers are the server's business; a handler's copy would corrupt it.
      if (n.empty() || beast::iequals(n, "content-length") ||
          beast::iequals(n, "transfer-encoding") || beast::iequals(n, "connection")) {
        continue;
      }
      res->insert(n, Sanitize(value));
    }
    res->keep_alive(!close);
    if (!bodiless) res->body() = std::move(r.body);
    res->prepare_payload();
    close_after_write_ = close;

    stream_.expires_after(kWriteTimeout);
    auto on_write = [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->OnWrite(ec);
    };
    if (head_) {
      // Content-Length stays that of the full body; only the header goes out.
      head_res_ = std::make_unique<http::response<http::empty_body>>(std::move(res->base()));
      res_.reset();
      http::async_write(stream_, *head_res_, std::move(on_write));
    } else {
      res_ = std::move(res);
      head_res_.reset();
      http::async_write(stream_, *res_, std::move(on_write));
    }
  }

  void OnWrite(beast::error_code ec) {
    res_.reset();
    head_res_.reset();
    if (ec) return Close();
    if (close_after_write_) return linger_ ? Linger() : Close();
    DoRead();
  }

  void Linger() {
    state_ = State::kClosed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kLingerTimeout);
    DrainOnce();
  }
  void DrainOnce() {
    drain_.resize(16 * 1024);
    stream_.async_read_some(net::buffer(drain_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->Close();
                              self->DrainOnce();
                            });
  }

  void Close() {
    state_ = State::kClosed;
    body_timer_.cancel();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  ServerCore& srv_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  net::steady_timer body_timer_;
  bool body_timed_out_ = false;
  std::unique_ptr<http::response<http::string_body>> res_;
  std::unique_ptr<http::response<http::empty_body>> head_res_;
  std::string drain_;
  std::string remote_;
  State state_ = State::kReading;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  bool linger_ = false;
  bool close_after_write_ = false;
  bool stop_requested_ = false;
};

HttpResponse ServerCore::Handle(HttpRequest& req) {
  try {
    if (!options.static_dir.empty() && (req.method == "GET" || req.method == "HEAD") &&
        !IsApiPath(req.path)) {
      return ServeStatic(options.static_dir, req);
    }
    if (!handler) return HttpResponse::Error(404, Status(Code::kNotFound, "no handler", "path"));
    return handler(req);
  } catch (...) {
    // Never let a handler take the server down; the message stays out of the reply.
    handler_exceptions.fetch_add(1, std::memory_order_relaxed);
    return HttpResponse::Error(500, Status(Code::kInternal, "internal error while handling " +
                                                                req.method + " " + req.path));
  }
}

void ServerCore::DoAccept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      accepted.fetch_add(1, std::memory_order_relaxed);
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto s = std::make_shared<Session>(std::move(socket), *this);
      Register(s);
      s->Start();
    }
    // On errors such as EMFILE, keep accepting: the backlog holds the clients meanwhile.
    DoAccept();
  });
}

void ServerCore::Register(const std::shared_ptr<Session>& s) {
  bool stop_now;
  {
    std::lock_guard<std::mutex> lock(mu);
    sessions.emplace(s.get(), s);
    stop_now = stopping;
  }
  if (stop_now) s->RequestStop();
}

void ServerCore::Unregister(Session* s) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.erase(s);
  if (sessions.empty()) cv.notify_all();
}

}  // namespace internal

struct HttpServer::Impl : internal::ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  Impl& m = *impl_;
  if (m.started) return Status(Code::kFailedPrecondition, "server already started");
  std::string host = m.options.host == "localhost" ? "127.0.0.1" : m.options.host;
  beast::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return Invalid("host", "not an IP address: " + m.options.host);
  tcp::endpoint endpoint(address, m.options.port);
  std::string where = m.options.host + ":" + std::to_string(m.options.port);
  m.acceptor.open(endpoint.protocol(), ec);
  if (!ec) m.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) m.acceptor.bind(endpoint, ec);
  if (!ec) m.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    m.acceptor.close(ignored);
    return Status(Code::kUnavailable, "cannot listen on " + where + ": " + ec.message());
  }
  m.port = m.acceptor.local_endpoint(ec).port();
  m.workers = std::make_unique<net::thread_pool>(std::max(1, m.options.worker_threads));
  m.started = true;
  m.work.emplace(m.ioc.get_executor());
  m.DoAccept();
  for (int i = 0; i < std::max(1, m.options.io_threads); ++i) {
    m.io_threads.emplace_back([&m] { m.ioc.run(); });
  }
  return Status::Ok();
}

std::uint16_t HttpServer::port() const { return impl_->port.load(); }

void HttpServer::Stop() {
  Impl& m = *impl_;
  if (!m.started || m.stopped) return;
  m.stopped = true;
  m.stopping_flag = true;
  net::post(m.acceptor.get_executor(), [&m] {
    beast::error_code ignored;
    m.acceptor.close(ignored);
  });

  auto for_each_session = [&m](auto fn) {
    std::vector<std::shared_ptr<internal::Session>> live;
    {
      std::lock_guard<std::mutex> lock(m.mu);
      for (auto& [ptr, weak] : m.sessions) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) fn(*s);
  };
  {
    std::lock_guard<std::mutex> lock(m.mu);
    m.stopping = true;
  }
  for_each_session([](internal::Session& s) { s.RequestStop(); });
  {
    std::unique_lock<std::mutex> lock(m.mu);
    if (!m.cv.wait_for(lock, m.options.stop_grace, [&m] { return m.sessions.empty(); })) {
      lock.unlock();
      for_each_session([](internal::Session& s) { s.Abort(); });
      lock.lock();
      m.cv.wait_for(lock, std::chrono::seconds(1), [&m] { return m.sessions.empty(); });
    }
  }
  // Handlers still running past the grace period finish on their own; their replies are
  // dropped. Queued-but-unstarted work is discarded.
  m.workers->stop();
  m.workers->join();
  m.work.reset();
  m.ioc.stop();
  for (auto& t : m.io_threads) t.join();
  m.io_threads.clear();
}

ServerStats HttpServer::Stats() const {
  const Impl& m = *impl_;
  auto r = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  ServerStats s;
  s.requests = r(m.requests);
  s.status_1xx_3xx = r(m.status_1xx_3xx);
  s.status_2xx = r(m.status_2xx);
  s.status_4xx = r(m.status_4xx);
  s.status_5xx = r(m.status_5xx);
  s.handler_exceptions = r(m.handler_exceptions);
  s.connections_accepted = r(m.accepted);
  s.connections_open = r(m.open);
  return s;
}

}  // namespace hotline::api
