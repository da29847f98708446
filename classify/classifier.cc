#include "classify/classifier.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "classify/models.h"
#include "classify/tokens.h"

namespace hotline::classify {
namespace {

using internal::Scorer;

constexpr std::string_view kFormatLine = "hotline-classifier 2";

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

class Model : public Classifier {
 public:
  Model(Algorithm algorithm, std::vector<std::string> labels,
        std::vector<std::unique_ptr<Scorer>> parts, std::vector<double> weights,
        std::string file_bytes)
      : algorithm_(algorithm),
        labels_(std::move(labels)),
        parts_(std::move(parts)),
        weights_(std::move(weights)),
        file_bytes_(std::move(file_bytes)) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(Fnv1a(file_bytes_)));
    version_ = std::string(AlgorithmName(algorithm_)) + "-" + hex;
  }

  std::vector<double> ScoreTokens(const std::vector<std::string>& tokens) const override {
    std::vector<double> p(labels_.size(), 0.0);
    for (size_t i = 0; i < parts_.size(); ++i) {
      const auto s = parts_[i]->Score(tokens);
      for (size_t c = 0; c < p.size(); ++c) p[c] += weights_[i] * s[c];
    }
    return p;
  }
  std::vector<double> ScoreText(std::string_view text) const override {
    if (parts_.size() == 1) return parts_[0]->ScoreText(text);
    const auto tokens = ClassifierTokens(text);
    return ScoreTokens(tokens);
  }
  const std::vector<std::string>& labels() const override { return labels_; }
  std::string version() const override { return version_; }
  std::string_view algorithm() const override { return AlgorithmName(algorithm_); }

  Status Save(const std::string& path) const override {
    const std::string tmp = path + ".tmp";
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f.write(file_bytes_.data(), static_cast<std::streamsize>(file_bytes_.size()));
      f.flush();
      if (!f) {
        std::remove(tmp.c_str());
        return Status(Code::kInternal, "cannot write model file " + path);
      }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
      std::remove(tmp.c_str());
      return Status(Code::kInternal, "cannot write model file " + path + ": " + ec.message());
    }
    return Status::Ok();
  }

 private:
  Algorithm algorithm_;
  std::vector<std::string> labels_;
  std::vector<std::unique_ptr<Scorer>> parts_;
  std::vector<double> weights_;
  std::string file_bytes_;
  std::string version_;
};

