// Classifier models from a store's own history, and the dispatch report that replays later
// appeals through them (docs/dispatch.md):
//   TrainHistoryModels  trains the subject model (label = the order's subject code) and the
//                       nature model (label = the nature) on the orders received before `until`,
//                       on the same normalised title + content that intake classifies, and
//                       writes <dir>/subject.bin and <dir>/nature.bin (what `--model-dir` reads).
//   DispatchReport      trains the same way, then replays every order received from `until` on:
//                       how many would have been dispatched automatically at each threshold and
//                       how often that unit differs from the unit that finally led the order.
// Thread-safety: single-threaded command-line helpers.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "domain/clock.h"
#include "domain/result.h"
#include "store/store.h"

namespace hotline::demo {

// Writes <dir>/subject.bin and <dir>/nature.bin (creating `dir`). Shows progress on `out`.
// kFailedPrecondition when there is too little history (fewer than two subjects).
Status TrainHistoryModels(Store& store, Timestamp until, const std::string& dir, std::ostream& out);

struct ReportOptions {
  Timestamp train_until = 0;  // REQUIRES: > 0; orders received before it train, the rest replay
  // Default: 0.5 0.6 0.7 0.8 0.9 0.95 0.99.
  std::vector<double> thresholds = {0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99};
  std::string calendar_path;  // for opening the service (the store's own calendar wins)
};

// Prints the report (plain text tables) on `out`.
Status DispatchReport(Store& store, const Clock& clock, const ReportOptions& options,
                      std::ostream& out);

}  // namespace hotline::demo
