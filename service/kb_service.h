// The knowledge base as a use case (issue 17): entries with a life (kb/entry.h) kept in the
// store's documents table — "kb/index" (the entry ids), "kb/entry/<id>" (one entry, every
// version and event) and "kb/questions/<id>" (similar questions learned from answered calls) —
// so both backends hold them with no schema change, each write one transaction (ApplyBatch).
// Search (kb/search.h) covers the published version of each entry only.
//
// "kb/uses/<id>" lists the calls answered from the entry (order id, version, time).
// HotlineService owns one (service/hotline_service_kb.cc adds the scope rules; api/routes_kb.cc).
// Thread-safety: all methods may be called from any thread (one mutex; searches share it).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "domain/clock.h"
#include "kb/entry.h"
#include "kb/search.h"
#include "store/store.h"

namespace hotline::text {
class Normalizer;
}

namespace hotline {

class KbService {
 public:
  // Loads every stored entry. REQUIRES: store, normalizer and clock outlive the service.
  static Result<std::unique_ptr<KbService>> Open(Store& store, const text::Normalizer& normalizer,
                                                 const Clock& clock);

  // `publish`: the centre puts an imported entry live at once (kb::PublishImported).
  Result<kb::Entry> Create(const std::string& id, const std::string& owning_unit,
                           const kb::EntryContent& content, const kb::EntryActor& actor,
                           bool publish = false);
  Result<kb::Entry> Act(const std::string& id, const kb::EntryRequest& request,
                        const kb::EntryActor& actor);
  Result<kb::Entry> Get(const std::string& id) const;
  std::vector<kb::Entry> List() const;

  // Published entries only; Hit::id is the entry id.
  std::vector<kb::Hit> Search(std::string_view query, const kb::SearchOptions& options) const;

  // A call answered from entry `id`: the caller's question becomes a similar question of it,
  // and the use (order, version) is recorded when given — one transaction.
  // kFailedPrecondition unless the entry is published; kInvalidArgument for an empty question.
  struct Use {
    int64_t order_id = 0;
    int version = 0;
    int64_t at = 0;
  };
  Status LearnFromAnswer(const std::string& id, const std::string& question,
                         std::optional<Use> use = std::nullopt);
  std::vector<Use> Uses(const std::string& id) const;

  // Follows what other processes sharing the store wrote (several nodes): reloads each entry,
  // similar-question list and use list whose stored version differs from the one this process
  // last read (one query when nothing changed). Every change above also re-reads its entry
  // first, so a node never acts on another's older copy.
  Status Refresh();
  // Expires every published entry past its valid_until (the leader's timer; docs/kb.md).
  // Returns how many it expired.
  Result<int> ExpireDue(const kb::EntryActor& actor);
  std::vector<std::string> SimilarQuestions(const std::string& id) const;

 private:
  KbService(Store& store, const text::Normalizer& normalizer, const Clock& clock);
  Status Save(const kb::Entry& entry, bool is_new);
  Status LoadLocked(const std::string& key, const std::string& doc);
  Status ReloadLocked(const std::string& id);
  void Reindex(const kb::Entry& entry);

  Store& store_;
  const Clock& clock_;
  mutable std::shared_mutex mu_;
  std::map<std::string, kb::Entry> entries_;
  std::map<std::string, std::vector<std::string>> questions_;
  std::map<std::string, std::vector<Use>> uses_;
  std::map<std::string, size_t> doc_of_;      // entry id -> SearchIndex doc
  std::map<std::string, std::int64_t> seen_;  // document key -> stored version last loaded
  std::unique_ptr<kb::SearchIndex> index_;
};

}  // namespace hotline
