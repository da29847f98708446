#include "api/json_codec.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "domain/workflow.h"

namespace hotline::api {
namespace {

using std::chrono::day;
using std::chrono::days;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;

constexpr std::int64_t kDay = 86400;

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

Status BadTime(const std::string& field, std::string_view text) {
  return Invalid(field, field + " must be an ISO 8601 time (2026-11-01 or " +
                            "2026-11-01T08:00:00+08:00) or epoch seconds (got \"" +
                            std::string(text.substr(0, 64)) + "\")");
}

// Whether every number in `j` is finite (nlohmann reads 1e400 as infinity).
bool AllFinite(const Json& j) {
  if (j.is_number_float()) return std::isfinite(j.get<double>());
  if (j.is_structured())
    for (const Json& v : j)
      if (!AllFinite(v)) return false;
  return true;
}

}  // namespace

std::string FormatTime(Timestamp t) {
  const std::int64_t local = t + kLocalOffsetSeconds;
  std::int64_t d = local / kDay, secs = local % kDay;
  if (secs < 0) secs += kDay, --d;
  const year_month_day ymd{sys_days{days{d}}};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d+08:00", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(secs / 3600), int(secs / 60 % 60),
                int(secs % 60));
  return buf;
}

Result<Timestamp> ParseTime(std::string_view s, const std::string& field, bool end_of_day) {
  if (s.empty()) return BadTime(field, s);
  if (auto n = ParseInt(s); n && s.size() <= 12) return *n;  // epoch seconds
  int y, mo, d;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d))
    return BadTime(field, s);
  const year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok() || y < 1970) return BadTime(field, s);
  const std::int64_t midnight = sys_days{ymd}.time_since_epoch().count() * kDay;
  if (s.size() == 10) return midnight - kLocalOffsetSeconds + (end_of_day ? kDay : 0);

  int hh, mm, ss = 0;
  std::size_t p = 10;
  if ((s[p] != 'T' && s[p] != ' ') || !Digits(s, p + 1, 2, &hh) || p + 3 >= s.size() ||
      s[p + 3] != ':' || !Digits(s, p + 4, 2, &mm))
    return BadTime(field, s);
  p += 6;
  if (p < s.size() && s[p] == ':') {
    if (!Digits(s, p + 1, 2, &ss)) return BadTime(field, s);
    p += 3;
    if (p < s.size() && s[p] == '.') {  // fractions are dropped
      ++p;
      const std::size_t start = p;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
      if (p == start) return BadTime(field, s);
    }
  }
  if (hh > 23 || mm > 59 || ss > 60) return BadTime(field, s);
  int offset = kLocalOffsetSeconds;
  if (p < s.size()) {
    if (s[p] == 'Z' && p + 1 == s.size()) {
      offset = 0;
    } else if (s[p] == '+' || s[p] == '-') {
      int oh, om;
      std::string_view rest = s.substr(p + 1);
      if (rest.size() == 5 && rest[2] == ':' && Digits(rest, 0, 2, &oh) &&
          Digits(rest, 3, 2, &om)) {
      } else if (rest.size() == 4 && Digits(rest, 0, 2, &oh) && Digits(rest, 2, 2, &om)) {
      } else {
        return BadTime(field, s);
      }
      if (oh > 14 || om > 59) return BadTime(field, s);
      offset = (oh * 3600 + om * 60) * (s[p] == '-' ? -1 : 1);
    } else {
      return BadTime(field, s);
    }
  }
  return midnight + hh * 3600 + mm * 60 + ss - offset;
}

namespace {

// Follows the keys of a JSON text as nlohmann's SAX parser reads it, to name the field
// where the text stops being valid (a number out of range, a broken string...).
class PathTracker : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t v, const string_t&) override {
    if (!std::isfinite(v)) return Stop("a number out of range");
    return Value();
  }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override {
    stack_.push_back({true, {}, 0});
    return true;
  }
  bool key(string_t& k) override {
    stack_.back().key = k;
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return Value();
  }
  bool start_array(std::size_t) override {
    stack_.push_back({false, {}, 0});
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return Value();
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    // A text cut short is the body's fault, not the last field's.
    if (std::string_view(e.what()).find("end of input") != std::string_view::npos) {
      reason = e.what();
      return false;
    }
    return Stop(e.what());
  }
  std::string path;    // of the field where parsing stopped; "" = none
  std::string reason;  // what was wrong there

 private:
  struct Level {
    bool object;
    std::string key;
    std::size_t index;
  };
  bool Value() {
    if (!stack_.empty() && !stack_.back().object) ++stack_.back().index;
    return true;
  }
  bool Stop(std::string why) {
    reason = std::move(why);
    if (stack_.empty() || !stack_.front().object) return false;  // only fields of the object
    for (const Level& l : stack_) {
      if (l.object) {
        if (l.key.empty()) break;
        path += (path.empty() ? "" : ".") + l.key;
      } else {
        path += "[" + std::to_string(l.index) + "]";
      }
    }
    return false;
  }
  std::vector<Level> stack_;
};

}  // namespace

