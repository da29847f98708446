#include "kb/search.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "text/normalize.h"
#include "text/utf8.h"

namespace hotline::kb {
namespace {

enum Field { kTitle = 0, kBody, kSource, kQuestions, kFieldCount };

bool IsHan(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2A6DF);
}
bool IsAsciiAlnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

enum class Kind : uint8_t { kGram = 0, kUnigram = 1 };

struct Token {
  std::string text;
  Kind kind;
  size_t pos;  // first code point
  size_t len;  // code points
};

// Han bigrams and unigrams per Han run, ASCII alnum runs lower-cased. `cps` is normalised text.
std::vector<Token> Tokens(const std::vector<char32_t>& cps) {
  std::vector<Token> out;
  size_t i = 0;
  const size_t n = cps.size();
  while (i < n) {
    if (IsHan(cps[i])) {
      size_t j = i;
      while (j < n && IsHan(cps[j])) ++j;
      for (size_t k = i; k < j; ++k) {
        std::string u;
        text::AppendUtf8(u, cps[k]);
        out.push_back({u, Kind::kUnigram, k, 1});
        if (k + 1 < j) {
          std::string b = u;
          text::AppendUtf8(b, cps[k + 1]);
          out.push_back({std::move(b), Kind::kGram, k, 2});
        }
      }
      i = j;
    } else if (IsAsciiAlnum(cps[i])) {
      size_t j = i;
      std::string w;
      while (j < n && IsAsciiAlnum(cps[j])) {
        char c = static_cast<char>(cps[j]);
        w.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
        ++j;
      }
      out.push_back({std::move(w), Kind::kGram, i, j - i});
      i = j;
    } else {
      ++i;
    }
  }
  return out;
}

// Postings are sorted by doc (binary search in the pruned phase of Search). `part` is the BM25
// term-frequency part tf(k1+1)/(tf+k1(1-b+b len/avg)) with the field's average length when it
// was computed (Impl::norm_avg, refreshed when the average drifts).
struct Posting {
  uint32_t doc;
  uint32_t tf;
  float part;
};

struct Doc {
  std::string id;
  std::string unit;
  std::vector<std::string> subjects;
  std::vector<char32_t> body_cps;  // normalised body, for snippets
  std::vector<std::string> questions;
  bool hidden = false;
};

std::string EscapeHtml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string MarkedSnippetHtml(const Hit& hit) {
  std::string out;
  size_t at = 0;
  for (const auto& [from, to] : hit.marks) {
    out += EscapeHtml(std::string_view(hit.snippet).substr(at, from - at));
    out += "<mark>";
    out += EscapeHtml(std::string_view(hit.snippet).substr(from, to - from));
    out += "</mark>";
    at = to;
  }
  out += EscapeHtml(std::string_view(hit.snippet).substr(at));
  return out;
}

struct SearchIndex::Impl {
  const text::Normalizer& norm;
  RetrievalParams params;

  std::unordered_map<std::string, uint32_t> term_ids;
  std::vector<Kind> term_kind;
  // postings[field][term]
  std::vector<std::vector<Posting>> postings[kFieldCount];
  // doc_terms[field][doc]: the distinct terms of that field, sorted (for removal and learning).
  std::vector<std::vector<uint32_t>> doc_terms[kFieldCount];
  std::vector<uint32_t> doc_len[kFieldCount];
  double total_len[kFieldCount] = {0, 0, 0, 0};
  double norm_avg[kFieldCount] = {0, 0, 0, 0};  // average length the parts were computed with
  std::vector<float> max_part[kFieldCount];     // per term: an upper bound of its parts
  std::vector<Doc> docs;

  // Learned query-term weights: questions holding the term, and how many of those were answered
  // by an entry (title or body) holding it.
  std::vector<float> learn_n, learn_hit;
  double learn_total_n = 0, learn_total_hit = 0;

  Impl(const text::Normalizer& n, RetrievalParams p) : norm(n), params(p) {}

