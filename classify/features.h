// Internal: the classifier's token scheme as a zero-allocation enumerator (classify/tokens.h
// materialises the same tokens as strings). Not part of the public API.
//
// Text is decoded once into code points with three foldings: full-width ASCII -> ASCII, ASCII
// letters lower-cased, Han characters traditional -> simplified by a per-character table (built
// once per process from OpenCC's t2s tables via text::Normalizer; identity when OpenCC is
// missing). Then, for the whole text (namespace 0) and again for its subject (namespace 1: the
// text up to the first '\n', i.e. 留言主题 when the columns are joined by '\n'):
//   * Han character n-grams, n = 1..kMaxN (2), inside each maximal Han run;
//   * runs of ASCII letters/digits.
// As strings (tokens.h) namespace-1 tokens carry the prefix "t:" (ASCII runs never hold ':').
//
// Feature key: 64-bit FNV-1a over the code points (not bytes), seeded per namespace, then a
// final mix. TokenKey(string) gives the same key as the enumerator, so a model can score either
// strings (Classifier::ScoreTokens) or raw text (Classifier::Predict) and agree exactly.
//
// Thread-safety: pure functions; the t2s table is built once (thread-safe static init); the
// enumerator uses a thread_local decode buffer.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotline::classify::internal {

// Longest Han n-gram of the scheme (trigrams were tried: lower macro-F1, docs/classifier.md).
inline constexpr int kMaxN = 2;

// Which of the scheme's features a model uses (stored in the model).
struct FeatureSet {
  int max_n = kMaxN;    // Han n-grams 1..max_n (1..kMaxN)
  bool subject = true;  // also the namespace-1 (subject) features
};

inline bool IsHanCp(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x3134F) || (c >= 0xF900 && c <= 0xFAFF) || c == 0x3007;
}
inline bool IsAsciiWordCp(char32_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); }

// Decodes and folds `raw` into `out` (cleared first). Ill-formed bytes become U+FFFD, which is
// neither Han nor ASCII and so separates runs. Returns the index of the first '\n' in `out`
// (out->size() when there is none): the end of the subject.
size_t DecodeFolded(std::string_view raw, std::vector<char32_t>* out);

constexpr uint64_t kFnvPrime = 1099511628211ull;
inline uint64_t NamespaceSeed(int ns) {
  return 1469598103934665603ull ^ (0x9e3779b97f4a7c15ull * ns);
}
inline uint64_t MixKey(uint64_t h) {
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 29;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 32;
  return h;
}
inline uint64_t KeyOf(int ns, const char32_t* cp, size_t n) {
  uint64_t h = NamespaceSeed(ns);
  for (size_t i = 0; i < n; ++i) h = (h ^ cp[i]) * kFnvPrime;
  return MixKey(h);
}

// Calls emit(key, ns, first, n) for every feature of `cps[begin, end)` in namespace ns.
template <typename Emit>
void EmitRange(const char32_t* cps, size_t begin, size_t end, int ns, int max_n, Emit&& emit) {
  size_t i = begin;
  while (i < end) {
    const char32_t c = cps[i];
    if (IsHanCp(c)) {
      size_t j = i;
      while (j < end && IsHanCp(cps[j])) ++j;
      for (size_t p = i; p < j; ++p) {
        const uint64_t seed = NamespaceSeed(ns);
        uint64_t h = seed;
        for (int n = 1; n <= max_n && p + n <= j; ++n) {
          h = (h ^ cps[p + n - 1]) * kFnvPrime;
          emit(MixKey(h), ns, cps + p, static_cast<size_t>(n));
        }
      }
      i = j;
    } else if (IsAsciiWordCp(c)) {
      size_t j = i;
      uint64_t h = NamespaceSeed(ns);
      while (j < end && IsAsciiWordCp(cps[j])) h = (h ^ cps[j++]) * kFnvPrime;
      emit(MixKey(h), ns, cps + i, j - i);
      i = j;
    } else {
      ++i;
    }
  }
}

// Every feature of `raw` under `set`: emit(key, ns, code points, count). A text without '\n' is
// all subject (a one-line text such as a title typed into `hotline classify predict`).
template <typename Emit>
void ForEachFeature(std::string_view raw, const FeatureSet& set, Emit&& emit) {
  thread_local std::vector<char32_t> cps;
  const size_t subject_end = DecodeFolded(raw, &cps);
  EmitRange(cps.data(), 0, cps.size(), 0, set.max_n, emit);
  if (set.subject) EmitRange(cps.data(), 0, subject_end, 1, set.max_n, emit);
}

// The key of a token string as produced by ClassifierTokens (with its "t:" prefix, if any);
// `keep` is false when the token is outside `set` (a longer n-gram, or a subject token when
// the set has no subject features).
uint64_t TokenKey(std::string_view token, const FeatureSet& set, bool* keep);

}  // namespace hotline::classify::internal
