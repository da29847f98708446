// Finds open orders that repeat an appeal (并单 candidates): the same caller
// within the window, or near-identical text (MinHash Jaccard estimate over
// character 3-shingles, found through LSH bands) in the same street within the
// window. In memory; the service feeds it every intake and rebuilds it at start
// from the store's recent orders.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <map>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/types.h"
#include "text/minhash.h"

namespace hotline {

struct DuplicateCandidate {
  Id order_id = 0;
  double score = 0;    // estimated text similarity (1.0 for the same caller with similar text)
  std::string reason;  // "same_caller", "similar_text_same_place", "same_caller_similar_text"
};

struct DuplicateOptions {
  std::int64_t window_seconds = 30 * 86400;  // Default: appeals of the last 30 days
  // Default: Jaccard estimate >= 0.3 with the same street (0.5 until the labelled pairs of
  // `hotline duplicates eval` showed recall 0.53 there against 0.74 at 0.3 for precision 0.93
  // vs 0.91; docs/hotspots.md).
  double min_similarity = 0.3;
  size_t max_results = 5;
};

class DuplicateIndex {
 public:
  explicit DuplicateIndex(DuplicateOptions options = {}) : options_(options) {}

  // The fingerprint of an order's text (title + content), normalised by the caller.
  static text::MinHash Fingerprint(std::string_view normalized_title_and_content) {
    return text::MinHashOf(normalized_title_and_content);
  }
  void Add(const WorkOrder& order, const text::MinHash& fingerprint);
  // Candidates for `order` (which need not be in the index), best first; excludes
  // the order itself and anything received outside the window before `now`.
  // The caller checks that candidates are still open and visible.
  std::vector<DuplicateCandidate> Find(const WorkOrder& order, const text::MinHash& fingerprint,
                                       Timestamp now) const;
  size_t size() const;
  const DuplicateOptions& options() const { return options_; }

 private:
  struct Entry {
    Timestamp created_at = 0;
    std::string phone;
    std::optional<Id> street_id;
    text::MinHash fingerprint;
  };
  DuplicateOptions options_;
  mutable std::shared_mutex mu_;
  std::unordered_map<Id, Entry> entries_;
  std::unordered_map<std::uint64_t, std::vector<Id>> bands_;
  std::unordered_map<std::string, std::vector<Id>> by_phone_;
};

}  // namespace hotline
