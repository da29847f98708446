#include "service/duplicate_index.h"

#include <algorithm>
#include <mutex>
#include <unordered_set>

namespace hotline {

std::uint64_t DuplicateIndex::BucketKey(std::uint64_t band_key, Id street) {
  // splitmix64 finaliser over the band key mixed with the street.
  std::uint64_t x = band_key ^ (static_cast<std::uint64_t>(street) * 0x9E3779B97F4A7C15ULL);
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

size_t DuplicateIndex::Cap() const { return std::max<size_t>(options_.max_bucket, 1); }

void DuplicateIndex::Push(std::vector<Id>& list, Id id) const {
  list.push_back(id);
  if (list.size() > 2 * Cap()) list.erase(list.begin(), list.end() - static_cast<long>(Cap()));
}

void DuplicateIndex::IndexBandsLocked(Id id, const text::MinHash& fp, std::optional<Id> street) {
  if (street) streets_.insert(*street);
  for (std::uint64_t band : text::BandKeys(fp))
    Push(buckets_[BucketKey(band, street.value_or(0))], id);
}

void DuplicateIndex::Add(const WorkOrder& o, const text::MinHash& fp,
                         const DuplicateMatter& matter) {
  std::unique_lock lock(mu_);
  if (!entries_.emplace(o.id, Entry{o.created_at, o.caller_phone, o.place.street_id, fp, matter})
           .second)
    return;
  IndexBandsLocked(o.id, fp, o.place.street_id);
  if (matter.place) Push(by_place_[matter.place], o.id);
  // A caller who appeals every day (or a shared number) must not make every lookup slow.
  if (!o.caller_phone.empty()) Push(by_phone_[o.caller_phone], o.id);
  newest_ = std::max(newest_, o.created_at);
  if (++added_since_prune_ >= std::max<size_t>(4096, entries_.size() / 4)) PruneLocked();
}

void DuplicateIndex::Move(Id id, std::optional<Id> street_id, const DuplicateMatter& matter) {
  std::unique_lock lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  // Entries left in the old buckets and place lists no longer match them (Find checks both).
  const bool moved = it->second.matter.place != matter.place;
  it->second.matter = matter;
  if (moved && matter.place) Push(by_place_[matter.place], id);
  if (it->second.street_id == street_id) return;
  it->second.street_id = street_id;
  IndexBandsLocked(id, it->second.fingerprint, street_id);
}

void DuplicateIndex::PruneLocked() {
  added_since_prune_ = 0;
  const Timestamp since = newest_ - options_.window_seconds;
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.created_at < since; });
  auto gone = [&](Id id) { return !entries_.count(id); };
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    std::erase_if(it->second, gone);
    it = it->second.empty() ? buckets_.erase(it) : std::next(it);
  }
  for (auto it = by_phone_.begin(); it != by_phone_.end();) {
    std::erase_if(it->second, gone);
    it = it->second.empty() ? by_phone_.erase(it) : std::next(it);
  }
  for (auto it = by_place_.begin(); it != by_place_.end();) {
    std::erase_if(it->second, gone);
    it = it->second.empty() ? by_place_.erase(it) : std::next(it);
  }
}

std::vector<DuplicateCandidate> DuplicateIndex::Find(const WorkOrder& o, const text::MinHash& fp,
                                                     Timestamp now,
                                                     const DuplicateMatter& matter) const {
  std::shared_lock lock(mu_);
  const Timestamp since = now - options_.window_seconds;
  struct Hit {
    Id id;
    double score;
    const char* reason;
  };
  std::vector<Hit> hits;
  std::unordered_set<Id> seen;  // compared once, whichever list it came from
  seen.reserve(1024);
  auto recent = [&](Id id) -> const Entry* {
    if (id == o.id || !seen.insert(id).second) return nullptr;
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second.created_at < since) return nullptr;
    return &it->second;
  };
  const size_t cap = Cap();
  if (!o.caller_phone.empty()) {
    if (auto it = by_phone_.find(o.caller_phone); it != by_phone_.end()) {
      // The caller's newest `cap` orders, newest first.
      const std::vector<Id>& mine = it->second;
      const size_t stop = mine.size() > cap ? mine.size() - cap : 0;
      for (size_t k = mine.size(); k-- > stop;) {
        if (const Entry* e = recent(mine[k])) {
          const double s = text::EstimateJaccard(fp, e->fingerprint);
          const bool similar = s >= options_.min_similarity;
          hits.push_back(
              {mine[k], similar ? 1.0 : s, similar ? "same_caller_similar_text" : "same_caller"});
        }
      }
    }
  }
  // Same place: the order's street and orders without a place; an order without a place
  // looks in every street.
  std::vector<Id> streets{0};
  if (o.place.street_id) {
    streets.push_back(*o.place.street_id);
  } else {
    streets.insert(streets.end(), streets_.begin(), streets_.end());
  }
  for (std::uint64_t band : text::BandKeys(fp)) {
    for (Id street : streets) {
      auto it = buckets_.find(BucketKey(band, street));
      if (it == buckets_.end()) continue;
      const std::vector<Id>& bucket = it->second;
      // The newest `cap` orders of the bucket, newest first.
      const size_t stop = bucket.size() > cap ? bucket.size() - cap : 0;
      for (size_t k = bucket.size(); k-- > stop;) {
        const Entry* e = recent(bucket[k]);
        if (!e) continue;
        if (o.place.street_id && e->street_id && *o.place.street_id != *e->street_id) continue;
        const double s = text::EstimateJaccard(fp, e->fingerprint);
        if (s >= options_.min_similarity) hits.push_back({bucket[k], s, "similar_text_same_place"});
      }
    }
  }
  // Same place and same subject, whatever the words: the newest `cap` orders of the place.
  // After the text, so that a near-copy or the same caller keeps its own reason.
  if (matter.place && SpecificSubject(matter.subject)) {
    if (auto it = by_place_.find(matter.place); it != by_place_.end()) {
      std::unordered_set<Id> found;
      for (const Hit& h : hits) found.insert(h.id);
      const std::vector<Id>& here = it->second;
      const size_t stop = here.size() > cap ? here.size() - cap : 0;
      for (size_t k = here.size(); k-- > stop;) {
        const Id id = here[k];
        if (id == o.id || found.count(id)) continue;
        auto e = entries_.find(id);
        if (e == entries_.end() || e->second.created_at < since ||
            e->second.matter.place != matter.place || e->second.matter.subject != matter.subject)
          continue;
        found.insert(id);
        hits.push_back(
            {id, text::EstimateJaccard(fp, e->second.fingerprint), "same_place_same_subject"});
      }
    }
  }
  auto better = [](const Hit& a, const Hit& b) {
    return a.score != b.score ? a.score > b.score : a.id > b.id;
  };
  const size_t n = std::min(hits.size(), options_.max_results);
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(n), hits.end(),
                    better);
  std::vector<DuplicateCandidate> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back({hits[i].id, hits[i].score, hits[i].reason});
  return out;
}

size_t DuplicateIndex::size() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

size_t DuplicateIndex::largest_bucket() const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  for (const auto& [_, b] : buckets_) n = std::max(n, b.size());
  return n;
}

}  // namespace hotline
