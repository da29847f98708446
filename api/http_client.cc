// HttpClient on Boost.Beast: each blocking call runs one async operation with a deadline on
// the client's private io_context.
#include "api/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <limits>
#include <optional>

namespace hotline::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpClient::Impl {
  std::string host;
  std::uint16_t port = 0;
  std::chrono::milliseconds timeout;
  net::io_context ioc{1};
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // Runs the operation started by start(handler) to completion on this thread.
  template <typename Start>
  beast::error_code Run(Start&& start) {
    beast::error_code result = net::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  Status Connect() {
    Close();
    beast::error_code ec;
    std::string h = host == "localhost" ? "127.0.0.1" : host;
    auto address = net::ip::make_address(h, ec);
    if (ec) return Invalid("host", "not an IP address: " + host);
    stream.emplace(ioc);
    stream->expires_after(timeout);
    ec = Run([&](auto handler) { stream->async_connect(tcp::endpoint(address, port), handler); });
    if (ec) {
      Close();
      return Status(Code::kUnavailable,
                    "connect to " + host + ":" + std::to_string(port) + ": " + ec.message());
    }
    stream->socket().set_option(tcp::no_delay(true), ec);
    return Status::Ok();
  }

  void Close() {
    if (stream) {
      beast::error_code ec;
      stream->socket().shutdown(tcp::socket::shutdown_both, ec);
      stream->close();
      stream.reset();
    }
    buffer.clear();
  }

  Result<ClientResponse> Read(bool head) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.header_limit(64 * 1024);
    if (head) parser.skip(true);
    stream->expires_after(timeout);
    beast::error_code ec =
        Run([&](auto handler) { http::async_read(*stream, buffer, parser, handler); });
    if (ec) {
      Close();
      return Status(Code::kUnavailable, "read: " + ec.message());
    }
    auto& msg = parser.get();
    ClientResponse r;
    r.status = static_cast<int>(msg.result_int());
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto [it, inserted] = r.headers.emplace(std::move(name), std::string(f.value()));
      if (!inserted) it->second.append(", ").append(f.value().data(), f.value().size());
    }
    r.keep_alive = msg.keep_alive();
    r.body = std::move(msg.body());
    if (!r.keep_alive) Close();
    return r;
  }
};

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() { impl_->Close(); }

Status HttpClient::Connect() { return impl_->Connect(); }
bool HttpClient::connected() const { return impl_->stream.has_value(); }
void HttpClient::Close() { impl_->Close(); }

Result<ClientResponse> HttpClient::Send(
    const std::string& method, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
  http::request<http::string_body> req;
  req.version(11);
  req.method_string(method);
  req.target(target);
  req.set(http::field::host, impl_->host + ":" + std::to_string(impl_->port));
  for (const auto& [name, value] : headers) req.insert(name, value);
  req.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req.prepare_payload();
  }
  bool head = method == "HEAD";

  // A kept-alive connection may have been closed by the server meanwhile: retry once on a
  // fresh one if the reused connection fails before any reply.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = impl_->stream.has_value();
    if (!reused) HOTLINE_RETURN_IF_ERROR(impl_->Connect());
    impl_->stream->expires_after(impl_->timeout);
    beast::error_code ec =
        impl_->Run([&](auto handler) { http::async_write(*impl_->stream, req, handler); });
    if (ec) {
      impl_->Close();
      if (reused) continue;
      return Status(Code::kUnavailable, "write: " + ec.message());
    }
    Result<ClientResponse> r = impl_->Read(head);
    if (!r.ok() && reused &&
        r.status().message() ==
            "read: " + beast::error_code(http::error::end_of_stream).message()) {
      continue;
    }
    return r;
  }
  return Status(Code::kUnavailable, "connection closed by server");
}

Result<ClientResponse> HttpClient::SendRaw(const std::string& bytes) {
  HOTLINE_RETURN_IF_ERROR(impl_->Connect());
  impl_->stream->expires_after(impl_->timeout);
  beast::error_code ec = impl_->Run(
      [&](auto handler) { net::async_write(*impl_->stream, net::buffer(bytes), handler); });
  if (ec) {
    impl_->Close();
    return Status(Code::kUnavailable, "write: " + ec.message());
  }
  Result<ClientResponse> r = impl_->Read(false);
  impl_->Close();
  return r;
}

}  // namespace hotline::api
