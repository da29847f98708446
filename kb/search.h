// Knowledge-base search: the published entries an agent may read out, found from a caller's words.
//
// Method (docs/kb.md has the figures): text is folded by text::Normalizer (NFKC: full-width
// forms; OpenCC t2s: traditional script) and lower-cased, then indexed as Han character bigrams
// plus Han unigrams (weighted `unigram_weight`) plus ASCII letter/digit runs. Each field (title,
// body, source, similar questions) is scored with BM25 and the fields are summed with their
// weights (a BM25F-like mixture). A character n-gram index is typo tolerant by construction: a
// wrong, missing or extra character breaks at most two bigrams of a question, the others and the
// unigrams still match. Learning from use (Learn): an answered question becomes a similar question
// (相似问法) of its entry, and it teaches query-term weights: for each query term, how often a
// question holding it was answered by an entry holding it. Words that callers use but answers do
// not ("怎么办", "该如何应对") lose weight, which helps entries that were never asked about too.
//
// Thread-safety: Add and Learn mutate and need exclusive access; Search is const and may run
// concurrently with other Search calls (callers hold a shared lock around it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hotline::text {
class Normalizer;
}

namespace hotline::kb {

struct RetrievalParams {
  // BM25 saturation and length normalisation. Defaults: 1.2, 0.75.
  double k1 = 1.2;
  double b = 0.75;
  // Weight of Han unigram matches relative to bigram matches. Default: 0.5 (0 = bigrams only).
  double unigram_weight = 0.5;
  // Field weights relative to the body. Defaults: title 1.0, source 0.3, similar questions 0.5.
  double title_weight = 1.0;
  double source_weight = 0.3;
  double question_weight = 0.5;
  // A similar question counts only when it covers at least this share of the query (idf-weighted
  // terms): learned questions then find rewordings of themselves without pulling unrelated
  // questions towards well-asked entries. Default: 0.9.
  double question_min_coverage = 0.9;
  // Query-term weights learned from answered questions (Learn). Default: true.
  bool learned_term_weights = true;
  // Prior strength (in questions) of the learned term weights. Default: 3.
  double term_weight_prior = 3.0;
  // Terms held by at most max(selective_min_df, selective_df_share x entries) entries make the
  // candidates (whole posting lists); the others only rescore the best `rerank_candidates` of
  // them. selective_df_share = 1 scores every term fully. Defaults: 50, 0.005, 300.
  double selective_min_df = 50;
  double selective_df_share = 0.005;
  size_t rerank_candidates = 300;
  // Unigrams held by more than this share of entries are not looked up (they add cost, not
  // ranking). Default: 0.25.
  double max_unigram_df_share = 0.25;
};

// One entry as the index sees it. `id` is the caller's key (entry id), returned in hits.
struct SearchDoc {
  std::string id;
  std::string title;
  std::string body;
  std::string source;
  std::string unit;
  std::vector<std::string> subjects;
  std::vector<std::string> questions;  // similar questions (相似问法)
};

struct SearchOptions {
  // Number of hits. Default: 10.
  size_t limit = 10;
  // Only entries with this subject / owning unit ("" = any). Default: any.
  std::string subject;
  std::string unit;
  // Build a snippet for each hit. Default: true.
  bool snippets = true;
  // Snippet length in characters. Default: 80.
  size_t snippet_chars = 80;
};

struct Hit {
  size_t doc = 0;  // index returned by Add
  std::string id;
  double score = 0;
  // A window of the (normalised) body around the densest match, and the byte ranges
  // [first, second) inside `snippet` that matched the query.
  std::string snippet;
  std::vector<std::pair<size_t, size_t>> marks;
};

// `snippet` with each mark wrapped in <mark>...</mark>, the rest HTML-escaped.
std::string MarkedSnippetHtml(const Hit& hit);

class SearchIndex {
 public:
  // REQUIRES: `normalizer` outlives the index.
  explicit SearchIndex(const text::Normalizer& normalizer, RetrievalParams params = {});
  ~SearchIndex();
  SearchIndex(const SearchIndex&) = delete;
  SearchIndex& operator=(const SearchIndex&) = delete;

  // Adds an entry; returns its index (0, 1, ...).
  size_t Add(const SearchDoc& doc);
  // Replaces the searchable text of entry `doc` (a new version). REQUIRES: doc < size().
  void Replace(size_t doc, const SearchDoc& updated);
  // Removes entry `doc` from results (withdrawn, expired); Replace brings it back.
  void Hide(size_t doc);

  // An answered call: `question` becomes a similar question of `doc` and teaches term weights.
  // REQUIRES: doc < size().
  void Learn(size_t doc, std::string_view question);

  std::vector<Hit> Search(std::string_view query, const SearchOptions& options = {}) const;

  size_t size() const;
  const RetrievalParams& params() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hotline::kb
