// Internal: the concrete classifiers behind classify/classifier.h and the model file framing.
// Not part of the public API. Thread-safety: as classifier.h (immutable after construction).
#pragma once

#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "classify/classifier.h"

namespace hotline::classify::internal {

// One trained component: all-label probabilities (labels in sorted order) from tokens.
class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual std::vector<double> Score(const std::vector<std::string>& tokens) const = 0;
  // From raw text; the default tokenises (ClassifierTokens) and calls Score. Must agree with
  // Score(ClassifierTokens(text)) exactly.
  virtual std::vector<double> ScoreText(std::string_view text) const;
};

// fastText. Train writes the payload (a fastText .bin, the format the `fasttext` command reads)
// to `out`. Labels are passed to fastText as __label__<index into labels>.
Status TrainFastText(const std::vector<std::vector<std::string>>& tokens,
                     const std::vector<int>& label_index, int num_labels,
                     const TrainOptions& options, const ProgressFn& progress, std::string* out);
Result<std::unique_ptr<Scorer>> ReadFastText(std::istream& in, int num_labels);

// Linear model on sublinear TF-IDF, trained by liblinear; the payload is its own binary format.
Status TrainLinear(const std::vector<std::vector<std::string>>& tokens,
                   const std::vector<int>& label_index, int num_labels, const TrainOptions& options,
                   const ProgressFn& progress, std::string* out);
Result<std::unique_ptr<Scorer>> ReadLinear(std::istream& in, int num_labels);

// Hashed linear model (classify/hashed_model.cc): features hashed from the raw texts.
Status TrainHashed(const std::vector<std::string>& texts, const std::vector<int>& label_index,
                   int num_labels, const TrainOptions& options, const ProgressFn& progress,
                   std::string* out);
Result<std::unique_ptr<Scorer>> ReadHashed(std::istream& in, int num_labels);

// The models' binary payloads: a trivially copyable value appended / read in host byte order
// (model files are written and read on the same kind of machine; the framing carries a magic
// and a version).
template <typename T>
void Put(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <typename T>
bool Get(std::istream& in, T* v) {
  return static_cast<bool>(in.read(reinterpret_cast<char*>(v), sizeof *v));
}

// liblinear's print hook, silenced.
inline void NoPrint(const char*) {}

}  // namespace hotline::classify::internal
