// Open311 GeoReport v2 under /open311/v2/ (docs/open311.md), XML or JSON by the suffix, on the
// engine itself: services are the subject taxonomy's leaves, a POST is an intake with channel
// open311 (classification, place resolution, duplicate check and auto-dispatch as for every
// channel), and requests are work orders shown as the public tracking page shows them (no
// caller, no personal data). The admin routes for API keys are here too.
#include <chrono>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "api/open311_format.h"
#include "api/route_util.h"
#include "service/open311_clients.h"
#include "service/password.h"
#include "service/pii.h"

namespace hotline::api::route {
namespace {

using open311::Doc;
using open311::Format;

constexpr char kSpecification[] = "http://wiki.open311.org/GeoReport_v2";
constexpr Timestamp kDay = 86400;
constexpr int kMaxRequests = 1000;  // the specification's default volume
constexpr int kMaxDescription = 4000;

// -- the engine's vocabulary as Open311 sees it --

bool IsLeaf(const Config& cfg, const Subject& s) {
  for (const Subject& t : cfg.subjects)
    if (t.parent_code == s.code) return false;
  return true;
}

const Subject* Ancestor(const Config& cfg, const Subject& s, int level) {
  if (s.level < level) return nullptr;
  return cfg.FindSubject(s.code.substr(0, 2 * level));
}

// The jurisdiction: the district's unit code (one endpoint serves one jurisdiction).
std::string JurisdictionId(const HotlineService& svc) {
  for (const Unit& u : svc.Units())
    if ((u.kind == UnitKind::kDistrict || u.kind == UnitKind::kCity) && !u.parent_id) return u.code;
  return "";
}

// A jurisdiction_id that is given must be ours (404 otherwise); absent or empty is ours.
Status CheckJurisdiction(const HotlineService& svc, const std::string* given) {
  if (!given || given->empty() || *given == JurisdictionId(svc)) return Status::Ok();
  return Status(Code::kNotFound,
                "unknown jurisdiction_id (this endpoint serves " + JurisdictionId(svc) + ")",
                "jurisdiction_id");
}

Status CheckParams(const HttpRequest& req, std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : req.query)
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      std::string list;
      for (auto n : known) list += (list.empty() ? "" : ", ") + std::string(n);
      return Invalid(k, "unknown parameter " + k + " (expected one of " + list + ")");
    }
  return Status::Ok();
}

Doc ServiceDoc(const Config& cfg, const Subject& s) {
  const Subject* l1 = Ancestor(cfg, s, 1);
  const Subject* l2 = Ancestor(cfg, s, 2);
  std::string path, keywords;
  for (const Subject* p : {l1, l2})
    if (p && p != &s) {
      path += p->name + " / ";
      keywords += (keywords.empty() ? "" : ",") + p->name;
    }
  keywords += (keywords.empty() ? "" : ",") + s.name;
  if (cfg.IsDepartmentMatter(s.code)) keywords += ",部门事项";
  return Doc{{"service_code", s.code},
             {"service_name", s.name},
             {"description", path + s.name},
             {"metadata", true},
             {"type", "realtime"},
             {"keywords", keywords},
             {"group", l1 ? l1->name : s.name}};
}

// What an intake needs beyond the text and the place, as Open311 attributes.
template <typename E>
Doc EnumValues() {
  Doc values = Doc::array();
  for (const auto& n : EnumNames<E>()) values.push_back({{"key", n.name}, {"name", n.zh}});
  return values;
}

Doc Attribute(const char* code, const char* datatype, bool required, int order,
              const std::string& description, Doc values, bool variable = true) {
  Doc a = {{"variable", variable},       {"code", code},
           {"datatype", datatype},       {"required", required},
           {"datatype_description", ""}, {"order", order},
           {"description", description}};
  if (!values.is_null()) a["values"] = std::move(values);
  return a;
}

Doc AttributesOf(const Config& cfg, const Subject& s) {
  Doc attrs = Doc::array();
  attrs.push_back(Attribute("nature", "singlevaluelist", false, 1,
                            "诉求性质（默认：求助）Nature of the appeal (default: help)",
                            EnumValues<Nature>()));
  attrs.push_back(Attribute("urgency", "singlevaluelist", false, 2,
                            "紧急程度（默认：一般）Urgency (default: normal)",
                            EnumValues<Urgency>()));
  attrs.push_back(Attribute(
      "confidential", "singlevaluelist", false, 3, "是否要求保密 Keep the caller confidential",
      Doc::array({{{"key", "false"}, {"name", "否"}}, {{"key", "true"}, {"name", "是"}}})));
  attrs.push_back(Attribute("contact_times", "multivaluelist", false, 4,
                            "方便联系的时段（可多选）When the caller can be reached (any of)",
                            Doc::array({{{"key", "morning"}, {"name", "上午"}},
                                        {{"key", "afternoon"}, {"name", "下午"}},
                                        {{"key", "evening"}, {"name", "晚上"}},
                                        {{"key", "weekend"}, {"name", "周末"}}})));
  if (cfg.IsDepartmentMatter(s.code))
    attrs.push_back(Attribute("department_matter", "string", false, 5,
                              "本事项为部门事项，由职能部门办理 (handled by a department)",
                              Doc(nullptr), false));
  return attrs;
}

// -- orders as the public sees them --

