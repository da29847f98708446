// Cross-validation folds that keep near-identical appeals together: near-duplicate groups
// (MinHash over character 5-gram shingles, verified by exact Jaccard, plus equal normalised
// subjects), then a stratified assignment of whole groups to folds.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace hotline::classify {

// The key two texts are compared on: NFKC-ish full-width folding is not needed here; every
// whitespace character (ASCII, U+3000, U+00A0) and '*' is removed, so the whitespace-stripped
// rows of the Teddy data compare equal to their originals.
std::string DuplicateKey(const std::string& text);

struct Grouping {
  std::vector<int> group;     // per example, a group id in [0, num_groups)
  int num_groups = 0;
  int jaccard_pairs = 0;      // pairs with shingle Jaccard >= threshold
  int jaccard_merges = 0;     // of which joined two different groups
  int subject_merges = 0;     // unions made by equal subjects
  int candidate_pairs = 0;    // LSH candidates checked exactly
  int rows_in_multi = 0;      // examples in a group of size > 1
};

// `texts`: the full texts; `subjects`: may be empty (then no subject rule). Subjects are
// compared by DuplicateKey and only when at least `min_subject_chars` bytes long.
Grouping NearDuplicateGroups(const std::vector<std::string>& texts,
                             const std::vector<std::string>& subjects, double jaccard = 0.8,
                             size_t min_subject_chars = 12);

// Assigns whole groups to `k` folds so that each fold's label distribution stays close to the
// overall one (greedy, largest groups first, as scikit-learn's StratifiedGroupKFold).
// Deterministic for a given seed. Returns the fold of each example.
std::vector<int> StratifiedGroupFolds(const std::vector<int>& label, const std::vector<int>& group,
                                      int k, unsigned seed = 1);

}  // namespace hotline::classify
