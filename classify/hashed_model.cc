// Hashed linear model: the token scheme of classify/features.h hashed straight from the text's
// code points into 2^bits buckets (no token strings, no vocabulary), sublinear TF-IDF rows
// (tf = 1 + ln n, idf = ln((1+N)/(1+df)) + 1, buckets seen in fewer than min_df training texts
// dropped, rows L2-normalised), optionally scaled per label by the naive-Bayes log-count ratio
// (NB-SVM, Wang & Manning 2012), and one-vs-rest liblinear (L2-loss SVM dual, or logistic
// regression). Prediction does not call liblinear: one flat float table [bucket][stride] holds
// each label's weight (times idf, times the NB ratio) and the bucket's idf in one 32-byte row,
// so every distinct feature of a text touches one cache line.
#include <linear.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "classify/features.h"
#include "classify/models.h"

namespace hotline::classify::internal {
namespace {

constexpr char kMagic[8] = {'H', 'L', 'H', 'S', 'H', 'v', '1', '\n'};
enum LossKind : int32_t { kSvm = 0, kLogistic = 1 };

// 1 + ln n for small counts.
struct TfTable {
  float v[256];
  TfTable() {
    v[0] = 0;
    for (int n = 1; n < 256; ++n) v[n] = static_cast<float>(1.0 + std::log(n));
  }
  float operator()(uint32_t n) const {
    return n < 256 ? v[n] : static_cast<float>(1.0 + std::log(static_cast<double>(n)));
  }
};
const TfTable kTf;

// Sorted (bucket, count) pairs of one text.
void Buckets(std::string_view text, const FeatureSet& set, int bits, std::vector<uint32_t>* ids) {
  ids->clear();
  const int shift = 64 - bits;
  ForEachFeature(text, set, [&](uint64_t key, int, const char32_t*, size_t) {
    ids->push_back(static_cast<uint32_t>(key >> shift));
  });
  std::sort(ids->begin(), ids->end());
}

class HashedScorer : public Scorer {
 public:
  HashedScorer(FeatureSet set, int bits, int num_labels, int32_t loss, std::vector<float> table,
               std::vector<float> bias)
      : set_(set),
        bits_(bits),
        nl_(num_labels),
        stride_(Stride(num_labels)),
        loss_(loss),
        table_(std::move(table)),
        bias_(std::move(bias)) {}

  static int Stride(int num_labels) { return (num_labels + 1 + 7) / 8 * 8; }

  std::vector<double> Score(const std::vector<std::string>& tokens) const override {
    Counter& counter = ThreadCounter();
    counter.Reset();
    const int shift = 64 - bits_;
    for (const auto& t : tokens) {
      bool keep = false;
      const uint64_t key = TokenKey(t, set_, &keep);
      if (keep) counter.Add(static_cast<uint32_t>(key >> shift));
    }
    return FromCounts(counter);
  }

  std::vector<double> ScoreText(std::string_view text) const override {
    Counter& counter = ThreadCounter();
    counter.Reset();
    const int shift = 64 - bits_;
    ForEachFeature(text, set_, [&](uint64_t key, int, const char32_t*, size_t) {
      counter.Add(static_cast<uint32_t>(key >> shift));
    });
    return FromCounts(counter);
  }