std::string UnitName(const HotlineService& svc, const std::optional<Id>& id) {
  if (!id) return "";
  auto u = svc.FindUnit(*id);
  return u.ok() ? u->name : "";
}
std::string UnitCode(const HotlineService& svc, const std::optional<Id>& id) {
  if (!id) return "";
  auto u = svc.FindUnit(*id);
  return u.ok() ? u->code : "";
}

// An order whose caller must stay hidden (举报, 保密): no text, no address, no point.
bool Withheld(const WorkOrder& o) {
  return o.confidential || o.nature == Nature::kReport || o.reported_unit_id.has_value();
}

// Masked numbers keep a few digits for staff (138****5678); the public gets none of them.
std::string DropMaskedNumbers(std::string text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    bool star = false;
    while (j < text.size() &&
           ((text[j] >= '0' && text[j] <= '9') || text[j] == '*' || (j > i && text[j] == '-'))) {
      star = star || text[j] == '*';
      ++j;
    }
    if (j > i) {
      out += star ? "***" : text.substr(i, j - i);
      i = j;
    } else {
      out += text[i++];
    }
  }
  return out;
}

// The public reply, masked as the tracking page masks it (numbers, the caller's name).
std::string PublicReply(const WorkOrder& o) {
  return DropMaskedNumbers(
      RedactText(o.reply->public_text, o.caller_name, o.caller_phone, Withheld(o)));
}

std::string StatusNotes(const WorkOrder& o) {
  if (o.state == State::kMerged) return "已并单（重复诉求）";
  if (o.state == State::kRejected && o.reject_basis)
    return "不予受理：" + std::string(ZhLabel(*o.reject_basis));
  if (o.reply && !o.reply->public_text.empty()) return PublicReply(o);
  return std::string(ZhLabel(o.state));
}

double Round3(double v) { return std::round(v * 1000.0) / 1000.0; }

Timestamp UpdatedAt(const WorkOrder& o) {
  return IsTerminal(o.state) && o.closed_at ? o.closed_at : o.updated_at;
}

// The public timeline: fixed words per step, never an event's own text (it may name people).
std::optional<Doc> Note(const WorkOrder& o, const Event& e) {
  std::string type, summary, description;
  if (e.action == "intake") {
    type = "submitted", summary = "已受理";
  } else if (e.action == "dispatch" || (e.action == "approve_return" && e.to != e.from)) {
    type = "opened", summary = "已派单";
  } else if (e.action == "sign") {
    type = "activity", summary = "已签收";
  } else if (e.action == "reply" || e.action == "answer") {
    type = "activity", summary = "已答复";
    if (o.reply) description = PublicReply(o);
  } else if (e.action == "redo") {
    type = "activity", summary = "重新办理";
  } else if (e.action == "close") {
    type = "closed", summary = "已办结";
  } else if (e.action == "merge") {
    type = "closed", summary = "已并单";
  } else if (e.action == "reject") {
    type = "closed", summary = "不予受理";
  } else if (e.action == "suspend") {
    type = "activity", summary = "已挂账";
  } else if (e.action == "resume") {
    type = "activity", summary = "恢复办理";
  } else {
    return std::nullopt;
  }
  return Doc{{"datetime", FormatTime(e.at)},
             {"description", description.empty() ? summary : description},
             {"type", type},
             {"summary", summary}};
}

// The source label an Open311 client stood for, from the intake event.
std::string SourceOf(const std::vector<Event>& events) {
  for (const Event& e : events) {
    if (e.action != "intake") continue;
    Json d = Json::parse(e.data_json, nullptr, false);
    if (d.is_object() && d["source"].is_string()) return d["source"].get<std::string>();
  }
  return "";
}

Doc RequestDoc(HotlineService& svc, const Config& cfg, const WorkOrder& o, bool extensions) {
  const Subject* s = o.subject_code.empty() ? nullptr : cfg.FindSubject(o.subject_code);
  const bool withheld = Withheld(o);
  std::string address;
  if (!withheld && !o.place.address.empty()) address = MaskAddress(o.place.address);
  if (address.empty()) {
    address = UnitName(svc, o.place.street_id);
    const std::string c = withheld ? "" : UnitName(svc, o.place.community_id);
    if (!c.empty()) address += (address.empty() ? "" : " ") + c;
  }
  // The most precise unit; only the street when the caller must stay hidden.
  std::string address_id = withheld ? "" : UnitCode(svc, o.place.grid_id);
  if (address_id.empty() && !withheld) address_id = UnitCode(svc, o.place.community_id);
  if (address_id.empty()) address_id = UnitCode(svc, o.place.street_id);
  Doc r = {
      {"service_request_id", o.no},
      {"status", IsTerminal(o.state) ? "closed" : "open"},
      {"status_notes", StatusNotes(o)},
      {"service_name", s ? s->name : ""},
      {"service_code", o.subject_code},
      {"description", withheld ? ""
                               : DropMaskedNumbers(RedactTitle(o.title, o.content, o.caller_name,
                                                               o.caller_phone, true))},
      {"agency_responsible", UnitName(svc, o.lead_unit_id)},
      {"service_notice", ""},
      {"requested_datetime", FormatTime(o.created_at)},
      {"updated_datetime", FormatTime(UpdatedAt(o))},
      {"expected_datetime", o.due_at > 0 ? Doc(FormatTime(o.due_at)) : Doc(nullptr)},
      {"address", address},
      {"address_id", address_id},
      {"zipcode", ""},
      {"lat", nullptr},  // JSON null, an empty element in XML: no point to show
      {"long", nullptr},
      {"media_url", ""},
  };
  if (!withheld && o.place.lat && o.place.lon) {
    r["lat"] = Round3(*o.place.lat);
    r["long"] = Round3(*o.place.lon);
  }
  if (extensions) {
    auto events = svc.store().ListEvents(o.id);
    std::vector<Event> evs = events.ok() ? std::move(*events) : std::vector<Event>{};
    std::string duplicate_of;
    if (o.merged_into) {
      auto m = svc.store().GetOrder(*o.merged_into);
      if (m.ok()) duplicate_of = m->no;
    }
    r["extended_attributes"] = {
        {"channel", std::string(ToString(o.channel))},
        {"channel_label", std::string(ZhLabel(o.channel))},
        {"source", SourceOf(evs)},
        {"state", std::string(ToString(o.state))},
        {"state_label", std::string(ZhLabel(o.state))},
        {"street", UnitCode(svc, o.place.street_id)},
        {"street_name", UnitName(svc, o.place.street_id)},
        {"community", withheld ? "" : UnitCode(svc, o.place.community_id)},
        {"grid", withheld ? "" : UnitCode(svc, o.place.grid_id)},
        {"duplicate_of", duplicate_of},
    };
    Doc notes = Doc::array();
    for (const Event& e : evs)
      if (auto n = Note(o, e)) notes.push_back(std::move(*n));
    r["notes"] = std::move(notes);
  }
  return r;
}

