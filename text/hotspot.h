// Hotspots (热点): groups of recent appeals about the same matter in the same place, ranked by a
// heat index (docs/hotspots.md). Pure: the caller supplies normalised text (Normalizer output),
// times, a structured place key and the caller identity; no store, no clock.
//
// Method: each appeal becomes a TF-IDF vector of the character bigrams of its Han runs (title
// bigrams count twice). Candidate pairs share at least two of each other's most weighted
// bigrams (an inverted index, so the work grows with the number of similar pairs, not n^2).
// A candidate pair is linked when its cosine similarity — plus a bonus when both name the same
// specific place (a 小区, 路, 村... found by ExtractPlaceNames) — reaches `min_similarity`, the
// appeals are at most `link_window_seconds` apart, and their place keys do not contradict each
// other. Links are taken strongest first; a link merges the two clusters it joins only when
// the clusters' centroids are alike (`min_cohesion`), so that a chain of links A~B~C does not
// put C with an A it is unlike (single linkage did: one ~4,600-appeal cluster on synthetic data).
// Clusters of at least `min_count` appeals are hotspots.
//
// Thread-safety: pure functions (Tokenize is used for keywords; it is thread-safe).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotline::text {

struct HotspotAppeal {
  std::uint64_t id = 0;
  std::string title;    // normalised (Normalizer::Normalize)
  std::string content;  // normalised
  std::int64_t at = 0;  // received, epoch seconds
  // Structured place (e.g. the street's id, or a district name); two appeals with different
  // non-empty keys are never linked. "" = unknown, compatible with every key.
  std::string place_key;
  // Who appealed (phone, user id); appeals with the same non-empty caller count once in
  // distinct_callers. "" = unknown: counted as a distinct caller.
  std::string caller;
  std::int64_t support = 0;  // votes where the channel has them (点赞数 + 反对数); else 0
};

struct HotspotOptions {
  // Cosine similarity of the TF-IDF bigram vectors (plus place_bonus) needed to link two
  // appeals. Default: 0.25 (chosen on teddy2020_hot.csv with min_cohesion, docs/hotspots.md).
  double min_similarity = 0.25;
  // Added to the similarity when both appeals name the same compound (小区, 花园, 苑...;
  // 万科魅力之城 and 魅力之城小区 count as the same). Default: 0.15.
  double place_bonus = 0.15;
  // Two clusters joined by a link merge only when the cosine similarity of their summed TF-IDF
  // vectors (their centroids) — plus place_bonus when the link's two appeals name the same
  // compound, minus it when both name compounds but none in common — reaches this. 0 = off: single
  // linkage, every link merges, which chains A~B~C into one cluster although A and C are unlike.
  // Default: 0.4 (teddy2020_hot.csv, docs/hotspots.md).
  double min_cohesion = 0.4;
  // Two appeals that each name compounds, none in common, are linked only from this
  // similarity on. Default: 0 (off): at 0.6 it split real hotspots on teddy2020_hot.csv,
  // whose posts name one compound in several ways (绿地海外滩小区 / 海外滩二期).
  double distinct_place_similarity = 0.0;
  // Appeals further apart than this are not linked directly. Default: 60 days.
  std::int64_t link_window_seconds = 60 * 86400;
  // Smallest cluster reported. Default: 2.
  int min_count = 2;
  // Growth compares the last `growth_window_seconds` before `range_end` with the window before
  // it. range_end 0 = one second after the newest appeal. Default window: 7 days.
  std::int64_t range_end = 0;
  std::int64_t growth_window_seconds = 7 * 86400;
  // How many hotspots to return (highest heat first), and keywords / member ids kept for each.
  // Defaults: 100, 5.
  size_t max_hotspots = 100;
  int keywords = 5;
};

struct Hotspot {
  std::vector<size_t> members;  // indices into the input, oldest first
  size_t representative = 0;    // index of the member closest to the cluster's centroid
  std::string title;            // the representative's title
  std::string place_name;       // most named specific place among members ("" if none)
  std::string place_key;        // most common non-empty place key ("" if none)
  std::int64_t first_at = 0, last_at = 0;
  int count = 0;
  int distinct_callers = 0;
  std::int64_t support = 0;
  int recent = 0, previous = 0;  // appeals in the last growth window / the one before
  double growth = 0;             // (recent - previous) / max(previous, 1)
  double heat = 0;
  std::vector<std::string> keywords;
};

// Heat index (docs/hotspots.md):
//   10 * (log2(1 + distinct_callers) + 0.5 * log2(1 + count - distinct_callers)
//         + 0.25 * log2(1 + support)) * (1 + 0.25 * clamp(growth, -1, 4))
double HeatIndex(int count, int distinct_callers, std::int64_t support, double growth);

// Clusters the appeals and returns up to max_hotspots hotspots, highest heat first (ties: more
// appeals, then the newest last_at, then the smallest first member index).
std::vector<Hotspot> FindHotspots(const std::vector<HotspotAppeal>& appeals,
                                  const HotspotOptions& options = {});

// Names of specific places in normalised text, in text order without repeats: a run of 2-6 Han
// characters ending in a place suffix (小区 花园 家园 公寓 大厦 广场 新城 社区 大道 大街 市场
// 学院 大学 中学 小学 幼儿园 医院 村 镇 路 街 苑 园 府 城), cut after the last administrative
// unit (省 市 区 县) or lead-in word (关于 反映 位于 ...) and rejected when generic (马路 道路
// 公园 ...). "A市A5区魅力之城小区临街" -> {"魅力之城小区"}. Heuristic; see docs/hotspots.md.
std::vector<std::string> ExtractPlaceNames(std::string_view normalized);

// The first anonymised or real district-level name: "A5区", "A7县", "历城区" (2-4 Han
// characters before 区/县), or "" when there is none.
std::string ExtractDistrict(std::string_view normalized);

}  // namespace hotline::text
