// A small blocking HTTP/1.1 client with keep-alive, for tests and the load generator. It
// talks to one host:port over one connection, reconnecting when the server closed it.
// Every operation has a timeout. This header does not include Beast.
//
// Thread-safety: one HttpClient per thread; distinct clients are independent.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "domain/result.h"

namespace hotline::api {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool keep_alive = false;  // the server left the connection open

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpClient {
 public:
  // REQUIRES: host is an IP address literal or "localhost".
  HttpClient(std::string host, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request on the kept-alive connection (connecting first if needed) and reads
  // the reply. Sets Host, and Content-Length when body is non-empty or method is POST/PUT/
  // PATCH. Error (unavailable) on connect/socket errors or timeout; the connection is then
  // dropped and the next call reconnects. A HEAD reply has an empty body.
  Result<ClientResponse> Send(const std::string& method, const std::string& target,
                              const std::vector<std::pair<std::string, std::string>>& headers = {},
                              const std::string& body = {});
  Result<ClientResponse> Get(const std::string& target) { return Send("GET", target); }

  // Writes bytes as-is on a fresh connection and reads one reply (for malformed-request
  // tests). The connection is closed afterwards.
  Result<ClientResponse> SendRaw(const std::string& bytes);

  // Connects now (Send() also connects lazily).
  Status Connect();
  bool connected() const;
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hotline::api
