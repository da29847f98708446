#include "store/order_codec.h"

#include <nlohmann/json.hpp>

namespace hotline {

using nlohmann::json;

namespace {

template <typename T>
void PutOpt(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}
template <typename E>
void PutEnumOpt(json& j, const char* key, const std::optional<E>& v) {
  if (v) j[key] = ToString(*v);
}
template <typename T>
std::optional<T> GetOpt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}
template <typename E>
E GetEnum(const json& j, const char* key, E fallback) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return fallback;
  return Parse<E>(it->get<std::string>()).value_or(fallback);
}
template <typename E>
std::optional<E> GetEnumOpt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return Parse<E>(it->get<std::string>());
}

}  // namespace

std::string EncodeOrder(const WorkOrder& o) {
  json j;
  j["id"] = o.id;
  j["no"] = o.no;
  j["state"] = ToString(o.state);
  j["version"] = o.version;
  j["channel"] = ToString(o.channel);
  j["nature"] = ToString(o.nature);
  j["urgency"] = ToString(o.urgency);
  j["subject_code"] = o.subject_code;
  j["title"] = o.title;
  j["content"] = o.content;
  j["caller_name"] = o.caller_name;
  j["caller_phone"] = o.caller_phone;
  j["caller_id_no"] = o.caller_id_no;
  j["confidential"] = o.confidential;
  PutOpt(j, "citizen_user_id", o.citizen_user_id);
  PutOpt(j, "reported_unit_id", o.reported_unit_id);
  json place;
  PutOpt(place, "grid_id", o.place.grid_id);
  PutOpt(place, "community_id", o.place.community_id);
  PutOpt(place, "street_id", o.place.street_id);
  place["address"] = o.place.address;
  PutOpt(place, "lon", o.place.lon);
  PutOpt(place, "lat", o.place.lat);
  j["place"] = place;
  PutOpt(j, "lead_unit_id", o.lead_unit_id);
  j["assist_unit_ids"] = o.assist_unit_ids;
  PutOpt(j, "created_by", o.created_by);
  j["created_at"] = o.created_at;
  j["updated_at"] = o.updated_at;
  j["dispatched_at"] = o.dispatched_at;
  j["signed_at"] = o.signed_at;
  j["replied_at"] = o.replied_at;
  j["closed_at"] = o.closed_at;
  j["sign_due"] = o.sign_due;
  j["due_at"] = o.due_at;
  j["yellow_at"] = o.yellow_at;
  j["suspended_at"] = o.suspended_at;
  j["return_count"] = o.return_count;
  j["extension_count"] = o.extension_count;
  j["redo_count"] = o.redo_count;
  j["supervised"] = o.supervised;
  PutOpt(j, "merged_into", o.merged_into);
  PutOpt(j, "relay_unit_id", o.relay_unit_id);
  PutEnumOpt(j, "reject_basis", o.reject_basis);
  PutEnumOpt(j, "state_before", o.state_before);
  if (o.reply) {
    const Reply& r = *o.reply;
    j["reply"] = {{"direct", r.direct},
                  {"contacted_at", r.contacted_at},
                  {"contact_method", r.contact_method},
                  {"resolved", r.resolved},
                  {"unresolved_reason", r.unresolved_reason},
                  {"actions_taken", r.actions_taken},
                  {"public_text", r.public_text}};
  }
  if (o.callback)
    j["callback"] = {{"rating", ToString(o.callback->rating)},
                     {"note", o.callback->note},
                     {"at", o.callback->at}};
  j["pending_request"] = o.pending_request;
  j["pending_extension_days"] = o.pending_extension_days;
  if (!o.suggestion_json.empty()) j["suggestion"] = json::parse(o.suggestion_json, nullptr, false);
  if (o.place_resolution) {
    json cands = json::array();
    for (const PlaceCandidate& c : o.place_resolution->candidates) {
      json x{{"name", c.name}, {"kind", c.kind}, {"score", c.score}};
      PutOpt(x, "street_id", c.street_id);
      PutOpt(x, "community_id", c.community_id);
      PutOpt(x, "grid_id", c.grid_id);
      cands.push_back(std::move(x));
    }
    j["place_resolution"] = {{"status", o.place_resolution->status}, {"candidates", cands}};
  }
  return j.dump();
}