 private:
  // Counts bucket ids of one text without sorting: a small open-addressing table whose slots
  // are stamped with a generation (no clearing between texts), plus the distinct ids in
  // first-seen order (so string and text scoring sum in the same order, bit for bit).
  struct Counter {
    struct Slot {
      uint32_t id, count, gen;
    };
    std::vector<Slot> slots = std::vector<Slot>(1 << 12, Slot{0, 0, 0});
    std::vector<uint32_t> order;  // indices into slots, first-seen order
    uint32_t gen = 0;
    size_t mask = (1 << 12) - 1;
    void Reset() {
      order.clear();
      if (++gen == 0) {  // wrapped: clear the stamps once every 2^32 texts
        for (auto& s : slots) s.gen = 0;
        gen = 1;
      }
    }
    void Add(uint32_t id) {
      if (order.size() * 2 >= slots.size()) Grow();
      size_t i = (id * 0x9E3779B1u) & mask;
      while (true) {
        Slot& s = slots[i];
        if (s.gen != gen) {
          s = Slot{id, 1, gen};
          order.push_back(static_cast<uint32_t>(i));
          return;
        }
        if (s.id == id) {
          ++s.count;
          return;
        }
        i = (i + 1) & mask;
      }
    }
    void Grow() {
      std::vector<Slot> live;
      for (uint32_t i : order) live.push_back(slots[i]);
      slots.assign(slots.size() * 2, Slot{0, 0, 0});
      mask = slots.size() - 1;
      gen = 1;
      order.clear();
      for (const Slot& s : live) {
        size_t i = (s.id * 0x9E3779B1u) & mask;
        while (slots[i].gen == gen) i = (i + 1) & mask;
        slots[i] = s;
        slots[i].gen = gen;
        order.push_back(static_cast<uint32_t>(i));
      }
    }
  };
  static Counter& ThreadCounter() {
    thread_local Counter c;
    return c;
  }

  std::vector<double> FromCounts(const Counter& counter) const {
    float acc[kMaxStride] = {};
    double norm2 = 0;
    const float* table = table_.data();
    const auto& order = counter.order;
    const auto& slots = counter.slots;
    constexpr size_t kAhead = 8;
    for (size_t k = 0; k < order.size(); ++k) {
      if (k + kAhead < order.size())
        __builtin_prefetch(table + static_cast<size_t>(slots[order[k + kAhead]].id) * stride_);
      const auto& s = slots[order[k]];
      const float* row = table + static_cast<size_t>(s.id) * stride_;
      const float idf = row[nl_];
      if (idf > 0) {
        const float tf = kTf(s.count);
        norm2 += static_cast<double>(tf * idf) * (tf * idf);
        if (stride_ == 8) {
          for (int c = 0; c < 8; ++c) acc[c] += tf * row[c];  // lane nl_ (idf) is ignored
        } else {
          for (int c = 0; c < nl_; ++c) acc[c] += tf * row[c];
        }
      }
    }
    const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
    std::vector<double> p(nl_);
    double sum = 0;
    if (loss_ == kLogistic) {  // one-vs-rest sigmoids, normalised (as liblinear does)
      for (int c = 0; c < nl_; ++c)
        sum += p[c] = 1.0 / (1.0 + std::exp(-(bias_[c] + acc[c] * inv)));
    } else {  // SVM margins: softmax(3 x margin), as the vocabulary-based linear model
      double mx = -1e300;
      for (int c = 0; c < nl_; ++c) mx = std::max(mx, bias_[c] + acc[c] * inv);
      for (int c = 0; c < nl_; ++c)
        sum += p[c] = std::exp(kSvmScale * (bias_[c] + acc[c] * inv - mx));
    }
    for (auto& x : p) x /= sum;
    return p;
  }

 public:
  static constexpr int kMaxStride = 64;

