// The appeal classifier: text in, the most likely labels with probabilities out.
//
// Models are trained in-process (Train) on the tokens of classify/tokens.h and saved as one file
// with a small text header (format, algorithm, tokenizer, labels) followed by the algorithm's
// payload. Algorithms: `hashed` (the default: token features hashed straight from the text into
// 2^bits buckets, naive-Bayes-scaled sublinear TF-IDF, one-vs-rest liblinear SVM), fastText
// (libfasttext, supervised softmax), `linear` (liblinear on a string-vocabulary TF-IDF: logistic
// regression or linear SVM), and an ensemble averaging fastText and linear.
//
// Input text: the subject (留言主题) is the text up to the first '\n' (kSubjectSeparator in
// classify/tokens.h); join subject and body with '\n'. A text without '\n' counts as all subject.
//
// Thread-safety: a Classifier is immutable once built; Predict() may be called from any number
// of threads at once. Train() and LoadClassifier() are safe to call concurrently with each other.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"

namespace hotline::classify {

struct Prediction {
  std::string label;
  double probability = 0;  // in [0, 1]; the probabilities of all labels sum to 1
};

struct Example {
  std::string text;
  std::string label;
};

class Classifier {
 public:
  virtual ~Classifier() = default;

  // The k most probable labels, most probable first. k is clamped to [1, labels().size()].
  // Empty or token-less text still gets an answer (the model's prior).
  std::vector<Prediction> Predict(std::string_view text, int k = 3) const;
  // Probabilities of every label, in labels() order, for already tokenised text.
  virtual std::vector<double> ScoreTokens(const std::vector<std::string>& tokens) const = 0;

  // The labels, sorted (byte order); the model's output space.
  virtual const std::vector<std::string>& labels() const = 0;
  // "<algorithm>-<16 hex digits of the model file's FNV-1a hash>", e.g. "fasttext-1f2e...".
  // Two models with the same version predict identically.
  virtual std::string version() const = 0;
  virtual std::string_view algorithm() const = 0;

  // Writes the model file (replacing `path`). kInternal on I/O failure.
  virtual Status Save(const std::string& path) const = 0;

 protected:
  // Probabilities from raw text (what Predict uses). Default: ScoreTokens(ClassifierTokens(text));
  // models that hash features straight from the text override it (same result, no strings).
  virtual std::vector<double> ScoreText(std::string_view text) const;
};

enum class Algorithm { kFastText, kLinear, kEnsemble, kHashed };
const char* AlgorithmName(Algorithm a);
// "fasttext", "linear", "ensemble", "hashed"; kInvalidArgument otherwise.
Result<Algorithm> ParseAlgorithm(std::string_view name);

struct TrainOptions {
  // Default: kHashed (the best on cross-validation and the fastest, docs/classifier.md).
  Algorithm algorithm = Algorithm::kHashed;
  // Training threads (fastText). Default: 1 — deterministic given `seed`.
  int threads = 1;
  int seed = 1;

  // fastText. Defaults tuned by 5-fold grouped CV on the Teddy 2020 data (docs/classifier.md).
  int ft_epoch = 25;
  double ft_lr = 0.5;
  int ft_dim = 64;
  int ft_word_ngrams = 1;  // 1 = bag of tokens; >1 needs ft_bucket > 0
  int ft_min_count = 1;
  int ft_bucket = 0;  // hashed word-n-gram buckets; 0 when ft_word_ngrams == 1

  // Linear models (linear and hashed) on TF-IDF. linear_loss: "svm" (L2-loss SVM, dual) or
  // "lr" (logistic).
  std::string linear_loss = "svm";
  double linear_c = 1.0;
  int linear_min_df = 2;  // tokens (buckets) seen in fewer training texts are dropped

  // Hashed model: 2^hash_bits buckets; Han n-grams 1..hash_max_n (1 or 2); subject features;
  // naive-Bayes log-count-ratio scaling (NB-SVM) with smoothing alpha; label-balanced C.
  int hash_bits = 20;
  int hash_max_n = 2;
  bool hash_subject = true;
  bool hash_nb = true;
  double hash_nb_alpha = 1.0;
  bool hash_balanced = true;

  // Ensemble: probability = w * fastText + (1 - w) * linear.
  double ensemble_weight = 0.5;
};

// Called during training with progress in [0, 1] and a short phase name ("fasttext", "linear").
using ProgressFn = std::function<void(double progress, std::string_view phase)>;

// Trains on `examples` (text + label). kInvalidArgument when there are no examples, fewer than
// two distinct labels, an empty label or a label holding a control character.
Result<std::unique_ptr<Classifier>> Train(const std::vector<Example>& examples,
                                          const TrainOptions& options,
                                          const ProgressFn& progress = {});

// Loads a model written by Save(). kNotFound when the file does not exist; kInvalidArgument
// when it is not a hotline classifier model (or is damaged); kFailedPrecondition when it was
// trained with another token scheme than this binary's kTokenizerId.
Result<std::unique_ptr<Classifier>> LoadClassifier(const std::string& path);

}  // namespace hotline::classify