  std::vector<char32_t> Fold(std::string_view raw) const {
    return text::DecodeUtf8(norm.Normalize(raw));
  }

  uint32_t Intern(const std::string& t, Kind kind) {
    auto [it, inserted] = term_ids.try_emplace(t, static_cast<uint32_t>(term_kind.size()));
    if (inserted) {
      term_kind.push_back(kind);
      for (auto& p : postings) p.emplace_back();
      for (auto& mp : max_part) mp.push_back(0.f);
      learn_n.push_back(0);
      learn_hit.push_back(0);
    }
    return it->second;
  }

  void IndexField(size_t doc, Field f, const std::vector<char32_t>& cps) {
    std::vector<uint32_t> ids;
    for (const auto& t : Tokens(cps)) ids.push_back(Intern(t.text, t.kind));
    std::sort(ids.begin(), ids.end());
    std::vector<uint32_t> distinct;
    for (size_t i = 0; i < ids.size();) {
      size_t j = i;
      while (j < ids.size() && ids[j] == ids[i]) ++j;
      Insert(f, ids[i], static_cast<uint32_t>(doc), static_cast<uint32_t>(j - i),
             static_cast<uint32_t>(ids.size()));
      distinct.push_back(ids[i]);
      i = j;
    }
    doc_terms[f][doc] = std::move(distinct);
    doc_len[f][doc] = static_cast<uint32_t>(ids.size());
    total_len[f] += ids.size();
    MaybeRenormalise(f);
  }

  float Part(Field f, uint32_t tf, uint32_t len) const {
    const double k1 = params.k1, b = params.b;
    const double avg = norm_avg[f] > 0 ? norm_avg[f] : 1.0;
    return static_cast<float>(tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg)));
  }

  void Insert(Field f, uint32_t term, uint32_t doc, uint32_t tf, uint32_t len) {
    if (norm_avg[f] <= 0) norm_avg[f] = std::max<double>(1, len);
    auto& list = postings[f][term];
    const Posting p{doc, tf, Part(f, tf, len)};
    if (list.empty() || list.back().doc < doc) {
      list.push_back(p);
    } else {
      auto it = std::lower_bound(list.begin(), list.end(), doc,
                                 [](const Posting& x, uint32_t d) { return x.doc < d; });
      list.insert(it, p);
    }
    max_part[f][term] = std::max(max_part[f][term], p.part);
  }

  // BM25's length normalisation uses the field's average length; recompute the stored parts when
  // it has drifted by more than 10 % from the one they were computed with.
  void MaybeRenormalise(Field f) {
    const double avg = docs.empty() ? 0 : total_len[f] / docs.size();
    if (avg <= 0 || std::abs(avg - norm_avg[f]) <= 0.1 * norm_avg[f]) return;
    norm_avg[f] = avg;
    for (size_t t = 0; t < postings[f].size(); ++t) {
      float mx = 0.f;
      for (auto& p : postings[f][t]) {
        p.part = Part(f, p.tf, doc_len[f][p.doc]);
        mx = std::max(mx, p.part);
      }
      max_part[f][t] = mx;
    }
  }

  void UnindexField(size_t doc, Field f) {
    for (uint32_t t : doc_terms[f][doc]) {
      auto& list = postings[f][t];
      auto it =
          std::find_if(list.begin(), list.end(), [&](const Posting& p) { return p.doc == doc; });
      if (it != list.end()) list.erase(it);
    }
    doc_terms[f][doc].clear();
    total_len[f] -= doc_len[f][doc];
    doc_len[f][doc] = 0;
  }

  std::vector<char32_t> JoinedQuestions(const Doc& d) const {
    std::vector<char32_t> cps;
    for (const auto& q : d.questions) {
      auto c = Fold(q);
      cps.insert(cps.end(), c.begin(), c.end());
      cps.push_back(U'\n');  // no bigram across questions
    }
    return cps;
  }

  void IndexAll(size_t doc, const SearchDoc& in) {
    Doc& d = docs[doc];
    d.id = in.id;
    d.unit = in.unit;
    d.subjects = in.subjects;
    d.questions = in.questions;
    d.hidden = false;
    d.body_cps = Fold(in.body);
    IndexField(doc, kTitle, Fold(in.title));
    IndexField(doc, kBody, d.body_cps);
    IndexField(doc, kSource, Fold(in.source));
    IndexField(doc, kQuestions, JoinedQuestions(d));
  }

  double TermWeight(uint32_t t) const {
    if (!params.learned_term_weights || learn_total_n == 0) return 1.0;
    const double m = learn_total_hit / learn_total_n;
    if (m <= 0) return 1.0;
    const double a = params.term_weight_prior;
    return (learn_hit[t] + a * m) / (learn_n[t] + a) / m;
  }

  bool DocHas(Field f, size_t doc, uint32_t t) const {
    const auto& v = doc_terms[f][doc];
    return std::binary_search(v.begin(), v.end(), t);
  }
};