Result<Json> ParseJsonObject(std::string_view body) {
  std::size_t i = 0;
  while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
  if (i == body.size()) return Json::object();
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || (j.is_object() && !AllFinite(j))) {
    PathTracker where;
    (void)Json::sax_parse(body, &where, Json::input_format_t::json, /*strict=*/true,
                          /*ignore_comments=*/false);
    if (!where.path.empty())
      return Invalid(where.path, where.path + " is not valid JSON: " + where.reason);
    return Invalid("body", "the request body is not valid JSON");
  }
  if (!j.is_object()) return Invalid("body", "the request body must be a JSON object");
  return j;
}

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "true" || s == "1" || s == "yes") return true;
  if (s == "false" || s == "0" || s == "no") return false;
  return std::nullopt;
}

std::optional<std::int64_t> ParseInt(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s[0] == '-' || s[0] == '+')
    return std::nullopt;
  return v;
}

// -- JsonReader --

JsonReader::JsonReader(const Json& object, std::string prefix)
    : object_(object), prefix_(std::move(prefix)) {}

void JsonReader::Fail(const std::string& key, std::string message) {
  if (status_.ok()) status_ = Invalid(Path(key), std::move(message));
}

void JsonReader::Fail(Status status) {
  if (status_.ok() && !status.ok()) status_ = std::move(status);
}

const Json* JsonReader::Get(const char* key) const {
  if (!status_.ok() || !object_.is_object()) return nullptr;
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> JsonReader::String(const char* key, std::size_t max_bytes) {
  const Json* v = Get(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    Fail(key, Path(key) + " must be a string");
    return std::nullopt;
  }
  const std::string& s = v->get_ref<const std::string&>();
  if (s.size() > max_bytes) {
    Fail(key, Path(key) + " must be at most " + std::to_string(max_bytes) + " bytes");
    return std::nullopt;
  }
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      Fail(key, Path(key) + " must not contain control characters");
      return std::nullopt;
    }
  return s;
}

