// Linear component: sublinear TF-IDF (tf = 1 + ln count, smoothed idf, L2-normalised rows) and
// one weight vector per label from liblinear (L2-loss linear SVM, dual; or L2 logistic
// regression). Prediction does not call liblinear: weights are copied into a dense
// token-major table so scoring is one hash lookup and num_labels multiply-adds per token.
#include <linear.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <unordered_map>

#include "classify/models.h"

namespace hotline::classify::internal {
namespace {

constexpr char kMagic[8] = {'H', 'L', 'L', 'I', 'N', 'v', '1', '\n'};
enum LossKind : int32_t { kSvm = 0, kLogistic = 1 };

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using Vocab = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

// Sparse TF-IDF row (feature index, value), sorted by index, L2-normalised.
// Token -> feature id by 64-bit hash in one flat open-addressing table: one cache miss per
// token instead of a node-based map's three (the vocabulary is ~10 MB, far beyond cache).
// Two distinct tokens with equal 64-bit hashes would share a feature (probability ~1e-9).
class FlatIndex {
 public:
  explicit FlatIndex(const std::vector<std::string>& tokens) {
    size_t cap = 16;
    while (cap < tokens.size() * 2) cap <<= 1;
    mask_ = cap - 1;
    slots_.assign(cap, Slot{0, -1});
    for (size_t i = 0; i < tokens.size(); ++i) {
      const uint64_t k = Key(tokens[i]);
      size_t slot = k & mask_;
      while (slots_[slot].key != 0 && slots_[slot].key != k) slot = (slot + 1) & mask_;
      if (slots_[slot].key == 0) slots_[slot] = Slot{k, static_cast<int32_t>(i)};
    }
  }
  int32_t Find(std::string_view token) const {
    const uint64_t k = Key(token);
    for (size_t slot = k & mask_;; slot = (slot + 1) & mask_) {
      if (slots_[slot].key == k) return slots_[slot].id;
      if (slots_[slot].key == 0) return -1;
    }
  }

 private:
  static uint64_t Key(std::string_view s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return h ? h : 1;
  }
  struct Slot {
    uint64_t key;
    int32_t id;
  };
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

template <typename Lookup>
std::vector<std::pair<int32_t, double>> TfIdf(const std::vector<std::string>& tokens,
                                              const Lookup& lookup, const std::vector<float>& idf) {
  // Feature ids, sorted, then run-length counted: no per-call hash map.
  std::vector<int32_t> ids;
  ids.reserve(tokens.size());
  for (const auto& t : tokens) {
    const int32_t id = lookup(t);
    if (id >= 0) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  std::vector<std::pair<int32_t, double>> row;
  row.reserve(ids.size());
  double norm = 0;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j < ids.size() && ids[j] == ids[i]) ++j;
    const double v = (1.0 + std::log(static_cast<double>(j - i))) * idf[ids[i]];
    row.emplace_back(ids[i], v);
    norm += v * v;
    i = j;
  }
  if (norm > 0) {
    norm = std::sqrt(norm);
    for (auto& e : row) e.second /= norm;
  }
  return row;
}

class LinearScorer : public Scorer {
 public:
  LinearScorer(const std::vector<std::string>& vocab, std::vector<float> idf,
               std::vector<float> weights, int num_labels, int32_t loss)
      : index_(vocab),
        idf_(std::move(idf)),
        w_(std::move(weights)),
        num_labels_(num_labels),
        loss_(loss) {}

  std::vector<double> Score(const std::vector<std::string>& tokens) const override {
    const auto row =
        TfIdf(tokens, [this](const std::string& t) { return index_.Find(t); }, idf_);
    const size_t nf = idf_.size();
    std::vector<double> dec(num_labels_);
    for (int c = 0; c < num_labels_; ++c) dec[c] = w_[nf * num_labels_ + c];  // bias row
    for (auto [f, v] : row) {
      const float* w = &w_[static_cast<size_t>(f) * num_labels_];
      for (int c = 0; c < num_labels_; ++c) dec[c] += w[c] * v;
    }
    std::vector<double> p(num_labels_);
    double sum = 0;
    if (loss_ == kLogistic) {  // one-vs-rest sigmoids, normalised (as liblinear does)
      for (int c = 0; c < num_labels_; ++c) sum += p[c] = 1.0 / (1.0 + std::exp(-dec[c]));
    } else {  // SVM margins have no probability; a softmax keeps the ranking and sums to 1
      const double mx = *std::max_element(dec.begin(), dec.end());
      for (int c = 0; c < num_labels_; ++c) sum += p[c] = std::exp(kSvmScale * (dec[c] - mx));
    }
    for (auto& x : p) x /= sum;
    return p;
  }

  // Margins of about +-1 separate classes; this makes a margin gap of 1 a ~20:1 odds ratio.
  static constexpr double kSvmScale = 3.0;