Result<WorkOrder> DecodeOrder(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Status(Code::kInternal, "stored order document is not valid JSON");
  try {
    WorkOrder o;
    o.id = j.value("id", Id{0});
    o.no = j.value("no", "");
    o.state = GetEnum(j, "state", State::kReceived);
    o.version = j.value("version", std::int64_t{0});
    o.channel = GetEnum(j, "channel", Channel::kHotline);
    o.nature = GetEnum(j, "nature", Nature::kConsultation);
    o.urgency = GetEnum(j, "urgency", Urgency::kNormal);
    o.subject_code = j.value("subject_code", "");
    o.title = j.value("title", "");
    o.content = j.value("content", "");
    o.caller_name = j.value("caller_name", "");
    o.caller_phone = j.value("caller_phone", "");
    o.caller_id_no = j.value("caller_id_no", "");
    o.confidential = j.value("confidential", false);
    o.citizen_user_id = GetOpt<Id>(j, "citizen_user_id");
    o.reported_unit_id = GetOpt<Id>(j, "reported_unit_id");
    if (auto it = j.find("place"); it != j.end() && it->is_object()) {
      const json& p = *it;
      o.place.grid_id = GetOpt<Id>(p, "grid_id");
      o.place.community_id = GetOpt<Id>(p, "community_id");
      o.place.street_id = GetOpt<Id>(p, "street_id");
      o.place.address = p.value("address", "");
      o.place.lon = GetOpt<double>(p, "lon");
      o.place.lat = GetOpt<double>(p, "lat");
    }
    o.lead_unit_id = GetOpt<Id>(j, "lead_unit_id");
    o.assist_unit_ids = j.value("assist_unit_ids", std::vector<Id>{});
    o.created_by = GetOpt<Id>(j, "created_by");
    o.created_at = j.value("created_at", Timestamp{0});
    o.updated_at = j.value("updated_at", Timestamp{0});
    o.dispatched_at = j.value("dispatched_at", Timestamp{0});
    o.signed_at = j.value("signed_at", Timestamp{0});
    o.replied_at = j.value("replied_at", Timestamp{0});
    o.closed_at = j.value("closed_at", Timestamp{0});
    o.sign_due = j.value("sign_due", Timestamp{0});
    o.due_at = j.value("due_at", Timestamp{0});
    o.yellow_at = j.value("yellow_at", Timestamp{0});
    o.suspended_at = j.value("suspended_at", Timestamp{0});
    o.return_count = j.value("return_count", 0);
    o.extension_count = j.value("extension_count", 0);
    o.redo_count = j.value("redo_count", 0);
    o.supervised = j.value("supervised", false);
    o.merged_into = GetOpt<Id>(j, "merged_into");
    o.relay_unit_id = GetOpt<Id>(j, "relay_unit_id");
    o.reject_basis = GetEnumOpt<RejectBasis>(j, "reject_basis");
    o.state_before = GetEnumOpt<State>(j, "state_before");
    if (auto it = j.find("reply"); it != j.end() && it->is_object()) {
      const json& r = *it;
      o.reply = Reply{r.value("direct", false),         r.value("contacted_at", Timestamp{0}),
                      r.value("contact_method", ""),    r.value("resolved", false),
                      r.value("unresolved_reason", ""), r.value("actions_taken", ""),
                      r.value("public_text", "")};
    }
    if (auto it = j.find("callback"); it != j.end() && it->is_object())
      o.callback = Callback{GetEnum(*it, "rating", Rating::kSatisfied), it->value("note", ""),
                            it->value("at", Timestamp{0})};
    o.pending_request = j.value("pending_request", "");
    o.pending_extension_days = j.value("pending_extension_days", 0);
    if (auto it = j.find("suggestion"); it != j.end() && !it->is_null())
      o.suggestion_json = it->dump();
    // Absent in orders stored before issue 4: stays nullopt.
    if (auto it = j.find("place_resolution"); it != j.end() && it->is_object()) {
      PlaceResolution r;
      r.status = it->value("status", "");
      if (auto c = it->find("candidates"); c != it->end() && c->is_array())
        for (const json& x : *c)
          r.candidates.push_back({x.value("name", ""), x.value("kind", ""), x.value("score", 0.0),
                                  GetOpt<Id>(x, "street_id"), GetOpt<Id>(x, "community_id"),
                                  GetOpt<Id>(x, "grid_id")});
      o.place_resolution = std::move(r);
    }
    return o;
  } catch (const json::exception& e) {
    return Status(Code::kInternal, std::string("stored order document: ") + e.what());
  }
}

}  // namespace hotline
