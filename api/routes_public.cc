// Routes without a login for the web UI's public pages: track an order by its number and the
// caller's phone (public fields only), rate its reply, and the street outlines to pick a place
// on the map.
// Both are rate-limited per client address.
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "api/route_util.h"

namespace hotline::api::route {
namespace {

// At most kPerMinute requests per client address in any 60 seconds (guessing a phone number
// for a known order number takes many tries). A sliding window: the times of the last
// kPerMinute requests per address.
constexpr int kPerMinute = 30;

bool Allow(const std::string& who) {
  using Clock = std::chrono::steady_clock;
  static std::mutex mu;
  static std::unordered_map<std::string, std::deque<Clock::time_point>> seen;
  const Clock::time_point now = Clock::now();
  std::lock_guard lock(mu);
  if (seen.size() > 100000) seen.clear();  // bounded memory under a flood of addresses
  std::deque<Clock::time_point>& times = seen[who];
  while (!times.empty() && now - times.front() >= std::chrono::seconds(60)) times.pop_front();
  if (static_cast<int>(times.size()) >= kPerMinute) return false;
  times.push_back(now);
  return true;
}

HttpResponse TooMany() {
  return HttpResponse::Error(
      429, Status(Code::kUnavailable, "too many lookups from this address; try again in a minute",
                  "rate"));
}

// What the public may see of an order: no caller, no content, no units' internal notes.
Json PublicView(HotlineService& svc, WorkOrder order) {
  OrderView view;
  view.order = std::move(order);
  const Json full = RenderOrder(svc, view);
  Json out = Json::object();
  for (const char* key : {"no", "state", "state_label", "channel", "channel_label", "nature",
                          "nature_label", "subject", "created_at", "replied_at", "closed_at"})
    if (full.contains(key)) out[key] = full[key];
  out["reply"] = nullptr;
  if (full["reply"].is_object())
    out["reply"] = {{"public_text", full["reply"].value("public_text", "")},
                    {"direct", full["reply"].value("direct", false)}};
  out["callback"] = nullptr;
  if (full["callback"].is_object()) {
    Json cb = Json::object();
    for (const char* key : {"rating", "rating_label", "at"})
      if (full["callback"].contains(key)) cb[key] = full["callback"][key];
    out["callback"] = std::move(cb);
  }
  // The caller may rate a reply that has not been called back yet.
  out["can_rate"] = view.order.state == State::kReplied;
  return out;
}

// GET /public/orders/{no}?phone=
HttpResponse TrackOrder(Ctx& c) {
  if (!Allow(c.req.remote)) return TooMany();
  if (Status st = CheckQuery(c.req, {"phone"}); !st.ok()) return Fail(st);
  const std::string* phone = QueryParam(c.req, "phone");
  if (!phone)
    return Fail(Invalid("phone", "phone is required: the number the appeal was made with"));
  auto order = c.svc.TrackPublic(c.req.params["no"], *phone);
  if (!order.ok()) return Fail(order.status());
  return JsonReply(200, PublicView(c.svc, std::move(*order)));
}

// POST /public/orders/{no}/rating {phone, rating, comment}: the caller rates the reply.
HttpResponse RateOrder(Ctx& c) {
  if (!Allow(c.req.remote)) return TooMany();
  if (Status st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  auto body = ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());
  JsonReader r(*body);
  r.RejectUnknown({"phone", "rating", "comment"});
  const std::string phone = r.String("phone").value_or("");
  const std::optional<Rating> rating = r.Enum<Rating>("rating");
  const std::string comment = r.String("comment").value_or("");
  if (r.ok() && phone.empty())
    r.Fail("phone", "phone is required: the number the appeal was made with");
  if (r.ok() && !rating) r.Fail("rating", "rating is required: " + AllowedNames<Rating>());
  if (!r.ok()) return Fail(r.status());
  auto order = c.svc.RatePublic(c.req.params["no"], phone, *rating, comment);
  if (!order.ok()) return Fail(order.status());
  return JsonReply(200, PublicView(c.svc, std::move(*order)));
}

// GET /public/boundaries: the streets' outlines only (name, code, kind, geometry).
HttpResponse StreetBoundaries(Ctx& c) {
  if (!Allow(c.req.remote)) return TooMany();
  if (Status st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  Json all = Json::parse(c.svc.BoundariesGeoJson(), nullptr, false);
  Json features = Json::array();
  if (all.is_object() && all["features"].is_array()) {
    for (Json& f : all["features"]) {
      const Json& p = f["properties"];
      if (!p.is_object() || p.value("kind", "") != "street") continue;
      features.push_back(
          {{"type", "Feature"},
           {"properties",
            {{"code", p.value("code", "")}, {"name", p.value("name", "")}, {"kind", "street"}}},
           {"geometry", std::move(f["geometry"])}});
    }
  }
  HttpResponse r = HttpResponse::Json(
      200, Dump(Json{{"type", "FeatureCollection"}, {"features", std::move(features)}}));
  r.content_type = "application/geo+json; charset=utf-8";
  return r;
}

}  // namespace

bool AllowPublic(const std::string& remote) { return Allow(remote); }
HttpResponse TooManyPublic() { return TooMany(); }

std::vector<Route> PublicRoutes() {
  return {
      {"GET", "/api/v1/public/orders/{no}", Access::kPublic, TrackOrder},
      {"POST", "/api/v1/public/orders/{no}/rating", Access::kPublic, RateOrder},
      {"GET", "/api/v1/public/boundaries", Access::kPublic, StreetBoundaries},
  };
}

}  // namespace hotline::api::route
