#include "classify/metrics.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace hotline::classify {

EvalReport Evaluate(std::vector<std::string> labels, const std::vector<std::string>& gold,
                    const std::vector<std::string>& predicted) {
  auto index_of = [&](const std::string& l) {
    auto it = std::find(labels.begin(), labels.end(), l);
    if (it != labels.end()) return static_cast<size_t>(it - labels.begin());
    labels.push_back(l);
    return labels.size() - 1;
  };
  std::vector<std::pair<size_t, size_t>> pairs;
  const size_t n = std::min(gold.size(), predicted.size());
  for (size_t i = 0; i < n; ++i) pairs.emplace_back(index_of(gold[i]), index_of(predicted[i]));
  EvalReport r;
  r.n = static_cast<int64_t>(n);
  r.labels = labels;
  const size_t k = labels.size();
  r.confusion.assign(k, std::vector<int64_t>(k, 0));
  int64_t correct = 0;
  for (auto [g, p] : pairs) {
    ++r.confusion[g][p];
    correct += g == p;
  }
  r.accuracy = n ? static_cast<double>(correct) / n : 0;
  int with_support = 0;
  for (size_t c = 0; c < k; ++c) {
    ClassMetrics m;
    m.label = labels[c];
    int64_t predicted_c = 0;
    for (size_t g = 0; g < k; ++g) predicted_c += r.confusion[g][c];
    for (size_t p = 0; p < k; ++p) m.support += r.confusion[c][p];
    const double tp = static_cast<double>(r.confusion[c][c]);
    m.precision = predicted_c ? tp / predicted_c : 0;
    m.recall = m.support ? tp / m.support : 0;
    m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0;
    if (m.support > 0) {
      ++with_support;
      r.macro_f1 += m.f1;
      r.weighted_f1 += m.f1 * m.support;
    }
    r.classes.push_back(m);
  }
  if (with_support) r.macro_f1 /= with_support;
  if (n) r.weighted_f1 /= n;
  return r;
}

std::string EvalReport::ToJson(int indent) const {
  nlohmann::ordered_json j;
  j["n"] = n;
  j["accuracy"] = accuracy;
  j["macro_f1"] = macro_f1;
  j["weighted_f1"] = weighted_f1;
  j["labels"] = labels;
  auto& per = j["per_class"] = nlohmann::ordered_json::array();
  for (const auto& c : classes)
    per.push_back({{"label", c.label},
                   {"precision", c.precision},
                   {"recall", c.recall},
                   {"f1", c.f1},
                   {"support", c.support}});
  j["confusion"] = {{"rows", "gold"}, {"cols", "predicted"}, {"matrix", confusion}};
  return j.dump(indent);
}

}  // namespace hotline::classify
