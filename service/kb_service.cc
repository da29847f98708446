#include "service/kb_service.h"

#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

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
  HOTLINE_RETURN_IF_ERROR(s->Refresh());
  return s;
}

Status KbService::Refresh() {
  // One query says what changed; nothing is locked unless something did.
  HOTLINE_ASSIGN_OR_RETURN(auto versions, store_.DocumentVersions("kb/"));
  std::vector<std::pair<std::string, std::int64_t>> changed;
  {
    std::shared_lock lock(mu_);
    for (auto& [key, version] : versions) {
      auto it = seen_.find(key);
      if (it == seen_.end() || it->second != version) changed.emplace_back(key, version);
    }
  }
  if (changed.empty()) return Status::Ok();
  // Keys come by name: every kb/entry/<id> before any kb/questions/<id> or kb/uses/<id>.
  std::unique_lock lock(mu_);
  for (auto& [key, version] : changed) {
    HOTLINE_ASSIGN_OR_RETURN(auto doc, store_.GetDocument(key));
    if (!doc) continue;
    HOTLINE_RETURN_IF_ERROR(LoadLocked(key, *doc));
    seen_[key] = version;
  }
  return Status::Ok();
}

// One stored document into memory (REQUIRES: mu_ held exclusively).
Status KbService::LoadLocked(const std::string& key, const std::string& doc) {
  auto id_after = [&](std::string_view prefix) {
    return key.starts_with(prefix) ? std::optional<std::string>(key.substr(prefix.size()))
                                   : std::nullopt;
  };
  try {
    if (auto id = id_after("kb/entry/")) {
      auto entry = kb::ParseEntryJson(doc);
      if (!entry.ok())
        return Status(Code::kInternal, "kb entry " + *id + ": " + entry.status().message());
      entries_[*id] = std::move(*entry);
      Reindex(entries_[*id]);
    } else if (auto id = id_after("kb/questions/")) {
      // The list only grows: the new tail goes through Learn, so the learned term weights
      // follow as well.
      auto stored = nlohmann::json::parse(doc).get<std::vector<std::string>>();
      auto& mine = questions_[*id];
      auto d = doc_of_.find(*id);
      for (size_t i = mine.size(); i < stored.size(); ++i) {
        if (d != doc_of_.end()) index_->Learn(d->second, stored[i]);
        mine.push_back(stored[i]);
      }
    } else if (auto id = id_after("kb/uses/")) {
      std::vector<Use> uses;
      for (const auto& u : nlohmann::json::parse(doc))
        uses.push_back({u.at(0).get<int64_t>(), u.at(1).get<int>(), u.at(2).get<int64_t>()});
      uses_[*id] = std::move(uses);
    }
  } catch (const nlohmann::json::exception& e) {
    return Status(Code::kInternal, key + " is malformed: " + e.what());
  }
  return Status::Ok();
}

// Before a change, the entry as the store has it now: another node may have changed it.
Status KbService::ReloadLocked(const std::string& id) {
  for (const std::string& key : {EntryKey(id), QuestionsKey(id), UsesKey(id)}) {
    HOTLINE_ASSIGN_OR_RETURN(auto doc, store_.GetDocument(key));
    if (doc) HOTLINE_RETURN_IF_ERROR(LoadLocked(key, *doc));
  }
  return Status::Ok();
}

Result<int> KbService::ExpireDue(const kb::EntryActor& actor) {
  HOTLINE_RETURN_IF_ERROR(Refresh());
  const int64_t now = clock_.Now();
  std::vector<std::string> due;
  {
    std::shared_lock lock(mu_);
    for (const auto& [id, e] : entries_) {
      const kb::EntryVersion* live = kb::PublishedVersion(e);
      if (live && live->content.valid_until > 0 && live->content.valid_until <= now)
        due.push_back(id);
    }
  }
  int expired = 0;
  kb::EntryRequest r;
  r.action = kb::EntryAction::kExpire;
  r.note = "有效期已过，系统自动失效";
  for (const std::string& id : due) {
    auto e = Act(id, r, actor);
    // Another node (or a person) may have expired or withdrawn it meanwhile: not an error.
    if (e.ok())
      ++expired;
    else if (e.status().code() != Code::kFailedPrecondition)
      return e.status();
  }
  return expired;
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
    // kb/index lists the ids for readers of the store (backups, exports); this process finds
    // entries by their keys. Merged with the stored list: other nodes add entries too.
    std::set<std::string> ids;
    HOTLINE_ASSIGN_OR_RETURN(auto stored, store_.GetDocument(kIndexKey));
    if (stored) {
      try {
        for (auto& id : nlohmann::json::parse(*stored).get<std::vector<std::string>>())
          ids.insert(std::move(id));
      } catch (const nlohmann::json::exception& ex) {
        return Status(Code::kInternal, std::string("kb/index is malformed: ") + ex.what());
      }
    }
    for (const auto& [id, _] : entries_) ids.insert(id);
    ids.insert(e.id);
    b.documents.emplace_back(
        kIndexKey, nlohmann::json(std::vector<std::string>(ids.begin(), ids.end())).dump());
  }
  return store_.ApplyBatch(b);
}

Result<kb::Entry> KbService::Create(const std::string& id, const std::string& owning_unit,
                                    const kb::EntryContent& content, const kb::EntryActor& actor,
                                    bool publish) {
  std::unique_lock lock(mu_);
  HOTLINE_RETURN_IF_ERROR(ReloadLocked(id));  // made on another node meanwhile?
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
  HOTLINE_RETURN_IF_ERROR(ReloadLocked(id));
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
  HOTLINE_RETURN_IF_ERROR(ReloadLocked(id));
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
