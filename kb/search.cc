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

struct Posting {
  uint32_t doc;
  uint32_t tf;
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
      postings[f][ids[i]].push_back({static_cast<uint32_t>(doc), static_cast<uint32_t>(j - i)});
      distinct.push_back(ids[i]);
      i = j;
    }
    doc_terms[f][doc] = std::move(distinct);
    doc_len[f][doc] = static_cast<uint32_t>(ids.size());
    total_len[f] += ids.size();
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

  thread_local std::vector<float> scores, qscores, qcover;
  thread_local std::vector<uint32_t> touched;
  if (scores.size() < n_docs) {
    scores.assign(n_docs, 0.f);
    qscores.assign(n_docs, 0.f);
    qcover.assign(n_docs, 0.f);
  }
  touched.clear();

  const double field_w[kFieldCount] = {m.params.title_weight, 1.0, m.params.source_weight,
                                       m.params.question_weight};
  const double k1 = m.params.k1, b = m.params.b;
  const double N = static_cast<double>(n_docs);
  double query_mass = 0;  // idf x learned weight of the query's terms, for question coverage
  for (int f = 0; f < kFieldCount; ++f) {
    if (field_w[f] <= 0 || m.total_len[f] <= 0) continue;
    const bool questions = f == kQuestions;
    const double avg = m.total_len[f] / N;
    for (uint32_t t : terms) {
      const auto& list = m.postings[f][t];
      if (list.empty()) continue;
      const double df = static_cast<double>(list.size());
      const double idf = std::log(1 + (N - df + 0.5) / (df + 0.5));
      double w = m.TermWeight(t);
      if (m.term_kind[t] == Kind::kUnigram) {
        if (m.params.unigram_weight <= 0) continue;
        if (f == kBody && df > m.params.max_unigram_df_share * N) continue;
        w *= m.params.unigram_weight;
      }
      w *= idf;
      const auto& lens = m.doc_len[f];
      if (questions) {
        for (const Posting& p : list) {
          const double tf = p.tf;
          if (qscores[p.doc] == 0.f && scores[p.doc] == 0.f) touched.push_back(p.doc);
          qscores[p.doc] += static_cast<float>(field_w[f] * w * tf * (k1 + 1) /
                                               (tf + k1 * (1 - b + b * lens[p.doc] / avg)));
          qcover[p.doc] += static_cast<float>(w);
        }
        continue;
      }
      w *= field_w[f];
      for (const Posting& p : list) {
        const double tf = p.tf;
        const float add =
            static_cast<float>(w * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lens[p.doc] / avg)));
        if (scores[p.doc] == 0.f && qscores[p.doc] == 0.f) touched.push_back(p.doc);
        scores[p.doc] += add;
      }
    }
  }
  if (field_w[kQuestions] > 0) {
    // The query's own mass, as if every term were in a question.
    for (uint32_t t : terms) {
      if (m.term_kind[t] == Kind::kUnigram && m.params.unigram_weight <= 0) continue;
      const double df = std::max<double>(1, m.postings[kQuestions][t].size());
      double w = m.TermWeight(t) * std::log(1 + (N - df + 0.5) / (df + 0.5));
      if (m.term_kind[t] == Kind::kUnigram) w *= m.params.unigram_weight;
      query_mass += w;
    }
  }
  for (uint32_t d : touched) {
    if (qscores[d] != 0.f) {
      if (query_mass > 0 && qcover[d] >= m.params.question_min_coverage * query_mass)
        scores[d] += qscores[d];
      qscores[d] = 0.f;
      qcover[d] = 0.f;
    }
  }

  std::vector<std::pair<float, uint32_t>> cand;
  cand.reserve(touched.size());
  for (uint32_t d : touched) {
    const float s = scores[d];
    scores[d] = 0.f;
    const Doc& doc = m.docs[d];
    if (doc.hidden || s <= 0.f) continue;
    if (!options.unit.empty() && doc.unit != options.unit) continue;
    if (!options.subject.empty() &&
        std::find(doc.subjects.begin(), doc.subjects.end(), options.subject) == doc.subjects.end())
      continue;
    cand.emplace_back(s, d);
  }
  const size_t k = std::min(options.limit, cand.size());
  auto better = [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  };
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