std::optional<bool> JsonReader::Bool(const char* key) {
  const Json* v = Get(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    Fail(key, Path(key) + " must be true or false");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::int64_t> JsonReader::Int(const char* key, std::int64_t min, std::int64_t max) {
  const Json* v = Get(key);
  if (!v) return std::nullopt;
  std::int64_t n = 0;
  if (v->is_number_integer()) {
    if (v->is_number_unsigned() &&
        v->get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
      n = std::numeric_limits<std::int64_t>::max();
    } else {
      n = v->get<std::int64_t>();
    }
  } else if (v->is_number_float() && std::trunc(v->get<double>()) == v->get<double>() &&
             std::abs(v->get<double>()) < 9e15) {
    n = static_cast<std::int64_t>(v->get<double>());
  } else {
    Fail(key, Path(key) + " must be an integer");
    return std::nullopt;
  }
  if (n < min || n > max) {
    Fail(key,
         Path(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<double> JsonReader::Number(const char* key, double min, double max) {
  const Json* v = Get(key);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    Fail(key, Path(key) + " must be a number");
    return std::nullopt;
  }
  const double d = v->get<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    Fail(key, Path(key) + " must be between " + Json(min).dump() + " and " + Json(max).dump());
    return std::nullopt;
  }
  return d;
}

std::optional<Timestamp> JsonReader::Time(const char* key) {
  const Json* v = Get(key);
  if (!v) return std::nullopt;
  if (v->is_number()) return Int(key, 0, std::int64_t(1) << 40);
  if (!v->is_string()) {
    Fail(key, Path(key) + " must be an ISO 8601 time or epoch seconds");
    return std::nullopt;
  }
  auto t = ParseTime(v->get<std::string>(), Path(key));
  if (!t.ok()) {
    Fail(t.status());
    return std::nullopt;
  }
  return *t;
}

const Json* JsonReader::Object(const char* key) {
  const Json* v = Get(key);
  if (v && !v->is_object()) {
    Fail(key, Path(key) + " must be an object");
    return nullptr;
  }
  return v;
}

void JsonReader::RejectUnknown(std::initializer_list<std::string_view> known) {
  if (!status_.ok() || !object_.is_object()) return;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    bool found = false;
    for (auto k : known) found = found || k == it.key();
    if (!found) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      Fail(it.key(), "unknown field " + Path(it.key()) + " (expected one of " + list + ")");
      return;
    }
  }
}

// -- rendering --

namespace {

void PutTime(Json& j, const char* key, Timestamp t) {
  if (t != 0) j[key] = FormatTime(t);
}

template <typename E>
void PutEnum(Json& j, const char* key, E value) {
  j[key] = std::string(ToString(value));
  j[std::string(key) + "_label"] = std::string(ZhLabel(value));
}

Json PlaceRef(const HotlineService& service, std::optional<Id> id) {
  if (!id) return nullptr;
  auto u = service.FindUnit(*id);
  if (!u.ok()) return Json{{"id", *id}};
  return Json{{"id", u->id}, {"code", u->code}, {"name", u->name}};
}

// Labels of event actions that are not workflow actions.
std::string EventLabel(const std::string& action) {
  if (auto a = Parse<Action>(action)) return std::string(ZhLabel(*a));
  static const std::map<std::string, std::string> kOther = {
      {"intake", "受理"}, {"create", "受理"}, {"import", "导入"}, {"reassign", "改派"}};
  auto it = kOther.find(action);
  return it == kOther.end() ? action : it->second;
}

}  // namespace

Json ParseOrString(const std::string& text) {
  if (text.empty()) return Json::object();
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) return text;
  return j;
}

Json UnitRef(const HotlineService& service, std::optional<Id> id) {
  if (!id) return nullptr;
  auto u = service.FindUnit(*id);
  if (!u.ok()) return Json{{"id", *id}};
  return Json{{"id", u->id},
              {"code", u->code},
              {"name", u->name},
              {"kind", std::string(ToString(u->kind))}};
}

Json RenderUnit(const HotlineService& service, const Unit& unit) {
  Json j{{"id", unit.id}, {"code", unit.code}, {"name", unit.name}, {"active", unit.active}};
  PutEnum(j, "kind", unit.kind);
  if (unit.grid_kind) PutEnum(j, "grid_kind", *unit.grid_kind);
  j["parent"] = PlaceRef(service, unit.parent_id);
  return j;
}

Json RenderUser(const HotlineService& service, const User& user, bool with_phone) {
  Json j{{"id", user.id},
         {"login", user.login},
         {"display_name", user.display_name},
         {"active", user.active}};
  PutEnum(j, "role", user.role);
  j["unit"] = UnitRef(service, user.unit_id);
  if (with_phone && !user.phone.empty()) j["phone"] = user.phone;
  if (with_phone) {
    j["failed_logins"] = user.failed_logins;
    j["locked_until"] = user.locked_until ? Json(FormatTime(*user.locked_until)) : Json(nullptr);
  }
  return j;
}

Json RenderOrder(const HotlineService& service, const OrderView& view) {
  const WorkOrder& o = view.order;
  Json j{{"id", o.id}, {"no", o.no}, {"version", o.version}};
  PutEnum(j, "state", o.state);
  PutEnum(j, "channel", o.channel);
  PutEnum(j, "nature", o.nature);
  PutEnum(j, "urgency", o.urgency);
  if (o.subject_code.empty()) {
    j["subject"] = nullptr;
  } else {
    auto config = service.config();
    const Subject* s = config ? config->FindSubject(o.subject_code) : nullptr;
    j["subject"] = {{"code", o.subject_code}, {"name", s ? s->name : ""}};
  }
  j["title"] = o.title;
  j["content"] = o.content;
  j["caller"] = {{"name", o.caller_name}, {"phone", o.caller_phone}, {"id_no", o.caller_id_no}};
  j["pii_masked"] = view.pii_masked;
  j["identity_hidden"] = view.identity_hidden;
  j["confidential"] = o.confidential;
  if (o.reported_unit_id) j["reported_unit"] = UnitRef(service, o.reported_unit_id);
  Json place{{"grid", PlaceRef(service, o.place.grid_id)},
             {"community", PlaceRef(service, o.place.community_id)},
             {"street", PlaceRef(service, o.place.street_id)},
             {"address", o.place.address}};
  place["lon"] = o.place.lon ? Json(*o.place.lon) : Json(nullptr);
  place["lat"] = o.place.lat ? Json(*o.place.lat) : Json(nullptr);
  j["place"] = std::move(place);
  j["lead_unit"] = UnitRef(service, o.lead_unit_id);
  // 二级派单: the district office that re-dispatched the order (null at the first hop).
  j["relay_unit"] = UnitRef(service, o.relay_unit_id);
  Json assist = Json::array();
  for (Id id : o.assist_unit_ids) assist.push_back(UnitRef(service, id));
  j["assist_units"] = std::move(assist);
  PutTime(j, "created_at", o.created_at);
  PutTime(j, "updated_at", o.updated_at);
  PutTime(j, "dispatched_at", o.dispatched_at);
  PutTime(j, "signed_at", o.signed_at);
  PutTime(j, "replied_at", o.replied_at);
  PutTime(j, "closed_at", o.closed_at);
  PutTime(j, "sign_due", o.sign_due);
  PutTime(j, "due_at", o.due_at);
  PutTime(j, "suspended_at", o.suspended_at);
  PutEnum(j, "light", view.light);
  j["supervised"] = o.supervised;
  j["return_count"] = o.return_count;
  j["extension_count"] = o.extension_count;
  j["redo_count"] = o.redo_count;
  j["merged_into"] = o.merged_into ? Json(*o.merged_into) : Json(nullptr);
  if (o.reject_basis) {
    PutEnum(j, "reject_basis", *o.reject_basis);
  } else {
    j["reject_basis"] = nullptr;
  }
  if (o.reply) {
    const Reply& r = *o.reply;
    Json reply{{"direct", r.direct},
               {"contact_method", r.contact_method},
               {"resolved", r.resolved},
               {"unresolved_reason", r.unresolved_reason},
               {"actions_taken", r.actions_taken},
               {"public_text", r.public_text}};
    PutTime(reply, "contacted_at", r.contacted_at);
    j["reply"] = std::move(reply);
  } else {
    j["reply"] = nullptr;
  }
  if (o.callback) {
    Json cb{{"note", o.callback->note}};
    PutEnum(cb, "rating", o.callback->rating);
    PutTime(cb, "at", o.callback->at);
    j["callback"] = std::move(cb);
  } else {
    j["callback"] = nullptr;
  }
  j["pending_request"] = o.pending_request.empty() ? Json(nullptr) : Json(o.pending_request);
  if (o.pending_extension_days > 0) j["pending_extension_days"] = o.pending_extension_days;
  if (!o.suggestion_json.empty()) j["suggestion"] = ParseOrString(o.suggestion_json);
  if (o.place_resolution) {
    Json cands = Json::array();
    for (const PlaceCandidate& c : o.place_resolution->candidates)
      cands.push_back({{"name", c.name},
                       {"kind", c.kind},
                       {"score", c.score},
                       {"street", PlaceRef(service, c.street_id)},
                       {"community", PlaceRef(service, c.community_id)},
                       {"grid", PlaceRef(service, c.grid_id)}});
    j["place_resolution"] = {{"status", o.place_resolution->status},
                             {"candidates", std::move(cands)}};
  }
  Json actions = Json::array();
  for (Action a : view.actions) actions.push_back(std::string(ToString(a)));
  j["actions"] = std::move(actions);
  if (!view.duplicates.empty()) j["duplicates"] = RenderDuplicates(view.duplicates);
  return j;
}

Json RenderDuplicates(const std::vector<DuplicateView>& dups) {
  Json items = Json::array();
  for (const DuplicateView& d : dups) {
    Json x{
        {"id", d.id}, {"no", d.no}, {"title", d.title}, {"score", d.score}, {"reason", d.reason}};
    PutEnum(x, "state", d.state);
    items.push_back(std::move(x));
  }
  return items;
}

Json RenderEvents(const HotlineService& service, const std::vector<Event>& events) {
  Json items = Json::array();
  for (const Event& e : events) {
    Json j{{"id", e.id}, {"at", FormatTime(e.at)}, {"action", e.action}};
    j["action_label"] = EventLabel(e.action);
    PutEnum(j, "from", e.from);
    PutEnum(j, "to", e.to);
    if (e.user_id) {
      j["user"] = {{"id", *e.user_id}, {"display_name", service.UserDisplayName(*e.user_id)}};
    } else {
      j["user"] = nullptr;
    }
    if (e.unit_id) {
      auto u = service.FindUnit(*e.unit_id);
      j["unit"] = {{"id", *e.unit_id}, {"name", u.ok() ? u->name : std::string()}};
    } else {
      j["unit"] = nullptr;
    }
    j["text"] = e.text;
    j["data"] = ParseOrString(e.data_json);
    items.push_back(std::move(j));
  }
  return items;
}

}  // namespace hotline::api
