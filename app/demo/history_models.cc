#include "app/demo/history_models.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "classify/classifier.h"
#include "service/hotline_service.h"
#include "text/normalize.h"

namespace hotline::demo {
namespace {

struct Split {
  std::vector<WorkOrder> train, test;
};

Result<Split> LoadOrders(Store& store, Timestamp until) {
  Split s;
  OrderQuery q;
  q.sort = OrderQuery::Sort::kOldest;
  q.limit = 2000;
  for (;; q.offset += q.limit) {
    HOTLINE_ASSIGN_OR_RETURN(OrderPage page, store.ListOrders(q));
    for (WorkOrder& o : page.items)
      (o.created_at < until ? s.train : s.test).push_back(std::move(o));
    if (page.items.size() < static_cast<size_t>(q.limit)) break;
  }
  return s;
}

// What intake classifies: the normalised title and content.
std::string TextOf(const text::Normalizer& n, const WorkOrder& o) {
  return n.Normalize(o.title + "\n" + o.content);
}

struct Models {
  std::unique_ptr<classify::Classifier> subject, nature;
};

Result<Models> Train(const std::vector<WorkOrder>& orders, const text::Normalizer& n,
                     std::ostream& out) {
  std::vector<classify::Example> subject, nature;
  for (const WorkOrder& o : orders) {
    std::string t = TextOf(n, o);
    if (!o.subject_code.empty()) subject.push_back({t, o.subject_code});
    nature.push_back({std::move(t), std::string(ToString(o.nature))});
  }
  Models m;
  auto t0 = std::chrono::steady_clock::now();
  classify::TrainOptions opt;  // the default: linear SVM on TF-IDF (docs/classifier.md)
  // The two models train side by side (the subject model takes most of the time).
  Result<std::unique_ptr<classify::Classifier>> na = Status(Code::kInternal, "not trained");
  std::thread nature_thread([&] { na = classify::Train(nature, opt); });
  auto s = classify::Train(subject, opt);
  nature_thread.join();
  if (!s.ok())
    return Status(Code::kFailedPrecondition, "cannot train the subject model on " +
                                                 std::to_string(subject.size()) +
                                                 " appeals: " + s.status().message());
  if (!na.ok())
    return Status(Code::kFailedPrecondition, "cannot train the nature model on " +
                                                 std::to_string(nature.size()) +
                                                 " appeals: " + na.status().message());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char line[200];
  std::snprintf(line, sizeof line,
                "  trained on %zu appeals: subject model %zu labels, nature model %zu labels "
                "(%.1f s)\n",
                orders.size(), (*s)->labels().size(), (*na)->labels().size(), secs);
  out << line << std::flush;
  m.subject = std::move(s).value();
  m.nature = std::move(na).value();
  return m;
}

std::string Pct(std::int64_t num, std::int64_t den) {
  if (den == 0) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", 100.0 * static_cast<double>(num) / static_cast<double>(den));
  return b;
}

}  // namespace

Status TrainHistoryModels(Store& store, Timestamp until, const std::string& dir,
                          std::ostream& out) {
  HOTLINE_ASSIGN_OR_RETURN(auto normalizer, text::Normalizer::Create());
  HOTLINE_ASSIGN_OR_RETURN(Split split, LoadOrders(store, until));
  HOTLINE_ASSIGN_OR_RETURN(Models m, Train(split.train, *normalizer, out));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status(Code::kInternal, "cannot create " + dir + ": " + ec.message());
  HOTLINE_RETURN_IF_ERROR(m.subject->Save(dir + "/subject.bin"));
  HOTLINE_RETURN_IF_ERROR(m.nature->Save(dir + "/nature.bin"));
  out << "  models written to " << dir << " (subject " << m.subject->version() << ", nature "
      << m.nature->version() << ")" << std::endl;
  return {};
}

Status DispatchReport(Store& store, const Clock& clock, const ReportOptions& o, std::ostream& out) {
  if (o.train_until <= 0) return Invalid("train-until", "a date is required");
  for (double t : o.thresholds)
    if (!(t > 0 && t <= 1)) return Invalid("thresholds", "thresholds must be in (0, 1]");
  HOTLINE_ASSIGN_OR_RETURN(auto normalizer, text::Normalizer::Create());
  HOTLINE_ASSIGN_OR_RETURN(auto svc, HotlineService::Open(store, clock, o.calendar_path));
  std::shared_ptr<const Config> cfg = svc->config();
  HOTLINE_ASSIGN_OR_RETURN(Split split, LoadOrders(store, o.train_until));
  if (split.test.empty())
    return Invalid("train-until", "no orders were received on or after that date to replay");
  out << "train: " << split.train.size()
      << " orders received before the date; replay: " << split.test.size()
      << " orders received on or after it\n";
  HOTLINE_ASSIGN_OR_RETURN(Models m, Train(split.train, *normalizer, out));

  // One replayed order.
  struct Row {
    double confidence = 0;
    bool subject_right = false, top3_right = false, nature_right = false;
    bool eligible = false;                   // not a consultation, the catalogue gives a lead unit
    bool dispatched = false;                 // it was dispatched in history (has a final lead unit)
    bool unit_changed = false;               // auto unit != the unit that finally led it
    bool true_subject_unit_changed = false;  // same, with the true subject (returns only)
  };
  std::vector<Row> rows;
  std::int64_t with_subject = 0;
  for (const WorkOrder& w : split.test) {
    if (w.subject_code.empty()) continue;
    ++with_subject;
    Row r;
    std::string t = TextOf(*normalizer, w);
    auto top = m.subject->Predict(t, 3);
    r.confidence = top.front().probability;
    r.subject_right = top.front().label == w.subject_code;
    for (const auto& p : top) r.top3_right |= p.label == w.subject_code;
    r.nature_right = m.nature->Predict(t, 1).front().label == ToString(w.nature);
    WorkOrder probe = w;
    probe.subject_code = top.front().label;
    DispatchSuggestion s = SuggestFromCatalogue(*cfg, probe);
    r.eligible = w.nature != Nature::kConsultation && s.lead_unit_id.has_value();
    r.dispatched = w.lead_unit_id.has_value();
    if (r.dispatched && s.lead_unit_id) r.unit_changed = *s.lead_unit_id != *w.lead_unit_id;
    DispatchSuggestion truth = SuggestFromCatalogue(*cfg, w);
    if (r.dispatched && truth.lead_unit_id)
      r.true_subject_unit_changed = *truth.lead_unit_id != *w.lead_unit_id;
    rows.push_back(r);
  }
  std::int64_t right = 0, right3 = 0, nature_right = 0;
  for (const Row& r : rows) {
    right += r.subject_right;
    right3 += r.top3_right;
    nature_right += r.nature_right;
  }
  out << "replayed " << rows.size() << " orders with a subject: subject top-1 "
      << Pct(right, rows.size()) << ", top-3 " << Pct(right3, rows.size()) << ", nature "
      << Pct(nature_right, rows.size()) << "\n";
  std::int64_t eligible = 0, base_disp = 0, base_changed = 0;
  for (const Row& r : rows) {
    if (!r.eligible) continue;
    ++eligible;
    if (r.dispatched) {
      ++base_disp;
      base_changed += r.true_subject_unit_changed;
    }
  }
  out << "eligible (not a consultation, the catalogue names a lead unit): " << eligible << "\n"
      << "for comparison, the catalogue with the TRUE subject differs from the final lead unit on "
      << base_changed << " of " << base_disp << " dispatched eligible orders ("
      << Pct(base_changed, base_disp) << "; simulated returns and reassignments)\n\n";
  out << "threshold  auto  auto/eligible  subject_wrong  dispatched  unit_changed  changed_rate\n";
  for (double th : o.thresholds) {
    std::int64_t autos = 0, wrong = 0, disp = 0, changed = 0;
    for (const Row& r : rows) {
      if (!r.eligible || r.confidence < th) continue;
      ++autos;
      wrong += !r.subject_right;
      if (r.dispatched) {
        ++disp;
        changed += r.unit_changed;
      }
    }
    char line[200];
    std::snprintf(line, sizeof line, "%9.2f  %4lld  %13s  %13lld  %10lld  %12lld  %12s\n", th,
                  static_cast<long long>(autos), Pct(autos, eligible).c_str(),
                  static_cast<long long>(wrong), static_cast<long long>(disp),
                  static_cast<long long>(changed), Pct(changed, disp).c_str());
    out << line;
  }
  out << "\nauto = would have been dispatched automatically (subject confidence >= threshold);\n"
         "dispatched = of those, orders that history did dispatch (the rest were merged, rejected\n"
         "or are still waiting); unit_changed = the auto lead unit differs from the unit that\n"
         "finally led the order. Not replayed: the duplicate rule (a likely repeat waits).\n";
  (void)with_subject;
  return {};
}

}  // namespace hotline::demo
