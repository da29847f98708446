// Classification metrics: accuracy, per-class precision/recall/F1/support, macro-F1 and the
// confusion matrix, with a JSON rendering (the `hotline classify eval` output).
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hotline::classify {

struct ClassMetrics {
  std::string label;
  double precision = 0;  // 0 when the class was never predicted
  double recall = 0;     // 0 when the class has no gold examples
  double f1 = 0;
  int64_t support = 0;  // gold examples of this class
};

struct EvalReport {
  int64_t n = 0;
  double accuracy = 0;
  double macro_f1 = 0;     // unweighted mean over classes with support > 0
  double weighted_f1 = 0;  // support-weighted mean
  std::vector<std::string> labels;
  std::vector<ClassMetrics> classes;          // in `labels` order
  std::vector<std::vector<int64_t>> confusion;  // [gold][predicted], `labels` order

  // {"n","accuracy","macro_f1","weighted_f1","labels","per_class":[{label,precision,recall,
  //  f1,support}],"confusion":{"rows":"gold","cols":"predicted","matrix":[[...]]}} + extras.
  std::string ToJson(int indent = 2) const;
};

// `labels`: the label space (e.g. the model's labels); gold or predicted labels outside it are
// appended. REQUIRES: gold.size() == predicted.size().
EvalReport Evaluate(std::vector<std::string> labels, const std::vector<std::string>& gold,
                    const std::vector<std::string>& predicted);

}  // namespace hotline::classify