 private:
  FlatIndex index_;
  std::vector<float> idf_;  // per feature (0-based)
  std::vector<float> w_;    // (features + 1 bias row) x num_labels, token-major
  int num_labels_;
  int32_t loss_;
};

}  // namespace

Status TrainLinear(const std::vector<std::vector<std::string>>& tokens,
                   const std::vector<int>& label_index, int num_labels,
                   const TrainOptions& options, const ProgressFn& progress, std::string* out) {
  if (options.linear_loss != "svm" && options.linear_loss != "lr")
    return Invalid("linear_loss", "linear_loss must be svm or lr, got " + options.linear_loss);
  if (!(options.linear_c > 0)) return Invalid("linear_c", "linear_c must be > 0");
  const int32_t loss = options.linear_loss == "lr" ? kLogistic : kSvm;
  if (progress) progress(0.0, "linear");

  // Document frequencies; features numbered in token byte order so the file is deterministic.
  std::map<std::string_view, int32_t> df;
  for (const auto& doc : tokens) {
    std::vector<std::string_view> uniq(doc.begin(), doc.end());
    std::sort(uniq.begin(), uniq.end());
    uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
    for (auto t : uniq) ++df[t];
  }
  Vocab vocab;
  std::vector<float> idf;
  const double n = static_cast<double>(tokens.size());
  for (auto [t, d] : df) {
    if (d < options.linear_min_df) continue;
    vocab.emplace(std::string(t), static_cast<int32_t>(idf.size()));
    idf.push_back(static_cast<float>(std::log((1.0 + n) / (1.0 + d)) + 1.0));
  }
  const int32_t nf = static_cast<int32_t>(idf.size());

  // liblinear problem: 1-based feature indices, a bias feature (index nf + 1), -1 terminator.
  std::vector<std::vector<feature_node>> rows(tokens.size());
  std::vector<feature_node*> x(tokens.size());
  std::vector<double> y(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    auto lookup = [&](const std::string& t) {
      auto it = vocab.find(std::string_view(t));
      return it == vocab.end() ? -1 : it->second;
    };
    for (auto [f, v] : TfIdf(tokens[i], lookup, idf)) rows[i].push_back({f + 1, v});
    rows[i].push_back({nf + 1, 1.0});
    rows[i].push_back({-1, 0.0});
    x[i] = rows[i].data();
    y[i] = label_index[i];
  }
  problem prob{};
  prob.l = static_cast<int>(tokens.size());
  prob.n = nf + 1;
  prob.y = y.data();
  prob.x = x.data();
  prob.bias = 1.0;
  parameter param{};
  param.solver_type = loss == kLogistic ? L2R_LR : L2R_L2LOSS_SVC_DUAL;
  param.eps = loss == kLogistic ? 0.01 : 0.01;
  param.C = options.linear_c;
  param.nr_weight = 0;
  param.weight_label = nullptr;
  param.weight = nullptr;
  param.p = 0.1;
  param.init_sol = nullptr;
  if (const char* err = check_parameter(&prob, &param))
    return Status(Code::kInternal, std::string("liblinear: ") + err);
  set_print_string_function(&NoPrint);
  model* m = train(&prob, &param);
  if (m == nullptr) return Status(Code::kInternal, "liblinear training failed");

  // Copy into token-major [feature][label] (bias last), in our label order.
  const int nc = m->nr_class;
  const int cols = nc == 2 ? 1 : nc;
  std::vector<float> w(static_cast<size_t>(nf + 1) * num_labels, 0.0f);
  for (int32_t f = 0; f <= nf; ++f) {
    for (int j = 0; j < nc; ++j) {
      double v;
      if (nc == 2) {
        v = m->w[static_cast<size_t>(f) * cols];
        if (j == 1) v = -v;
      } else {
        v = m->w[static_cast<size_t>(f) * cols + j];
      }
      w[static_cast<size_t>(f) * num_labels + m->label[j]] = static_cast<float>(v);
    }
  }
  free_and_destroy_model(&m);

  out->clear();
  out->append(kMagic, sizeof kMagic);
  Put<int32_t>(out, loss);
  Put<int32_t>(out, num_labels);
  Put<int32_t>(out, nf);
  std::vector<std::pair<std::string_view, int32_t>> by_index(nf);
  for (const auto& [t, f] : vocab) by_index[f] = {t, f};
  for (int32_t f = 0; f < nf; ++f) {
    Put<uint32_t>(out, static_cast<uint32_t>(by_index[f].first.size()));
    out->append(by_index[f].first);
    Put<float>(out, idf[f]);
  }
  out->append(reinterpret_cast<const char*>(w.data()), w.size() * sizeof(float));
  if (progress) progress(1.0, "linear");
  return Status::Ok();
}

Result<std::unique_ptr<Scorer>> ReadLinear(std::istream& in, int num_labels) {
  char magic[sizeof kMagic];
  int32_t loss = 0, nl = 0, nf = 0;
  if (!in.read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0 ||
      !Get(in, &loss) || !Get(in, &nl) || !Get(in, &nf) || (loss != kSvm && loss != kLogistic) ||
      nl != num_labels || nf < 0 || nf > (1 << 28))
    return Invalid("model", "damaged model file: bad linear payload header");
  std::vector<std::string> vocab(nf);
  std::vector<float> idf(nf);
  std::string tok;
  for (int32_t f = 0; f < nf; ++f) {
    uint32_t len = 0;
    if (!Get(in, &len) || len > (1u << 20))
      return Invalid("model", "damaged model file: truncated vocabulary");
    tok.resize(len);
    if (!in.read(tok.data(), len) || !Get(in, &idf[f]))
      return Invalid("model", "damaged model file: truncated vocabulary");
    vocab[f] = tok;
  }
  std::vector<float> w(static_cast<size_t>(nf + 1) * num_labels);
  if (!in.read(reinterpret_cast<char*>(w.data()), w.size() * sizeof(float)))
    return Invalid("model", "damaged model file: truncated weights");
  return std::unique_ptr<Scorer>(std::make_unique<LinearScorer>(
      vocab, std::move(idf), std::move(w), num_labels, loss));
}

}  // namespace hotline::classify::internal
