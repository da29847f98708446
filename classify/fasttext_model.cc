// fastText component. The library's defaults are for skipgram with 12 threads
// (notes/dependencies.md §2), so every Args field is set here.
#include <fasttext/args.h>
#include <fasttext/fasttext.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "classify/models.h"

namespace hotline::classify::internal {
namespace {

constexpr int32_t kFastTextMagic = 793712314;  // fastText's FASTTEXT_FILEFORMAT_MAGIC_INT32
constexpr int32_t kFastTextVersion = 12;
constexpr char kLabelPrefix[] = "__label__";

// A file under TMPDIR removed when this goes out of scope.
class TempFile {
 public:
  TempFile() {
    const char* dir = std::getenv("TMPDIR");
    std::string pattern = std::string(dir && *dir ? dir : "/tmp") + "/hotline-ft-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    const int fd = mkstemp(buf.data());
    if (fd >= 0) {
      close(fd);
      path_ = buf.data();
    }
  }
  ~TempFile() {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class FastTextScorer : public Scorer {
 public:
  FastTextScorer(std::unique_ptr<fasttext::FastText> ft, std::vector<int> ft_to_ours,
                 int num_labels)
      : ft_(std::move(ft)), ft_to_ours_(std::move(ft_to_ours)), num_labels_(num_labels) {}

  std::vector<double> Score(const std::vector<std::string>& tokens) const override {
    std::string line;
    for (const auto& t : tokens) {
      line.append(t);
      line.push_back(' ');
    }
    line.push_back('\n');
    std::istringstream in(line);
    std::vector<int32_t> words, labels;
    ft_->getDictionary()->getLine(in, words, labels);
    std::vector<double> probs(num_labels_, 0.0);
    if (words.empty()) {
      for (auto& p : probs) p = 1.0 / num_labels_;
      return probs;
    }
    fasttext::Predictions predictions;
    ft_->predict(static_cast<int32_t>(ft_to_ours_.size()), words, predictions, 0.0);
    double sum = 0;
    for (const auto& [log_prob, id] : predictions) {
      const double p = std::exp(log_prob);
      probs[ft_to_ours_[id]] += p;
      sum += p;
    }
    if (sum > 0)
      for (auto& p : probs) p /= sum;
    return probs;
  }

 private:
  std::unique_ptr<fasttext::FastText> ft_;
  std::vector<int> ft_to_ours_;  // fastText label id -> index into the sorted labels
  int num_labels_;
};

}  // namespace

Status TrainFastText(const std::vector<std::vector<std::string>>& tokens,
                     const std::vector<int>& label_index, int num_labels,
                     const TrainOptions& options, const ProgressFn& progress, std::string* out) {
  TempFile input, model;
  if (input.path().empty() || model.path().empty())
    return Status(Code::kInternal, "cannot create a temporary file for fastText training");
  {
    std::ofstream f(input.path(), std::ios::binary);
    for (size_t i = 0; i < tokens.size(); ++i) {
      f << kLabelPrefix << label_index[i];
      for (const auto& t : tokens[i]) f << ' ' << t;
      f << '\n';
    }
    if (!f) return Status(Code::kInternal, "cannot write the fastText training file");
  }
  fasttext::Args a;
  a.input = input.path();
  a.output = "";
  a.model = fasttext::model_name::sup;
  a.loss = fasttext::loss_name::softmax;
  a.lr = options.ft_lr;
  a.lrUpdateRate = 100;
  a.dim = options.ft_dim;
  a.ws = 5;
  a.epoch = options.ft_epoch;
  a.minCount = options.ft_min_count;
  a.minCountLabel = 0;
  a.neg = 5;
  a.wordNgrams = options.ft_word_ngrams;
  a.bucket = options.ft_word_ngrams > 1 ? options.ft_bucket : 0;
  a.minn = 0;
  a.maxn = 0;
  a.thread = options.threads > 0 ? options.threads : 1;
  a.t = 1e-4;
  a.label = kLabelPrefix;
  a.verbose = 0;
  a.pretrainedVectors = "";
  a.saveOutput = false;
  a.seed = options.seed;
  a.qout = false;
  a.retrain = false;
  a.qnorm = false;
  a.cutoff = 0;
  a.dsub = 2;
  a.autotuneValidationFile = "";
  if (a.wordNgrams > 1 && a.bucket <= 0)
    return Invalid("ft_bucket", "fastText word n-grams > 1 need ft_bucket > 0");
  try {
    fasttext::FastText ft;
    ft.train(a, [&](float p, float, double, double, int64_t) {
      if (progress) progress(p, "fasttext");
    });
    ft.saveModel(model.path());
  } catch (const std::exception& e) {
    return Status(Code::kInternal, std::string("fastText training failed: ") + e.what());
  }
  std::ifstream f(model.path(), std::ios::binary);
  std::ostringstream bytes;
  bytes << f.rdbuf();
  if (!f) return Status(Code::kInternal, "cannot read back the fastText model");
  *out = std::move(bytes).str();
  (void)num_labels;
  return Status::Ok();
}

Result<std::unique_ptr<Scorer>> ReadFastText(std::istream& in, int num_labels) {
  int32_t magic = 0, version = 0;
  in.read(reinterpret_cast<char*>(&magic), sizeof magic);
  in.read(reinterpret_cast<char*>(&version), sizeof version);
  if (!in || magic != kFastTextMagic || version > kFastTextVersion)
    return Invalid("model", "damaged model file: bad fastText payload header");
  auto ft = std::make_unique<fasttext::FastText>();
  try {
    ft->loadModel(in);
  } catch (const std::exception& e) {
    return Invalid("model", std::string("damaged model file: ") + e.what());
  }
  if (!in) return Invalid("model", "damaged model file: truncated fastText payload");
  auto dict = ft->getDictionary();
  std::vector<int> map(dict->nlabels(), 0);
  const std::string prefix = kLabelPrefix;
  for (int32_t i = 0; i < dict->nlabels(); ++i) {
    const std::string name = dict->getLabel(i);
    char* end = nullptr;
    const long idx = name.size() > prefix.size()
                         ? std::strtol(name.c_str() + prefix.size(), &end, 10)
                         : -1;
    if (name.compare(0, prefix.size(), prefix) != 0 || idx < 0 || idx >= num_labels)
      return Invalid("model", "damaged model file: unexpected fastText label " + name);
    map[i] = static_cast<int>(idx);
  }
  return std::unique_ptr<Scorer>(
      std::make_unique<FastTextScorer>(std::move(ft), std::move(map), num_labels));
}

}  // namespace hotline::classify::internal
