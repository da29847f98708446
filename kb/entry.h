// A knowledge entry's life (issue 17 item 1), as pure functions: versions, the lifecycle
// draft -> submitted -> published -> expired / withdrawn, who may do what, the events, and the
// yellow/red light an owner sees when an entry is due for review or past its validity.
//
// The owning unit drafts, updates and submits; the hotline centre reviews (publishes or returns)
// and withdraws. Updating a published entry appends a new version in draft; the published version
// stays what the agents read until the new one is published. Old versions stay readable. Any unit
// may propose a correction from a reply ("this answer is out of date"); it is recorded, it does
// not change the entry. Every accepted action appends one event.
//
// Stored by service/kb_service.h, served by api/routes_kb.cc.
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.h"
#include "domain/types.h"

namespace hotline::kb {

enum class EntryState { kDraft, kSubmitted, kPublished, kExpired, kWithdrawn };
const char* EntryStateName(EntryState s);

struct EntrySource {
  std::string name;    // policy document name
  std::string number;  // document number (文号)
  std::string link;    // http(s) URL, optional
};

struct EntryContent {
  std::string title;
  std::string body;  // the answer as the agent should say it
  std::vector<std::string> subjects;
  EntrySource source;
  int64_t valid_from = 0;                // epoch seconds; 0 = from publication
  int64_t valid_until = 0;               // epoch seconds; 0 = open-ended
  int64_t review_due = 0;                // epoch seconds; 0 = none
  std::vector<std::string> attachments;  // references (URLs or document ids), not bytes
};

struct EntryVersion {
  int version = 0;  // 1, 2, ...
  EntryContent content;
  std::string author;
  int64_t created_at = 0;
};

struct EntryEvent {
  int64_t at = 0;
  std::string actor;
  std::string action;  // create, update, submit, publish, return, withdraw, expire, correction
  EntryState from = EntryState::kDraft, to = EntryState::kDraft;
  int version = 0;
  std::string note;
};

struct Correction {
  int64_t at = 0;
  std::string unit;  // the proposing unit
  std::string actor;
  int version = 0;  // the version it is about
  std::string note;
};

struct Entry {
  std::string id;
  std::string owning_unit;
  EntryState state = EntryState::kDraft;
  std::vector<EntryVersion> versions;  // oldest first
  int published_version = 0;           // 0 = none live
  std::vector<EntryEvent> events;
  std::vector<Correction> corrections;
};

struct EntryActor {
  std::string user;
  std::string unit;     // the actor's unit
  bool centre = false;  // the hotline centre's knowledge reviewers
};

// A new entry in draft, version 1. kInvalidArgument names the field (title, body, valid_until,
// source.link); kForbidden when the actor is neither the owning unit nor the centre.
Result<Entry> CreateEntry(const std::string& id, const std::string& owning_unit,
                          const EntryContent& content, const EntryActor& actor, int64_t now);

enum class EntryAction { kUpdate, kSubmit, kPublish, kReturn, kWithdraw, kExpire, kCorrection };

struct EntryRequest {
  EntryAction action = EntryAction::kSubmit;
  EntryContent content;      // kUpdate
  std::string note;          // kReturn, kWithdraw, kCorrection (required for those)
  int expected_version = 0;  // > 0: fail with kConflict unless it is the latest version
};

// The entry after the action, or why not: kFailedPrecondition (wrong state, or kExpire before
// valid_until), kForbidden (role), kInvalidArgument (field), kConflict (stale version).
Result<Entry> ApplyEntryAction(const Entry& entry, const EntryRequest& request,
                               const EntryActor& actor, int64_t now);

// An imported entry put live at once by the centre (a reviewed policy file, issue 17 item 4):
// draft -> published with a "publish" event noted "导入" (import). kForbidden unless the actor is
// the centre; kFailedPrecondition unless the entry is a fresh draft (one version).
Result<Entry> PublishImported(const Entry& entry, const EntryActor& actor, int64_t now);

// The light the owner sees: red when a live entry is past valid_until or review_due, yellow
// when either falls within `warn_seconds` from now, green otherwise; kNone when nothing is live.
Light EntryLight(const Entry& entry, int64_t now, int64_t warn_seconds = 14 * 86400);

// The version agents read (nullptr when none is published).
const EntryVersion* PublishedVersion(const Entry& entry);

}  // namespace hotline::kb

namespace hotline::kb {

// An entry as one JSON document (every version, event and correction), for storage in the
// store's configuration documents (Store::PutDocument under "kb/entry/<id>", both backends, no
// schema change) and for the API. ParseEntryJson names the bad field (kInvalidArgument).
std::string EntryToJson(const Entry& entry);
Result<Entry> ParseEntryJson(std::string_view json);
Result<EntryState> ParseEntryState(std::string_view name);

}  // namespace hotline::kb
