#include "service/kb_service.h"

#include <mutex>
#include <nlohmann/json.hpp>

namespace hotline {
namespace {

constexpr const char* kIndexKey = "kb/index";
std::string EntryKey(const std::string& id) { return "kb/entry/" + id; }
std::string QuestionsKey(const std::string& id) { return "kb/questions/" + id; }
std::string UsesKey(const std::string& id) { return "kb/uses/" + id; }

nlohmann::json UsesJson(const std::vector<KbService::Use>& uses) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& u : uses) a.push_back({u.order_id, u.version, u.at});
  return a;
}

}  // namespace

KbService::KbService(Store& store, const text::Normalizer& normalizer, const Clock& clock)
    : store_(store), clock_(clock), index_(std::make_unique<kb::SearchIndex>(normalizer)) {}

Result<std::unique_ptr<KbService>> KbService::Open(Store& store, const text::Normalizer& normalizer,
                                                   const Clock& clock) {
  std::unique_ptr<KbService> s(new KbService(store, normalizer, clock));
  auto index = store.GetDocument(kIndexKey);
  if (!index.ok()) return index.status();
  if (!index->has_value()) return s;
  std::vector<std::string> ids;
  try {
    ids = nlohmann::json::parse(**index).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return Status(Code::kInternal, std::string("kb/index is malformed: ") + e.what());
  }
  for (const auto& id : ids) {
    auto doc = store.GetDocument(EntryKey(id));
    if (!doc.ok()) return doc.status();
    if (!doc->has_value()) return Status(Code::kInternal, "kb entry missing from the store: " + id);
    auto entry = kb::ParseEntryJson(**doc);
    if (!entry.ok())
      return Status(Code::kInternal, "kb entry " + id + ": " + entry.status().message());
    auto q = store.GetDocument(QuestionsKey(id));
    if (!q.ok()) return q.status();
    auto uses = store.GetDocument(UsesKey(id));
    if (!uses.ok()) return uses.status();
    if (uses->has_value()) {
      try {
        for (const auto& u : nlohmann::json::parse(**uses))
          s->uses_[id].push_back(
              {u.at(0).get<int64_t>(), u.at(1).get<int>(), u.at(2).get<int64_t>()});
      } catch (const nlohmann::json::exception& e) {
        return Status(Code::kInternal, "kb uses of " + id + " malformed: " + e.what());
      }
    }
    s->entries_[id] = std::move(*entry);
    s->Reindex(s->entries_[id]);
    if (!q->has_value()) continue;
    // Replayed through Learn so the learned term weights come back as well.
    std::vector<std::string> questions;
    try {
      questions = nlohmann::json::parse(**q).get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
      return Status(Code::kInternal, "kb questions of " + id + " malformed: " + e.what());
    }
    for (auto& question : questions) {
      if (auto d = s->doc_of_.find(id); d != s->doc_of_.end())
        s->index_->Learn(d->second, question);
      s->questions_[id].push_back(std::move(question));
    }
  }
  return s;
}

void KbService::Reindex(const kb::Entry& e) {
  const kb::EntryVersion* live = kb::PublishedVersion(e);
  auto it = doc_of_.find(e.id);
  if (live == nullptr) {
    if (it != doc_of_.end()) index_->Hide(it->second);
    return;
  }
  kb::SearchDoc d;
  d.id = e.id;
  d.title = live->content.title;
  d.body = live->content.body;
  d.source = live->content.source.name + " " + live->content.source.number;
  d.unit = e.owning_unit;
  d.subjects = live->content.subjects;
  if (auto q = questions_.find(e.id); q != questions_.end()) d.questions = q->second;
  if (it == doc_of_.end())
    doc_of_[e.id] = index_->Add(d);
  else
    index_->Replace(it->second, d);
}

Status KbService::Save(const kb::Entry& e, bool is_new) {
  Store::Batch b;
  b.documents.emplace_back(EntryKey(e.id), kb::EntryToJson(e));
  if (is_new) {
    std::vector<std::string> ids;
    for (const auto& [id, _] : entries_) ids.push_back(id);
    ids.push_back(e.id);
    b.documents.emplace_back(kIndexKey, nlohmann::json(ids).dump());
  }
  return store_.ApplyBatch(b);
}

Result<kb::Entry> KbService::Create(const std::string& id, const std::string& owning_unit,
                                    const kb::EntryContent& content, const kb::EntryActor& actor,
                                    bool publish) {
  std::unique_lock lock(mu_);
  if (entries_.count(id)) return Status(Code::kConflict, "entry " + id + " exists", "id");
  auto e = kb::CreateEntry(id, owning_unit, content, actor, clock_.Now());
  if (!e.ok()) return e.status();
  if (publish) {
    e = kb::PublishImported(*e, actor, clock_.Now());
    if (!e.ok()) return e.status();
  }
  if (auto st = Save(*e, true); !st.ok()) return st;
  entries_[id] = *e;
  Reindex(*e);
  return e;
}

Result<kb::Entry> KbService::Act(const std::string& id, const kb::EntryRequest& request,
                                 const kb::EntryActor& actor) {
  std::unique_lock lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return Status(Code::kNotFound, "no entry " + id, "id");
  auto e = kb::ApplyEntryAction(it->second, request, actor, clock_.Now());
  if (!e.ok()) return e.status();
  if (auto st = Save(*e, false); !st.ok()) return st;
  it->second = *e;
  Reindex(*e);
  return e;
}

Result<kb::Entry> KbService::Get(const std::string& id) const {
  std::shared_lock lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return Status(Code::kNotFound, "no entry " + id, "id");
  return it->second;
}

std::vector<kb::Entry> KbService::List() const {
  std::shared_lock lock(mu_);
  std::vector<kb::Entry> out;
  for (const auto& [_, e] : entries_) out.push_back(e);
  return out;
}

std::vector<kb::Hit> KbService::Search(std::string_view query,
                                       const kb::SearchOptions& options) const {
  std::shared_lock lock(mu_);
  return index_->Search(query, options);
}

Status KbService::LearnFromAnswer(const std::string& id, const std::string& question,
                                  std::optional<Use> use) {
  if (question.find_first_not_of(" \t\r\n") == std::string::npos)
    return Invalid("question", "empty question");
  std::unique_lock lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return Status(Code::kNotFound, "no entry " + id, "entry_id");
  auto doc = doc_of_.find(id);
  if (kb::PublishedVersion(it->second) == nullptr || doc == doc_of_.end())
    return Status(Code::kFailedPrecondition, "entry " + id + " is not published", "entry_id");
  auto questions = questions_[id];
  questions.push_back(question);
  Store::Batch b;
  b.documents.emplace_back(QuestionsKey(id), nlohmann::json(questions).dump());
  std::vector<Use> uses = uses_[id];
  if (use) {
    uses.push_back(*use);
    b.documents.emplace_back(UsesKey(id), UsesJson(uses).dump());
  }
  if (auto st = store_.ApplyBatch(b); !st.ok()) return st;
  questions_[id] = std::move(questions);
  uses_[id] = std::move(uses);
  index_->Learn(doc->second, question);
  return Status::Ok();
}

std::vector<std::string> KbService::SimilarQuestions(const std::string& id) const {
  std::shared_lock lock(mu_);
  auto it = questions_.find(id);
  return it == questions_.end() ? std::vector<std::string>{} : it->second;
}

std::vector<KbService::Use> KbService::Uses(const std::string& id) const {
  std::shared_lock lock(mu_);
  auto it = uses_.find(id);
  return it == uses_.end() ? std::vector<Use>{} : it->second;
}

}  // namespace hotline