SearchIndex::SearchIndex(const text::Normalizer& normalizer, RetrievalParams params)
    : impl_(std::make_unique<Impl>(normalizer, params)) {}
SearchIndex::~SearchIndex() = default;

size_t SearchIndex::size() const { return impl_->docs.size(); }
const RetrievalParams& SearchIndex::params() const { return impl_->params; }

size_t SearchIndex::Add(const SearchDoc& doc) {
  Impl& m = *impl_;
  const size_t i = m.docs.size();
  m.docs.emplace_back();
  for (int f = 0; f < kFieldCount; ++f) {
    m.doc_terms[f].emplace_back();
    m.doc_len[f].push_back(0);
  }
  m.IndexAll(i, doc);
  return i;
}

void SearchIndex::Replace(size_t doc, const SearchDoc& updated) {
  Impl& m = *impl_;
  for (int f = 0; f < kFieldCount; ++f) m.UnindexField(doc, static_cast<Field>(f));
  m.IndexAll(doc, updated);
}

void SearchIndex::Hide(size_t doc) { impl_->docs[doc].hidden = true; }

void SearchIndex::Learn(size_t doc, std::string_view question) {
  Impl& m = *impl_;
  const auto cps = m.Fold(question);
  // Term weights first, against the entry's own text (not its other questions).
  std::vector<uint32_t> seen;
  for (const auto& t : Tokens(cps)) {
    auto it = m.term_ids.find(t.text);
    const uint32_t id = it != m.term_ids.end() ? it->second : m.Intern(t.text, t.kind);
    if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
    seen.push_back(id);
    const bool hit = m.DocHas(kBody, doc, id) || m.DocHas(kTitle, doc, id);
    m.learn_n[id] += 1;
    m.learn_total_n += 1;
    if (hit) {
      m.learn_hit[id] += 1;
      m.learn_total_hit += 1;
    }
  }
  Doc& d = m.docs[doc];
  d.questions.emplace_back(question);
  m.UnindexField(doc, kQuestions);
  m.IndexField(doc, kQuestions, m.JoinedQuestions(d));
}

