// The knowledge base behind the API (issue 17; docs/kb.md "Access"): who may see and change
// which entries, answering a call from an entry, import and export. Storage and search are
// KbService's (service/kb_service.h); the lifecycle rules are kb/entry.h's.
#include <algorithm>
#include <cctype>
#include <set>

#include "service/service_impl.h"
#include "text/pii_detect.h"

namespace hotline {
namespace {

bool IsStaff(const Actor& a) { return a.role != Role::kCitizen; }

// Entry ids end up in event data and document keys: letters, digits, '-' and '_' only.
Status CheckEntryId(const std::string& id, const char* field) {
  if (id.empty() || id.size() > 64)
    return Invalid(field, std::string(field) + " must be 1 to 64 characters");
  for (unsigned char c : id)
    if (!std::isalnum(c) && c != '-' && c != '_')
      return Invalid(field, std::string(field) + " may hold letters, digits, '-' and '_' only");
  return {};
}

Status NoSuchEntry(const std::string& id) {
  return Status(Code::kNotFound, "no knowledge entry " + id.substr(0, 64), "id");
}

}  // namespace

namespace {

// What one actor may see and do in the knowledge base.
struct KbScope {
  const Clock& clock;
  kb::EntryActor who;

  KbScope(const Directory& dir, const Clock& c, const Actor& a) : clock(c) {
    auto user = dir.UserById(a.user_id);
    who.user = user ? user->login : std::to_string(a.user_id);
    auto unit = dir.Unit_(a.unit_id);
    who.unit = unit ? unit->code : "";
    // The centre's knowledge reviewers: admins, and supervisors of a staff-wide unit.
    who.centre =
        a.role == Role::kAdmin || (a.role == Role::kSupervisor && unit && IsStaffWide(unit->kind));
  }

  bool Owns(const kb::Entry& e) const { return !who.unit.empty() && e.owning_unit == who.unit; }
  bool Full(const kb::Entry& e) const { return who.centre || Owns(e); }
  // Staff read what is published; the owning unit and the centre read everything.
  bool Visible(const kb::Entry& e) const { return Full(e) || kb::PublishedVersion(e) != nullptr; }