// Parses a whole model file (header + payloads).
Result<std::unique_ptr<Classifier>> FromBytes(std::string bytes) {
  std::istringstream in(bytes);
  std::string line;
  if (!std::getline(in, line)) return Invalid("model", "not a hotline classifier model (empty)");
  if (line.rfind("hotline-classifier ", 0) == 0 && line != kFormatLine)
    return Status(Code::kFailedPrecondition, "model file format '" + line +
                                                 "' is not this build's '" +
                                                 std::string(kFormatLine) + "'; retrain it");
  if (line != kFormatLine)
    return Invalid("model", "not a hotline classifier model (bad first line)");
  std::map<std::string, std::string> header;
  std::vector<std::string> labels;
  while (std::getline(in, line) && line != "payload") {
    const auto sp = line.find(' ');
    if (sp == std::string::npos) return Invalid("model", "damaged model header line: " + line);
    const std::string key = line.substr(0, sp), value = line.substr(sp + 1);
    if (key == "label")
      labels.push_back(value);
    else
      header[key] = value;
  }
  if (!in) return Invalid("model", "damaged model file: no payload");
  if (header["tokenizer"] != kTokenizerId)
    return Status(Code::kFailedPrecondition, "model was trained on tokens '" + header["tokenizer"] +
                                                 "' but this build uses '" +
                                                 std::string(kTokenizerId) + "'; retrain it");
  auto algorithm = ParseAlgorithm(header["algorithm"]);
  if (!algorithm.ok()) return Invalid("model", "damaged model file: unknown algorithm");
  if (labels.size() < 2 || !std::is_sorted(labels.begin(), labels.end()))
    return Invalid("model", "damaged model file: bad label list");
  const int nl = static_cast<int>(labels.size());
  std::vector<std::unique_ptr<Scorer>> parts;
  std::vector<double> weights;
  if (*algorithm == Algorithm::kFastText || *algorithm == Algorithm::kEnsemble) {
    HOTLINE_ASSIGN_OR_RETURN(auto ft, internal::ReadFastText(in, nl));
    parts.push_back(std::move(ft));
  }
  if (*algorithm == Algorithm::kLinear || *algorithm == Algorithm::kEnsemble) {
    HOTLINE_ASSIGN_OR_RETURN(auto lin, internal::ReadLinear(in, nl));
    parts.push_back(std::move(lin));
  }
  if (*algorithm == Algorithm::kHashed) {
    HOTLINE_ASSIGN_OR_RETURN(auto h, internal::ReadHashed(in, nl));
    parts.push_back(std::move(h));
  }
  if (*algorithm == Algorithm::kEnsemble) {
    const double w = std::strtod(header["ensemble_weight"].c_str(), nullptr);
    if (!(w >= 0 && w <= 1)) return Invalid("model", "damaged model file: bad ensemble weight");
    weights = {w, 1 - w};
  } else {
    weights = {1.0};
  }
  return std::unique_ptr<Classifier>(std::make_unique<Model>(
      *algorithm, std::move(labels), std::move(parts), std::move(weights), std::move(bytes)));
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

std::vector<double> Classifier::ScoreText(std::string_view text) const {
  return ScoreTokens(ClassifierTokens(text));
}

namespace internal {
std::vector<double> Scorer::ScoreText(std::string_view text) const {
  return Score(ClassifierTokens(text));
}
}  // namespace internal

std::vector<Prediction> Classifier::Predict(std::string_view text, int k) const {
  const auto p = ScoreText(text);
  std::vector<int> order(p.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  k = std::clamp(k, 1, static_cast<int>(order.size()));
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](int a, int b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
  std::vector<Prediction> out;
  out.reserve(k);
  for (int i = 0; i < k; ++i) out.push_back({labels()[order[i]], p[order[i]]});
  return out;
}

const char* AlgorithmName(Algorithm a) {
  switch (a) {
    case Algorithm::kFastText:
      return "fasttext";
    case Algorithm::kLinear:
      return "linear";
    case Algorithm::kEnsemble:
      return "ensemble";
    case Algorithm::kHashed:
      return "hashed";
  }
  return "?";
}

Result<Algorithm> ParseAlgorithm(std::string_view name) {
  for (auto a :
       {Algorithm::kFastText, Algorithm::kLinear, Algorithm::kEnsemble, Algorithm::kHashed})
    if (name == AlgorithmName(a)) return a;
  return Invalid("algorithm", "unknown algorithm '" + std::string(name) +
                                  "' (hashed, linear, fasttext, ensemble)");
}

Result<std::unique_ptr<Classifier>> Train(const std::vector<Example>& examples,
                                          const TrainOptions& options, const ProgressFn& progress) {
  if (examples.empty()) return Invalid("examples", "no training examples");
  std::vector<std::string> labels;
  for (const auto& e : examples) {
    if (e.label.empty()) return Invalid("label", "an example has an empty label");
    if (HasControl(e.label)) return Invalid("label", "label holds a control character: " + e.label);
    labels.push_back(e.label);
  }
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  if (labels.size() < 2) return Invalid("label", "need at least two distinct labels");
  if (!(options.ensemble_weight >= 0 && options.ensemble_weight <= 1))
    return Invalid("ensemble_weight", "ensemble_weight must be in [0, 1]");
  const int nl = static_cast<int>(labels.size());

  const bool hashed = options.algorithm == Algorithm::kHashed;
  std::vector<std::vector<std::string>> tokens;
  std::vector<int> index;
  tokens.reserve(examples.size());
  for (const auto& e : examples) {
    if (!hashed) tokens.push_back(ClassifierTokens(e.text));
    index.push_back(
        static_cast<int>(std::lower_bound(labels.begin(), labels.end(), e.label) - labels.begin()));
  }

  std::ostringstream header;
  header << kFormatLine << '\n'
         << "algorithm " << AlgorithmName(options.algorithm) << '\n'
         << "tokenizer " << kTokenizerId << '\n';
  if (options.algorithm == Algorithm::kEnsemble)
    header << "ensemble_weight " << options.ensemble_weight << '\n';
  for (const auto& l : labels) header << "label " << l << '\n';
  header << "payload\n";
  std::string bytes = std::move(header).str();

  const bool ensemble = options.algorithm == Algorithm::kEnsemble;
  auto sub_progress = [&](double lo, double hi) -> ProgressFn {
    if (!progress) return {};
    return [&, lo, hi](double p, std::string_view phase) { progress(lo + (hi - lo) * p, phase); };
  };
  std::string payload;
  if (hashed) {
    std::vector<std::string> texts;
    texts.reserve(examples.size());
    for (const auto& e : examples) texts.push_back(e.text);
    HOTLINE_RETURN_IF_ERROR(
        internal::TrainHashed(texts, index, nl, options, sub_progress(0, 1.0), &payload));
    bytes += payload;
  }
  if (options.algorithm == Algorithm::kFastText || ensemble) {
    HOTLINE_RETURN_IF_ERROR(internal::TrainFastText(
        tokens, index, nl, options, sub_progress(0, ensemble ? 0.7 : 1.0), &payload));
    bytes += payload;
  }
  if (options.algorithm == Algorithm::kLinear || ensemble) {
    HOTLINE_RETURN_IF_ERROR(internal::TrainLinear(tokens, index, nl, options,
                                                  sub_progress(ensemble ? 0.7 : 0, 1.0), &payload));
    bytes += payload;
  }
  // Build the classifier from the file bytes: what Save() writes is exactly what predicts.
  return FromBytes(std::move(bytes));
}

Result<std::unique_ptr<Classifier>> LoadClassifier(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Status(Code::kNotFound, "model file not found: " + path, "model");
  std::ifstream f(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << f.rdbuf();
  if (!f) return Status(Code::kInternal, "cannot read model file " + path, "model");
  auto model = FromBytes(std::move(bytes).str());
  if (!model.ok() && model.status().code() == Code::kInvalidArgument)
    return Invalid("model", path + ": " + model.status().message());
  return model;
}

}  // namespace hotline::classify