// -- rate limits per API client (sliding 60 s window) --

bool AllowClient(Id client, int per_minute) {
  using Clock = std::chrono::steady_clock;
  static std::mutex mu;
  static std::unordered_map<Id, std::deque<Clock::time_point>> seen;
  const Clock::time_point now = Clock::now();
  std::lock_guard lock(mu);
  std::deque<Clock::time_point>& times = seen[client];
  while (!times.empty() && now - times.front() >= std::chrono::seconds(60)) times.pop_front();
  if (static_cast<int>(times.size()) >= per_minute) return false;
  times.push_back(now);
  return true;
}

// -- handlers --

struct Target {
  std::string name;
  Format format = Format::kXml;
};

// The path segment {file} split into name and format; an unknown suffix is 404 (as XML).
Result<Target> FileParam(Ctx& c) {
  auto split = open311::SplitFormat(c.req.params["file"]);
  if (!split.ok()) return split.status();
  return Target{split->first, split->second};
}

HttpResponse Discovery(Ctx& c, Format f) {
  if (Status st = CheckParams(c.req, {"jurisdiction_id"}); !st.ok()) return open311::Error(f, st);
  if (Status st = CheckJurisdiction(c.svc, QueryParam(c.req, "jurisdiction_id")); !st.ok())
    return open311::Error(f, st);
  std::string host = c.req.Header("host");
  if (host.empty()) host = "localhost";
  const std::string url = "http://" + host + "/open311/v2";
  const std::string changeset = c.svc.config()->taxonomy_version;
  Doc formats = Doc::array({"text/xml", "application/json"});
  Doc d = {
      {"changeset", changeset},
      {"contact", "12345 市民服务热线（hotline）管理员 / the hotline's administrators"},
      {"key_service", "API 密钥由热线管理员在管理后台创建 (ask the hotline's admin for a key)"},
      {"endpoints", Doc::array({{{"specification", kSpecification},
                                 {"url", url},
                                 {"changeset", changeset},
                                 {"type", "production"},
                                 {"formats", formats}}})}};
  return open311::Render(f, 200, "discovery", d);
}

HttpResponse ServiceList(Ctx& c, Format f) {
  if (Status st = CheckParams(c.req, {"jurisdiction_id", "api_key"}); !st.ok())
    return open311::Error(f, st);
  if (Status st = CheckJurisdiction(c.svc, QueryParam(c.req, "jurisdiction_id")); !st.ok())
    return open311::Error(f, st);
  auto cfg = c.svc.config();
  Doc list = Doc::array();
  for (const Subject& s : cfg->subjects)
    if (IsLeaf(*cfg, s)) list.push_back(ServiceDoc(*cfg, s));
  return open311::Render(f, 200, "services", list);
}

// GET /open311/v2/services/{code}.{fmt}
HttpResponse ServiceDefinition(Ctx& c) {
  auto t = FileParam(c);
  if (!t.ok()) return open311::Error(Format::kXml, t.status());
  const Format f = t->format;
  if (Status st = CheckParams(c.req, {"jurisdiction_id", "api_key"}); !st.ok())
    return open311::Error(f, st);
  if (Status st = CheckJurisdiction(c.svc, QueryParam(c.req, "jurisdiction_id")); !st.ok())
    return open311::Error(f, st);
  auto cfg = c.svc.config();
  const Subject* s = cfg->FindSubject(t->name);
  if (!s || !IsLeaf(*cfg, *s))
    return open311::Error(f, 404, "service_code: no such service " + t->name.substr(0, 32),
                          "service_code");
  Doc d = {{"service_code", s->code}, {"attributes", AttributesOf(*cfg, *s)}};
  return open311::Render(f, 200, "service_definition", d);
}

// The fields of a POST (form body, api_key possibly in the query).
struct PostInput {
  std::map<std::string, std::string> fields;
  std::map<std::string, open311::AttributeValue> attributes;
};

