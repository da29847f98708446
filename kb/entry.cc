#include "kb/entry.h"

namespace hotline::kb {
namespace {

Status Validate(const EntryContent& c) {
  if (c.body.find_first_not_of(" \t\r\n") == std::string::npos)
    return Invalid("body", "the answer text is empty");
  if (c.title.size() > 300) return Invalid("title", "title longer than 300 bytes");
  if (c.valid_until != 0 && c.valid_from != 0 && c.valid_until <= c.valid_from)
    return Invalid("valid_until", "valid_until must be after valid_from");
  if (c.review_due < 0) return Invalid("review_due", "negative time");
  const auto& link = c.source.link;
  if (!link.empty() && link.rfind("http://", 0) != 0 && link.rfind("https://", 0) != 0)
    return Invalid("source.link", "the source link must be an http(s) URL");
  for (const auto& a : c.attachments)
    if (a.empty()) return Invalid("attachments", "an attachment reference is empty");
  return Status::Ok();
}

bool IsOwner(const Entry& e, const EntryActor& a) {
  return !a.unit.empty() && a.unit == e.owning_unit;
}

void Event(Entry& e, const EntryActor& a, int64_t now, const char* action, EntryState from,
           const std::string& note) {
  e.events.push_back({now, a.user, action, from, e.state,
                      e.versions.empty() ? 0 : e.versions.back().version, note});
}

}  // namespace

const char* EntryStateName(EntryState s) {
  switch (s) {
    case EntryState::kDraft:
      return "draft";
    case EntryState::kSubmitted:
      return "submitted";
    case EntryState::kPublished:
      return "published";
    case EntryState::kExpired:
      return "expired";
    case EntryState::kWithdrawn:
      return "withdrawn";
  }
  return "?";
}

Result<Entry> CreateEntry(const std::string& id, const std::string& owning_unit,
                          const EntryContent& content, const EntryActor& actor, int64_t now) {
  if (id.empty()) return Invalid("id", "empty entry id");
  if (owning_unit.empty()) return Invalid("owning_unit", "an entry needs an owning unit");
  if (auto s = Validate(content); !s.ok()) return s;
  Entry e;
  e.id = id;
  e.owning_unit = owning_unit;
  if (!actor.centre && !IsOwner(e, actor))
    return Status(Code::kForbidden, "only the owning unit or the hotline centre drafts an entry");
  e.versions.push_back({1, content, actor.user, now});
  Event(e, actor, now, "create", EntryState::kDraft, "");
  return e;
}

Result<Entry> ApplyEntryAction(const Entry& entry, const EntryRequest& r, const EntryActor& actor,
                               int64_t now) {
  if (r.expected_version > 0 &&
      (entry.versions.empty() || entry.versions.back().version != r.expected_version))
    return Status(Code::kConflict, "the entry has a newer version", "expected_version");
  Entry e = entry;
  const EntryState from = e.state;
  auto wrong_state = [&](const char* what) {
    return Status(Code::kFailedPrecondition,
                  std::string("cannot ") + what + " an entry in state " + EntryStateName(from));
  };
  switch (r.action) {
    case EntryAction::kUpdate: {
      if (!IsOwner(e, actor) && !actor.centre)
        return Status(Code::kForbidden, "only the owning unit or the centre updates an entry");
      if (from == EntryState::kSubmitted) return wrong_state("update (under review)");
      if (auto s = Validate(r.content); !s.ok()) return s;
      const int v = e.versions.empty() ? 1 : e.versions.back().version + 1;
      e.versions.push_back({v, r.content, actor.user, now});
      e.state = EntryState::kDraft;  // the published version, if any, stays live
      Event(e, actor, now, "update", from, r.note);
      return e;
    }
    case EntryAction::kSubmit:
      if (!IsOwner(e, actor)) return Status(Code::kForbidden, "only the owning unit submits");
      if (from != EntryState::kDraft) return wrong_state("submit");
      e.state = EntryState::kSubmitted;
      Event(e, actor, now, "submit", from, r.note);
      return e;
    case EntryAction::kPublish:
      if (!actor.centre) return Status(Code::kForbidden, "only the hotline centre publishes");
      if (from != EntryState::kSubmitted) return wrong_state("publish");
      e.state = EntryState::kPublished;
      e.published_version = e.versions.back().version;
      Event(e, actor, now, "publish", from, r.note);
      return e;
    case EntryAction::kReturn:
      if (!actor.centre) return Status(Code::kForbidden, "only the hotline centre reviews");
      if (from != EntryState::kSubmitted) return wrong_state("return");
      if (r.note.empty()) return Invalid("note", "say why the entry is returned");
      e.state = EntryState::kDraft;
      Event(e, actor, now, "return", from, r.note);
      return e;
    case EntryAction::kWithdraw:
      if (!actor.centre) return Status(Code::kForbidden, "only the hotline centre withdraws");
      if (e.published_version == 0) return wrong_state("withdraw");
      if (r.note.empty()) return Invalid("note", "say why the entry is withdrawn");
      e.state = EntryState::kWithdrawn;
      e.published_version = 0;
      Event(e, actor, now, "withdraw", from, r.note);
      return e;
    case EntryAction::kExpire: {
      const EntryVersion* live = PublishedVersion(e);
      if (live == nullptr) return wrong_state("expire");
      if (live->content.valid_until == 0 || now < live->content.valid_until)
        return Status(Code::kFailedPrecondition, "the entry is still valid", "valid_until");
      e.state = EntryState::kExpired;
      e.published_version = 0;
      Event(e, actor, now, "expire", from, r.note);
      return e;
    }
    case EntryAction::kCorrection: {
      if (actor.unit.empty()) return Status(Code::kForbidden, "a correction comes from a unit");
      if (r.note.empty()) return Invalid("note", "say what is wrong or out of date");
      const int v = e.published_version ? e.published_version : e.versions.back().version;
      e.corrections.push_back({now, actor.unit, actor.user, v, r.note});
      Event(e, actor, now, "correction", from, r.note);
      return e;
    }
  }
  return Status(Code::kInternal, "unknown action");
}

Result<Entry> PublishImported(const Entry& entry, const EntryActor& actor, int64_t now) {
  if (!actor.centre) return Status(Code::kForbidden, "only the hotline centre publishes");
  if (entry.state != EntryState::kDraft || entry.versions.size() != 1)
    return Status(Code::kFailedPrecondition, "only a freshly imported draft is published at once");
  Entry e = entry;
  e.state = EntryState::kPublished;
  e.published_version = e.versions.back().version;
  Event(e, actor, now, "publish", EntryState::kDraft, "导入");
  return e;
}

const EntryVersion* PublishedVersion(const Entry& e) {
  if (e.published_version == 0) return nullptr;
  for (const auto& v : e.versions)
    if (v.version == e.published_version) return &v;
  return nullptr;
}

Light EntryLight(const Entry& e, int64_t now, int64_t warn_seconds) {
  const EntryVersion* live = PublishedVersion(e);
  if (live == nullptr) return Light::kNone;
  Light light = Light::kGreen;
  for (int64_t t : {live->content.valid_until, live->content.review_due}) {
    if (t == 0) continue;
    if (now >= t) return Light::kRed;
    if (now + warn_seconds >= t) light = Light::kYellow;
  }
  return light;
}

}  // namespace hotline::kb
