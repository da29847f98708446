#include "service/open311_clients.h"

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>

#include "service/password.h"

namespace hotline {
namespace {

using json = nlohmann::json;
constexpr char kDocument[] = "open311_clients";

std::mutex& WriteMutex() {
  static std::mutex mu;
  return mu;
}

Status RequireAdmin(const Actor& a) {
  if (a.role != Role::kAdmin) return Status(Code::kForbidden, "only an admin may manage API keys");
  return Status::Ok();
}

json ToJson(const Open311Client& c) {
  json j = {{"id", c.id},
            {"name", c.name},
            {"channel_label", c.channel_label},
            {"rate_per_minute", c.rate_per_minute},
            {"key_prefix", c.key_prefix},
            {"digest", c.digest},
            {"created_at", c.created_at},
            {"created_by", c.created_by}};
  if (c.revoked_at) j["revoked_at"] = *c.revoked_at;
  return j;
}

Open311Client FromJson(const json& j) {
  Open311Client c;
  c.id = j.value("id", Id{0});
  c.name = j.value("name", "");
  c.channel_label = j.value("channel_label", "");
  c.rate_per_minute = j.value("rate_per_minute", 60);
  c.key_prefix = j.value("key_prefix", "");
  c.digest = j.value("digest", "");
  c.created_at = j.value("created_at", Timestamp{0});
  c.created_by = j.value("created_by", Id{0});
  if (j.contains("revoked_at") && j["revoked_at"].is_number_integer())
    c.revoked_at = j["revoked_at"].get<Timestamp>();
  return c;
}

Result<std::vector<Open311Client>> Load(Store& store) {
  HOTLINE_ASSIGN_OR_RETURN(std::optional<std::string> text, store.GetDocument(kDocument));
  std::vector<Open311Client> out;
  if (!text) return out;
  json j = json::parse(*text, nullptr, false);
  if (!j.is_object() || !j["clients"].is_array())
    return Status(Code::kInternal, "the stored open311_clients document is damaged");
  for (const json& c : j["clients"]) out.push_back(FromJson(c));
  return out;
}

Status Save(Store& store, const std::vector<Open311Client>& clients) {
  json arr = json::array();
  for (const Open311Client& c : clients) arr.push_back(ToJson(c));
  return store.PutDocument(kDocument, json{{"clients", arr}}.dump());
}

}  // namespace

Result<NewOpen311Client> CreateOpen311Client(HotlineService& svc, const Actor& actor,
                                             const std::string& name,
                                             const std::string& channel_label,
                                             int rate_per_minute) {
  HOTLINE_RETURN_IF_ERROR(RequireAdmin(actor));
  if (name.find_first_not_of(" \t") == std::string::npos)
    return Invalid("name", "name is required: the client system's name");
  if (name.size() > 100) return Invalid("name", "name is longer than 100 bytes");
  if (channel_label.find_first_not_of(" \t") == std::string::npos)
    return Invalid("channel_label", "channel_label is required: what the client stands for");
  if (channel_label.size() > 64)
    return Invalid("channel_label", "channel_label is longer than 64 bytes");
  if (rate_per_minute < 1 || rate_per_minute > 6000)
    return Invalid("rate_per_minute", "rate_per_minute must be 1..6000");
  std::lock_guard lock(WriteMutex());
  HOTLINE_ASSIGN_OR_RETURN(std::vector<Open311Client> clients, Load(svc.store()));
  Id next = 1;
  for (const Open311Client& c : clients) {
    next = std::max(next, c.id + 1);
    if (!c.revoked_at && c.name == name)
      return Status(Code::kConflict, "an active client is already named " + name, "name");
  }
  NewOpen311Client out;
  out.key = NewToken();
  Open311Client& c = out.client;
  c.id = next;
  c.name = name;
  c.channel_label = channel_label;
  c.rate_per_minute = rate_per_minute;
  c.key_prefix = out.key.substr(0, 6);
  c.digest = TokenDigest(out.key);
  c.created_at = svc.clock().Now();
  c.created_by = actor.user_id;
  clients.push_back(c);
  HOTLINE_RETURN_IF_ERROR(Save(svc.store(), clients));
  (void)svc.store().AppendAudit({c.created_at, actor.user_id, "open311_key_create", std::nullopt,
                                 "client " + std::to_string(c.id) + " " + name});
  return out;
}

Result<std::vector<Open311Client>> ListOpen311Clients(HotlineService& svc, const Actor& actor) {
  HOTLINE_RETURN_IF_ERROR(RequireAdmin(actor));
  HOTLINE_ASSIGN_OR_RETURN(std::vector<Open311Client> clients, Load(svc.store()));
  std::reverse(clients.begin(), clients.end());
  return clients;
}

Result<Open311Client> RevokeOpen311Client(HotlineService& svc, const Actor& actor, Id id) {
  HOTLINE_RETURN_IF_ERROR(RequireAdmin(actor));
  std::lock_guard lock(WriteMutex());
  HOTLINE_ASSIGN_OR_RETURN(std::vector<Open311Client> clients, Load(svc.store()));
  for (Open311Client& c : clients) {
    if (c.id != id) continue;
    if (c.revoked_at) return c;
    c.revoked_at = svc.clock().Now();
    HOTLINE_RETURN_IF_ERROR(Save(svc.store(), clients));
    (void)svc.store().AppendAudit({*c.revoked_at, actor.user_id, "open311_key_revoke", std::nullopt,
                                   "client " + std::to_string(c.id) + " " + c.name});
    return c;
  }
  return Status(Code::kNotFound, "no such API client", "id");
}

Result<std::optional<Open311Client>> FindOpen311Client(HotlineService& svc,
                                                       const std::string& key) {
  if (key.empty() || key.size() > 200) return std::optional<Open311Client>();
  const std::string digest = TokenDigest(key);
  HOTLINE_ASSIGN_OR_RETURN(std::vector<Open311Client> clients, Load(svc.store()));
  for (const Open311Client& c : clients)
    if (!c.revoked_at && c.digest == digest) return std::optional<Open311Client>(c);
  return std::optional<Open311Client>();
}

}  // namespace hotline