 private:
  static constexpr double kSvmScale = 3.0;
  FeatureSet set_;
  int bits_;
  int nl_;
  int stride_;
  int32_t loss_;
  std::vector<float> table_;  // [bucket][stride]: weight x idf per label, then idf
  std::vector<float> bias_;
};

}  // namespace

Status TrainHashed(const std::vector<std::string>& texts, const std::vector<int>& label_index,
                   int num_labels, const TrainOptions& options, const ProgressFn& progress,
                   std::string* out) {
  if (options.linear_loss != "svm" && options.linear_loss != "lr")
    return Invalid("linear_loss", "linear_loss must be svm or lr, got " + options.linear_loss);
  if (!(options.linear_c > 0)) return Invalid("linear_c", "linear_c must be > 0");
  if (options.hash_bits < 10 || options.hash_bits > 24)
    return Invalid("hash_bits", "hash_bits must be in [10, 24]");
  if (options.hash_max_n < 1 || options.hash_max_n > kMaxN)
    return Invalid("hash_max_n", "hash_max_n must be 1 or 2");
  if (num_labels > 63) return Invalid("labels", "the hashed model supports at most 63 labels");
  const int32_t loss = options.linear_loss == "lr" ? kLogistic : kSvm;
  const FeatureSet set{options.hash_max_n, options.hash_subject};
  const int bits = options.hash_bits;
  const size_t nb = size_t{1} << bits;
  const size_t n = texts.size();
  if (progress) progress(0.0, "hashed");

  // Bucket counts per text; document frequencies.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> docs(n);
  std::vector<uint32_t> df(nb, 0);
  std::vector<uint32_t> ids;
  for (size_t i = 0; i < n; ++i) {
    Buckets(texts[i], set, bits, &ids);
    for (size_t a = 0; a < ids.size();) {
      size_t b = a + 1;
      while (b < ids.size() && ids[b] == ids[a]) ++b;
      docs[i].emplace_back(ids[a], static_cast<uint32_t>(b - a));
      ++df[ids[a]];
      a = b;
    }
  }
  std::vector<float> idf(nb, 0.0f);
  for (size_t f = 0; f < nb; ++f)
    if (df[f] >= static_cast<uint32_t>(std::max(1, options.linear_min_df)))
      idf[f] = static_cast<float>(std::log((1.0 + n) / (1.0 + df[f])) + 1.0);

  // TF-IDF rows (liblinear layout: 1-based indices, bias node nb+1, -1 terminator).
  std::vector<std::vector<feature_node>> rows(n);
  std::vector<std::vector<double>> base(n);
  std::vector<feature_node*> x(n);
  for (size_t i = 0; i < n; ++i) {
    double norm2 = 0;
    for (auto [f, c] : docs[i]) {
      if (idf[f] <= 0) continue;
      const double v = kTf(c) * idf[f];
      rows[i].push_back({static_cast<int>(f) + 1, v});
      norm2 += v * v;
    }
    const double inv = norm2 > 0 ? 1.0 / std::sqrt(norm2) : 0.0;
    for (auto& e : rows[i]) e.value *= inv;
    for (auto& e : rows[i]) base[i].push_back(e.value);
    rows[i].push_back({static_cast<int>(nb) + 1, 1.0});
    rows[i].push_back({-1, 0.0});
    x[i] = rows[i].data();
    docs[i].clear();
    docs[i].shrink_to_fit();
  }

  // Per-label document frequencies (for the naive-Bayes ratios).
  std::vector<int> per_label(num_labels, 0);
  for (int l : label_index) ++per_label[l];

  const int stride = HashedScorer::Stride(num_labels);
  std::vector<float> table(nb * stride, 0.0f);
  for (size_t f = 0; f < nb; ++f) table[f * stride + num_labels] = idf[f];
  std::vector<float> bias(num_labels, 0.0f);
  std::vector<double> y(n);
  std::vector<float> ratio(nb, 1.0f);
  set_print_string_function(&NoPrint);
  for (int c = 0; c < num_labels; ++c) {
    if (options.hash_nb) {
      // r_f = ln((p_f / |p|) / (q_f / |q|)), p = alpha + texts of label c holding f, q likewise
      // for the other labels (binarised counts, as Wang & Manning).
      std::vector<double> p(nb, 0.0), q(nb, 0.0);
      for (size_t i = 0; i < n; ++i) {
        auto& cnt = label_index[i] == c ? p : q;
        for (const feature_node* e = x[i]; e->index != -1; ++e)
          if (static_cast<size_t>(e->index) <= nb) cnt[e->index - 1] += 1;
      }
      double sp = 0, sq = 0;
      const double alpha = options.hash_nb_alpha;
      for (size_t f = 0; f < nb; ++f)
        if (idf[f] > 0) sp += p[f] + alpha, sq += q[f] + alpha;
      for (size_t f = 0; f < nb; ++f)
        ratio[f] = idf[f] > 0
                       ? static_cast<float>(std::log(((p[f] + alpha) / sp) / ((q[f] + alpha) / sq)))
                       : 0.0f;
      for (size_t i = 0; i < n; ++i)
        for (size_t k = 0; k < base[i].size(); ++k)
          rows[i][k].value = base[i][k] * ratio[rows[i][k].index - 1];
    }
    for (size_t i = 0; i < n; ++i) y[i] = label_index[i] == c ? 1.0 : -1.0;
    problem prob{};
    prob.l = static_cast<int>(n);
    prob.n = static_cast<int>(nb) + 1;
    prob.y = y.data();
    prob.x = x.data();
    prob.bias = 1.0;
    parameter param{};
    param.solver_type = loss == kLogistic ? L2R_LR : L2R_L2LOSS_SVC_DUAL;
    param.eps = 0.01;
    param.C = options.linear_c;
    int wl[2] = {1, -1};
    double wv[2] = {1.0, 1.0};
    if (options.hash_balanced && per_label[c] > 0) {
      wv[0] = static_cast<double>(n) / (static_cast<double>(num_labels) * per_label[c]);
      param.nr_weight = 2;
      param.weight_label = wl;
      param.weight = wv;
    }
    param.p = 0.1;
    if (const char* err = check_parameter(&prob, &param))
      return Status(Code::kInternal, std::string("liblinear: ") + err);
    if (per_label[c] == 0 || per_label[c] == static_cast<int>(n)) continue;  // never/always
    model* m = train(&prob, &param);
    if (m == nullptr) return Status(Code::kInternal, "liblinear training failed");
    const double sign = m->label[0] == 1 ? 1.0 : -1.0;
    for (size_t f = 0; f < nb; ++f) {
      if (idf[f] <= 0) continue;
      const double r = options.hash_nb ? ratio[f] : 1.0;
      table[f * stride + c] = static_cast<float>(sign * m->w[f] * r * idf[f]);
    }
    bias[c] = static_cast<float>(sign * m->w[nb]);
    free_and_destroy_model(&m);
    if (progress) progress((c + 1.0) / num_labels, "hashed");
  }

  out->clear();
  out->append(kMagic, sizeof kMagic);
  Put<int32_t>(out, loss);
  Put<int32_t>(out, num_labels);
  Put<int32_t>(out, bits);
  Put<int32_t>(out, set.max_n);
  Put<int32_t>(out, set.subject ? 1 : 0);
  uint32_t used = 0;
  for (size_t f = 0; f < nb; ++f) used += idf[f] > 0;
  Put<uint32_t>(out, used);
  for (size_t f = 0; f < nb; ++f) {
    if (idf[f] <= 0) continue;
    Put<uint32_t>(out, static_cast<uint32_t>(f));
    out->append(reinterpret_cast<const char*>(&table[f * stride]),
                (num_labels + 1) * sizeof(float));
  }
  out->append(reinterpret_cast<const char*>(bias.data()), bias.size() * sizeof(float));
  if (progress) progress(1.0, "hashed");
  return Status::Ok();
}

Result<std::unique_ptr<Scorer>> ReadHashed(std::istream& in, int num_labels) {
  char magic[sizeof kMagic];
  int32_t loss = 0, nl = 0, bits = 0, max_n = 0, subject = 0;
  uint32_t used = 0;
  if (!in.read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0 ||
      !Get(in, &loss) || !Get(in, &nl) || !Get(in, &bits) || !Get(in, &max_n) ||
      !Get(in, &subject) || !Get(in, &used) || (loss != kSvm && loss != kLogistic) ||
      nl != num_labels || nl > 63 || bits < 10 || bits > 24 || max_n < 1 || max_n > kMaxN ||
      (subject != 0 && subject != 1) || used > (1u << bits))
    return Invalid("model", "damaged model file: bad hashed payload header");
  const size_t nb = size_t{1} << bits;
  const int stride = HashedScorer::Stride(nl);
  std::vector<float> table(nb * stride, 0.0f);
  for (uint32_t k = 0; k < used; ++k) {
    uint32_t f = 0;
    if (!Get(in, &f) || f >= nb ||
        !in.read(reinterpret_cast<char*>(&table[static_cast<size_t>(f) * stride]),
                 (nl + 1) * sizeof(float)))
      return Invalid("model", "damaged model file: truncated hashed weights");
  }
  std::vector<float> bias(nl);
  if (!in.read(reinterpret_cast<char*>(bias.data()), bias.size() * sizeof(float)))
    return Invalid("model", "damaged model file: truncated hashed weights");
  return std::unique_ptr<Scorer>(std::make_unique<HashedScorer>(
      FeatureSet{max_n, subject == 1}, bits, nl, loss, std::move(table), std::move(bias)));
}

}  // namespace hotline::classify::internal