constexpr std::string_view kPostFields[] = {
    "api_key",        "jurisdiction_id", "service_code", "lat",         "long",
    "address_string", "address_id",      "email",        "device_id",   "account_id",
    "first_name",     "last_name",       "phone",        "description", "media_url"};

Result<PostInput> ParsePost(const HttpRequest& req) {
  PostInput in;
  HOTLINE_ASSIGN_OR_RETURN(open311::FormFields form, open311::ParseForm(req.body));
  for (const auto& [k, v] : req.query) form.emplace_back(k, v);
  HOTLINE_ASSIGN_OR_RETURN(in.attributes, open311::Attributes(form));
  for (const auto& [k, v] : form) {
    if (k.rfind("attribute[", 0) == 0) continue;
    if (std::find(std::begin(kPostFields), std::end(kPostFields), k) == std::end(kPostFields))
      continue;  // the specification lets clients send more; it is not ours to read
    auto [it, fresh] = in.fields.emplace(k, v);
    if (!fresh && it->second != v) return Invalid(k, k + " given twice with different values");
  }
  return in;
}

const std::string* Field(const PostInput& in, const char* k) {
  auto it = in.fields.find(k);
  return it == in.fields.end() || it->second.empty() ? nullptr : &it->second;
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

// Engine field names in errors as the client named them.
Status ToOpen311Field(const Status& st) {
  static const std::pair<std::string_view, std::string_view> kNames[] = {
      {"caller.phone", "phone"},
      {"caller.name", "first_name"},
      {"content", "description"},
      {"place.lon", "long"},
      {"place.lat", "lat"},
      {"place", "lat"},
      {"subject_code", "service_code"},
      {"place.address", "address_string"}};
  for (auto [from, to] : kNames)
    if (st.field() == from) return Status(st.code(), st.message(), std::string(to));
  return st;
}

// The intake an Open311 POST asks for; errors name the Open311 field.
Result<IntakeRequest> ToIntake(const HotlineService& svc, const Config& cfg, const PostInput& in,
                               const Subject& s) {
  IntakeRequest r;
  r.channel = Channel::kOpen311;
  r.nature = Nature::kHelp;
  r.subject_code = s.code;
  // Location: lat+long, or address_string, or address_id (a street, community or grid code).
  const std::string* lat = Field(in, "lat");
  const std::string* lon = Field(in, "long");
  if (lat || lon) {
    if (!lat || !lon) return Invalid(lat ? "long" : "lat", "lat and long are given together");
    auto num = [](const std::string& text, const char* name, double lo,
                  double hi) -> Result<double> {
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || !(v >= lo && v <= hi))
        return Invalid(name, std::string(name) + " must be a number in " + std::to_string(int(lo)) +
                                 ".." + std::to_string(int(hi)) + " (WGS84)");
      return v;
    };
    HOTLINE_ASSIGN_OR_RETURN(double la, num(*lat, "lat", -90, 90));
    HOTLINE_ASSIGN_OR_RETURN(double lo, num(*lon, "long", -180, 180));
    r.lat = la;
    r.lon = lo;
  }
  if (const std::string* a = Field(in, "address_string")) {
    if (a->size() > 400) return Invalid("address_string", "address_string is over 400 bytes");
    r.address = *a;
  }
  if (const std::string* id = Field(in, "address_id")) {
    auto u = svc.FindUnitByCode(*id);
    if (!u.ok() || (u->kind != UnitKind::kStreet && u->kind != UnitKind::kCommunity &&
                    u->kind != UnitKind::kGrid))
      return Invalid("address_id", "address_id must be a street, community or grid code");
    if (u->kind == UnitKind::kGrid) r.grid_id = u->id;
    if (u->kind == UnitKind::kCommunity) r.community_id = u->id;
    if (u->kind == UnitKind::kStreet) r.street_id = u->id;
  }
  if (!r.lat && r.address.empty() && !r.grid_id && !r.community_id && !r.street_id)
    return Invalid("lat", "a location is required: lat and long, address_string or address_id");

  // Attributes: only those the service defines, with values from their lists.
  const Doc defs = AttributesOf(cfg, s);
  std::string contact_times;  // for the handler who calls back, in the content
  for (const auto& [code, value] : in.attributes) {
    const std::string field = "attribute[" + code + "]";
    const Doc* def = nullptr;
    for (const Doc& d : defs)
      if (d["code"] == code) def = &d;
    if (!def || !(*def)["variable"].get<bool>())
      return Invalid(field, "service " + s.code + " has no attribute " + code);
    if (value.list && (*def)["datatype"] != "multivaluelist")
      return Invalid(field, code + " takes one value: attribute[" + code + "]=...");
    std::vector<std::string> names;  // the values' Chinese names, in the order given
    for (const std::string& v : value.values) {
      const Doc* item = nullptr;
      for (const Doc& x : (*def)["values"])
        if (x["key"] == v) item = &x;
      if (!item) return Invalid(field, "not a value of " + code + ": " + v.substr(0, 32));
      const std::string name = (*item)["name"].get<std::string>();
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    const std::string& v = value.values.front();
    if (code == "nature") r.nature = Parse<Nature>(v);
    if (code == "urgency") r.urgency = *Parse<Urgency>(v);
    if (code == "confidential") r.confidential = v == "true";
    if (code == "contact_times") {
      contact_times = "\n方便联系时段：";
      for (size_t i = 0; i < names.size(); ++i) contact_times += (i ? "、" : "") + names[i];
    }
  }
  for (const Doc& d : defs)
    if (d["required"].get<bool>() && !in.attributes.count(d["code"].get<std::string>()))
      return Invalid("attribute[" + d["code"].get<std::string>() + "]",
                     "attribute " + d["code"].get<std::string>() + " is required");

  std::string description = Field(in, "description") ? *Field(in, "description") : "";
  if (CodePoints(description) > kMaxDescription)
    return Invalid("description", "description is longer than 4000 characters");
  // The engine needs some text: a pin with no words stands for its service.
  r.content = description.find_first_not_of(" \t\r\n") == std::string::npos
                  ? s.name + (r.address.empty() ? "" : "（" + r.address + "）")
                  : description;
  r.content += contact_times;
  if (const std::string* m = Field(in, "media_url")) {
    if (m->size() > 1000) return Invalid("media_url", "media_url is over 1000 bytes");
    r.content += "\n图片：" + *m;
  }
  if (const std::string* e = Field(in, "email")) {
    if (e->size() > 200 || e->find('@') == std::string::npos)
      return Invalid("email", "email is not an e-mail address");
    r.content += "\n联系邮箱：" + *e;
  }
  const std::string first = Field(in, "first_name") ? *Field(in, "first_name") : "";
  const std::string last = Field(in, "last_name") ? *Field(in, "last_name") : "";
  const bool ascii = std::all_of(last.begin(), last.end(),
                                 [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
  r.caller_name = ascii ? first + (first.empty() || last.empty() ? "" : " ") + last : last + first;
  if (r.caller_name.size() > 100) return Invalid("first_name", "the name is too long");
  if (const std::string* p = Field(in, "phone")) r.caller_phone = *p;
  return r;
}

// The intake actor of an Open311 client: an agent of the root's hotline centre (the city's
// centre in a city, not a district's office; the root itself when it has no centre). user_id 0:
// no person recorded it.
Actor IntakeActor(const HotlineService& svc) {
  Actor a;
  a.role = Role::kAgent;
  const std::vector<Unit> units = svc.Units();
  std::optional<Id> root;
  for (const Unit& u : units)
    if (!u.parent_id) root = u.id;
  if (root) a.unit_id = *root;
  for (const Unit& u : units)
    if (u.kind == UnitKind::kCenter && u.parent_id == root) return a.unit_id = u.id, a;
  return a;
}

HttpResponse PostRequest(Ctx& c, Format f) {
  auto in = ParsePost(c.req);
  if (!in.ok()) return open311::Error(f, in.status());
  std::string key = Field(*in, "api_key") ? *Field(*in, "api_key") : c.req.Header("x-api-key");
  auto client = FindOpen311Client(c.svc, key);
  if (!client.ok()) return open311::Error(f, client.status());
  if (!*client)
    return open311::Error(f, 403,
                          key.empty() ? "api_key is required to create a request"
                                      : "invalid api_key: unknown or revoked",
                          "api_key");
  if (!AllowClient((*client)->id, (*client)->rate_per_minute)) {
    HttpResponse r = open311::Error(f, 429,
                                    "too many requests from this client: at most " +
                                        std::to_string((*client)->rate_per_minute) + " a minute",
                                    "api_key");
    r.headers.emplace_back("Retry-After", "60");
    return r;
  }
  if (Status st = CheckJurisdiction(c.svc, Field(*in, "jurisdiction_id")); !st.ok())
    return open311::Error(f, st);
  const std::string* code = Field(*in, "service_code");
  if (!code) return open311::Error(f, 400, "service_code is required", "service_code");
  auto cfg = c.svc.config();
  const Subject* s = cfg->FindSubject(*code);
  if (!s || !IsLeaf(*cfg, *s))
    return open311::Error(f, 404, "service_code: no such service " + code->substr(0, 32),
                          "service_code");
  auto intake = ToIntake(c.svc, *cfg, *in, *s);
  if (!intake.ok()) return open311::Error(f, intake.status());
  intake->source = (*client)->channel_label;
  // Retries: an Idempotency-Key header, or the same device/account sending the same request;
  // per client system (two clients may well use the same key text).
  const std::string client_scope = "open311:" + std::to_string((*client)->id) + ":";
  const std::string idem = c.req.Header("idempotency-key");
  if (!idem.empty()) {
    if (idem.size() > 200)
      return open311::Error(f, 400, "Idempotency-Key is over 200 bytes", "Idempotency-Key");
    intake->idempotency_key = client_scope + "k:" + idem;
  } else if (Field(*in, "device_id") || Field(*in, "account_id")) {
    std::string print;
    for (const auto& [k, v] : in->fields)
      if (k != "api_key") print += k + "=" + v + "\n";
    for (const auto& [k, v] : in->attributes)
      for (const std::string& x : v.values) print += "attribute[" + k + "]=" + x + "\n";
    intake->idempotency_key = client_scope + "fp:" + TokenDigest(print);
  }
  bool existed = false;
  auto view = c.svc.Intake(IntakeActor(c.svc), *intake, &existed);
  if (!view.ok()) return open311::Error(f, ToOpen311Field(view.status()));
  std::string notice = "已受理，工单号 " + view->order.no + "。";
  if (!view->duplicates.empty()) notice += "相同事项已有工单在办理，将一并处理。";
  Doc req = {{"service_request_id", view->order.no}, {"service_notice", notice}};
  if (const std::string* acc = Field(*in, "account_id")) req["account_id"] = *acc;
  return open311::Render(f, existed ? 200 : 201, "service_requests", Doc::array({req}));
}

// The order numbered `no`; kNotFound naming `field` otherwise.
Result<WorkOrder> OrderByNo(HotlineService& svc, const std::string& no, const char* field) {
  if (no.empty() || no.size() > 32) return Status(Code::kNotFound, "no such request", field);
  auto o = svc.store().GetOrderByNo(no);
  if (!o.ok() && o.status().code() == Code::kNotFound)
    return Status(Code::kNotFound, "no such request " + no, field);
  return o;
}

Result<bool> BoolParam(const HttpRequest& req, const char* key) {
  const std::string* v = QueryParam(req, key);
  if (!v || v->empty() || *v == "false") return false;
  if (*v == "true") return true;
  return Invalid(key, std::string(key) + " must be true or false");
}

// A date-time parameter ('+' of an offset arrives as a space when the client did not escape it).
Result<std::optional<Timestamp>> TimeParam(const HttpRequest& req, const char* key) {
  const std::string* v = QueryParam(req, key);
  if (!v || v->empty()) return std::optional<Timestamp>();
  std::string s = *v;
  if (s.size() > 19 && s[s.size() - 6] == ' ') s[s.size() - 6] = '+';
  if (s.size() < 11) return Invalid(key, std::string(key) + " must be an ISO 8601 date-time");
  HOTLINE_ASSIGN_OR_RETURN(Timestamp t, ParseTime(s, key));
  return std::optional<Timestamp>(t);
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    std::string item = s.substr(i, j - i);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
    i = j + 1;
  }
  return out;
}

Result<int> IntParam(const HttpRequest& req, const char* key, int def, int lo, int hi) {
  const std::string* v = QueryParam(req, key);
  if (!v || v->empty()) return def;
  auto n = ParseInt(*v);
  if (!n || *n < lo || *n > hi)
    return Invalid(key, std::string(key) + " must be an integer in " + std::to_string(lo) + ".." +
                            std::to_string(hi));
  return static_cast<int>(*n);
}

HttpResponse GetRequests(Ctx& c, Format f) {
  if (Status st =
          CheckParams(c.req, {"jurisdiction_id", "api_key", "service_request_id", "service_code",
                              "start_date", "end_date", "status", "page", "page_size",
                              "updated_after", "updated_before", "extensions"});
      !st.ok())
    return open311::Error(f, st);
  if (Status st = CheckJurisdiction(c.svc, QueryParam(c.req, "jurisdiction_id")); !st.ok())
    return open311::Error(f, st);
  auto ext = BoolParam(c.req, "extensions");
  if (!ext.ok()) return open311::Error(f, ext.status());
  auto cfg = c.svc.config();
  Doc list = Doc::array();
  // service_request_id overrides every other filter.
  if (const std::string* ids = QueryParam(c.req, "service_request_id"); ids && !ids->empty()) {
    const std::vector<std::string> nos = SplitComma(*ids);
    if (nos.size() > kMaxRequests)
      return open311::Error(f, 400, "at most 1000 service_request_id values", "service_request_id");
    for (const std::string& no : nos) {
      auto o = c.svc.store().GetOrderByNo(no);
      if (o.ok()) list.push_back(RequestDoc(c.svc, *cfg, *o, *ext));
    }
    return open311::Render(f, 200, "service_requests", list);
  }
  auto start = TimeParam(c.req, "start_date");
  if (!start.ok()) return open311::Error(f, start.status());
  auto end = TimeParam(c.req, "end_date");
  if (!end.ok()) return open311::Error(f, end.status());
  auto upd_after = TimeParam(c.req, "updated_after");
  if (!upd_after.ok()) return open311::Error(f, upd_after.status());
  auto upd_before = TimeParam(c.req, "updated_before");
  if (!upd_before.ok()) return open311::Error(f, upd_before.status());
  auto page = IntParam(c.req, "page", 1, 1, 1000000);
  if (!page.ok()) return open311::Error(f, page.status());
  auto page_size = IntParam(c.req, "page_size", kMaxRequests, 1, kMaxRequests);
  if (!page_size.ok()) return open311::Error(f, page_size.status());

  // The span: start_date..end_date, at most 90 days; the last 90 days when neither is given.
  const Timestamp now = c.svc.clock().Now();
  Timestamp to = end->value_or(start->has_value() ? **start + 90 * kDay : now + 1);
  Timestamp from = start->value_or(to - 90 * kDay);
  if (to <= from) return open311::Error(f, 400, "end_date must be after start_date", "end_date");
  if (to - from > 90 * kDay)
    return open311::Error(f, 400, "start_date..end_date spans at most 90 days", "end_date");

  OrderQuery q;
  q.created_from = from;
  q.created_to = to;
  q.now = now;
  q.sort = OrderQuery::Sort::kNewest;
  if (const std::string* st = QueryParam(c.req, "status"); st && !st->empty()) {
    bool open = false, closed = false;
    for (const std::string& v : SplitComma(*st)) {
      if (v == "open")
        open = true;
      else if (v == "closed")
        closed = true;
      else
        return open311::Error(f, 400, "status must be open, closed or both (comma-separated)",
                              "status");
    }
    if (open != closed) {
      for (const auto& n : EnumNames<State>())
        if (IsTerminal(n.value) == closed) q.states.push_back(n.value);
    }
  }
  std::set<std::string> codes;
  if (const std::string* sc = QueryParam(c.req, "service_code"); sc && !sc->empty())
    for (const std::string& code : SplitComma(*sc)) codes.insert(code);
  if (codes.size() == 1) q.subject_prefix = *codes.begin();
  const bool by_updated = upd_after->has_value() || upd_before->has_value();
  const bool in_memory = codes.size() > 1 || by_updated;
  auto keep = [&](const WorkOrder& o) {
    if (codes.size() > 1 && !codes.count(o.subject_code)) return false;
    if (codes.size() == 1 && o.subject_code != *codes.begin()) return false;
    const Timestamp u = UpdatedAt(o);
    if (*upd_after && u <= **upd_after) return false;
    if (*upd_before && u >= **upd_before) return false;
    return true;
  };
  const std::int64_t skip = static_cast<std::int64_t>(*page - 1) * *page_size;
  if (!in_memory) {
    q.limit = *page_size;
    q.offset = static_cast<int>(std::min<std::int64_t>(skip, 1 << 30));
    auto res = c.svc.store().ListOrders(q);
    if (!res.ok()) return open311::Error(f, res.status());
    for (const WorkOrder& o : res->items)
      if (keep(o)) list.push_back(RequestDoc(c.svc, *cfg, o, *ext));
    return open311::Render(f, 200, "service_requests", list);
  }
  // Several services or a change window: the store's page filtered here, in order.
  q.limit = 500;
  std::int64_t seen = 0;
  for (q.offset = 0;; q.offset += q.limit) {
    auto res = c.svc.store().ListOrders(q);
    if (!res.ok()) return open311::Error(f, res.status());
    for (const WorkOrder& o : res->items) {
      if (!keep(o)) continue;
      if (seen++ < skip) continue;
      list.push_back(RequestDoc(c.svc, *cfg, o, *ext));
      if (static_cast<int>(list.size()) >= *page_size)
        return open311::Render(f, 200, "service_requests", list);
    }
    if (static_cast<int>(res->items.size()) < q.limit) break;
  }
  return open311::Render(f, 200, "service_requests", list);
}

// GET /open311/v2/requests/{id}.{fmt}: a list of one.
HttpResponse GetRequest(Ctx& c) {
  auto t = FileParam(c);
  if (!t.ok()) return open311::Error(Format::kXml, t.status());
  const Format f = t->format;
  if (Status st = CheckParams(c.req, {"jurisdiction_id", "api_key", "extensions"}); !st.ok())
    return open311::Error(f, st);
  if (Status st = CheckJurisdiction(c.svc, QueryParam(c.req, "jurisdiction_id")); !st.ok())
    return open311::Error(f, st);
  auto ext = BoolParam(c.req, "extensions");
  if (!ext.ok()) return open311::Error(f, ext.status());
  auto o = OrderByNo(c.svc, t->name, "service_request_id");
  if (!o.ok()) return open311::Error(f, o.status());
  return open311::Render(f, 200, "service_requests",
                         Doc::array({RequestDoc(c.svc, *c.svc.config(), *o, *ext)}));
}

// GET /open311/v2/tokens/{token}.{fmt}: requests are realtime here (a POST answers with the
// id), so a token is the order number itself and answers with itself.
HttpResponse GetToken(Ctx& c) {
  auto t = FileParam(c);
  if (!t.ok()) return open311::Error(Format::kXml, t.status());
  const Format f = t->format;
  if (Status st = CheckParams(c.req, {"jurisdiction_id", "api_key"}); !st.ok())
    return open311::Error(f, st);
  if (Status st = CheckJurisdiction(c.svc, QueryParam(c.req, "jurisdiction_id")); !st.ok())
    return open311::Error(f, st);
  auto o = OrderByNo(c.svc, t->name, "token");
  if (!o.ok()) return open311::Error(f, o.status());
  return open311::Render(f, 200, "service_requests",
                         Doc::array({{{"service_request_id", o->no}, {"token", o->no}}}));
}

// FixMyStreet's GET servicerequestupdates: the public timeline's steps in a window, oldest first.
HttpResponse RequestUpdates(Ctx& c, Format f) {
  if (Status st = CheckParams(c.req, {"jurisdiction_id", "api_key", "start_date", "end_date"});
      !st.ok())
    return open311::Error(f, st);
  if (Status st = CheckJurisdiction(c.svc, QueryParam(c.req, "jurisdiction_id")); !st.ok())
    return open311::Error(f, st);
  auto start = TimeParam(c.req, "start_date");
  if (!start.ok()) return open311::Error(f, start.status());
  auto end = TimeParam(c.req, "end_date");
  if (!end.ok()) return open311::Error(f, end.status());
  const Timestamp now = c.svc.clock().Now();
  const Timestamp to = end->value_or(now + 1);
  const Timestamp from = start->value_or(to - kDay);
  if (to <= from) return open311::Error(f, 400, "end_date must be after start_date", "end_date");
  if (to - from > 90 * kDay)
    return open311::Error(f, 400, "start_date..end_date spans at most 90 days", "end_date");
  // Orders touched in the window were created before its end: walk those of the 90 days before.
  auto cfg = c.svc.config();
  OrderQuery q;
  q.created_from = from - 90 * kDay;
  q.created_to = to;
  q.now = now;
  q.sort = OrderQuery::Sort::kOldest;
  q.limit = 500;
  std::vector<std::pair<Event, Doc>> rows;
  for (q.offset = 0;; q.offset += q.limit) {
    auto res = c.svc.store().ListOrders(q);
    if (!res.ok()) return open311::Error(f, res.status());
    for (const WorkOrder& o : res->items) {
      if (UpdatedAt(o) < from && o.updated_at < from) continue;
      auto events = c.svc.store().ListEvents(o.id);
      if (!events.ok()) return open311::Error(f, events.status());
      for (const Event& e : *events) {
        if (e.at < from || e.at >= to || e.action == "intake") continue;
        auto note = Note(o, e);
        if (!note) continue;
        const bool closed = IsTerminal(e.to);
        Doc u = {{"update_id", std::to_string(e.id)},
                 {"service_request_id", o.no},
                 {"status", closed ? "closed" : "open"},
                 {"description", (*note)["description"]},
                 {"updated_datetime", FormatTime(e.at)},
                 {"media_url", ""},
                 {"external_status_code", std::string(ToString(e.to))}};
        rows.emplace_back(e, std::move(u));
      }
    }
    if (static_cast<int>(res->items.size()) < q.limit) break;
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.first.at != b.first.at ? a.first.at < b.first.at : a.first.id < b.first.id;
  });
  Doc list = Doc::array();
  for (auto& [e, d] : rows) list.push_back(std::move(d));
  return open311::Render(f, 200, "service_requests_updates", list);
}

// GET /open311/v2/{file}: discovery, services, requests, servicerequestupdates.
HttpResponse GetTop(Ctx& c) {
  auto t = FileParam(c);
  if (!t.ok()) return open311::Error(Format::kXml, t.status());
  if (t->name == "discovery") return Discovery(c, t->format);
  if (t->name == "services") return ServiceList(c, t->format);
  if (t->name == "requests") return GetRequests(c, t->format);
  if (t->name == "servicerequestupdates") return RequestUpdates(c, t->format);
  return open311::Error(t->format, 404, "no such resource " + t->name.substr(0, 32), "path");
}

// POST /open311/v2/{file}: requests only.
HttpResponse PostTop(Ctx& c) {
  auto t = FileParam(c);
  if (!t.ok()) return open311::Error(Format::kXml, t.status());
  if (t->name == "requests") return PostRequest(c, t->format);
  return open311::Error(t->format, 404, "no such resource " + t->name.substr(0, 32), "path");
}

// -- admin: API keys (/api/v1/open311/clients) --

Json ClientJson(const Open311Client& k) {
  Json j = {{"id", k.id},
            {"name", k.name},
            {"channel_label", k.channel_label},
            {"rate_per_minute", k.rate_per_minute},
            {"key_prefix", k.key_prefix},
            {"created_at", FormatTime(k.created_at)},
            {"created_by", k.created_by},
            {"revoked_at", k.revoked_at ? Json(FormatTime(*k.revoked_at)) : Json(nullptr)}};
  return j;
}

HttpResponse ListClients(Ctx& c) {
  if (Status st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  auto list = ListOpen311Clients(c.svc, c.actor);
  if (!list.ok()) return Fail(list.status());
  Json items = Json::array();
  for (const Open311Client& k : *list) items.push_back(ClientJson(k));
  return JsonReply(200, Json{{"items", items}});
}

HttpResponse CreateClient(Ctx& c) {
  if (Status st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  auto body = ParseJsonObject(c.req.body);
  if (!body.ok()) return Fail(body.status());
  JsonReader r(*body);
  r.RejectUnknown({"name", "channel_label", "rate_per_minute"});
  const std::string name = r.String("name").value_or("");
  const std::string label = r.String("channel_label").value_or("");
  const std::optional<double> rate = r.Number("rate_per_minute", 1, 6000);
  if (!r.ok()) return Fail(r.status());
  if (rate && *rate != static_cast<int>(*rate))
    return Fail(Invalid("rate_per_minute", "rate_per_minute must be an integer"));
  auto made = CreateOpen311Client(c.svc, c.actor, name, label, rate ? int(*rate) : 60);
  if (!made.ok()) return Fail(made.status());
  Json j = ClientJson(made->client);
  j["api_key"] = made->key;
  return JsonReply(201, j);
}

HttpResponse RevokeClient(Ctx& c) {
  if (Status st = CheckQuery(c.req, {}); !st.ok()) return Fail(st);
  auto id = PathId(c);
  if (!id.ok()) return Fail(id.status());
  auto k = RevokeOpen311Client(c.svc, c.actor, *id);
  if (!k.ok()) return Fail(k.status());
  return JsonReply(200, ClientJson(*k));
}

}  // namespace

std::vector<Route> Open311Routes() {
  return {
      {"GET", "/open311/v2/{file}", Access::kPublic, GetTop},
      {"POST", "/open311/v2/{file}", Access::kPublic, PostTop},
      {"GET", "/open311/v2/services/{file}", Access::kPublic, ServiceDefinition},
      {"GET", "/open311/v2/requests/{file}", Access::kPublic, GetRequest},
      {"GET", "/open311/v2/tokens/{file}", Access::kPublic, GetToken},
      {"GET", "/api/v1/open311/clients", Access::kAdmin, ListClients},
      {"POST", "/api/v1/open311/clients", Access::kAdmin, CreateClient},
      {"DELETE", "/api/v1/open311/clients/{id}", Access::kAdmin, RevokeClient},
  };
}

}  // namespace hotline::api::route
