// The parts of http_server.h that need no Beast: responses, status mapping, the Router,
// target parsing and static files. Kept apart from http_server.cc so they compile quickly.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <system_error>
#include <unordered_map>

#include "api/http_server.h"

namespace hotline::api {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits a raw path ("/a/b%20c/") into raw segments, dropping the empty ones a trailing or
// doubled '/' produces.
std::vector<std::string_view> SplitRawPath(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool IsParam(const std::string& seg) {
  return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string HttpRequest::Header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string() : it->second;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Error(int status, const Status& st) {
  nlohmann::json err = {{"code", CodeName(st.code())}, {"message", st.message()}};
  if (!st.field().empty()) err["field"] = st.field();
  nlohmann::json doc = {{"error", std::move(err)}};
  // Replace invalid UTF-8 rather than throw: messages may echo user input.
  return Json(status, doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

HttpResponse HttpResponse::Error(const Status& st) { return Error(HttpStatusFor(st.code()), st); }

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kForbidden:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kConflict:
      return 409;
    case Code::kFailedPrecondition:
      return 409;
    case Code::kUnavailable:
      return 503;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

bool PercentDecode(std::string_view s, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return false;
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

Status ParseTarget(std::string_view target, HttpRequest& req) {
  req.target = std::string(target);
  req.path.clear();
  req.query.clear();
  if (target.empty() || target.front() != '/') {
    return Invalid("target", "request target must start with '/'");
  }
  std::size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  std::size_t hash = raw_path.find('#');
  if (hash != std::string_view::npos) raw_path = raw_path.substr(0, hash);
  if (!PercentDecode(raw_path, false, req.path)) {
    return Invalid("target", "malformed percent-escape in path");
  }
  if (q == std::string_view::npos) return Status::Ok();
  std::string_view qs = target.substr(q + 1);
  if (std::size_t h = qs.find('#'); h != std::string_view::npos) qs = qs.substr(0, h);
  std::size_t i = 0;
  while (i <= qs.size()) {
    std::size_t amp = qs.find('&', i);
    if (amp == std::string_view::npos) amp = qs.size();
    std::string_view pair = qs.substr(i, amp - i);
    if (!pair.empty()) {
      std::size_t eq = pair.find('=');
      std::string key, value;
      if (!PercentDecode(pair.substr(0, eq), true, key) ||
          (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, value))) {
        return Invalid("target", "malformed percent-escape in query");
      }
      // The first occurrence wins; repeated keys are not part of our API.
      req.query.emplace(std::move(key), std::move(value));
    }
    i = amp + 1;
  }
  return Status::Ok();
}

// --- Router ---

void Router::Add(std::string method, std::string pattern, Handler h) {
  Route r;
  r.method = std::move(method);
  for (std::string_view seg : SplitRawPath(pattern)) r.segments.emplace_back(seg);
  r.pattern = std::move(pattern);
  r.handler = std::move(h);
  routes_.push_back(std::move(r));
}

HttpResponse Router::Dispatch(HttpRequest& req) const {
  std::string_view raw_path = req.target;
  raw_path = raw_path.substr(0, raw_path.find_first_of("?#"));
  if (raw_path.empty()) raw_path = req.path;  // request built without a target
  std::vector<std::string> segs;
  for (std::string_view raw : SplitRawPath(raw_path)) {
    std::string dec;
    if (!PercentDecode(raw, false, dec)) {
      return HttpResponse::Error(400, Invalid("target", "malformed percent-escape in path"));
    }
    segs.push_back(std::move(dec));
  }

  // Specificity: literal beats parameter at the first differing position.
  auto more_specific = [](const Route& a, const Route& b) {
    for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
      bool pa = IsParam(a.segments[i]), pb = IsParam(b.segments[i]);
      if (pa != pb) return !pa;
    }
    return false;
  };
  auto matches = [&](const Route& r) {
    if (r.segments.size() != segs.size()) return false;
    for (std::size_t i = 0; i < segs.size(); ++i) {
      if (!IsParam(r.segments[i]) && r.segments[i] != segs[i]) return false;
    }
    return true;
  };

  const Route* best = nullptr;
  const Route* best_get = nullptr;  // for HEAD
  std::set<std::string> allowed;
  for (const Route& r : routes_) {
    if (!matches(r)) continue;
    allowed.insert(r.method);
    if (r.method == req.method && (!best || more_specific(r, *best))) best = &r;
    if (r.method == "GET" && (!best_get || more_specific(r, *best_get))) best_get = &r;
  }
  if (!best && req.method == "HEAD") best = best_get;
  const auto started = std::chrono::steady_clock::now();
  if (!best) {
    HttpResponse r = NoRoute(req, allowed);
    unmatched_->Observe(r.status, std::chrono::steady_clock::now() - started);
    return r;
  }
  req.params.clear();
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const std::string& p = best->segments[i];
    if (IsParam(p)) req.params[p.substr(1, p.size() - 2)] = segs[i];
  }
  HttpResponse r = best->handler(req);
  best->metrics->Observe(r.status, std::chrono::steady_clock::now() - started);
  return r;
}

void Router::RouteMetrics::Observe(int status, std::chrono::steady_clock::duration took) {
  const int cls = std::clamp(status / 100, 1, 5) - 1;
  by_class[cls].fetch_add(1, std::memory_order_relaxed);
  const double s = std::chrono::duration<double>(took).count();
  std::size_t b = 0;
  while (b < std::size(kBuckets) && s > kBuckets[b]) ++b;
  buckets[b].fetch_add(1, std::memory_order_relaxed);
  micros.fetch_add(static_cast<std::uint64_t>(
                       std::chrono::duration_cast<std::chrono::microseconds>(took).count()),
                   std::memory_order_relaxed);
}

void Router::WriteMetrics(std::string& out) const {
  auto write = [&](const std::string& method, const std::string& route, const RouteMetrics& m,
                   std::string& counts, std::string& hist) {
    std::uint64_t total = 0;
    for (const auto& c : m.by_class) total += c.load(std::memory_order_relaxed);
    if (total == 0) return;
    const std::string labels = "method=\"" + method + "\",route=\"" + route + "\"";
    for (int c = 0; c < 5; ++c) {
      const std::uint64_t n = m.by_class[c].load(std::memory_order_relaxed);
      if (n)
        counts += "hotline_http_requests_total{" + labels + ",code=\"" + std::to_string(c + 1) +
                  "xx\"} " + std::to_string(n) + "\n";
    }
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kNumBuckets; ++b) {
      cumulative += m.buckets[b].load(std::memory_order_relaxed);
      char le[32];
      if (b < std::size(kBuckets))
        std::snprintf(le, sizeof le, "%g", kBuckets[b]);
      else
        std::snprintf(le, sizeof le, "+Inf");
      hist += "hotline_http_request_duration_seconds_bucket{" + labels + ",le=\"" + le + "\"} " +
              std::to_string(cumulative) + "\n";
    }
    char sum[64];
    std::snprintf(sum, sizeof sum, "%.6f", m.micros.load(std::memory_order_relaxed) / 1e6);
    hist += "hotline_http_request_duration_seconds_sum{" + labels + "} " + sum + "\n";
    hist += "hotline_http_request_duration_seconds_count{" + labels + "} " +
            std::to_string(cumulative) + "\n";
  };
  std::string counts, hist;
  for (const Route& r : routes_) write(r.method, r.pattern, *r.metrics, counts, hist);
  write("", "(no route)", *unmatched_, counts, hist);
  out +=
      "# HELP hotline_http_requests_total Requests answered by the API, by route and status "
      "class.\n"
      "# TYPE hotline_http_requests_total counter\n" +
      counts;
  out +=
      "# HELP hotline_http_request_duration_seconds Time in the route's handler.\n"
      "# TYPE hotline_http_request_duration_seconds histogram\n" +
      hist;
}

HttpResponse Router::NoRoute(const HttpRequest& req, std::set<std::string>& allowed) const {
  if (allowed.empty()) {
    return HttpResponse::Error(404, Status(Code::kNotFound, "no route for " + req.path, "path"));
  }
  if (allowed.count("GET")) allowed.insert("HEAD");
  std::string allow;
  for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
  HttpResponse r = HttpResponse::Error(
      405, Status(Code::kInvalidArgument,
                  "method " + req.method + " not allowed on " + req.path + "; allowed: " + allow,
                  "method"));
  r.headers.emplace_back("Allow", allow);
  return r;
}

Handler Router::AsHandler() const {
  return [this](HttpRequest& req) { return Dispatch(req); };
}

// --- Static files ---

std::string ContentTypeFor(std::string_view file_name) {
  std::size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext = ToLower(file_name.substr(dot + 1));
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json; charset=utf-8"},
      {"map", "application/json; charset=utf-8"},
      {"geojson", "application/geo+json; charset=utf-8"},
      {"webmanifest", "application/manifest+json; charset=utf-8"},
      {"txt", "text/plain; charset=utf-8"},
      {"csv", "text/csv; charset=utf-8"},
      {"xml", "application/xml; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"otf", "font/otf"},
      {"wasm", "application/wasm"},
      {"pdf", "application/pdf"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
  };
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

namespace {

// "index-3f9a1c2b.js", "app.BzP3xq_a.css": a '-' or '.' then 8+ alphanumerics (and '_') with a
// digit or mixed case, right before the extension. Bundlers put a content hash there.
bool LooksHashed(std::string_view name) {
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  std::string_view stem = name.substr(0, dot);
  std::size_t sep = stem.find_last_of("-.");
  if (sep == std::string_view::npos) return false;
  std::string_view hash = stem.substr(sep + 1);
  if (hash.size() < 8) return false;
  bool digit = false, upper = false, lower = false;
  for (char c : hash) {
    auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '_') return false;
    digit = digit || std::isdigit(u);
    upper = upper || std::isupper(u);
    lower = lower || std::islower(u);
  }
  // Words ("jquery-minified.js") are not hashes: want a digit or mixed case.
  return digit || (upper && lower);
}

bool ReadFile(const std::filesystem::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return false;
  out = std::move(ss).str();
  return true;
}

// True if p (canonical) is root (canonical) or inside it.
bool IsWithin(const std::filesystem::path& root, const std::filesystem::path& p) {
  auto r = root.begin(), re = root.end();
  auto i = p.begin(), ie = p.end();
  for (; r != re; ++r, ++i) {
    if (r->empty()) continue;  // trailing separator
    if (i == ie || *i != *r) return false;
  }
  return true;
}

// Files served from the static root, kept in memory: a hit costs one stat() (to see that the
// file has not changed) instead of resolving the path and reading the file again. App routes
// that fall back to index.html are not cached, so a file that appears later is still found.
struct StaticFile {
  std::string real;  // canonical path
  std::shared_ptr<const std::string> body;
  std::string content_type;
  bool immutable = false;
  struct timespec mtime {};
  off_t size = 0;
  ino_t ino = 0;
  dev_t dev = 0;
};
constexpr size_t kMaxStaticEntries = 4096;
constexpr off_t kMaxCachedFileBytes = 16 << 20;
std::mutex static_mu;
std::unordered_map<std::string, StaticFile> static_files;  // key: root + '\n' + request path

// The same regular file (not a link: `real` was canonical), unchanged: same inode, size and
// modification time. File times come from a coarse clock, so the inode is what tells a file
// replaced within the same few milliseconds (builds write new files); a file rewritten in place
// to the same size within one tick of being read would be served stale until it changes again.
bool SameFile(const StaticFile& f) {
  struct stat st {};
  return lstat(f.real.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_ino == f.ino &&
         st.st_dev == f.dev && st.st_size == f.size && st.st_mtim.tv_sec == f.mtime.tv_sec &&
         st.st_mtim.tv_nsec == f.mtime.tv_nsec;
}

HttpResponse StaticReply(const StaticFile& f) {
  HttpResponse r;
  r.body = *f.body;
  r.content_type = f.content_type;
  r.headers.emplace_back("Cache-Control",
                         f.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace

HttpResponse ServeStatic(const std::string& static_dir, const HttpRequest& req) {
  namespace fs = std::filesystem;
  // Validate the raw segments as well as the decoded path, so "%2e%2e" and "%2F" tricks fail.
  std::string_view raw = req.target;
  raw = raw.substr(0, raw.find_first_of("?#"));
  for (std::string_view path : {raw, std::string_view(req.path)}) {
    if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) {
      return HttpResponse::Error(400, Invalid("path", "path contains a forbidden character"));
    }
    for (std::string_view seg : SplitRawPath(path)) {
      std::string dec;
      if (!PercentDecode(seg, false, dec) || dec == ".." || dec == "." ||
          dec.find('/') != std::string::npos || dec.find('\\') != std::string::npos ||
          dec.find('\0') != std::string::npos) {
        return HttpResponse::Error(400, Invalid("path", "path must not leave the static root"));
      }
    }
  }

  const std::string key = static_dir + '\n' + req.path;
  {
    std::lock_guard lock(static_mu);
    auto it = static_files.find(key);
    if (it != static_files.end()) {
      if (SameFile(it->second)) return StaticReply(it->second);
      static_files.erase(it);
    }
  }

  std::error_code ec;
  fs::path root = fs::canonical(static_dir, ec);
  if (ec) return HttpResponse::Error(500, Status(Code::kInternal, "static directory missing"));

  std::vector<std::string_view> segs = SplitRawPath(req.path);
  fs::path candidate = root;
  for (std::string_view s : segs) candidate /= fs::path(std::string(s));
  bool fallback = false;
  if (fs::is_directory(candidate, ec)) candidate /= "index.html";
  if (!fs::is_regular_file(candidate, ec)) {
    std::string_view last = segs.empty() ? std::string_view() : segs.back();
    if (last.find('.') != std::string_view::npos) {
      return HttpResponse::Error(404, Status(Code::kNotFound, "no such file: " + req.path, "path"));
    }
    candidate = root / "index.html";  // SPA route: the app's router handles it
    fallback = true;
  }
  fs::path real = fs::canonical(candidate, ec);
  if (ec || !IsWithin(root, real) || !fs::is_regular_file(real, ec)) {
    return HttpResponse::Error(404, Status(Code::kNotFound, "no such file: " + req.path, "path"));
  }
  StaticFile f;
  f.real = real.string();
  struct stat st {};
  auto body = std::make_shared<std::string>();
  if (lstat(f.real.c_str(), &st) != 0 || !ReadFile(real, *body)) {
    return HttpResponse::Error(500, Status(Code::kInternal, "cannot read file: " + req.path));
  }
  f.body = std::move(body);
  f.mtime = st.st_mtim;
  f.size = st.st_size;
  f.ino = st.st_ino;
  f.dev = st.st_dev;
  const std::string name = real.filename().string();
  f.content_type = ContentTypeFor(name);
  f.immutable = !fallback && (LooksHashed(name) || (segs.size() > 1 && segs[0] == "assets"));
  // Cache only what was read whole and unchanged while reading.
  if (!fallback && f.size <= kMaxCachedFileBytes && static_cast<off_t>(f.body->size()) == f.size) {
    std::lock_guard lock(static_mu);
    if (static_files.size() >= kMaxStaticEntries) static_files.clear();
    static_files[key] = f;
  }
  return StaticReply(f);
}

}  // namespace hotline::api
