// The appeal classifier: text in, the most likely labels with probabilities out.
//
// Models are trained in-process (Train) on the tokens of classify/tokens.h and saved as one file
// with a small text header (format, algorithm, tokenizer, labels) followed by the algorithm's
// payload. Algorithms: fastText (libfasttext, supervised softmax), a linear model (liblinear on
// sublinear TF-IDF: logistic regression or linear SVM), and an ensemble averaging both.
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
};

enum class Algorithm { kFastText, kLinear, kEnsemble };
const char* AlgorithmName(Algorithm a);
// "fasttext", "linear", "ensemble"; kInvalidArgument otherwise.
Result<Algorithm> ParseAlgorithm(std::string_view name);

struct TrainOptions {
  // Default: kLinear (the best on cross-validation and the fastest, docs/classifier.md).
  Algorithm algorithm = Algorithm::kLinear;
  // Training threads (fastText). Default: 1 — deterministic given `seed`.
  int threads = 1;
  int seed = 1;

  // fastText. Defaults tuned by 5-fold grouped CV on the Teddy 2020 data (docs/classifier.md).
  int ft_epoch = 25;
  double ft_lr = 0.5;
  int ft_dim = 64;
  int ft_word_ngrams = 1;  // 1 = bag of tokens; >1 needs ft_bucket > 0
  int ft_min_count = 1;
  int ft_bucket = 0;       // hashed word-n-gram buckets; 0 when ft_word_ngrams == 1

  // Linear model on TF-IDF. linear_loss: "svm" (L2-loss SVM, dual) or "lr" (logistic).
  std::string linear_loss = "svm";
  double linear_c = 1.0;
  int linear_min_df = 2;  // tokens seen in fewer training texts are dropped

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