std::vector<Hit> SearchIndex::Search(std::string_view query, const SearchOptions& options) const {
  const Impl& m = *impl_;
  std::vector<Hit> hits;
  const size_t n_docs = m.docs.size();
  if (n_docs == 0 || options.limit == 0) return hits;
  const auto qcps = m.Fold(query);
  const auto qtokens = Tokens(qcps);

  // Distinct known query terms.
  std::vector<uint32_t> terms;
  for (const auto& t : qtokens) {
    auto it = m.term_ids.find(t.text);
    if (it == m.term_ids.end()) continue;
    if (std::find(terms.begin(), terms.end(), it->second) == terms.end())
      terms.push_back(it->second);
  }
  if (terms.empty()) return hits;

  auto eligible = [&](uint32_t d) {
    const Doc& doc = m.docs[d];
    if (doc.hidden) return false;
    if (!options.unit.empty() && doc.unit != options.unit) return false;
    if (!options.subject.empty() &&
        std::find(doc.subjects.begin(), doc.subjects.end(), options.subject) == doc.subjects.end())
      return false;
    return true;
  };

  thread_local std::vector<float> scores, qscores, qcover;
  thread_local std::vector<uint32_t> touched;
  if (scores.size() < n_docs) {
    scores.assign(n_docs, 0.f);
    qscores.assign(n_docs, 0.f);
    qcover.assign(n_docs, 0.f);
  }
  touched.clear();
  auto touch = [&](uint32_t d) {
    if (scores[d] == 0.f && qscores[d] == 0.f) touched.push_back(d);
  };

  const double field_w[kFieldCount] = {m.params.title_weight, 1.0, m.params.source_weight,
                                       m.params.question_weight};
  const double N = static_cast<double>(n_docs);
  // The weight of term t in field f: learned weight x idf x field weight (x unigram weight).
  auto term_w = [&](int f, uint32_t t, double df) {
    double w = m.TermWeight(t) * std::log(1 + (N - df + 0.5) / (df + 0.5));
    if (m.term_kind[t] == Kind::kUnigram) w *= m.params.unigram_weight;
    return w;
  };
  auto usable = [&](int f, uint32_t t) {
    if (m.postings[f][t].empty()) return false;
    if (m.term_kind[t] != Kind::kUnigram) return true;
    if (m.params.unigram_weight <= 0) return false;
    return !(f == kBody && m.postings[f][t].size() > m.params.max_unigram_df_share * N);
  };

  // 1. Similar questions (short lists, scored whole): a question counts when it covers at least
  //    question_min_coverage of the query's weight.
  if (field_w[kQuestions] > 0 && m.total_len[kQuestions] > 0) {
    double query_mass = 0;
    for (uint32_t t : terms) {
      if (m.term_kind[t] == Kind::kUnigram && m.params.unigram_weight <= 0) continue;
      query_mass += term_w(kQuestions, t, std::max<double>(1, m.postings[kQuestions][t].size()));
    }
    for (uint32_t t : terms) {
      if (!usable(kQuestions, t)) continue;
      const auto& list = m.postings[kQuestions][t];
      const double w = term_w(kQuestions, t, static_cast<double>(list.size()));
      for (const Posting& p : list) {
        touch(p.doc);
        qscores[p.doc] += static_cast<float>(field_w[kQuestions] * w * p.part);
        qcover[p.doc] += static_cast<float>(w);
      }
    }
    for (uint32_t d : touched) {
      if (qcover[d] >= m.params.question_min_coverage * query_mass) scores[d] += qscores[d];
      qscores[d] = 0.f;
      qcover[d] = 0.f;
    }
  }

  // 2. Title, body, source in two passes. Selective terms (held by at most selective_df_share of
  //    the entries) are scored over their whole posting lists; the best rerank_candidates
  //    entries then get the common terms added by binary search in the sorted postings. Common
  //    terms (也, 可以, 办理...) have the longest lists and the smallest weights: they reorder
  //    candidates but seldom make one.
  struct Item {
    int f;
    uint32_t t;
    float w;
  };
  std::vector<Item> selective, common;
  for (int f = 0; f < kFieldCount; ++f) {
    if (f == kQuestions || field_w[f] <= 0 || m.total_len[f] <= 0) continue;
    for (uint32_t t : terms) {
      if (!usable(f, t)) continue;
      const double df = static_cast<double>(m.postings[f][t].size());
      const Item it{f, t, static_cast<float>(field_w[f] * term_w(f, t, df))};
      const double limit = std::max(m.params.selective_min_df, m.params.selective_df_share * N);
      (df <= limit ? selective : common).push_back(it);
    }
  }
  if (selective.empty() && !common.empty()) {
    // Nothing selective: the rarest two terms make the candidates.
    std::sort(common.begin(), common.end(), [&](const Item& x, const Item& y) {
      return m.postings[x.f][x.t].size() < m.postings[y.f][y.t].size();
    });
    const size_t n = std::min<size_t>(2, common.size());
    selective.assign(common.begin(), common.begin() + n);
    common.erase(common.begin(), common.begin() + n);
  }
  for (const Item& it : selective)
    for (const Posting& p : m.postings[it.f][it.t]) {
      touch(p.doc);
      scores[p.doc] += it.w * p.part;
    }
  std::vector<std::pair<float, uint32_t>> cand;
  cand.reserve(touched.size());
  for (uint32_t d : touched) {
    if (scores[d] > 0.f && eligible(d)) cand.emplace_back(scores[d], d);
    scores[d] = 0.f;
  }
  auto better = [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  };
  const size_t m_cand = std::max(m.params.rerank_candidates, options.limit);
  if (cand.size() > m_cand) {
    std::nth_element(cand.begin(), cand.begin() + m_cand, cand.end(), better);
    cand.resize(m_cand);
  }
  for (const Item& it : common) {
    const auto& list = m.postings[it.f][it.t];
    for (auto& c : cand) {
      auto pos = std::lower_bound(list.begin(), list.end(), c.second,
                                  [](const Posting& x, uint32_t d) { return x.doc < d; });
      if (pos != list.end() && pos->doc == c.second) c.first += it.w * pos->part;
    }
  }

  const size_t k = std::min(options.limit, cand.size());
  std::partial_sort(cand.begin(), cand.begin() + k, cand.end(), better);

  // Query grams (for marking): bigrams and ASCII runs; Han unigrams only from one-character runs.
  std::vector<std::string> qgrams;
  for (size_t i = 0; i < qtokens.size(); ++i) {
    const auto& t = qtokens[i];
    if (t.kind == Kind::kGram) {
      qgrams.push_back(t.text);
    } else {
      const bool alone =
          (i + 1 >= qtokens.size() || qtokens[i + 1].kind != Kind::kGram ||
           qtokens[i + 1].pos != t.pos) &&
          (i == 0 || qtokens[i - 1].kind != Kind::kGram || qtokens[i - 1].pos + 1 != t.pos);
      if (alone) qgrams.push_back(t.text);
    }
  }
  std::sort(qgrams.begin(), qgrams.end());

  for (size_t r = 0; r < k; ++r) {
    Hit h;
    h.doc = cand[r].second;
    h.score = cand[r].first;
    const Doc& doc = m.docs[h.doc];
    h.id = doc.id;
    if (options.snippets) {
      const auto& cps = doc.body_cps;
      std::vector<char> marked(cps.size(), 0);
      for (const auto& t : Tokens(cps)) {
        if (std::binary_search(qgrams.begin(), qgrams.end(), t.text))
          for (size_t c = t.pos; c < t.pos + t.len; ++c) marked[c] = 1;
      }
      const size_t win = std::min(options.snippet_chars, cps.size());
      size_t best = 0, best_count = 0, count = 0;
      for (size_t c = 0; c < cps.size(); ++c) {
        count += marked[c];
        if (c >= win) count -= marked[c - win];
        if (c + 1 >= win && count > best_count) {
          best_count = count;
          best = c + 1 - win;
        }
      }
      if (best > 0) h.snippet = "…";
      bool in_mark = false;
      size_t mark_from = 0;
      for (size_t c = best; c < best + win; ++c) {
        if (marked[c] && !in_mark) {
          in_mark = true;
          mark_from = h.snippet.size();
        } else if (!marked[c] && in_mark) {
          in_mark = false;
          h.marks.emplace_back(mark_from, h.snippet.size());
        }
        text::AppendUtf8(h.snippet, cps[c]);
      }
      if (in_mark) h.marks.emplace_back(mark_from, h.snippet.size());
      if (best + win < cps.size()) h.snippet += "…";
    }
    hits.push_back(std::move(h));
  }
  return hits;
}

}  // namespace hotline::kb
