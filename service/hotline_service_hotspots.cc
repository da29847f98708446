// HotlineService::Hotspots: the orders of a date range in the actor's scope, clustered by
// text/hotspot.h, cached (docs/hotspots.md).
#include <algorithm>
#include <map>
#include <mutex>

#include "service/service_impl.h"
#include "text/hotspot.h"
#include "text/pii_detect.h"

namespace hotline {
namespace {

constexpr int kMaxLimit = 100;
constexpr std::int64_t kMaxRangeSeconds = 366 * 86400;
constexpr size_t kMaxOrderIds = 20;
// The normalised-text cache is dropped when it grows past this many orders.
constexpr size_t kMaxCachedTexts = 1'000'000;

}  // namespace

Result<std::vector<HotspotView>> HotlineService::Hotspots(const Actor& a, const HotspotQuery& q) {
  Impl& m = *impl_;
  HOTLINE_RETURN_IF_ERROR(m.RequireRole(a,
                                        {Role::kAgent, Role::kDispatcher, Role::kHandler,
                                         Role::kGridWorker, Role::kSupervisor, Role::kAdmin},
                                        "see hotspots"));
  if (q.to <= q.from) return Invalid("to", "to must be after from");
  if (q.to - q.from > kMaxRangeSeconds) return Invalid("to", "the range may span at most 366 days");
  if (q.limit < 1 || q.limit > kMaxLimit)
    return Invalid("limit", "limit must be an integer from 1 to " + std::to_string(kMaxLimit));
  std::optional<std::vector<Id>> scope = m.ScopeOf(a);
  if (q.street_id) {
    auto street = m.dir.Unit_(*q.street_id);
    if (!street)
      return Status(Code::kNotFound, "no unit " + std::to_string(*q.street_id), "street");
    // Outside the jurisdiction: as if it did not exist.
    const Id root = m.JurisdictionOf(a).value_or(a.unit_id);
    if (scope && !m.dir.IsWithin(*q.street_id, root) && !m.dir.IsWithin(root, *q.street_id))
      return Status(Code::kNotFound, "no unit " + std::to_string(*q.street_id), "street");
    if (street->kind != UnitKind::kStreet)
      return Invalid("street", street->name + " is a " + std::string(ToString(street->kind)) +
                                   ", not a street");
  }

  // The cache key: who sees what (scope), and the question.
  std::string key = scope ? "units" : "all";
  if (scope)
    for (Id u : *scope) key += ":" + std::to_string(u);
  key += "|" + std::to_string(q.from) + "|" + std::to_string(q.to) + "|" +
         (q.street_id ? std::to_string(*q.street_id) : "");
  const Timestamp now = m.clock.Now();
  auto slice = [&](const std::vector<HotspotView>& all) {
    std::vector<HotspotView> out(
        all.begin(),
        all.begin() + std::min<std::ptrdiff_t>(q.limit, static_cast<std::ptrdiff_t>(all.size())));
    return out;
  };
  {
    std::lock_guard lock(m.hotspot_mu);
    auto it = m.hotspot_cache.find(key);
    if (it != m.hotspot_cache.end() && now >= it->second.computed_at &&
        now - it->second.computed_at < m.options.hotspot_cache_seconds)
      return slice(it->second.items);
  }

  // The orders: received in the range, visible to the actor, not merged into another order.
  OrderQuery oq;
  oq.now = now;
  oq.created_from = q.from;
  oq.created_to = q.to;
  oq.street_id = q.street_id;
  oq.scope_units = scope;
  oq.sort = OrderQuery::Sort::kOldest;
  oq.limit = 1000;
  std::vector<WorkOrder> orders;
  for (;; oq.offset += oq.limit) {
    HOTLINE_ASSIGN_OR_RETURN(OrderPage page, m.store.ListOrders(oq));
    for (WorkOrder& o : page.items)
      if (o.state != State::kMerged) orders.push_back(std::move(o));
    if (page.items.size() < static_cast<size_t>(oq.limit)) break;
  }

  std::vector<text::HotspotAppeal> in;
  in.reserve(orders.size());
  {
    std::lock_guard lock(m.hotspot_mu);
    if (m.hotspot_text.size() > kMaxCachedTexts) m.hotspot_text.clear();
  }
  for (const WorkOrder& o : orders) {
    text::HotspotAppeal h;
    h.id = static_cast<std::uint64_t>(o.id);
    bool cached = false;
    {
      std::lock_guard lock(m.hotspot_mu);
      if (auto it = m.hotspot_text.find(o.id); it != m.hotspot_text.end()) {
        h.title = it->second.title;
        h.content = it->second.content;
        cached = true;
      }
    }
    if (!cached) {
      // Normalised outside the lock; the title and content of an order do not change.
      h.title = m.normalizer->Normalize(o.title);
      h.content = m.normalizer->Normalize(o.content);
      std::lock_guard lock(m.hotspot_mu);
      m.hotspot_text.emplace(o.id, Impl::HotspotText{h.title, h.content});
    }
    h.at = o.created_at;
    if (o.place.street_id) h.place_key = std::to_string(*o.place.street_id);
    h.caller = o.caller_phone;
    in.push_back(std::move(h));
  }
  text::HotspotOptions opt;
  opt.range_end = std::min(q.to, now + 1);
  opt.max_hotspots = kMaxLimit;
  std::vector<text::Hotspot> found = text::FindHotspots(in, opt);

  std::vector<HotspotView> items;
  for (const text::Hotspot& h : found) {
    HotspotView v;
    v.id = "h" + std::to_string(orders[h.members.front()].id);
    const WorkOrder& rep = orders[h.representative];
    v.title = RedactTitle(rep.title, rep.content, rep.caller_name, rep.caller_phone, true);
    v.count = h.count;
    v.distinct_callers = h.distinct_callers;
    v.growth = h.growth;
    v.heat = h.heat;
    v.support = h.support;
    v.first_at = h.first_at;
    v.last_at = h.last_at;
    v.place_name = h.place_name;
    v.keywords = h.keywords;
    std::map<Id, int> streets, communities;
    double lon = 0, lat = 0;
    int located = 0;
    for (size_t i : h.members) {
      const WorkOrder& o = orders[i];
      if (o.place.street_id) ++streets[*o.place.street_id];
      if (o.place.community_id) ++communities[*o.place.community_id];
      if (o.place.lon && o.place.lat) {
        lon += *o.place.lon;
        lat += *o.place.lat;
        ++located;
      }
      if (v.order_ids.size() < kMaxOrderIds) v.order_ids.push_back(o.id);
    }
    auto most = [](const std::map<Id, int>& votes) -> std::optional<Id> {
      std::optional<Id> best;
      int n = 0;
      for (const auto& [id, k] : votes)
        if (k > n) {
          best = id;
          n = k;
        }
      return best;
    };
    v.street_id = most(streets);
    v.community_id = most(communities);
    if (located > 0) {
      v.lon = lon / located;
      v.lat = lat / located;
    }
    items.push_back(std::move(v));
  }
  {
    std::lock_guard lock(m.hotspot_mu);
    if (m.hotspot_cache.size() > 256) m.hotspot_cache.clear();
    m.hotspot_cache[key] = Impl::HotspotCacheEntry{now, items};
  }
  return slice(items);
}

}  // namespace hotline
