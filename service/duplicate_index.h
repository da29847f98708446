// Finds open orders that repeat an appeal (并单 candidates): the same caller
// within the window; near-identical text (MinHash Jaccard estimate over
// character 3-shingles, found through LSH bands) in the same street within the
// window; or the same matter at the same place — the same residential compound,
// building or landmark of the gazetteer (the caller's `place` key) and the same
// subject (a 6-digit leaf of the taxonomy), however differently it is worded:
// six households calling about the heating of one compound write six short,
// different texts about one heat exchanger. In memory; the service feeds it every intake and
// rebuilds it at start from the store's recent orders.
//
// Staying fast at millions of orders: LSH buckets are keyed by (band, street), so a
// lookup reads only its own street's buckets (and those of orders without a place), and
// each bucket keeps only its newest `max_bucket` orders. Template wording shared by many
// appeals ("请相关部门尽快处理") otherwise makes a few buckets hold a large part of the
// index, and every lookup that hits them compares against all of it. Orders that left the
// window are dropped from time to time as new ones arrive.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <map>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/types.h"
#include "text/minhash.h"

namespace hotline {

struct DuplicateCandidate {
  Id order_id = 0;
  double score = 0;  // estimated text similarity (1.0 for the same caller with similar text)
  // "same_caller", "similar_text_same_place", "same_caller_similar_text",
  // "same_place_same_subject"
  std::string reason;
};

// Where and what an order is about, for "same place, same subject": the key of the gazetteer
// place its address names (0: none) and its subject (the order's, or the classifier's confident
// suggestion while it has none). Computed by the service (Impl::DuplicateMatter).
struct DuplicateMatter {
  std::uint64_t place = 0;
  std::string subject;
};

struct DuplicateOptions {
  std::int64_t window_seconds = 30 * 86400;  // Default: appeals of the last 30 days
  // Default: Jaccard estimate >= 0.3 with the same street (0.5 until the labelled pairs of
  // `hotline duplicates eval` showed recall 0.53 there against 0.74 at 0.3 for precision 0.93
  // vs 0.91; docs/hotspots.md).
  double min_similarity = 0.3;
  size_t max_results = 5;
  // Default: a lookup compares with at most the 256 newest orders of each of its buckets
  // (band x street) and of the caller's orders; a list is trimmed back to that when it doubles.
  size_t max_bucket = 256;
};

class DuplicateIndex {
 public:
  explicit DuplicateIndex(DuplicateOptions options = {}) : options_(options) {}

  // The fingerprint of an order's text (title + content), normalised by the caller.
  static text::MinHash Fingerprint(std::string_view normalized_title_and_content) {
    return text::MinHashOf(normalized_title_and_content);
  }
  void Add(const WorkOrder& order, const text::MinHash& fingerprint,
           const DuplicateMatter& matter = {});
  // The order's place was corrected: it is found in its new street and place from now on.
  void Move(Id order_id, std::optional<Id> street_id, const DuplicateMatter& matter = {});
  // Candidates for `order` (which need not be in the index), best first; excludes
  // the order itself and anything received outside the window before `now`.
  // The caller checks that candidates are still open and visible.
  std::vector<DuplicateCandidate> Find(const WorkOrder& order, const text::MinHash& fingerprint,
                                       Timestamp now, const DuplicateMatter& matter = {}) const;
  // Whether a subject code is specific enough for "same place, same subject": a leaf of the
  // taxonomy (6 digits). "02" (城市管理) at one compound is many matters.
  static bool SpecificSubject(std::string_view code) { return code.size() >= 6; }
  // Orders held (those older than the window before the newest order are dropped as the
  // index grows, so this is roughly the window's orders).
  size_t size() const;
  // The largest bucket now (at most 2 * max_bucket), for tests and benchmarks.
  size_t largest_bucket() const;
  const DuplicateOptions& options() const { return options_; }

 private:
  struct Entry {
    Timestamp created_at = 0;
    std::string phone;
    std::optional<Id> street_id;
    text::MinHash fingerprint;
    DuplicateMatter matter;
  };
  static std::uint64_t BucketKey(std::uint64_t band_key, Id street);
  size_t Cap() const;  // options_.max_bucket, at least 1
  // Appends to a bucket or a caller's list, trimming it back to the newest Cap() when it doubles.
  void Push(std::vector<Id>& list, Id id) const;
  // REQUIRES (these two): mu_ held exclusively.
  void IndexBandsLocked(Id id, const text::MinHash& fp, std::optional<Id> street);
  void PruneLocked();

  DuplicateOptions options_;
  mutable std::shared_mutex mu_;
  std::unordered_map<Id, Entry> entries_;
  // (band, street or 0) -> order ids, oldest first.
  std::unordered_map<std::uint64_t, std::vector<Id>> buckets_;
  std::unordered_map<std::string, std::vector<Id>> by_phone_;
  std::unordered_map<std::uint64_t, std::vector<Id>> by_place_;  // place key -> ids, oldest first
  std::set<Id> streets_;  // the streets seen: a lookup without a place reads all of them
  Timestamp newest_ = 0;
  size_t added_since_prune_ = 0;
};

}  // namespace hotline
