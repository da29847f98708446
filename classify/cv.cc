#include "classify/cv.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string_view>
#include <unordered_map>

namespace hotline::classify {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Byte offsets of each UTF-8 code point start (ill-formed bytes count as one each).
std::vector<size_t> CodePointStarts(std::string_view s) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  return starts;
}

// Sorted unique hashes of character 5-grams (the whole key when shorter).
std::vector<uint64_t> Shingles(const std::string& key) {
  constexpr size_t kN = 5;
  const auto starts = CodePointStarts(key);
  std::vector<uint64_t> out;
  if (starts.size() <= kN) {
    out.push_back(std::hash<std::string_view>{}(key));
    return out;
  }
  for (size_t i = 0; i + kN <= starts.size(); ++i) {
    const size_t end = i + kN < starts.size() ? starts[i + kN] : key.size();
    out.push_back(std::hash<std::string_view>{}(std::string_view(key).substr(starts[i], end - starts[i])));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double Jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  size_t i = 0, j = 0, inter = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) {
      ++inter, ++i, ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  const size_t uni = a.size() + b.size() - inter;
  return uni ? static_cast<double>(inter) / uni : 1.0;
}

struct UnionFind {
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int Find(int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  bool Union(int a, int b) {
    a = Find(a), b = Find(b);
    if (a == b) return false;
    parent[std::max(a, b)] = std::min(a, b);
    return true;
  }
  std::vector<int> parent;
};

}  // namespace

std::string DuplicateKey(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '*')
      continue;
    if (text.compare(i, 3, "\xE3\x80\x80") == 0) {  // U+3000 ideographic space
      i += 2;
      continue;
    }
    if (text.compare(i, 2, "\xC2\xA0") == 0) {  // U+00A0
      i += 1;
      continue;
    }
    if (text.compare(i, 3, "\xEF\xBC\x8A") == 0) {  // U+FF0A full-width '*'
      i += 2;
      continue;
    }
    out.push_back(static_cast<char>(c));
  }
  return out;
}

Grouping NearDuplicateGroups(const std::vector<std::string>& texts,
                             const std::vector<std::string>& subjects, double jaccard,
                             size_t min_subject_chars) {
  const size_t n = texts.size();
  constexpr int kBands = 16, kRows = 4, kHashes = kBands * kRows;
  std::vector<std::vector<uint64_t>> shingles(n);
  std::vector<std::array<uint64_t, kHashes>> sig(n);
  for (size_t i = 0; i < n; ++i) {
    shingles[i] = Shingles(DuplicateKey(texts[i]));
    sig[i].fill(UINT64_MAX);
    for (uint64_t s : shingles[i])
      for (int h = 0; h < kHashes; ++h) sig[i][h] = std::min(sig[i][h], Mix(s ^ Mix(h + 1)));
  }
  Grouping g;
  UnionFind uf(n);
  std::vector<std::pair<int, int>> candidates;
  for (int b = 0; b < kBands; ++b) {
    std::unordered_map<uint64_t, std::vector<int>> buckets;
    for (size_t i = 0; i < n; ++i) {
      uint64_t h = 0;
      for (int r = 0; r < kRows; ++r) h = Mix(h ^ sig[i][b * kRows + r]);
      buckets[h].push_back(static_cast<int>(i));
    }
    for (const auto& [h, v] : buckets)
      for (size_t a = 0; a < v.size(); ++a)
        for (size_t c = a + 1; c < v.size(); ++c) candidates.emplace_back(v[a], v[c]);
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  g.candidate_pairs = static_cast<int>(candidates.size());
  for (auto [a, c] : candidates) {
    if (Jaccard(shingles[a], shingles[c]) >= jaccard) {
      ++g.jaccard_pairs;
      g.jaccard_merges += uf.Union(a, c);
    }
  }
  if (subjects.size() == n) {
    std::unordered_map<std::string, int> first;
    for (size_t i = 0; i < n; ++i) {
      std::string key = DuplicateKey(subjects[i]);
      if (key.size() < min_subject_chars) continue;
      auto [it, inserted] = first.emplace(std::move(key), static_cast<int>(i));
      if (!inserted) g.subject_merges += uf.Union(it->second, static_cast<int>(i));
    }
  }
  std::unordered_map<int, int> ids;
  std::vector<int> size;
  g.group.resize(n);
  for (size_t i = 0; i < n; ++i) {
    auto [it, inserted] = ids.emplace(uf.Find(static_cast<int>(i)), static_cast<int>(ids.size()));
    if (inserted) size.push_back(0);
    g.group[i] = it->second;
    ++size[it->second];
  }
  g.num_groups = static_cast<int>(ids.size());
  for (size_t i = 0; i < n; ++i) g.rows_in_multi += size[g.group[i]] > 1;
  return g;
}

std::vector<int> StratifiedGroupFolds(const std::vector<int>& label, const std::vector<int>& group,
                                      int k, unsigned seed) {
  const size_t n = label.size();
  const int num_labels = n ? *std::max_element(label.begin(), label.end()) + 1 : 0;
  const int num_groups = n ? *std::max_element(group.begin(), group.end()) + 1 : 0;
  std::vector<std::vector<int>> counts(num_groups, std::vector<int>(num_labels, 0));
  std::vector<int> total(num_labels, 0);
  for (size_t i = 0; i < n; ++i) ++counts[group[i]][label[i]], ++total[label[i]];
  std::vector<int> order(num_groups);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  // Groups with the largest spread of label counts first (big groups, then skewed ones), as
  // scikit-learn's StratifiedGroupKFold orders by the std of each group's label counts.
  auto spread = [&](int g) {
    double mean = 0, var = 0;
    for (int l = 0; l < num_labels; ++l) mean += counts[g][l];
    mean /= std::max(1, num_labels);
    for (int l = 0; l < num_labels; ++l) var += (counts[g][l] - mean) * (counts[g][l] - mean);
    return var;
  };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return spread(a) > spread(b); });
  std::vector<std::vector<double>> fold_counts(k, std::vector<double>(num_labels, 0));
  std::vector<int> fold_size(k, 0), group_fold(num_groups, 0);
  for (int g : order) {
    int best = 0;
    double best_cost = INFINITY;
    for (int f = 0; f < k; ++f) {
      for (int l = 0; l < num_labels; ++l) fold_counts[f][l] += counts[g][l];
      double cost = 0;  // mean over labels of the std of that label's share across folds
      for (int l = 0; l < num_labels; ++l) {
        double m = 0, v = 0;
        for (int q = 0; q < k; ++q) m += fold_counts[q][l] / std::max(1, total[l]);
        m /= k;
        for (int q = 0; q < k; ++q) {
          const double d = fold_counts[q][l] / std::max(1, total[l]) - m;
          v += d * d;
        }
        cost += std::sqrt(v / k);
      }
      for (int l = 0; l < num_labels; ++l) fold_counts[f][l] -= counts[g][l];
      if (cost < best_cost - 1e-12 || (std::abs(cost - best_cost) <= 1e-12 && fold_size[f] < fold_size[best])) {
        best_cost = cost;
        best = f;
      }
    }
    group_fold[g] = best;
    for (int l = 0; l < num_labels; ++l) fold_counts[best][l] += counts[g][l];
    for (int l = 0; l < num_labels; ++l) fold_size[best] += counts[g][l];
  }
  std::vector<int> fold(n);
  for (size_t i = 0; i < n; ++i) fold[i] = group_fold[group[i]];
  return fold;
}

}  // namespace hotline::classify
