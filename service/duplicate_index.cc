#include "service/duplicate_index.h"

#include <algorithm>
#include <mutex>

namespace hotline {

void DuplicateIndex::Add(const WorkOrder& o, const text::MinHash& fp) {
  std::unique_lock lock(mu_);
  if (!entries_.emplace(o.id, Entry{o.created_at, o.caller_phone, o.place.street_id, fp}).second)
    return;
  for (std::uint64_t key : text::BandKeys(fp)) bands_[key].push_back(o.id);
  if (!o.caller_phone.empty()) by_phone_[o.caller_phone].push_back(o.id);
}

std::vector<DuplicateCandidate> DuplicateIndex::Find(const WorkOrder& o, const text::MinHash& fp,
                                                     Timestamp now) const {
  std::shared_lock lock(mu_);
  const Timestamp since = now - options_.window_seconds;
  std::map<Id, DuplicateCandidate> found;
  auto recent = [&](Id id) -> const Entry* {
    if (id == o.id) return nullptr;
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.created_at < since) return nullptr;
    return &it->second;
  };
  if (!o.caller_phone.empty()) {
    if (auto it = by_phone_.find(o.caller_phone); it != by_phone_.end())
      for (Id id : it->second)
        if (const Entry* e = recent(id)) {
          double s = text::EstimateJaccard(fp, e->fingerprint);
          found[id] = {id, s >= options_.min_similarity ? 1.0 : s,
                       s >= options_.min_similarity ? "same_caller_similar_text" : "same_caller"};
        }
  }
  for (std::uint64_t key : text::BandKeys(fp)) {
    auto it = bands_.find(key);
    if (it == bands_.end()) continue;
    for (Id id : it->second) {
      if (found.count(id)) continue;
      const Entry* e = recent(id);
      if (!e) continue;
      // Same place: both in the same street, or either without a place yet.
      if (o.place.street_id && e->street_id && *o.place.street_id != *e->street_id) continue;
      double s = text::EstimateJaccard(fp, e->fingerprint);
      if (s >= options_.min_similarity) found[id] = {id, s, "similar_text_same_place"};
    }
  }
  std::vector<DuplicateCandidate> out;
  for (auto& [_, c] : found) out.push_back(c);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.score != b.score ? a.score > b.score : a.order_id > b.order_id;
  });
  if (out.size() > options_.max_results) out.resize(options_.max_results);
  return out;
}

size_t DuplicateIndex::size() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

}  // namespace hotline
