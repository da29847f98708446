#include <nlohmann/json.hpp>

#include "kb/entry.h"

namespace hotline::kb {
namespace {

using nlohmann::json;

json ContentJson(const EntryContent& c) {
  return {
      {"title", c.title},
      {"body", c.body},
      {"subjects", c.subjects},
      {"source", {{"name", c.source.name}, {"number", c.source.number}, {"link", c.source.link}}},
      {"valid_from", c.valid_from},
      {"valid_until", c.valid_until},
      {"review_due", c.review_due},
      {"attachments", c.attachments}};
}

EntryContent ContentFrom(const json& j) {
  EntryContent c;
  c.title = j.at("title").get<std::string>();
  c.body = j.at("body").get<std::string>();
  c.subjects = j.at("subjects").get<std::vector<std::string>>();
  c.source.name = j.at("source").at("name").get<std::string>();
  c.source.number = j.at("source").at("number").get<std::string>();
  c.source.link = j.at("source").at("link").get<std::string>();
  c.valid_from = j.at("valid_from").get<int64_t>();
  c.valid_until = j.at("valid_until").get<int64_t>();
  c.review_due = j.at("review_due").get<int64_t>();
  c.attachments = j.at("attachments").get<std::vector<std::string>>();
  return c;
}

}  // namespace

Result<EntryState> ParseEntryState(std::string_view name) {
  for (EntryState s : {EntryState::kDraft, EntryState::kSubmitted, EntryState::kPublished,
                       EntryState::kExpired, EntryState::kWithdrawn})
    if (name == EntryStateName(s)) return s;
  return Invalid("state", "unknown entry state " + std::string(name));
}

std::string EntryToJson(const Entry& e) {
  json versions = json::array(), events = json::array(), corrections = json::array();
  for (const auto& v : e.versions)
    versions.push_back({{"version", v.version},
                        {"content", ContentJson(v.content)},
                        {"author", v.author},
                        {"created_at", v.created_at}});
  for (const auto& ev : e.events)
    events.push_back({{"at", ev.at},
                      {"actor", ev.actor},
                      {"action", ev.action},
                      {"from", EntryStateName(ev.from)},
                      {"to", EntryStateName(ev.to)},
                      {"version", ev.version},
                      {"note", ev.note}});
  for (const auto& c : e.corrections)
    corrections.push_back({{"at", c.at},
                           {"unit", c.unit},
                           {"actor", c.actor},
                           {"version", c.version},
                           {"note", c.note}});
  return json{{"id", e.id},
              {"owning_unit", e.owning_unit},
              {"state", EntryStateName(e.state)},
              {"published_version", e.published_version},
              {"versions", versions},
              {"events", events},
              {"corrections", corrections}}
      .dump();
}

Result<Entry> ParseEntryJson(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& ex) {
    return Invalid("entry", std::string("not JSON: ") + ex.what());
  }
  const char* at = "entry";
  try {
    Entry e;
    at = "id";
    e.id = j.at("id").get<std::string>();
    at = "owning_unit";
    e.owning_unit = j.at("owning_unit").get<std::string>();
    at = "state";
    auto st = ParseEntryState(j.at("state").get<std::string>());
    if (!st.ok()) return st.status();
    e.state = *st;
    at = "published_version";
    e.published_version = j.at("published_version").get<int>();
    at = "versions";
    for (const auto& v : j.at("versions"))
      e.versions.push_back({v.at("version").get<int>(), ContentFrom(v.at("content")),
                            v.at("author").get<std::string>(), v.at("created_at").get<int64_t>()});
    at = "events";
    for (const auto& v : j.at("events")) {
      auto from = ParseEntryState(v.at("from").get<std::string>());
      auto to = ParseEntryState(v.at("to").get<std::string>());
      if (!from.ok() || !to.ok()) return Invalid("events", "unknown state in an event");
      e.events.push_back({v.at("at").get<int64_t>(), v.at("actor").get<std::string>(),
                          v.at("action").get<std::string>(), *from, *to, v.at("version").get<int>(),
                          v.at("note").get<std::string>()});
    }
    at = "corrections";
    for (const auto& v : j.at("corrections"))
      e.corrections.push_back({v.at("at").get<int64_t>(), v.at("unit").get<std::string>(),
                               v.at("actor").get<std::string>(), v.at("version").get<int>(),
                               v.at("note").get<std::string>()});
    if (e.published_version != 0 && PublishedVersion(e) == nullptr)
      return Invalid("published_version", "no such version");
    return e;
  } catch (const json::exception& ex) {
    return Invalid(at, std::string("malformed: ") + ex.what());
  }
}

}  // namespace hotline::kb