  KbEntryView View(const kb::Entry& e, KbUsage usage, const KbService& kb) const {
    KbEntryView v;
    v.full = Full(e);
    v.usage = std::move(usage);
    if (v.full) {
      v.entry = e;
      v.questions = kb.SimilarQuestions(e.id);
      v.light = kb::EntryLight(e, clock.Now());
      return v;
    }
    v.entry.id = e.id;
    v.entry.owning_unit = e.owning_unit;
    v.entry.state = kb::EntryState::kPublished;
    v.entry.published_version = e.published_version;
    if (const kb::EntryVersion* live = kb::PublishedVersion(e)) v.entry.versions.push_back(*live);
    for (const auto& ev : e.events)
      if (ev.action == "publish" || ev.action == "withdraw" || ev.action == "expire")
        v.entry.events.push_back(ev);
    for (const auto& c : e.corrections)
      if (c.unit == who.unit) v.entry.corrections.push_back(c);
    return v;
  }
};

KbUsage UsageOf(const KbService& kb, Store& store, const std::string& id) {
  KbUsage u;
  for (const KbService::Use& use : kb.Uses(id)) {
    ++u.answered;
    auto o = store.GetOrder(use.order_id);
    if (!o.ok() || !o->callback) continue;
    ++u.rated;
    ++u.ratings[std::string(ToString(o->callback->rating))];
  }
  return u;
}

}  // namespace

Result<std::vector<KbEntryView>> HotlineService::KbList(const Actor& a, const KbListQuery& q) {
  if (!IsStaff(a)) return Status(Code::kForbidden, "the knowledge base is for staff");
  Impl& m = *impl_;
  KbScope scope(m.dir, m.clock, a);
  std::vector<KbEntryView> out;
  for (const kb::Entry& e : m.kb->List()) {
    if (!scope.Visible(e)) continue;
    if (q.mine && !scope.Owns(e)) continue;
    if (!q.unit.empty() && e.owning_unit != q.unit) continue;
    KbEntryView v = scope.View(e, UsageOf(*m.kb, m.store, e.id), *m.kb);
    if (q.state && v.entry.state != *q.state) continue;
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<KbHitView>> HotlineService::KbSearch(const Actor& a, std::string_view query,
                                                        const kb::SearchOptions& options) {
  if (!IsStaff(a)) return Status(Code::kForbidden, "the knowledge base is for staff");
  Impl& m = *impl_;
  KbScope scope(m.dir, m.clock, a);
  std::vector<KbHitView> out;
  for (kb::Hit& hit : m.kb->Search(query, options)) {
    auto e = m.kb->Get(hit.id);
    if (!e.ok() || kb::PublishedVersion(*e) == nullptr) continue;  // withdrawn meanwhile
    KbHitView h;
    h.view = scope.View(*e, UsageOf(*m.kb, m.store, e->id), *m.kb);
    h.hit = std::move(hit);
    out.push_back(std::move(h));
  }
  return out;
}

Result<KbEntryView> HotlineService::KbGet(const Actor& a, const std::string& id) {
  if (!IsStaff(a)) return Status(Code::kForbidden, "the knowledge base is for staff");
  Impl& m = *impl_;
  KbScope scope(m.dir, m.clock, a);
  auto e = m.kb->Get(id);
  if (!e.ok() || !scope.Visible(*e)) return NoSuchEntry(id);
  return scope.View(*e, UsageOf(*m.kb, m.store, id), *m.kb);
}

Result<KbEntryView> HotlineService::KbCreate(const Actor& a, const std::string& id,
                                             const std::string& owning_unit,
                                             const kb::EntryContent& content) {
  if (!IsStaff(a) || a.role == Role::kAgent)
    return Status(Code::kForbidden,
                  "agents read the knowledge base; units and the centre write it");
  Impl& m = *impl_;
  KbScope scope(m.dir, m.clock, a);
  std::string unit = owning_unit.empty() ? scope.who.unit : owning_unit;
  if (!m.dir.UnitByCode(unit))
    return Invalid("owning_unit", "owning_unit: unknown unit \"" + unit.substr(0, 64) + "\"");
  if (!id.empty()) {
    HOTLINE_RETURN_IF_ERROR(CheckEntryId(id, "id"));
    auto e = m.kb->Create(id, unit, content, scope.who);
    if (!e.ok()) return e.status();
    return scope.View(*e, {}, *m.kb);
  }
  // A fresh id: "KB" + one more than the number of entries, skipping taken ones.
  for (size_t n = m.kb->List().size() + 1;; ++n) {
    auto e = m.kb->Create("KB" + std::to_string(n), unit, content, scope.who);
    if (e.ok()) return scope.View(*e, {}, *m.kb);
    if (e.status().code() != Code::kConflict) return e.status();
  }
}

Result<KbEntryView> HotlineService::KbAct(const Actor& a, const std::string& id,
                                          const kb::EntryRequest& request) {
  if (!IsStaff(a)) return Status(Code::kForbidden, "the knowledge base is for staff");
  Impl& m = *impl_;
  KbScope scope(m.dir, m.clock, a);
  auto e = m.kb->Get(id);
  if (!e.ok() || !scope.Visible(*e)) return NoSuchEntry(id);
  auto after = m.kb->Act(id, request, scope.who);
  if (!after.ok()) return after.status();
  return scope.View(*after, UsageOf(*m.kb, m.store, id), *m.kb);
}

Result<OrderView> HotlineService::KbAnswer(const Actor& a, Id order_id, const std::string& id,
                                           int version, const std::string& question) {
  if (!IsStaff(a)) return Status(Code::kForbidden, "the knowledge base is for staff");
  Impl& m = *impl_;
  auto e = m.kb->Get(id);
  const kb::EntryVersion* live = e.ok() ? kb::PublishedVersion(*e) : nullptr;
  if (live == nullptr)
    return Status(Code::kNotFound, "no published knowledge entry " + id.substr(0, 64), "entry");
  if (version > 0 && version != live->version)
    return Status(Code::kConflict,
                  "entry " + id + " is at version " + std::to_string(live->version) + " now",
                  "version");
  HOTLINE_ASSIGN_OR_RETURN(OrderView before, GetOrder(a, order_id));
  ActionInput in;
  in.action = Action::kAnswer;
  in.reply = Reply{};
  in.reply->public_text = live->content.body;
  in.reply->actions_taken =
      "话务员依据知识库 " + id + " 第" + std::to_string(live->version) + "版直接答复";
  in.kb_entry = id;
  in.kb_version = live->version;
  HOTLINE_ASSIGN_OR_RETURN(OrderView after, Act(a, order_id, in, std::nullopt));
  // The caller's words teach the entry; personal data never reaches it.
  std::string asked = question.empty() ? before.order.content : question;
  asked = text::MaskPii(asked);
  if (asked.find_first_not_of(" \t\r\n") != std::string::npos) {
    Status st =
        m.kb->LearnFromAnswer(id, asked, KbService::Use{order_id, live->version, m.clock.Now()});
    // The order is answered either way; a lost learning step is not worth failing the call.
    (void)st;
  }
  return after;
}

Result<std::vector<KbEntryView>> HotlineService::KbImport(const Actor& a, const std::string& body,
                                                          std::string_view format, bool publish,
                                                          std::vector<kb::RowError>* errors) {
  Impl& m = *impl_;
  KbScope scope(m.dir, m.clock, a);
  if (!scope.who.centre)
    return Status(Code::kForbidden, "only the hotline centre imports knowledge entries");
  kb::ImportResult parsed = format == "csv"    ? kb::ParseEntriesCsv(body)
                            : format == "xlsx" ? kb::ParseEntriesXlsx(body)
                                               : kb::ParseEntriesJson(body);
  std::vector<kb::RowError> bad = parsed.errors;
  std::set<std::string> ids;
  for (size_t i = 0; i < parsed.rows.size(); ++i) {
    const kb::ImportRow& r = parsed.rows[i];
    if (Status st = CheckEntryId(r.id, "id"); !st.ok())
      bad.push_back({i + 1, "id", st.message()});
    else if (!ids.insert(r.id).second || m.kb->Get(r.id).ok())
      bad.push_back({i + 1, "id", "entry " + r.id + " exists already"});
    if (!m.dir.UnitByCode(r.owning_unit))
      bad.push_back({i + 1, "owning_unit", "unknown unit \"" + r.owning_unit.substr(0, 64) + "\""});
  }
  if (!bad.empty()) {
    if (errors) *errors = bad;
    return Invalid("body", std::to_string(bad.size()) + " bad row(s); nothing was imported: row " +
                               std::to_string(bad.front().row) + " " + bad.front().field + ": " +
                               bad.front().message);
  }
  std::vector<KbEntryView> out;
  for (const kb::ImportRow& r : parsed.rows) {
    auto e = m.kb->Create(r.id, r.owning_unit, r.content, scope.who, publish);
    if (!e.ok()) return e.status();  // checked above; only a store failure lands here
    out.push_back(scope.View(*e, {}, *m.kb));
  }
  return out;
}

Result<std::string> HotlineService::KbExport(const Actor& a, bool csv) {
  if (!IsStaff(a)) return Status(Code::kForbidden, "the knowledge base is for staff");
  Impl& m = *impl_;
  KbScope scope(m.dir, m.clock, a);
  std::vector<kb::ImportRow> rows;
  for (const kb::Entry& e : m.kb->List()) {
    if (!scope.Full(e) || e.versions.empty()) continue;
    rows.push_back({e.id, e.owning_unit, e.versions.back().content});
  }
  return csv ? kb::ExportEntriesCsv(rows) : kb::ExportEntriesJson(rows);
}

std::vector<KbHitView> HotlineService::KbPublic(std::string_view query, size_t limit) {
  Impl& m = *impl_;
  KbScope scope(m.dir, m.clock, Actor{});  // no unit, not the centre: the published view only
  std::vector<KbHitView> out;
  if (query.find_first_not_of(" \t") != std::string_view::npos) {
    kb::SearchOptions opt;
    opt.limit = limit;
    for (kb::Hit& hit : m.kb->Search(query, opt)) {
      auto e = m.kb->Get(hit.id);
      if (!e.ok() || kb::PublishedVersion(*e) == nullptr) continue;
      KbHitView h;
      h.view = scope.View(*e, {}, *m.kb);
      h.hit = std::move(hit);
      out.push_back(std::move(h));
    }
    return out;
  }
  for (const kb::Entry& e : m.kb->List()) {
    if (kb::PublishedVersion(e) == nullptr) continue;
    KbHitView h;
    h.view = scope.View(e, {}, *m.kb);
    out.push_back(std::move(h));
  }
  auto published_at = [](const KbHitView& h) {
    int64_t t = 0;
    for (const auto& ev : h.view.entry.events)
      if (ev.action == "publish") t = ev.at;
    return t;
  };
  std::stable_sort(out.begin(), out.end(), [&](const KbHitView& a, const KbHitView& b) {
    return published_at(a) > published_at(b);
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

Status HotlineService::KbRefresh() { return impl_->kb->Refresh(); }

Result<int> HotlineService::KbExpireDue() {
  kb::EntryActor system;
  system.user = "系统定时任务";
  system.centre = true;
  return impl_->kb->ExpireDue(system);
}

}  // namespace hotline
